"""The demo ISMN archive (header_values .stm files) for CTP_SMTMN, MAQU and NAQU."""

from smdown.jobs import workflow_job
from smdown.synthetic import world_on, write_ismn

with workflow_job(snakemake) as log:
    p = snakemake.params
    stations = write_ismn(world_on(p.grid, p.seed, p.world), snakemake.output[0], seed=p.seed)
    log.info("wrote %d sensors to %s", len(stations), snakemake.output[0])
