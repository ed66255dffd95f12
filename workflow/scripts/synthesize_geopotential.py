"""The demo's ERA5-Land geopotential: a synthetic orography (rule synthesize_geopotential)."""

from smdown.jobs import workflow_job
from smdown.synthetic import world_on
from smdown.synthetic.orography import write_geopotential

with workflow_job(snakemake) as log:
    o, p = snakemake.output, snakemake.params
    write_geopotential(
        world=world_on(grid=p.grid, seed=p.seed, world=p.world),
        path=o[0],
        resolution=p.resolution,
    )
    log.info("wrote %s", o[0])
