"""Figs. 10-12: regional series of one season and layer, every scenario (rule figure_series).

With their slopes."""

from smdown.jobs import workflow_job
from smdown.plots.trend_series import regional_series
from smdown.stats.figure_tables import series_tables

with workflow_job(snakemake) as log:
    i, o, p, w = snakemake.input, snakemake.output, snakemake.params, snakemake.wildcards
    layer = int(w.layer)
    values, slopes = series_tables(
        series=dict(zip(p.experiments, i.series, strict=True)),
        trends=dict(zip(p.experiments, i.trends, strict=True)),
        whole=p.whole,
        layer=layer,
        season=w.season,
    )
    season = "annual mean" if w.season == "Y" else w.season
    title = (
        f"Fig. {int(w.number)} ({p.run}), layer {layer}: regional {season} soil moisture of "
        f"CMIP6_UNet-Gan;\nlegend: Sen's slope over each run, asterisks: Mann-Kendall p"
    )
    regional_series(series=values, slopes=slopes, path=o[0], title=title)
    log.info("wrote %s", o[0])
