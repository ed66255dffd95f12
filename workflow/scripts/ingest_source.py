"""Check a user-supplied source and list its files with checksums (rules ingest_*)."""

from smdown.logs import route_to
from smdown.provenance import record_job
from smdown.sources.acquire import ingest_source

log = route_to(snakemake.log[0])
ingest_source(snakemake.params.source, snakemake.output[0], snakemake.params.options)
log.info("wrote %s", snakemake.output[0])
record_job(snakemake)
