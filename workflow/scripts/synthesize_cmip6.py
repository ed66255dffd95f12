"""Demo CMIP6 `mrsos` CMOR files of every configured model for one experiment."""

from smdown.logs import route_to
from smdown.provenance import record_job
from smdown.synthetic import world_on, write_cmip6

log = route_to(snakemake.log[0])
p = snakemake.params
world = world_on(p.grid, p.seed, p.world)
folder = snakemake.output[0].rsplit("/", 1)[0]
for model in p.models:
    paths = write_cmip6(world, model, p.experiment, folder)
    log.info("%s: %s", model, ", ".join(p.name for p in paths))
record_job(snakemake)
