"""Fig. 14: percent change of one layer's annual mean per SSP (rule figure_percent_change).

Against the historical reference period."""

import xarray as xr

from smdown.jobs import workflow_job
from smdown.plots.trend_maps import map_panels
from smdown.stats.figure_tables import scenario_maps

with workflow_job(snakemake) as log:
    i, o, p, w = snakemake.input, snakemake.output, snakemake.params, snakemake.wildcards
    layer = int(w.layer)
    change, _ = scenario_maps(
        paths={e: i[e] for e in p.ssps}, variable="percent_change", layer=layer, seasons=["Y"]
    )
    with xr.open_dataset(i.regions) as ds:
        outlines = ds["mask"].load().astype(bool)
    title = (
        f"Fig. 14 ({p.run}), layer {layer}: change of the annual mean soil moisture,\n"
        f"{p.change[0]}-{p.change[1]} against {p.reference[0]}-{p.reference[1]} "
        "(historical run), CMIP6_UNet-Gan"
    )
    map_panels(
        values=change,
        path=o[0],
        title=title,
        colorbar_label="change (%)",
        outlines=outlines,
        ncols=2,
        **p.style,
    )
    log.info("wrote %s", o[0])
