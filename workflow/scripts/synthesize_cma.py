"""The synthetic CMA station CSV (rule synthesize_cma): stations inside the first region
where the grid lies outside China."""

from smdown.jobs import workflow_job
from smdown.synthetic import station_region, world_on, write_cma

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    table = write_cma(
        world=world_on(grid=p.grid, seed=p.seed, world=p.world),
        path=o[0],
        seed=p.seed,
        region=station_region(grid=p.grid, **p.regions, masks=i.get("regions")),
    )
    log.info("wrote %d rows to %s", len(table), o[0])
