"""Download ERA5-Land's invariant geopotential from the CDS (rule download_geopotential)."""

from smdown.jobs import workflow_job
from smdown.sources.acquire import geopotential_from_cds

with workflow_job(snakemake) as log:
    o, p = snakemake.output, snakemake.params
    geopotential_from_cds(
        target=o.data,
        manifest=o.manifest,
        area=p.area,
        resolution=p.resolution,
        retries=p.download["retries"],
        backoff_s=p.download["backoff_s"],
    )
    log.info("wrote %s", o.data)
