"""One demo ERA5-Land chunk, like one CDS request's file (rule synthesize_era5land).

In the new CDS NetCDF layout."""

from smdown.jobs import workflow_job
from smdown.synthetic import world_on, write_era5land

with workflow_job(snakemake) as log:
    o, p, w = snakemake.output, snakemake.params, snakemake.wildcards
    write_era5land(
        world=world_on(grid=p.grid, seed=p.seed, world=p.world),
        path=o[0],
        first_year=int(w.first),
        last_year=int(w.last),
        layout="new",
        resolution=p.resolution,
    )
    log.info("wrote %s", o[0])
