"""Download one ERA5-Land chunk from the CDS (rule download_era5land)."""

from smdown.jobs import workflow_job
from smdown.sources.acquire import era5land_from_cds

with workflow_job(snakemake) as log:
    o, p, w = snakemake.output, snakemake.params, snakemake.wildcards
    era5land_from_cds(
        first_year=int(w.first),
        last_year=int(w.last),
        target=o.data,
        manifest=o.manifest,
        area=p.area,
        resolution=p.resolution,
        retries=p.download["retries"],
        backoff_s=p.download["backoff_s"],
    )
    log.info("wrote %s", o.data)
