"""ERA5-Land and the fine-tuning reference against stations per layer: metrics, Table S1
(rule reference_metrics)."""

import pandas as pd
import xarray as xr

from smdown.insitu.references import era5_on_station_layers, median_table, station_metrics
from smdown.io import atomic_path
from smdown.jobs import workflow_job
from smdown.prepared import layer_bounds_of

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    table = pd.read_parquet(i.stations)
    with (
        xr.open_dataset(i.era5land) as era,
        xr.open_dataset(i.amsmqtp) as ams,
    ):
        # with ERA5-Land as the reference (provider era5land) both entries are the same field
        # under one name, so it is scored once
        references = {
            "ERA5-Land": era5_on_station_layers(era["sm"].load(), layer_bounds_of(ams, i.amsmqtp)),
            p.name: ams["sm"].load(),
        }
    metrics = station_metrics(table=table, references=references, min_months=p.min_months)
    medians = median_table(metrics)
    for frame, path in ((metrics, o.metrics), (medians, o.table)):
        with atomic_path(path) as tmp:
            frame.to_csv(tmp, index=False)
    log.info("Table S1 (medians):\n%s", medians.to_string())
