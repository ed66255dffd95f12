"""The synthetic CMA station CSV (rule synthesize_cma): stations inside the first region
where the grid lies outside China."""

from smdown.jobs import workflow_job
from smdown.synthetic import first_region, mask_region, world_on, write_cma

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    # the user's own first region where the outlines are real, else the synthetic one
    region = (
        mask_region(path=i.regions)
        if hasattr(i, "regions")
        else first_region(grid=p.grid, names=p.regions["names"], union=p.regions["union"])
    )
    table = write_cma(
        world=world_on(grid=p.grid, seed=p.seed, world=p.world),
        path=o[0],
        seed=p.seed,
        region=region,
    )
    log.info("wrote %d rows to %s", len(table), o[0])
