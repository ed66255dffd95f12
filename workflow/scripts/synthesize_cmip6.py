"""Demo CMIP6 `mrsos` CMOR files of every model for one experiment (rules synthesize_cmip6_*)."""

from smdown.jobs import workflow_job
from smdown.synthetic import world_on, write_cmip6

with workflow_job(snakemake) as log:
    o, p = snakemake.output, snakemake.params
    world = world_on(grid=p.grid, seed=p.seed, world=p.world)
    folder = o[0].rsplit("/", 1)[0]
    for model in p.models:
        paths = write_cmip6(world=world, model=model, experiment=p.experiment, folder=folder)
        log.info("%s: %s", model, ", ".join(path.name for path in paths))
