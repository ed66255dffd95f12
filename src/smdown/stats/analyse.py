"""What the trend rules do: read a product (or the demo's truth), run the trend analyses, and
compare the demo's product trends with the truth's.

The product's periods: the whole run (historical 1950-2014, an SSP 2015-2100) and the
paper's periods (1995-2014 for the historical run; 2021-2040, 2041-2070, 2071-2100 for SSPs).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from smdown.errors import InputError
from smdown.io import file_kind
from smdown.prepared import check_grid, layer_bounds_of
from smdown.soil_layers import average_layers
from smdown.stats.trends import (
    percent_change_maps,
    period_means,
    regional_series,
    regional_trends,
    seasonal_stack,
    trend_maps,
)

Periods = Mapping[str, tuple[int, int]]


@dataclass
class TrendResults:
    """Every trend analysis of one experiment."""

    maps: xr.Dataset  # slope, p, h (period, season, depth, lat, lon)
    series: pd.DataFrame  # region, season, depth, year, sm
    trends: pd.DataFrame  # region, season, depth, period, slope, p, h
    means: pd.DataFrame  # region, season, depth, period, mean


def read_sm(path: str | PathLike, variable: str = "sm") -> xr.DataArray:
    """The monthly field of a product or truth file as (time, depth, lat, lon), loaded."""
    if not Path(path).is_file() or file_kind(path) != "netcdf":
        raise InputError(path, "missing or not a NetCDF file", "a product or truth file")
    with xr.open_dataset(path) as ds:
        if variable not in ds:
            raise InputError(path, f"no variable {variable!r}", "a product or truth file")
        sm = ds[variable].load()
    if "layer" in sm.dims:  # the truth counts layers; the product names depths
        sm = sm.rename(layer="depth")
    if sm.dims != ("time", "depth", "lat", "lon"):
        raise InputError(path, f"{variable} has dims {sm.dims}", "(time, depth, lat, lon)")
    return sm.drop_vars([c for c in sm.coords if c not in sm.dims])


def read_truth_on_layers(truth: str | PathLike, product: str | PathLike) -> xr.DataArray:
    """The truth's `sm` (`read_sm`) as thickness-weighted means on the product's layers (the
    fine-tuning reference's), so a product is checked on its own layers."""
    sm = read_sm(truth)
    with xr.open_dataset(truth) as t, xr.open_dataset(product) as p:
        source, target = layer_bounds_of(t, truth), layer_bounds_of(p, product)
    return xr.DataArray(
        average_layers(sm.values, source, target),
        dims=sm.dims,
        coords={
            "time": sm["time"],
            "depth": np.arange(1, len(target) + 1),
            "lat": sm["lat"],
            "lon": sm["lon"],
        },
        attrs=sm.attrs,
    )


def region_masks(path: str | PathLike, sm: xr.DataArray, source: str | PathLike) -> xr.DataArray:
    """The prepared regions' masks (region, lat, lon) on the field's coordinates."""
    with xr.open_dataset(path) as ds:
        masks = ds["mask"].load().astype(bool)
    check_grid(sm, masks, source)
    return masks.assign_coords(lat=sm["lat"].values, lon=sm["lon"].values)


def analyse(
    sm: xr.DataArray, masks: xr.DataArray, periods: Periods, alpha: float = 0.05
) -> TrendResults:
    """Trend maps, regional series, their trends and period means of one experiment."""
    seasonal = seasonal_stack(sm)
    series = regional_series(seasonal, masks)
    return TrendResults(
        maps=trend_maps(seasonal, periods, alpha),
        series=series.rename("sm")
        .to_dataframe()
        .reset_index()[["region", "season", "depth", "year", "sm"]]
        .dropna(subset=["sm"]),
        trends=regional_trends(series, periods, alpha),
        means=period_means(series, periods),
    )


def percent_change(
    future: xr.DataArray,
    base: xr.DataArray,
    masks: xr.DataArray,
    future_years: tuple[int, int],
    base_years: tuple[int, int],
) -> tuple[xr.DataArray, pd.DataFrame]:
    """Percent change maps (season, depth, lat, lon) and the same per region, as a table."""
    future_seasonal, base_seasonal = seasonal_stack(future), seasonal_stack(base)
    maps = percent_change_maps(future_seasonal, base_seasonal, future_years, base_years)
    regional = percent_change_maps(
        regional_series(future_seasonal, masks),
        regional_series(base_seasonal, masks),
        future_years,
        base_years,
    )
    table = regional.rename("percent_change").to_dataframe().reset_index()
    return maps, table


def trend_agreement(
    product: xr.Dataset, truth: xr.Dataset, period: str, season: str = "Y"
) -> pd.DataFrame:
    """Per layer: of the region's cells (where the product is defined) in which the truth's
    trend is significant, the share where the product's Sen slope has the truth's sign."""
    rows = []
    ours = product.sel(period=period, season=season)
    theirs = truth.sel(period=period, season=season)
    for k in range(ours.sizes["depth"]):
        inside = np.isfinite(ours["slope"].isel(depth=k).values)  # the product's region
        significant = theirs["h"].isel(depth=k).values.astype(bool) & inside
        truth_sign = np.sign(theirs["slope"].isel(depth=k).values[significant])
        product_sign = np.sign(ours["slope"].isel(depth=k).values[significant])
        cells = int(significant.sum())
        share = float(np.mean(product_sign == truth_sign)) if cells else np.nan
        rows.append(
            {
                "layer": k + 1,
                "period": period,
                "season": season,
                "truth_significant_cells": cells,
                "same_sign_share": share,
            }
        )
    return pd.DataFrame(rows)


SAME_SIGN_MIN = 0.9  # share of the truth's significant cells whose sign the product must match
PERCENT_TOLERANCE = 2.0  # percentage points between the product's and the truth's change


def truth_comparison(
    product: xr.DataArray,
    truth: xr.DataArray,
    base: xr.DataArray,
    truth_base: xr.DataArray,
    masks: xr.DataArray,
    periods: Periods,
    alpha: float,
    change: tuple[int, int],
    reference: tuple[int, int],
) -> pd.DataFrame:
    """The demo's recovery check, one row per test: the sign share of the annual trend over the
    first period per layer (>= `SAME_SIGN_MIN`), and each region's annual percent change per
    layer (within `PERCENT_TOLERANCE` points of the truth's)."""
    first = dict(list(periods.items())[:1])
    name = next(iter(first))
    depths = product["depth"].values
    truth, truth_base = (t.assign_coords(depth=depths) for t in (truth, truth_base))
    maps = [trend_maps(seasonal_stack(sm), first, alpha) for sm in (product, truth)]
    signs = trend_agreement(*maps, period=name)
    rows = [
        {
            "check": "same_sign_share",
            "layer": r.layer,
            "region": "",
            "season": "Y",
            "period": name,
            "cells": r.truth_significant_cells,
            "product": r.same_sign_share,
            "truth": 1.0,
            "threshold": SAME_SIGN_MIN,
            "passes": bool(r.same_sign_share >= SAME_SIGN_MIN),
        }
        for r in signs.itertuples()
    ]
    tables = [
        percent_change(f, b, masks, change, reference)[1]
        for f, b in ((product, base), (truth, truth_base))
    ]
    merged = tables[0].merge(
        tables[1], on=["season", "depth", "region"], suffixes=("_product", "_truth")
    )
    annual = merged[merged["season"] == "Y"]
    for r in annual.itertuples():
        difference = abs(r.percent_change_product - r.percent_change_truth)
        rows.append(
            {
                "check": "percent_change",
                "layer": list(depths).index(r.depth) + 1,
                "region": r.region,
                "season": "Y",
                "period": f"{change[0]}-{change[1]}",
                "cells": np.nan,
                "product": r.percent_change_product,
                "truth": r.percent_change_truth,
                "threshold": PERCENT_TOLERANCE,
                "passes": bool(difference <= PERCENT_TOLERANCE),
            }
        )
    return pd.DataFrame(rows)
