"""The portrait diagram of the CMIP6DL study (its Fig. 8): percent change of regional soil
moisture against a historical reference, per time scale (month, season, year), scenario and
future period, for China north and south of 35 N east of 100 E."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from smdown.stats.seasons import (
    SEASONS,
    check_monthly,
    percent_change,
    period_mean,
    regional_mean,
    seasonal_series,
)

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
TIME_SCALES = (*MONTHS, "MAM", "JJA", "SON", "DJF", "Y")  # the diagram's rows, top to bottom


def north_south_masks(
    land: xr.DataArray, split_lat: float = 35.0, min_lon: float = 100.0
) -> xr.DataArray:
    """Boolean (region, lat, lon) masks "north" (lat >= split_lat) and "south" (lat < split_lat)
    of the land cells east of `min_lon` (lon >= min_lon), as the study splits China."""
    land = land.astype(bool)
    east = land & (land["lon"] >= min_lon)
    north = east & (land["lat"] >= split_lat)
    south = east & (land["lat"] < split_lat)
    return xr.concat([north, south], dim=pd.Index(["north", "south"], name="region"))


def time_scale_series(da: xr.DataArray, scale: str) -> xr.DataArray:
    """Yearly series of one time scale: a month's values (Jan..Dec) or a season's mean (DJF,
    MAM, JJA, SON, Y; see `seasonal_series`), along `year`."""
    if scale in SEASONS:
        return seasonal_series(da, scale)
    check_monthly(da)
    month = MONTHS.index(scale) + 1
    sub = da.isel(time=(da["time"].dt.month == month).values)
    return (
        sub.assign_coords(year=("time", sub["time"].dt.year.values))
        .swap_dims(time="year")
        .drop_vars("time")
    )


def portrait_table(
    historical: xr.DataArray,
    scenarios: Mapping[str, xr.DataArray],
    masks: xr.DataArray,
    periods: Mapping[str, tuple[int, int]],
    reference: tuple[int, int] = (1995, 2014),
) -> pd.DataFrame:
    """Percent change of each region's mean (cos-latitude weighted) per time scale, scenario and
    period, against the `reference` years of the historical run.

    Columns: region, scale, scenario, period, change (%); rows in TIME_SCALES order.
    """
    hist = regional_mean(historical, masks)
    rows = []
    for scale in TIME_SCALES:
        base = period_mean(time_scale_series(hist, scale), reference)
        for scenario, data in scenarios.items():
            series = time_scale_series(regional_mean(data, masks), scale)
            for name, years in periods.items():
                change = percent_change(period_mean(series, years), base)
                for region in masks["region"].values:
                    rows.append(
                        {
                            "region": str(region),
                            "scale": scale,
                            "scenario": scenario,
                            "period": name,
                            "change": float(np.asarray(change.sel(region=region))),
                        }
                    )
    return pd.DataFrame(rows)
