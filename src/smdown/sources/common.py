"""Helpers shared by the source readers: coordinate order and variable checks."""

from __future__ import annotations

from os import PathLike

import numpy as np
import xarray as xr

from smdown.errors import InputError
from smdown.sources.calendar import check_complete


def require_variable(ds: xr.Dataset, name: str, source: str | PathLike, what: str) -> xr.DataArray:
    """Return `ds[name]` or raise an InputError naming the file and what was expected."""
    if name not in ds.data_vars:
        present = ", ".join(sorted(map(str, ds.data_vars))) or "none"
        raise InputError(source, f"variable {name!r} not found (present: {present})", what)
    return ds[name]


def ascending(ds: xr.Dataset, lat: str, lon: str) -> xr.Dataset:
    """Sort latitude ascending and unwrap longitude so it ascends within one turn.

    Bounds variables (`<coord>_bnds` sharing the dimension) follow their coordinate.
    """
    if ds[lat].size > 1 and ds[lat].values[0] > ds[lat].values[-1]:
        ds = ds.isel({lat: slice(None, None, -1)})
    lons = np.asarray(ds[lon].values, dtype=float)
    if lons.size > 1 and np.any(np.diff(lons) <= 0):
        # A subset crossing the 0/360 seam (350, 355, 0, 5): add a turn after the seam.
        seam = np.argmax(np.diff(lons) <= 0) + 1
        shifted = lons.copy()
        shifted[seam:] += 360.0
        ds = ds.assign_coords({lon: (lon, shifted, ds[lon].attrs)})
        bnds = ds[lon].attrs.get("bounds", f"{lon}_bnds")
        if bnds in ds.variables:
            b = np.asarray(ds[bnds].values, dtype=float).copy()
            b[seam:] += 360.0
            ds[bnds] = (ds[bnds].dims, b)
    return ds


def join_chunks(
    parts: list[xr.DataArray], paths: list, first_year: int, last_year: int, what: str
) -> xr.DataArray:
    """Concatenate per-file parts in time, refuse overlaps, keep the years, require every month."""
    data = xr.concat(parts, dim="time").sortby("time")
    label = paths[0] if len(paths) == 1 else f"{what} files ({len(paths)})"
    if np.unique(data.time).size != data.time.size:
        raise InputError(label, "overlapping files: a month appears twice", "disjoint chunks")
    data = data.sel(time=slice(f"{first_year}-01-01", f"{last_year}-12-31"))
    check_complete(data.time.values, first_year, last_year, label)
    return data
