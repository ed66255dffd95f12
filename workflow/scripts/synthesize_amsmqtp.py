"""The demo AMSMQTP folder: daily 5-layer files, one per year."""

from smdown.logs import route_to
from smdown.provenance import record_job
from smdown.synthetic import world_on, write_amsmqtp

log = route_to(snakemake.log[0])
p = snakemake.params
folder = snakemake.output[0].rsplit("/", 1)[0]
paths = write_amsmqtp(world_on(p.grid, p.seed, p.world), folder, p.first_year, p.last_year)
log.info("wrote %d files to %s", len(paths), folder)
record_job(snakemake)
