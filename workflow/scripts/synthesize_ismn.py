"""The synthetic ISMN archive, header_values .stm files (rule synthesize_ismn).

The configured networks: the demo's in their own boxes, any other inside the first region."""

from smdown.jobs import workflow_job
from smdown.synthetic import station_region, world_on, write_ismn

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    stations = write_ismn(
        world=world_on(grid=p.grid, seed=p.seed, world=p.world),
        folder=o[0],
        networks=p.networks,
        seed=p.seed,
        region=station_region(grid=p.grid, **p.regions, masks=i.get("regions")),
    )
    log.info("wrote %d sensors to %s", len(stations), o[0])
