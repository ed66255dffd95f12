"""Download one file by URL, checked against its sha256 (rules download_region_mask_*)."""

from smdown.logs import route_to
from smdown.provenance import record_job
from smdown.sources.acquire import from_url

log = route_to(snakemake.log[0])
p = snakemake.params
from_url(
    p.url,
    p.sha256,
    snakemake.output[0],
    retries=p.download["retries"],
    backoff_s=p.download["backoff_s"],
    timeout_s=p.download["timeout_s"],
)
log.info("wrote %s", snakemake.output[0])
record_job(snakemake)
