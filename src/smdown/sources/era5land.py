"""Reader for ERA5-Land monthly means `swvl1..3` in both CDS NetCDF layouts.

New CDS: `valid_time`, descending `latitude`, `number` and `expver` coordinates, sometimes a zip
archive (possibly of several NetCDF members) even when `unarchived` NetCDF was asked for.
Legacy CDS: `time`, packed shorts, and an `expver` dimension where ERA5T months were appended.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Sequence
from os import PathLike
from pathlib import Path

import numpy as np
import xarray as xr

from smdown.catalog import ERA5LAND_LAYERS
from smdown.errors import InputError
from smdown.io import file_kind, open_netcdf
from smdown.qc import QCLog
from smdown.sources.calendar import decode_times, to_month_starts
from smdown.sources.common import ascending, join_chunks, require_variable
from smdown.sources.units import check_volumetric

VARIABLES = ("swvl1", "swvl2", "swvl3")
WHAT = "an ERA5-Land monthly-means NetCDF (or CDS zip of them) with swvl1, swvl2, swvl3"


def open_cds_file(path: Path, what: str = WHAT) -> xr.Dataset:
    """Open a CDS NetCDF file, or every NetCDF member of its zip archive merged into one dataset
    (the CDS may zip what was asked for as NetCDF)."""
    kind = file_kind(path)
    if kind == "netcdf":
        return open_netcdf(path, what=what)
    if kind != "zip":
        raise InputError(path, "neither NetCDF nor zip (bad magic bytes)", what)
    try:
        with zipfile.ZipFile(path) as zf, tempfile.TemporaryDirectory() as tmp:
            members = [m for m in zf.namelist() if m.endswith(".nc")]
            if not members:
                raise InputError(path, "zip archive holds no .nc member", what)
            parts = [open_netcdf(zf.extract(m, tmp), what=what) for m in members]
    except zipfile.BadZipFile as exc:
        raise InputError(path, f"corrupt zip archive ({exc})", what) from exc
    return xr.merge(parts, compat="override", join="exact")


def _normalise(ds: xr.Dataset, path: Path, qc: QCLog) -> xr.DataArray:
    """One file -> (time, layer, lat, lon) in m3 m-3 on month starts, ascending lat/lon."""
    tname = "valid_time" if "valid_time" in ds.variables else "time"
    if tname not in ds.variables:
        raise InputError(path, "no 'valid_time' or 'time' coordinate", WHAT)
    t = ds[tname]
    times = decode_times(t.values, t.attrs.get("units"), t.attrs.get("calendar"), path)
    for name in VARIABLES:
        check_volumetric(require_variable(ds, name, path, WHAT).attrs.get("units"), path, name)
    if "expver" in ds.dims:  # legacy ERA5 + ERA5T: one of the two is valid per month
        ds = ds.max("expver", skipna=True, keep_attrs=True)
    ds = ds.drop_vars([v for v in ("number", "expver") if v in ds.variables])
    lat = "latitude" if "latitude" in ds.variables else "lat"
    lon = "longitude" if "longitude" in ds.variables else "lon"
    ds = ascending(ds, lat, lon)
    months = to_month_starts(times, path)
    stacked = qc.screen_field(
        np.stack(
            [ds[v].transpose(tname, lat, lon).values.astype(np.float64) for v in VARIABLES], axis=1
        ),
        path,
        months,
    )
    return xr.DataArray(
        stacked,
        dims=("time", "layer", "lat", "lon"),
        coords={
            "time": months,
            "layer": np.arange(1, len(VARIABLES) + 1),
            "lat": np.round(ds[lat].values.astype(float), 6),
            "lon": np.round(ds[lon].values.astype(float), 6),
        },
        attrs={"units": "m3 m-3"},
    )


def read_era5land(
    paths: Sequence[str | PathLike], first_year: int, last_year: int, qc: QCLog | None = None
) -> xr.DataArray:
    """Read ERA5-Land chunks as `sm(time, layer, lat, lon)` for the requested years.

    Layer depth bounds (0-7, 7-28, 28-100 cm) are attached as `layer_top`/`layer_bottom`;
    values are quality-controlled per file (`QCLog.screen_field`).
    """
    if not paths:
        raise InputError("era5land", "no files given", WHAT)
    qc = qc if qc is not None else QCLog("era5land")
    parts = [_normalise(open_cds_file(Path(p)), Path(p), qc) for p in sorted(map(str, paths))]
    qc.refuse_if_too_much()
    lat0, lon0 = parts[0].lat.values, parts[0].lon.values
    for p, part in zip(sorted(map(str, paths)), parts, strict=False):
        if (
            part.lat.size != lat0.size
            or part.lon.size != lon0.size
            or not (np.allclose(part.lat, lat0) and np.allclose(part.lon, lon0))
        ):
            raise InputError(p, "grid differs from the other ERA5-Land files", "one grid")
    # Legacy files store float32 coordinates (31.100000381...): use the first file's exactly.
    parts = [part.assign_coords(lat=lat0, lon=lon0) for part in parts]
    data = join_chunks(parts, list(paths), first_year, last_year, "ERA5-Land")
    top, bottom = zip(*ERA5LAND_LAYERS, strict=False)
    return data.assign_coords(layer_top=("layer", list(top)), layer_bottom=("layer", list(bottom)))
