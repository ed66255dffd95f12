"""The demo AMSMQTP folder: daily files on the reference's layers, one per year (rule
synthesize_amsmqtp)."""

from smdown.jobs import workflow_job
from smdown.synthetic import world_on, write_amsmqtp

with workflow_job(snakemake) as log:
    o, p = snakemake.output, snakemake.params
    folder = o[0].rsplit("/", 1)[0]
    paths = write_amsmqtp(
        world=world_on(grid=p.grid, seed=p.seed, world=p.world),
        folder=folder,
        first_year=p.first_year,
        last_year=p.last_year,
        layers=p.layers,
    )
    log.info("wrote %d files to %s", len(paths), folder)
