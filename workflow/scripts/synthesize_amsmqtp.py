"""The demo AMSMQTP folder: daily 5-layer files, one per year."""

from smdown.jobs import workflow_job
from smdown.synthetic import world_on, write_amsmqtp

with workflow_job(snakemake) as log:
    p = snakemake.params
    folder = snakemake.output[0].rsplit("/", 1)[0]
    paths = write_amsmqtp(world_on(p.grid, p.seed, p.world), folder, p.first_year, p.last_year)
    log.info("wrote %d files to %s", len(paths), folder)
