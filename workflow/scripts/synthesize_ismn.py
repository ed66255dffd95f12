"""The demo ISMN archive, header_values .stm files (rule synthesize_ismn).

Networks CTP_SMTMN, MAQU and NAQU."""

from smdown.jobs import workflow_job
from smdown.synthetic import world_on, write_ismn

with workflow_job(snakemake) as log:
    o, p = snakemake.output, snakemake.params
    stations = write_ismn(
        world=world_on(grid=p.grid, seed=p.seed, world=p.world), folder=o[0], seed=p.seed
    )
    log.info("wrote %d sensors to %s", len(stations), o[0])
