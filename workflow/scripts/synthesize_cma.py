"""The demo CMA station CSV."""

from smdown.logs import route_to
from smdown.provenance import record_job
from smdown.synthetic import TruthWorld, write_cma

log = route_to(snakemake.log[0])
table = write_cma(TruthWorld(seed=snakemake.params.seed), snakemake.output[0],
                  seed=snakemake.params.seed)
log.info("wrote %d rows to %s", len(table), snakemake.output[0])
record_job(snakemake)
