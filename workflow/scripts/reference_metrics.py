"""ERA5-Land and AMSMQTP against the stations per layer: metrics and Table S1."""

import pandas as pd
import xarray as xr

from smdown.insitu.references import era5_on_station_layers, median_table, station_metrics
from smdown.io import atomic_path
from smdown.jobs import workflow_job

with workflow_job(snakemake) as log:
    table = pd.read_parquet(snakemake.input.stations)
    with (
        xr.open_dataset(snakemake.input.era5land) as era,
        xr.open_dataset(snakemake.input.amsmqtp) as ams,
    ):
        references = {
            "ERA5-Land": era5_on_station_layers(era["sm"].load()),
            "AMSMQTP": ams["sm"].load(),
        }
    metrics = station_metrics(table, references, snakemake.params.min_months)
    medians = median_table(metrics)
    for frame, path in ((metrics, snakemake.output.metrics), (medians, snakemake.output.table)):
        with atomic_path(path) as tmp:
            frame.to_csv(tmp, index=False)
    log.info("Table S1 (medians):\n%s", medians.to_string())
