"""Download one file by URL, checked against its sha256 (rules download_region_mask_*)."""

from smdown.jobs import workflow_job
from smdown.sources.acquire import from_url

with workflow_job(snakemake) as log:
    o, p = snakemake.output, snakemake.params
    from_url(
        url=p.url,
        sha256=p.sha256,
        target=o[0],
        retries=p.download["retries"],
        backoff_s=p.download["backoff_s"],
        timeout_s=p.download["timeout_s"],
    )
    log.info("wrote %s", o[0])
