"""Synthetic AMSMQTP (the fine-tuning reference): daily soil moisture on the world's grid
(AMSMQTP's own 0.1 degree for the TRSR world) and the reference's layers (AMSMQTP's five by
default), one file per year.

Each day is the truth's daily field (monthly truth interpolated in time plus a smooth daily
anomaly), each layer the thickness-weighted mean of the truth layers it overlaps, so the mean
of a month's days equals the monthly truth on those layers to within the 0.001 packing.
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from pathlib import Path

import numpy as np
import xarray as xr

from smdown.catalog import AMSMQTP_LAYERS
from smdown.io import write_netcdf
from smdown.soil_layers import average_layers, layer_labels
from smdown.synthetic.truth import OBSERVED, TruthWorld

SCALE = 0.001
FILL = np.int16(-9999)
# Whole-year time series in spatial tiles compress best (about 5 MB a year).
CHUNKS = (366, 1, 18, 38)


def amsmqtp_filenames(first_year: int, last_year: int) -> list[str]:
    """The yearly file names `write_amsmqtp` writes."""
    return [f"AMSMQTP_ensemble_{year:04d}.nc" for year in range(first_year, last_year + 1)]


def year_dataset(
    world: TruthWorld, year: int, layers: Sequence[Sequence[float]] = AMSMQTP_LAYERS
) -> xr.Dataset:
    """One year of daily `SM(time, depth, lat, lon)` on `layers` (depth bounds, m) with
    descending latitude, in m3/m3."""
    grid = world.target_grid()
    days = np.arange(f"{year:04d}-01-01", f"{year + 1:04d}-01-01", dtype="datetime64[D]")
    truth = world.daily_field(grid.lat, grid.lon, days, experiment=OBSERVED)
    values = average_layers(truth, AMSMQTP_LAYERS, layers)[:, :, ::-1]
    mid_cm = np.array([(t + b) * 50 for t, b in layers], dtype=np.float32)
    labels = ", ".join(layer_labels(layers))
    return xr.Dataset(
        {
            "SM": (
                ("time", "depth", "lat", "lon"),
                values,
                {"long_name": "soil moisture", "units": "m3/m3"},
            )
        },
        coords={
            "time": (
                "time",
                np.arange(days.size, dtype=np.int32),
                {
                    "units": f"days since {year:04d}-01-01",
                    "calendar": "standard",
                    "long_name": "time",
                },
            ),
            "depth": (
                "depth",
                mid_cm,
                {
                    "units": "cm",
                    "long_name": "depth of soil layer centre",
                    "positive": "down",
                    "layers": labels,
                },
            ),
            "lat": ("lat", grid.lat[::-1], {"units": "degrees_north", "long_name": "latitude"}),
            "lon": ("lon", grid.lon, {"units": "degrees_east", "long_name": "longitude"}),
        },
        attrs={
            "title": "AMSMQTP daily multi-layer soil moisture, ensemble",
            "layers": labels,
            "history": f"synthetic demo data written by smdown.synthetic (seed {world.seed})",
        },
    )


def _encoding(ds: xr.Dataset) -> dict:
    encoding = {name: {"_FillValue": None} for name in ds.coords}
    chunks = tuple(min(c, n) for c, n in zip(CHUNKS, ds["SM"].shape, strict=True))
    encoding["SM"] = {
        "dtype": "int16",
        "scale_factor": SCALE,
        "_FillValue": FILL,
        "zlib": True,
        "complevel": 6,
        "shuffle": True,
        "chunksizes": chunks,
    }
    return encoding


def write_amsmqtp(
    world: TruthWorld,
    folder: str | PathLike,
    first_year: int,
    last_year: int,
    layers: Sequence[Sequence[float]] = AMSMQTP_LAYERS,
) -> list[Path]:
    """Write `AMSMQTP_ensemble_<YYYY>.nc` on `layers` for each year into `folder`; return the
    paths."""
    paths = []
    for year, name in zip(
        range(first_year, last_year + 1), amsmqtp_filenames(first_year, last_year), strict=True
    ):
        ds = year_dataset(world, year, layers)
        path = Path(folder) / name
        write_netcdf(ds, path, encoding=_encoding(ds))
        paths.append(path)
    return paths
