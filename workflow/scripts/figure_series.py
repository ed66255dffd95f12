"""Figs. 10-12: regional series of one season and layer, every scenario, with their slopes."""

from smdown.jobs import workflow_job
from smdown.plots.trend_series import regional_series
from smdown.stats.figure_tables import series_tables

with workflow_job(snakemake) as log:
    p, w, i = snakemake.params, snakemake.wildcards, snakemake.input
    layer = int(w.layer)
    values, slopes = series_tables(
        dict(zip(p.experiments, i.series, strict=True)),
        dict(zip(p.experiments, i.trends, strict=True)),
        p.whole,
        layer,
        w.season,
    )
    season = "annual mean" if w.season == "Y" else w.season
    title = (
        f"Fig. {int(w.number)} ({p.run}), layer {layer}: regional {season} soil moisture of "
        f"CMIP6_UNet-Gan;\nlegend: Sen's slope over each run, asterisks: Mann-Kendall p"
    )
    regional_series(values, slopes, snakemake.output[0], title)
    log.info("wrote %s", snakemake.output[0])
