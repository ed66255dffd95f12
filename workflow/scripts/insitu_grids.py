"""Random-forest in-situ grids S and P, and their leave-stations-out skill (rule insitu_grids)."""

import numpy as np
import pandas as pd
import xarray as xr

from smdown.grid.calendar import month_range
from smdown.insitu.forest import ForestOptions, insitu_grids, leave_stations_out_skill
from smdown.io import atomic_path, compressed_encoding, write_netcdf
from smdown.logs import route_to
from smdown.prepare import target_grid
from smdown.provenance import record_job

log = route_to(snakemake.log[0])
p = snakemake.params
table = pd.read_parquet(snakemake.input.stations)
with xr.open_dataset(snakemake.input.regions) as regions:
    mask = regions["mask"].sel(region=p.region).values.astype(bool)
options = ForestOptions(**p.forest, n_jobs=snakemake.threads)
grids = insitu_grids(table, target_grid(p.grid), mask, month_range(*p.period), options)
write_netcdf(grids, snakemake.output.grids, encoding=compressed_encoding(grids))
skill = leave_stations_out_skill(table, options, n_folds=p.folds)
with atomic_path(snakemake.output.skill) as tmp:
    skill.to_csv(tmp, index=False)
log.info("S and P over %d cells; skill:\n%s", int(np.sum(mask)), skill.to_string())
record_job(snakemake)
