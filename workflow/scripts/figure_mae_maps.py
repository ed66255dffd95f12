"""The CMIP6DL study's Fig. 3: MAE maps of the products against ERA5-Land on the test years."""

import xarray as xr

from smdown.jobs import workflow_job
from smdown.plots.trend_maps import map_panels

with workflow_job(snakemake) as log:
    p = snakemake.params
    years = "{}-{}".format(*p.years)
    with xr.open_dataset(snakemake.input.mae) as ds:
        mae = ds["mae"].load()
    with xr.open_dataset(snakemake.input.regions) as ds:
        outlines = ds["mask"].load().astype(bool)
    map_panels(
        mae,
        snakemake.output[0],
        f"Fig. 3 ({p.run}): MAE of monthly surface soil moisture against ERA5-Land, {years}",
        "MAE (m$^3$ m$^{-3}$)",
        outlines=outlines,
        ncols=2,
        symmetric=False,
        **p.style,
    )
    log.info("wrote %s", snakemake.output[0])
