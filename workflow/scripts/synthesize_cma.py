"""The demo CMA station CSV."""

from smdown.logs import route_to
from smdown.provenance import record_job
from smdown.synthetic import world_on, write_cma

log = route_to(snakemake.log[0])
p = snakemake.params
table = write_cma(world_on(p.grid, p.seed, p.world), snakemake.output[0], seed=p.seed)
log.info("wrote %d rows to %s", len(table), snakemake.output[0])
record_job(snakemake)
