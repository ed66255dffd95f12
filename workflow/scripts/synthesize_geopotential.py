"""The demo's ERA5-Land geopotential: a synthetic orography (rule synthesize_geopotential)."""

from smdown.jobs import workflow_job
from smdown.synthetic import world_on
from smdown.synthetic.orography import write_geopotential

with workflow_job(snakemake) as log:
    p = snakemake.params
    write_geopotential(
        world_on(p.grid, p.seed, p.world), snakemake.output[0], resolution=p.resolution
    )
    log.info("wrote %s", snakemake.output[0])
