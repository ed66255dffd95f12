"""Seasonal and annual series, period means, percent change and regional means of the product.

These turn the monthly product into the yearly series that the trend tests and the figures of
the paper use (seasons DJF, MAM, JJA, SON and the year Y; periods 1995-2014, 2021-2040,
2041-2070, 2071-2100; area-weighted means over the TRSR and its basins).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from smdown.errors import InputError

SEASONS: dict[str, tuple[int, ...]] = {
    "DJF": (12, 1, 2),
    "MAM": (3, 4, 5),
    "JJA": (6, 7, 8),
    "SON": (9, 10, 11),
    "Y": tuple(range(1, 13)),
}

PERIODS: dict[str, tuple[int, int]] = {
    "historical": (1995, 2014),
    "near": (2021, 2040),
    "mid": (2041, 2070),
    "far": (2071, 2100),
}


def _season_years(time: xr.DataArray, season: str) -> xr.DataArray:
    """The year each month counts for: December counts for the following year's DJF."""
    year = time.dt.year
    if season == "DJF":
        year = year + (time.dt.month == 12)
    return year.rename("year")


def check_monthly(da: xr.DataArray) -> None:
    """Refuse data without a `time` dimension or with repeated time stamps."""
    name = da.name or "DataArray"
    if "time" not in da.dims:
        raise InputError(name, f"no 'time' dimension (dims {da.dims})", "monthly data on 'time'")
    if not da.indexes["time"].is_unique:
        raise InputError(name, "repeated time stamps", "one value per month")


def seasonal_series(da: xr.DataArray, season: str) -> xr.DataArray:
    """Mean of each year's months of `season` (DJF, MAM, JJA, SON or Y) along a new `year` dim.

    DJF of year Y is December of Y-1 with January and February of Y, labelled Y (the Jan/Feb
    year, the usual climatology convention). Only complete seasons are kept: the first
    January/February without its December, the last December and partial years (for Y) are
    dropped. The mean is the plain mean of the monthly values (not weighted by month length),
    and a NaN in any of the season's months makes that season NaN.
    """
    if season not in SEASONS:
        raise InputError("season", f"unknown season {season!r}", f"one of {', '.join(SEASONS)}")
    check_monthly(da)
    months = SEASONS[season]
    sub = da.isel(time=da["time"].dt.month.isin(months).values)
    label = _season_years(sub["time"], season)
    years, counts = np.unique(label.values, return_counts=True)
    means = sub.groupby(label).mean("time", skipna=False, keep_attrs=True)
    means = means.sel(year=years[counts == len(months)])
    means.attrs["season"] = season
    return means.transpose(*[("year" if d == "time" else d) for d in da.dims])


def year_ranges(years: np.ndarray) -> str:
    """Years as compact ranges, e.g. '1950-2014, 2020'."""
    years = np.unique(np.asarray(years, dtype=int))
    if not years.size:
        return "none"
    breaks = np.flatnonzero(np.diff(years) != 1)
    starts = np.r_[years[0], years[breaks + 1]]
    ends = np.r_[years[breaks], years[-1]]
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in zip(starts, ends, strict=True))


def _period_years(period: str | tuple[int, int]) -> tuple[str, int, int]:
    """Name, first and last year of a period given by name (PERIODS) or as (first, last)."""
    if isinstance(period, str):
        if period not in PERIODS:
            raise InputError(
                "period",
                f"unknown period {period!r}",
                f"one of {', '.join(PERIODS)} or (first, last)",
            )
        return period, *PERIODS[period]
    first, last = period
    return f"{first}-{last}", int(first), int(last)


def period_mean(da_yearly: xr.DataArray, period: str | tuple[int, int]) -> xr.DataArray:
    """Mean over the years of `period` (a PERIODS name or (first, last), inclusive).

    Every year of the period must be present on the `year` dimension: a partly covered period
    would silently mean something else, so it raises InputError naming the period and the years
    present. A NaN in any year makes the mean NaN.
    """
    name, first, last = _period_years(period)
    present = da_yearly["year"].values
    wanted = np.arange(first, last + 1)
    missing = np.setdiff1d(wanted, present)
    if missing.size:
        raise InputError(
            f"period {name} ({first}-{last})",
            f"years {year_ranges(missing)} are not in the data",
            f"all of {first}-{last}; years present: {year_ranges(present)}",
        )
    mean = da_yearly.sel(year=wanted).mean("year", skipna=False, keep_attrs=True)
    mean.attrs["period"] = f"{first}-{last}"
    return mean


def percent_change(future_mean, base_mean):
    """100 * (future - base) / base, NaN where the base is 0 or NaN (arrays or DataArrays)."""
    base = xr.where(base_mean == 0, np.nan, base_mean)
    change = 100.0 * (future_mean - base) / base
    if isinstance(change, xr.DataArray):
        change.attrs = {"long_name": "percent change relative to the base period", "units": "%"}
    return change


def regional_mean(da: xr.DataArray, mask: xr.DataArray, lat_name: str = "lat") -> xr.DataArray:
    """Area-weighted mean of `da` over the cells where `mask` (lat, lon) is true.

    Weights are cos(latitude): on a regular lat-lon grid a cell's area is 2 R^2 dlon
    sin(dlat / 2) cos(lat), so they are exact there. NaN cells are skipped and the weights
    renormalised over the valid ones; a region without valid cells gives NaN. Extra mask
    dimensions (e.g. `region`) carry over to the result; lat and lon are reduced away.
    """
    spatial = _spatial_dims(da, mask, lat_name)
    weights = np.cos(np.deg2rad(da[lat_name]))
    return da.where(mask.astype(bool)).weighted(weights).mean(spatial, keep_attrs=True)


def _spatial_dims(da: xr.DataArray, mask: xr.DataArray, lat_name: str) -> list[str]:
    """The mask's (lat, lon) dims, checked to be on the data's grid (same sizes and coordinates)."""
    name = mask.name or "mask"
    spatial = [d for d in mask.dims if d in da.dims]
    if lat_name not in spatial or len(spatial) != 2:
        raise InputError(
            name,
            f"dims {mask.dims} are not {lat_name!r} and one other dim of the data {da.dims}",
            "a (lat, lon) mask on the data's grid",
        )
    for dim in spatial:
        same = mask.sizes[dim] == da.sizes[dim] and (
            dim not in mask.coords or np.array_equal(mask[dim].values, da[dim].values)
        )
        if not same:
            raise InputError(
                name, f"its {dim!r} coordinate differs from the data's", "a mask on the data's grid"
            )
    return spatial
