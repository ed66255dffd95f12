"""Reader for CMIP6 `mrsos` CMOR files: native grid, native calendar, kg m-2 -> m3 m-3."""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike

import numpy as np
import xarray as xr

from smdown.errors import InputError
from smdown.geometry import RectilinearGrid, grid_from_dataset
from smdown.io import open_netcdf
from smdown.qc import QCLog
from smdown.sources.calendar import decode_times, to_month_starts
from smdown.sources.common import ascending, join_chunks, require_variable
from smdown.sources.units import mrsos_factor

VARIABLE = "mrsos"


def _read_one(
    path: str | PathLike, model: str | None, qc: QCLog
) -> tuple[xr.DataArray, RectilinearGrid]:
    ds = open_netcdf(path, what="a CMIP6 CMOR NetCDF file with variable 'mrsos'")
    if model and ds.attrs.get("source_id", model) != model:
        raise InputError(
            path, f"file is for model {ds.attrs['source_id']!r}", f"source_id {model!r}"
        )
    da = require_variable(ds, VARIABLE, path, "variable 'mrsos' (Lmon, kg m-2)")
    factor = mrsos_factor(da.attrs.get("units"), path)
    if "time" not in ds.variables:
        raise InputError(path, "no 'time' coordinate", "monthly 'time' with units and calendar")
    t = ds["time"]
    times = decode_times(t.values, t.attrs.get("units"), t.attrs.get("calendar"), path)
    ds = ascending(ds, *_latlon_names(ds, path))
    grid, lat, lon = grid_from_dataset(ds, path)
    months = to_month_starts(times, path)
    raw = ds[VARIABLE].transpose("time", lat, lon).values.astype(np.float64)
    values = qc.screen_field(np.where(qc.is_sentinel(raw), raw, raw * factor), path, months)
    out = xr.DataArray(
        values,
        dims=("time", "lat", "lon"),
        coords={"time": months, "lat": grid.lat, "lon": grid.lon},
        attrs={
            "units": "m3 m-3",
            "long_name": "volumetric soil moisture, top 10 cm",
            **identity(ds, t.attrs.get("calendar"), grid),
        },
    )
    return out, grid


IDENTITY = (
    "institution_id",
    "member_id",
    "grid_label",
    "nominal_resolution",
    "source_calendar",
    "source_grid",
)


def identity(ds: xr.Dataset, calendar: str | None, grid: RectilinearGrid) -> dict[str, str]:
    """What a CMOR file says about its model run: institution, member, grid label, nominal
    resolution, calendar and native grid (cells and spacing), for Table 1 as run."""
    lat_step = float(np.median(np.abs(np.diff(grid.lat)))) if grid.lat.size > 1 else 0.0
    lon_step = float(np.median(np.abs(np.diff(grid.lon)))) if grid.lon.size > 1 else 0.0
    return {
        "institution_id": str(ds.attrs.get("institution_id", "")),
        "member_id": str(ds.attrs.get("variant_label") or ds.attrs.get("member_id", "")),
        "grid_label": str(ds.attrs.get("grid_label", "")),
        "nominal_resolution": str(ds.attrs.get("nominal_resolution", "")),
        "source_calendar": str(calendar or "standard"),
        "source_grid": f"{lat_step:.4g} x {lon_step:.4g} degrees (lat x lon)",
    }


def _latlon_names(ds: xr.Dataset, path: str | PathLike) -> tuple[str, str]:
    lat = next((n for n in ("lat", "latitude") if n in ds.variables), None)
    lon = next((n for n in ("lon", "longitude") if n in ds.variables), None)
    if lat is None or lon is None:
        raise InputError(path, "no lat/lon coordinates", "a rectilinear lat-lon grid")
    return lat, lon


def read_mrsos(
    paths: Sequence[str | PathLike],
    first_year: int,
    last_year: int,
    model: str | None = None,
    qc: QCLog | None = None,
) -> tuple[xr.DataArray, RectilinearGrid]:
    """Read one model's `mrsos` files (chunks of one experiment) as m3 m-3 on month starts.

    Returns the data (time, lat, lon) for the requested years and the native grid with its bounds.
    Files must share one grid; every month of the years must be present exactly once. Values are
    quality-controlled per file (`QCLog.screen_field`; sentinels are matched before the unit
    conversion, as the file stores them).
    """
    qc = qc if qc is not None else QCLog("cmip6")
    if not paths:
        raise InputError(model or "cmip6", "no files given", "at least one mrsos file")
    parts, grid = [], None
    for path in sorted(map(str, paths)):
        da, g = _read_one(path, model, qc)
        if grid is not None and not g.equals(grid):
            raise InputError(path, "grid differs from the model's other files", "one grid")
        grid = g
        parts.append(da)
    qc.refuse_if_too_much()
    data = join_chunks(parts, list(paths), first_year, last_year, model or "mrsos")
    return data.assign_attrs({key: parts[0].attrs[key] for key in IDENTITY}), grid
