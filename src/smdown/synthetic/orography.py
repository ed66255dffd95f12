"""A synthetic ERA5-Land surface geopotential `z` (the demo's elevation for Fig. 1).

A plateau that falls from west to east with two ranges across it, seeded by the world: a
stand-in with the TRSR's heights (about 3,000-5,500 m), not its relief. Written in the new CDS
layout (one `valid_time`, descending `latitude`, m**2 s**-2) on the ERA5-Land chunks' grid.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
import xarray as xr

from smdown.io import atomic_path
from smdown.sources.orography import STANDARD_GRAVITY
from smdown.synthetic.era5land import CENTRE, era5_grid
from smdown.synthetic.truth import TruthWorld


def elevation_m(world: TruthWorld, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """The synthetic elevation (m) at the cell centres lat x lon: (lat.size, lon.size)."""
    return elevation_at(world, np.asarray(lat, float)[:, None], np.asarray(lon, float)[None, :])


def elevation_at(world: TruthWorld, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """The synthetic elevation (m) at points `lat`, `lon` (arrays that broadcast together);
    the plateau is laid over the world's box, wherever it lies."""
    lat_min, lat_max, lon_min, lon_max = world.box
    y = (np.asarray(lat, float) - lat_min) / max(lat_max - lat_min, 1e-9)
    x = (np.asarray(lon, float) - lon_min) / max(lon_max - lon_min, 1e-9)
    phase = np.random.default_rng([world.seed, 7]).uniform(0, 2 * np.pi, 2)
    ranges = 700 * np.exp(
        -(((y - 0.25 - 0.1 * np.sin(6 * x + phase[0])) / 0.08) ** 2)
    ) + 500 * np.exp(-(((y - 0.75 - 0.1 * np.sin(5 * x + phase[1])) / 0.1) ** 2))
    return 4800.0 - 1500.0 * x**1.5 + ranges


def write_geopotential(
    world: TruthWorld, path: str | PathLike, resolution: float | None = None
) -> Path:
    """Write `z` = g x elevation over the world's box, as the CDS returns one hour of it."""
    grid = era5_grid(world, resolution)
    z = (elevation_m(world, grid.lat, grid.lon) * STANDARD_GRAVITY).astype(np.float32)
    ds = xr.Dataset(
        {
            "z": (
                ("valid_time", "latitude", "longitude"),
                z[None, ::-1],
                {
                    "GRIB_paramId": np.int64(129),
                    "GRIB_shortName": "z",
                    "GRIB_name": "Geopotential",
                    "long_name": "Geopotential",
                    "units": "m**2 s**-2",
                    "standard_name": "geopotential",
                    "synthetic": "smdown demo orography (a plateau with two ranges), "
                    "not ERA5-Land's",
                },
            )
        },
        coords={
            "valid_time": (
                "valid_time",
                np.array([946684800], dtype=np.int64),
                {
                    "standard_name": "time",
                    "units": "seconds since 1970-01-01",
                    "calendar": "proleptic_gregorian",
                },
            ),
            "latitude": (
                "latitude",
                grid.lat[::-1],
                {"units": "degrees_north", "standard_name": "latitude"},
            ),
            "longitude": (
                "longitude",
                grid.lon,
                {"units": "degrees_east", "standard_name": "longitude"},
            ),
        },
        attrs={"GRIB_centre": "ecmf", "institution": CENTRE, "Conventions": "CF-1.7"},
    )
    path = Path(path)
    with atomic_path(path) as tmp:
        ds.to_netcdf(tmp, format="NETCDF4")
    return path
