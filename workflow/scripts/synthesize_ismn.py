"""The demo ISMN archive (header_values .stm files) for CTP_SMTMN, MAQU and NAQU."""

from smdown.logs import route_to
from smdown.provenance import record_job
from smdown.synthetic import TruthWorld, write_ismn

log = route_to(snakemake.log[0])
stations = write_ismn(TruthWorld(seed=snakemake.params.seed), snakemake.output[0],
                      seed=snakemake.params.seed)
log.info("wrote %d sensors to %s", len(stations), snakemake.output[0])
record_job(snakemake)
