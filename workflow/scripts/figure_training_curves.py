"""Training curves from the jobs' history.csv (rules figure_training_curves, figure_loss_curves)."""

from smdown.jobs import workflow_job
from smdown.plots.training_curves import training_curves

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    training_curves(
        paths=dict(zip(p.labels, i, strict=True)), columns=p.columns, title=p.title, path=o[0]
    )
    log.info("wrote %s", o[0])
