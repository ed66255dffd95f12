"""The demo CMA station CSV."""

from smdown.jobs import workflow_job
from smdown.synthetic import world_on, write_cma

with workflow_job(snakemake) as log:
    p = snakemake.params
    table = write_cma(world_on(p.grid, p.seed, p.world), snakemake.output[0], seed=p.seed)
    log.info("wrote %d rows to %s", len(table), snakemake.output[0])
