"""Figs. 13 and 15: period means and trend rates of the first region (rule figure_periods).

With their tables."""

from smdown.io import atomic_path
from smdown.jobs import workflow_job
from smdown.plots.trend_series import period_means, period_rates
from smdown.stats.figure_tables import period_table, rates_table

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    means = period_table(
        means=dict(zip(p.experiments, i.means, strict=True)), periods=p.periods, region=p.region
    )
    rates = rates_table(
        trends=dict(zip(p.experiments, i.trends, strict=True)), periods=p.periods, region=p.region
    )
    for table, path in ((means, o.means_table), (rates, o.rates_table)):
        with atomic_path(path) as tmp:
            table.to_csv(tmp, index=False, float_format="%.6g")
    period_means(
        table=means,
        path=o.means,
        title=f"Fig. 13 ({p.run}): mean soil moisture of {p.region} per layer,\n"
        "season, scenario and period (CMIP6_UNet-Gan)",
    )
    period_rates(
        table=rates,
        path=o.rates,
        title=f"Fig. 15 ({p.run}): Sen's slope of {p.region}'s soil moisture "
        f"per layer,\nseason, scenario and period (filled: Mann-Kendall p < {p.alpha})",
        panel_by="layer",
        alpha=p.alpha,
        non_significant=p.non_significant,
    )
    log.info("wrote %s and %s", o.means, o.rates)
