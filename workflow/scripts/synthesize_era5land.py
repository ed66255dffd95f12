"""One demo ERA5-Land chunk (new CDS NetCDF layout), like one CDS request's file."""

from smdown.jobs import workflow_job
from smdown.synthetic import world_on, write_era5land

with workflow_job(snakemake) as log:
    w = snakemake.wildcards
    p = snakemake.params
    write_era5land(
        world_on(p.grid, p.seed, p.world),
        snakemake.output[0],
        int(w.first),
        int(w.last),
        layout="new",
        resolution=p.resolution,
    )
    log.info("wrote %s", snakemake.output[0])
