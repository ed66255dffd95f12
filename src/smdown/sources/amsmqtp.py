"""Reader of the fine-tuning reference: AMSMQTP daily 5-layer soil moisture (or any daily or
monthly multi-layer NetCDF with the configured layers), averaged to calendar months.

The dataset's layout is not publicly documented, so the variable and dimension names are
configurable; the files in a folder may split the days any way (per day, month or year). A
monthly file reads as it is: the mean of a month's one value is the value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path

import numpy as np
import xarray as xr

from smdown.catalog import AMSMQTP_LAYERS
from smdown.errors import InputError
from smdown.io import open_netcdf
from smdown.qc import QCLog
from smdown.soil_layers import as_layers, layer_labels
from smdown.sources.calendar import check_complete, decode_times
from smdown.sources.common import ascending, require_variable
from smdown.sources.units import check_volumetric

DEFAULT_DIMS = {"time": "time", "layer": "depth", "lat": "lat", "lon": "lon"}


def _monthly_sums(
    path: Path, variable: str, dims: Mapping[str, str], layers: Sequence[Sequence[float]], qc: QCLog
) -> xr.Dataset:
    """Per-month sums and counts of the valid days in one file (so split months recombine);
    the daily values are quality-controlled first (a day without any value is allowed)."""
    what = (
        f"daily or monthly NetCDF with variable {variable!r} on dims "
        f"({dims['time']}, {dims['layer']}, {dims['lat']}, {dims['lon']})"
    )
    ds = open_netcdf(path, what=what)
    da = require_variable(ds, variable, path, what)
    missing = [d for d in dims.values() if d not in da.dims]
    if missing:
        raise InputError(path, f"variable {variable!r} has dims {da.dims}, lacks {missing}", what)
    if da.sizes[dims["layer"]] != len(layers):
        raise InputError(
            path,
            f"{da.sizes[dims['layer']]} layers along {dims['layer']!r}",
            f"{len(layers)} layers ({', '.join(layer_labels(layers))}: sources.amsmqtp.layers)",
        )
    check_volumetric(da.attrs.get("units"), path, variable)
    t = ds[dims["time"]]
    times = decode_times(t.values, t.attrs.get("units"), t.attrs.get("calendar"), path)
    months = np.array([f"{d.year:04d}-{d.month:02d}" for d in times], dtype="datetime64[M]")
    ds = ascending(ds, dims["lat"], dims["lon"])
    values = ds[variable].transpose(dims["time"], dims["layer"], dims["lat"], dims["lon"]).values
    values = qc.screen_field(values, path, every_step=False)
    uniq, index = np.unique(months, return_inverse=True)
    sums = np.zeros((uniq.size,) + values.shape[1:])
    counts = np.zeros_like(sums)
    valid = np.isfinite(values)
    np.add.at(sums, index, np.where(valid, values, 0.0))
    np.add.at(counts, index, valid)
    dims4 = ("time", "layer", "lat", "lon")
    return xr.Dataset(
        {"sum": (dims4, sums), "count": (dims4, counts)},
        coords={
            "time": uniq.astype("datetime64[ns]"),
            "layer": np.arange(1, len(layers) + 1),
            "lat": ds[dims["lat"]].values.astype(float),
            "lon": ds[dims["lon"]].values.astype(float),
        },
    )


def read_amsmqtp_monthly(
    paths: Sequence[str | PathLike],
    first_year: int,
    last_year: int,
    variable: str = "SM",
    dims: Mapping[str, str] | None = None,
    qc: QCLog | None = None,
    layers: Sequence[Sequence[float]] = AMSMQTP_LAYERS,
) -> xr.DataArray:
    """Monthly means `sm(time, layer, lat, lon)` of the daily (or monthly) files for the
    requested years, with `layer_top`/`layer_bottom` (m) from `layers`, the files' depth bounds.

    A month split across two files is averaged over all its days; values are quality-controlled
    per file (`QCLog.screen_field`). A file with another number of layers is refused.
    """
    dims = {**DEFAULT_DIMS, **(dims or {})}
    layers = as_layers(layers)
    if not paths:
        raise InputError("amsmqtp", "no files given", "AMSMQTP daily NetCDF files")
    qc = qc if qc is not None else QCLog("amsmqtp")
    parts = [_monthly_sums(Path(p), variable, dims, layers, qc) for p in sorted(map(str, paths))]
    qc.refuse_if_too_much()
    try:
        totals = xr.concat(parts, dim="time", join="exact")
    except ValueError as exc:
        raise InputError(
            f"AMSMQTP files ({len(parts)})",
            "files are on different grids",
            "one grid for all files",
        ) from exc
    if np.unique(totals.time).size != totals.time.size:  # a month split over files
        totals = totals.groupby("time").sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        data = (totals["sum"] / totals["count"]).assign_attrs(units="m3 m-3")
    data = data.sortby("time").sel(time=slice(f"{first_year}-01-01", f"{last_year}-12-31"))
    label = paths[0] if len(paths) == 1 else f"AMSMQTP files ({len(paths)})"
    check_complete(data.time.values, first_year, last_year, label)
    top, bottom = zip(*layers, strict=True)
    return data.assign_coords(layer_top=("layer", list(top)), layer_bottom=("layer", list(bottom)))
