"""Table 1: the run's models as its prepared files describe them (rule table1_models)."""

from smdown.io import atomic_path
from smdown.jobs import workflow_job
from smdown.stats.models_table import models_table

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    table = models_table(prepared=dict(zip(p.models, i, strict=True)), entries=p.get("model_specs"))
    with atomic_path(o[0]) as tmp:
        table.to_csv(tmp, index=False)
    log.info("Table 1: %d models", len(table))
