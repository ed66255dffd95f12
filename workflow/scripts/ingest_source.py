"""Check a user-supplied source and list its files with checksums (rules ingest_*)."""

from smdown.jobs import workflow_job
from smdown.sources.acquire import ingest_source

with workflow_job(snakemake) as log:
    o, p = snakemake.output, snakemake.params
    ingest_source(name=p.source, manifest=o[0], options=p.options)
    log.info("wrote %s", o[0])
