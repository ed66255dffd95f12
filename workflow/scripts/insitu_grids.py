"""In-situ grids S and P: shared, or blind to one fold's test months (rule insitu_grids)."""

import numpy as np
import pandas as pd
import xarray as xr

from smdown.insitu.forest import ForestOptions, insitu_grids
from smdown.io import compressed_encoding, write_netcdf
from smdown.jobs import workflow_job
from smdown.prepare import target_grid
from smdown.sources.calendar import month_range

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    table = pd.read_parquet(i.stations)
    with xr.open_dataset(i.regions) as regions:
        mask = regions["mask"].sel(region=p.region).values.astype(bool)
    options = ForestOptions(**p.forest, n_jobs=snakemake.threads)
    held_out = np.array(p.held_out, dtype="datetime64[M]")
    first_year, last_year = p.period
    grids = insitu_grids(
        table=table,
        grid=target_grid(p.grid),
        mask=mask,
        months=month_range(first_year=first_year, last_year=last_year),
        options=options,
        held_out=held_out,
        layers=p.layers,
    )
    write_netcdf(ds=grids, path=o[0], encoding=compressed_encoding(grids))
    log.info(
        "S and P over %d cells from %d station samples; %d months held out",
        int(np.sum(mask)),
        grids.attrs["station_samples"],
        held_out.size,
    )
