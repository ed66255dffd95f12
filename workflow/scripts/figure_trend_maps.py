"""Figs. 8 and 9: annual (per SSP) or seasonal (season x SSP) trend maps of one layer."""

import xarray as xr

from smdown.logs import route_to
from smdown.plots.trend_maps import map_panels
from smdown.provenance import record_job
from smdown.stats.figure_tables import scenario_maps

log = route_to(snakemake.log[0])
p, w = snakemake.params, snakemake.wildcards
layer = int(w.layer)
seasonal = w.kind == "seasonal_trend_maps"
seasons = ["DJF", "MAM", "JJA", "SON"] if seasonal else ["Y"]
paths = {e: snakemake.input[e] for e in p.ssps}
slope, significant = scenario_maps(paths, "slope", layer, seasons, p.period)
with xr.open_dataset(snakemake.input.regions) as ds:
    outlines = ds["mask"].load().astype(bool)
what = "seasonal" if seasonal else "annual mean"
title = (f"Fig. {int(w.number)} ({p.run}), layer {layer}: Sen's slope of the {what} soil "
         f"moisture,\n{p.period}, CMIP6_UNet-Gan; dots: Mann-Kendall p < {p.alpha}")
map_panels(slope, snakemake.output[0], title, "trend (m$^3$ m$^{-3}$ yr$^{-1}$)",
           significant=significant, outlines=outlines, ncols=4 if seasonal else 2,
           alpha=p.alpha, **p.style)
log.info("wrote %s", snakemake.output[0])
record_job(snakemake)
