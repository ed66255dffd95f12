"""Check a user-supplied source and list its files with checksums (rules ingest_*)."""

from smdown.jobs import workflow_job
from smdown.sources.acquire import ingest_source

with workflow_job(snakemake) as log:
    ingest_source(snakemake.params.source, snakemake.output[0], snakemake.params.options)
    log.info("wrote %s", snakemake.output[0])
