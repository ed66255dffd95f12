"""The CMIP6DL study's Figs. 3-5 on the test years: MAE maps, series at four points, Taylor."""

import pandas as pd
import xarray as xr

from smdown.jobs import workflow_job
from smdown.plots.point_series import point_series_figure
from smdown.plots.taylor_diagram import taylor_diagram
from smdown.plots.trend_maps import map_panels

with workflow_job(snakemake) as log:
    i, p, w = snakemake.input, snakemake.params, snakemake.wildcards
    out = snakemake.output[0]
    years = "{}-{}".format(*p.years)
    head = f"Fig. {int(w.number)} ({p.run})"
    if w.kind == "mae_maps":
        with xr.open_dataset(i.mae) as ds:
            mae = ds["mae"].load()
        with xr.open_dataset(i.regions) as ds:
            outlines = ds["mask"].load().astype(bool)
        map_panels(
            mae,
            out,
            f"{head}: MAE of monthly surface soil moisture against ERA5-Land, {years}",
            "MAE (m$^3$ m$^{-3}$)",
            outlines=outlines,
            ncols=2,
            symmetric=False,
            **p.style,
        )
    elif w.kind == "point_series":
        table = pd.read_csv(i.points, parse_dates=["time"])
        point_series_figure(
            table, out, f"{head}: monthly surface soil moisture at four cells, {years}"
        )
    else:
        stats = pd.read_csv(i.taylor)
        groups = dict(zip(stats["name"], stats["group"], strict=True))
        taylor_diagram(
            stats.drop(columns="group"),
            "ERA5-Land",
            out,
            f"{head}: normalised Taylor diagram against ERA5-Land, {years} (models "
            "interpolated bilinearly to the target grid)",
            groups=groups,
        )
    log.info("wrote %s", out)
