"""Demo CMIP6 `mrsos` CMOR files of every configured model for one experiment."""

from smdown.jobs import workflow_job
from smdown.synthetic import world_on, write_cmip6

with workflow_job(snakemake) as log:
    p = snakemake.params
    world = world_on(p.grid, p.seed, p.world)
    folder = snakemake.output[0].rsplit("/", 1)[0]
    for model in p.models:
        paths = write_cmip6(world, model, p.experiment, folder)
        log.info("%s: %s", model, ", ".join(p.name for p in paths))
