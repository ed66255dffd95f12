"""Table 1: the run's models as its prepared files describe them (rule table1_models)."""

from smdown.io import atomic_path
from smdown.jobs import workflow_job
from smdown.stats.models_table import models_table

with workflow_job(snakemake) as log:
    table = models_table(
        dict(zip(snakemake.params.models, snakemake.input, strict=True)),
        snakemake.params.get("model_specs"),
    )
    with atomic_path(snakemake.output[0]) as tmp:
        table.to_csv(tmp, index=False)
    log.info("Table 1: %d models", len(table))
