"""Fig. 14: percent change of the annual mean of one layer, per SSP, against the reference."""

import xarray as xr

from smdown.jobs import workflow_job
from smdown.plots.trend_maps import map_panels
from smdown.stats.figure_tables import scenario_maps

with workflow_job(snakemake) as log:
    p = snakemake.params
    layer = int(snakemake.wildcards.layer)
    change, _ = scenario_maps(
        {e: snakemake.input[e] for e in p.ssps}, "percent_change", layer, ["Y"]
    )
    with xr.open_dataset(snakemake.input.regions) as ds:
        outlines = ds["mask"].load().astype(bool)
    title = (
        f"Fig. 14 ({p.run}), layer {layer}: change of the annual mean soil moisture,\n"
        f"{p.change[0]}-{p.change[1]} against {p.reference[0]}-{p.reference[1]} "
        "(historical run), CMIP6_UNet-Gan"
    )
    map_panels(
        change, snakemake.output[0], title, "change (%)", outlines=outlines, ncols=2, **p.style
    )
    log.info("wrote %s", snakemake.output[0])
