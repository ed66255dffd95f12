"""The demo ISMN archive (header_values .stm files) for CTP_SMTMN, MAQU and NAQU."""

from smdown.logs import route_to
from smdown.provenance import record_job
from smdown.synthetic import world_on, write_ismn

log = route_to(snakemake.log[0])
p = snakemake.params
stations = write_ismn(world_on(p.grid, p.seed, p.world), snakemake.output[0], seed=p.seed)
log.info("wrote %d sensors to %s", len(stations), snakemake.output[0])
record_job(snakemake)
