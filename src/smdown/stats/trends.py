"""The paper's trend analyses (section 3.3) of one product, as arrays and tidy tables.

Every analysis starts from the seasonal series (DJF, MAM, JJA, SON and the annual mean Y, one
value per year) of the monthly field `sm(time, depth, lat, lon)`; trends are Mann-Kendall tests
with Sen's slopes in m3 m-3 per year (the paper's unit) over whole periods.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import xarray as xr

from smdown.stats.mann_kendall import mann_kendall_xr
from smdown.stats.seasons import (
    SEASONS,
    percent_change,
    period_mean,
    regional_mean,
    seasonal_series,
)

TREND_FIELDS = ("slope", "p", "h")


def seasonal_stack(sm: xr.DataArray) -> xr.DataArray:
    """The seasonal series of every season along a `season` dim, years aligned (a season
    missing in a year, e.g. the first DJF, is NaN there)."""
    series = [seasonal_series(sm, season) for season in SEASONS]
    return xr.concat(series, dim=pd.Index(list(SEASONS), name="season"), join="outer")


def _years(series: xr.DataArray, first: int, last: int) -> xr.DataArray:
    """The series' years first..last; an error naming the period when any year is missing."""
    period_mean(series, (first, last))  # raises with the period and the years present
    return series.sel(year=slice(first, last))


def trend_maps(
    seasonal: xr.DataArray, periods: Mapping[str, tuple[int, int]], alpha: float = 0.05
) -> xr.Dataset:
    """Sen's slope (per year), p and significance h of every cell, layer and season, per period.

    `seasonal` is `seasonal_stack`'s output; the result has a `period` dim in `periods` order.
    """
    maps = []
    for name, (first, last) in periods.items():
        result = mann_kendall_xr(_years(seasonal, first, last), dim="year", alpha=alpha)
        maps.append(result[list(TREND_FIELDS)].expand_dims(period=[name]))
    out = xr.concat(maps, dim="period")
    out["slope"].attrs.update(units="m3 m-3 yr-1", long_name="Sen's slope of the seasonal mean")
    out["h"].attrs.update(long_name=f"Mann-Kendall trend significant at alpha {alpha}")
    out.attrs["periods"] = ", ".join(f"{k} {a}-{b}" for k, (a, b) in periods.items())
    return out


def regional_series(seasonal: xr.DataArray, masks: xr.DataArray) -> xr.DataArray:
    """Area-weighted regional means of the seasonal series: (season, year, depth, region)."""
    return regional_mean(seasonal, masks)


def regional_trends(
    series: xr.DataArray, periods: Mapping[str, tuple[int, int]], alpha: float = 0.05
) -> pd.DataFrame:
    """Slope (per year), p and h of every regional series per period, as a tidy table."""
    rows = []
    for name, (first, last) in periods.items():
        result = mann_kendall_xr(_years(series, first, last), dim="year", alpha=alpha)
        table = result[list(TREND_FIELDS)].to_dataframe().reset_index()
        rows.append(table.assign(period=name, first_year=first, last_year=last))
    return pd.concat(rows, ignore_index=True)


def period_means(series: xr.DataArray, periods: Mapping[str, tuple[int, int]]) -> pd.DataFrame:
    """Mean of every regional seasonal series over each period, as a tidy table."""
    rows = []
    for name, (first, last) in periods.items():
        mean = period_mean(series, (first, last)).rename("mean")
        rows.append(mean.to_dataframe().reset_index().assign(period=name))
    return pd.concat(rows, ignore_index=True)


def percent_change_maps(
    future: xr.DataArray,
    base: xr.DataArray,
    future_years: tuple[int, int],
    base_years: tuple[int, int],
) -> xr.DataArray:
    """100 (mean(future period) - mean(base period)) / mean(base period) per season and cell."""
    change = percent_change(period_mean(future, future_years), period_mean(base, base_years))
    change.attrs.update(
        units="%",
        long_name=f"change of the {future_years[0]}-"
        f"{future_years[1]} mean against {base_years[0]}-{base_years[1]}",
    )
    return change
