"""The synthetic ISMN archive, header_values .stm files (rule synthesize_ismn).

The configured networks: the demo's in their own boxes, any other inside the first region."""

from smdown.jobs import workflow_job
from smdown.synthetic import first_region, mask_region, world_on, write_ismn

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    # the user's own first region where the outlines are real, else the synthetic one
    region = (
        mask_region(path=i.regions)
        if hasattr(i, "regions")
        else first_region(grid=p.grid, names=p.regions["names"], union=p.regions["union"])
    )
    stations = write_ismn(
        world=world_on(grid=p.grid, seed=p.seed, world=p.world),
        folder=o[0],
        networks=p.networks,
        seed=p.seed,
        region=region,
    )
    log.info("wrote %d sensors to %s", len(stations), o[0])
