"""Training curves from the jobs' history.csv (rules figure_training_curves, figure_02)."""

from smdown.logs import route_to
from smdown.plots.training_curves import training_curves
from smdown.provenance import record_job

log = route_to(snakemake.log[0])
p = snakemake.params
training_curves(
    dict(zip(p.labels, snakemake.input, strict=True)), p.columns, p.title, snakemake.output[0]
)
log.info("wrote %s", snakemake.output[0])
record_job(snakemake)
