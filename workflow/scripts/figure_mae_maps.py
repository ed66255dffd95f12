"""CMIP6DL Fig. 3: the products' MAE maps against ERA5-Land, test years (rule figure_mae_maps)."""

import xarray as xr

from smdown.jobs import workflow_job
from smdown.plots.trend_maps import map_panels

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    years = "{}-{}".format(*p.years)
    with xr.open_dataset(i.mae) as ds:
        mae = ds["mae"].load()
    with xr.open_dataset(i.regions) as ds:
        outlines = ds["mask"].load().astype(bool)
    map_panels(
        values=mae,
        path=o[0],
        title=f"Fig. 3 ({p.run}): MAE of monthly surface soil moisture against ERA5-Land, {years}",
        colorbar_label="MAE (m$^3$ m$^{-3}$)",
        outlines=outlines,
        ncols=2,
        symmetric=False,
        **p.style,
    )
    log.info("wrote %s", o[0])
