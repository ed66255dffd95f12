"""Synthetic ERA5-Land monthly means `swvl1..3` in the new and the legacy CDS NetCDF layouts.

Each ERA5 layer (0-7, 7-28, 28-100 cm) is the thickness-weighted mean of the truth layers it
overlaps, wetter by `BIAS`, with a damped seasonal cycle and small quantised noise. Files cover
the world's box at its target resolution (ERA5-Land's native 0.1 degree for the TRSR), or at
another resolution as a CDS request with a `grid` key interpolates to.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Sequence
from os import PathLike
from pathlib import Path

import numpy as np
import xarray as xr

from smdown.catalog import AMSMQTP_LAYERS, ERA5LAND_LAYERS
from smdown.geometry import RectilinearGrid
from smdown.io import atomic_path
from smdown.soil_layers import overlap_weights
from smdown.synthetic.truth import OBSERVED, TruthWorld, box_grid

VARIABLES = ("swvl1", "swvl2", "swvl3")
PARAM_IDS = (39, 40, 41)
BIAS = 0.03
SEASON_SCALE = 0.7
NOISE_STD = 0.004
GRIB_STEP = 2.0**-16  # values are quantised like 16-bit GRIB packing
ERA5T_MONTHS = 3  # legacy layout: the last months come as ERA5T (expver 5)
STEP_TYPES = {"avgua": ("swvl1",), "avgad": ("swvl2", "swvl3")}  # the new CDS's zip members
CENTRE = "European Centre for Medium-Range Weather Forecasts"
HISTORY_NEW = (
    "2024-09-26T10:00 GRIB to CDM+CF via cfgrib-0.9.14.1/ecCodes-2.36.0 with "
    '{"source": "tmp.grib", "filter_by_keys": {"stream": ["moda"], "stepType": ["avgua"]}, '
    '"encode_cf": ["parameter", "time", "geography", "vertical"]}'
)
HISTORY_OLD = (
    "2023-06-01 10:00:00 GMT by grib_to_netcdf-2.25.1: /opt/ecmwf/mars-client/bin/"
    "grib_to_netcdf.bin -S param -o /cache/data0/adaptor.mars.internal.nc "
    "/cache/tmp/adaptor.mars.internal.grib"
)


def layer_weights() -> np.ndarray:
    """(3, 5) thickness weights of the truth layers (AMSMQTP's) within each ERA5-Land layer."""
    return overlap_weights(ERA5LAND_LAYERS, AMSMQTP_LAYERS)


def era5_grid(world: TruthWorld, resolution: float | None = None) -> RectilinearGrid:
    """The grid a request over the world's box returns: its target grid unless `resolution`."""
    return world.target_grid() if resolution is None else box_grid(world.box, resolution)


def _checked(variables: Sequence[str]) -> tuple[str, ...]:
    """A non-empty subset of VARIABLES, put in VARIABLES order (the order the CDS writes)."""
    if not variables or set(variables) - set(VARIABLES):
        raise ValueError(f"variables must be a non-empty subset of {VARIABLES}, not {variables}")
    return tuple(name for name in VARIABLES if name in variables)


def era5_values(
    world: TruthWorld,
    months: np.ndarray,
    first_year: int,
    grid: RectilinearGrid | None = None,
    variables: Sequence[str] = VARIABLES,
) -> np.ndarray:
    """(time, variable, lat, lon) ERA5-Land soil moisture, ascending lat, on `grid` (default
    the world's target grid). A variable's values do not depend on which others are asked for.
    """
    grid = world.target_grid() if grid is None else grid
    rows = [VARIABLES.index(name) for name in _checked(variables)]
    weights = layer_weights()[rows].astype(np.float32)
    layers = np.flatnonzero(weights.any(axis=0))  # only the truth layers the variables need
    truth = world.field(
        grid.lat, grid.lon, months, layers, experiment=OBSERVED, season_scale=SEASON_SCALE
    )
    era = np.einsum("el,tlyx->teyx", weights[:, layers], truth)
    rng = np.random.default_rng([world.seed, 201, first_year])
    noise = rng.normal(0.0, NOISE_STD, (months.size, len(VARIABLES)) + grid.shape)[:, rows]
    era += BIAS + noise.astype(np.float32)
    return (np.round(era / GRIB_STEP) * GRIB_STEP).astype(np.float32)


def _increment(centres: np.ndarray) -> float:
    """Grid spacing in degrees as GRIB states it."""
    return round(float(centres[1] - centres[0]), 6)


def _grib_attrs(name: str, grid: RectilinearGrid) -> dict:
    k = VARIABLES.index(name)
    long_name = f"Volumetric soil water layer {k + 1}"
    return {
        "GRIB_paramId": np.int64(PARAM_IDS[k]),
        "GRIB_dataType": "an",
        "GRIB_numberOfPoints": np.int64(grid.lat.size * grid.lon.size),
        "GRIB_typeOfLevel": "depthBelowLandLayer",
        "GRIB_stepUnits": np.int64(1),
        "GRIB_stepType": "avgua",
        "GRIB_gridType": "regular_ll",
        "GRIB_uvRelativeToGrid": np.int64(0),
        "GRIB_NV": np.int64(0),
        "GRIB_Nx": np.int64(grid.lon.size),
        "GRIB_Ny": np.int64(grid.lat.size),
        "GRIB_cfName": "unknown",
        "GRIB_cfVarName": name,
        "GRIB_gridDefinitionDescription": "Latitude/Longitude Grid",
        "GRIB_iDirectionIncrementInDegrees": _increment(grid.lon),
        "GRIB_iScansNegatively": np.int64(0),
        "GRIB_jDirectionIncrementInDegrees": _increment(grid.lat),
        "GRIB_jPointsAreConsecutive": np.int64(0),
        "GRIB_jScansPositively": np.int64(0),
        "GRIB_latitudeOfFirstGridPointInDegrees": float(grid.lat.max()),
        "GRIB_latitudeOfLastGridPointInDegrees": float(grid.lat.min()),
        "GRIB_longitudeOfFirstGridPointInDegrees": float(grid.lon.min()),
        "GRIB_longitudeOfLastGridPointInDegrees": float(grid.lon.max()),
        "GRIB_missingValue": 3.4028234663852886e38,
        "GRIB_name": long_name,
        "GRIB_shortName": name,
        "GRIB_totalNumber": np.int64(0),
        "GRIB_units": "m**3 m**-3",
        "long_name": long_name,
        "units": "m**3 m**-3",
        "standard_name": "unknown",
    }


def new_layout(
    values: np.ndarray, months: np.ndarray, grid: RectilinearGrid, variables: Sequence[str]
) -> xr.Dataset:
    """The new CDS layout: int64 `valid_time`, descending `latitude`, `number` and `expver`."""
    seconds = months.astype("datetime64[s]").astype(np.int64)
    data = {
        name: (("valid_time", "latitude", "longitude"), values[:, k, ::-1], _grib_attrs(name, grid))
        for k, name in enumerate(variables)
    }
    coords = {
        "number": (
            (),
            np.int64(0),
            {
                "long_name": "ensemble member numerical id",
                "units": "1",
                "standard_name": "realization",
            },
        ),
        "valid_time": (
            "valid_time",
            seconds,
            {
                "long_name": "time",
                "standard_name": "time",
                "units": "seconds since 1970-01-01",
                "calendar": "proleptic_gregorian",
            },
        ),
        "latitude": (
            "latitude",
            grid.lat[::-1],
            {
                "units": "degrees_north",
                "standard_name": "latitude",
                "long_name": "latitude",
                "stored_direction": "decreasing",
            },
        ),
        "longitude": (
            "longitude",
            grid.lon,
            {"units": "degrees_east", "standard_name": "longitude", "long_name": "longitude"},
        ),
        "expver": (
            "valid_time",
            np.array(["0001"] * months.size, dtype="<U4"),
            {"long_name": "Experiment version"},
        ),
    }
    return xr.Dataset(
        data,
        coords=coords,
        attrs={
            "GRIB_centre": "ecmf",
            "GRIB_centreDescription": CENTRE,
            "GRIB_subCentre": np.int64(0),
            "Conventions": "CF-1.7",
            "institution": CENTRE,
            "history": HISTORY_NEW,
        },
    )


def _new_encoding(ds: xr.Dataset) -> dict:
    encoding = {name: {"_FillValue": None} for name in ds.coords}
    for name in VARIABLES:
        if name in ds:
            encoding[name] = {
                "zlib": True,
                "complevel": 1,
                "shuffle": True,
                "_FillValue": np.float32(np.nan),
                "chunksizes": (1,) + ds[name].shape[1:],
            }
    return encoding


def old_layout(
    values: np.ndarray,
    months: np.ndarray,
    era5t_months: int,
    grid: RectilinearGrid,
    variables: Sequence[str],
) -> xr.Dataset:
    """The legacy CDS layout: int32 `time` in hours since 1900, descending `latitude`, and an
    `expver` dimension (1, 5) when the last `era5t_months` months are ERA5T."""
    hours = (
        (months.astype("datetime64[h]") - np.datetime64("1900-01-01T00", "h"))
        .astype(np.int64)
        .astype(np.int32)
    )
    values = values[:, :, ::-1]
    dims: tuple[str, ...] = ("time", "latitude", "longitude")
    coords = {
        "longitude": (
            "longitude",
            grid.lon.astype(np.float32),
            {"units": "degrees_east", "long_name": "longitude"},
        ),
        "latitude": (
            "latitude",
            grid.lat[::-1].astype(np.float32),
            {"units": "degrees_north", "long_name": "latitude"},
        ),
        "time": (
            "time",
            hours,
            {
                "units": "hours since 1900-01-01 00:00:00.0",
                "long_name": "time",
                "calendar": "gregorian",
            },
        ),
    }
    if era5t_months:
        split = np.zeros((months.size, 2) + values.shape[2:], dtype=np.float32)
        final = np.arange(months.size) < months.size - era5t_months
        split[:, 0] = np.where(final[:, None, None], 1.0, np.nan)
        split[:, 1] = np.where(final[:, None, None], np.nan, 1.0)
        values = values[:, :, None] * split[:, None]
        dims = ("time", "expver", "latitude", "longitude")
        coords["expver"] = ("expver", np.array([1, 5], dtype=np.int32), {"long_name": "expver"})
    data = {
        name: (
            dims,
            values[:, k],
            {
                "units": "m**3 m**-3",
                "long_name": f"Volumetric soil water layer {VARIABLES.index(name) + 1}",
            },
        )
        for k, name in enumerate(variables)
    }
    return xr.Dataset(data, coords=coords, attrs={"Conventions": "CF-1.6", "history": HISTORY_OLD})


def _packing(values: np.ndarray) -> tuple[float, float]:
    """grib_to_netcdf's short packing: scale and offset spanning the valid range (+-32766)."""
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    scale = (high - low) / (2**16 - 4) or 1.0
    return scale, (high + low) / 2


def _old_encoding(ds: xr.Dataset) -> dict:
    encoding = {name: {"_FillValue": None} for name in ds.coords}
    for name in ds.data_vars:
        scale, offset = _packing(ds[name].values)
        encoding[name] = {
            "dtype": "int16",
            "scale_factor": scale,
            "add_offset": offset,
            "_FillValue": np.int16(-32767),
            "missing_value": np.int16(-32767),
        }
    return encoding


def _write(ds: xr.Dataset, target: Path, layout: str) -> None:
    if layout == "new":
        ds.to_netcdf(target, format="NETCDF4", encoding=_new_encoding(ds))
    else:
        ds.to_netcdf(target, format="NETCDF3_64BIT", encoding=_old_encoding(ds))


def _zip_members(ds: xr.Dataset, split_members: bool) -> dict[str, xr.Dataset]:
    """Members of a new-layout zip: one, or one per stepType its variables fall in."""
    if not split_members:
        return {"data_stream-moda.nc": ds}
    members = {}
    for step, names in STEP_TYPES.items():
        if any(name in ds for name in names):
            others = [v for v in ds.data_vars if v not in names]
            members[f"data_stream-moda_stepType-{step}.nc"] = ds.drop_vars(others)
    return members


def write_era5land(
    world: TruthWorld,
    path: str | PathLike,
    first_year: int,
    last_year: int,
    layout: str = "new",
    zipped: bool = False,
    split_members: bool = False,
    era5t_months: int = ERA5T_MONTHS,
    *,
    resolution: float | None = None,
    variables: Sequence[str] = VARIABLES,
) -> Path:
    """Write ERA5-Land monthly means for the years to `path`, as one CDS request would return.

    layout: "new" (CDS since 2024) or "old" (legacy CDS, with an `expver` dimension over the
    last `era5t_months` months unless 0). zipped: `path` is a zip archive (though it ends in .nc)
    holding the NetCDF; with split_members (new layout) swvl1 and swvl2/3 are two members, as
    the new CDS splits by stepType. The grid covers `world.box` at `resolution` (default the
    world's target resolution: 0.1, ERA5-Land's own, for the TRSR); `variables` picks a subset.
    """
    if layout not in ("new", "old"):
        raise ValueError(f"layout must be 'new' or 'old', not {layout!r}")
    grid = era5_grid(world, resolution)
    variables = _checked(variables)
    months = np.arange(f"{first_year:04d}-01", f"{last_year + 1:04d}-01", dtype="datetime64[M]")
    values = era5_values(world, months, first_year, grid, variables)
    ds = (
        new_layout(values, months, grid, variables)
        if layout == "new"
        else old_layout(values, months, era5t_months, grid, variables)
    )
    path = Path(path)
    with atomic_path(path) as tmp:
        if not zipped:
            _write(ds, tmp, layout)
        elif layout == "new":
            _write_zip(_zip_members(ds, split_members), tmp, layout)
        else:
            _write_zip({"data.nc": ds}, tmp, layout)
    return path


def _write_zip(members: dict[str, xr.Dataset], target: Path, layout: str) -> None:
    """A zip archive at `target` holding each dataset as a NetCDF member of that name."""
    with (
        tempfile.TemporaryDirectory(dir=target.parent) as folder,
        zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        for name, member in members.items():
            _write(member, Path(folder) / name, layout)
            archive.write(Path(folder) / name, arcname=name)
