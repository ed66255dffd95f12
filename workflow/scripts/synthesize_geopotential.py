"""The demo's ERA5-Land geopotential: a synthetic orography (rule synthesize_geopotential)."""

from smdown.logs import route_to
from smdown.provenance import record_job
from smdown.synthetic import world_on
from smdown.synthetic.orography import write_geopotential

log = route_to(snakemake.log[0])
p = snakemake.params
write_geopotential(world_on(p.grid, p.seed, p.world), snakemake.output[0], resolution=p.resolution)
log.info("wrote %s", snakemake.output[0])
record_job(snakemake)
