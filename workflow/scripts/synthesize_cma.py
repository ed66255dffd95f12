"""The demo CMA station CSV (rule synthesize_cma)."""

from smdown.jobs import workflow_job
from smdown.synthetic import world_on, write_cma

with workflow_job(snakemake) as log:
    o, p = snakemake.output, snakemake.params
    table = write_cma(
        world=world_on(grid=p.grid, seed=p.seed, world=p.world), path=o[0], seed=p.seed
    )
    log.info("wrote %d rows to %s", len(table), o[0])
