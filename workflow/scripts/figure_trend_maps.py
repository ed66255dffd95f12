"""Maps of Sen's slopes of one layer (rules figure_trend_maps, figure_ssmi_trend_maps).

Annual (per SSP) or seasonal (season x SSP) slopes with Mann-Kendall stippling: Figs. 8 and 9 of
soil moisture, and the CMIP6DL study's Figs. 6 and 7 of its SSMI (the `quantity` param names
what is drawn, in which unit and scale)."""

import xarray as xr

from smdown.jobs import workflow_job
from smdown.plots.trend_maps import map_panels
from smdown.stats.figure_tables import scenario_maps

with workflow_job(snakemake) as log:
    i, o, p, w = snakemake.input, snakemake.output, snakemake.params, snakemake.wildcards
    quantity = p.quantity
    layer = int(w.get("layer", 1))
    seasonal = w.kind == "seasonal_trend_maps"
    seasons = ["DJF", "MAM", "JJA", "SON"] if seasonal else ["Y"]
    paths = {e: i[e] for e in p.ssps}
    slope, significant = scenario_maps(
        paths=paths, variable="slope", layer=layer, seasons=seasons, period=p.period
    )
    with xr.open_dataset(i.regions) as ds:
        outlines = ds["mask"].load().astype(bool)
    what = "seasonal" if seasonal else "annual mean"
    where = f", layer {layer}" if "layer" in w.keys() else ""  # noqa: SIM118 (Wildcards: `in` looks at values)
    title = (
        f"Fig. {int(w.number)} ({p.run}){where}: Sen's slope of the {what} {quantity['name']},"
        f"\n{p.period}, {quantity['product']}; dots: Mann-Kendall p < {p.alpha}"
    )
    map_panels(
        values=slope * quantity["factor"],
        path=o[0],
        title=title,
        colorbar_label=f"trend ({quantity['units']})",
        significant=significant,
        outlines=outlines,
        ncols=4 if seasonal else 2,
        alpha=p.alpha,
        **p.style,
    )
    log.info("wrote %s", o[0])
