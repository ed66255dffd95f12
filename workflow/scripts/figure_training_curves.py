"""Training curves from the jobs' history.csv (rules figure_training_curves, figure_loss_curves)."""

from smdown.jobs import workflow_job
from smdown.plots.training_curves import training_curves

with workflow_job(snakemake) as log:
    p = snakemake.params
    training_curves(
        dict(zip(p.labels, snakemake.input, strict=True)), p.columns, p.title, snakemake.output[0]
    )
    log.info("wrote %s", snakemake.output[0])
