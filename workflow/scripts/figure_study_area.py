"""Fig. 1: elevation, basins and the stations drawn (if any), with their table (rule
figure_study_area)."""

import pandas as pd
import xarray as xr

from smdown.insitu.sites import no_sites, station_sites
from smdown.io import atomic_path
from smdown.jobs import workflow_job
from smdown.plots.study_area import study_area_figure
from smdown.prepare import target_grid
from smdown.sources.orography import read_elevation

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    grid = target_grid(p.grid)
    elevation = read_elevation(path=i.geopotential, lat=grid.lat, lon=grid.lon)
    with xr.open_dataset(i.regions) as ds:
        regions = ds["mask"].load()
    sites = (
        station_sites(table=pd.read_parquet(i.stations), regions=regions, source=i.stations)
        if hasattr(i, "stations")
        else no_sites(regions=regions)
    )
    study_area_figure(
        elevation=elevation, regions=regions, sites=sites, title=p.title, path=o.figure
    )
    with atomic_path(o.sites) as tmp:
        sites.to_csv(tmp, index=False)
    log.info(
        "%d stations drawn over elevation %.0f..%.0f m",
        len(sites),
        float(elevation.min()),
        float(elevation.max()),
    )
