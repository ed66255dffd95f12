"""Trend analyses of a product-shaped field with a known injected trend."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymannkendall as mk
import pytest
import xarray as xr

from smdown.errors import InputError
from smdown.stats.analyse import read_sm, region_masks
from smdown.stats.seasons import seasonal_series
from smdown.stats.trends import (
    percent_change_maps,
    period_means,
    regional_series,
    regional_trends,
    seasonal_stack,
    trend_maps,
)

LAT = np.array([31.05, 31.15, 31.25])
LON = np.array([89.05, 89.15, 89.25, 89.35])
TIMES = pd.date_range("2015-01-01", "2100-12-01", freq="MS")
PERIODS = {"2015-2100": (2015, 2100), "near": (2021, 2040)}
SLOPE = 1e-3  # m3 m-3 per year in layer 1, halved per layer


def _field(seed: int = 0) -> xr.DataArray:
    rng = np.random.default_rng(seed)
    years = TIMES.year.values + (TIMES.month.values - 0.5) / 12 - 2015
    cycle = 0.03 * np.cos(2 * np.pi * (TIMES.month.values - 1) / 12)
    layers = SLOPE / 2 ** np.arange(2)
    values = (
        0.2
        + cycle[:, None, None, None]
        + years[:, None, None, None] * layers[:, None, None]
        + rng.normal(0, 0.002, (TIMES.size, 2, LAT.size, LON.size))
    )
    values[:, :, 0, 0] = np.nan  # outside the region
    return xr.DataArray(
        values,
        dims=("time", "depth", "lat", "lon"),
        coords={"time": TIMES.values, "depth": [0.05, 0.2], "lat": LAT, "lon": LON},
        name="sm",
    )


def test_trend_maps_recover_the_injected_slope_per_layer():
    seasonal = seasonal_stack(_field())
    assert list(seasonal["season"].values) == ["DJF", "MAM", "JJA", "SON", "Y"]
    assert np.isnan(seasonal.sel(season="DJF", year=2015)).all()  # no December 2014
    maps = trend_maps(seasonal, PERIODS)
    assert maps["slope"].dims == ("period", "season", "depth", "lat", "lon")
    slope = maps["slope"].sel(period="2015-2100", season="Y")
    np.testing.assert_allclose(slope.isel(depth=0).values[1:, 1:], SLOPE, rtol=0.02)
    np.testing.assert_allclose(slope.isel(depth=1).values[1:, 1:], SLOPE / 2, rtol=0.02)
    assert maps["h"].sel(period="2015-2100").values[..., 1:, 1:].all()
    assert np.isnan(maps["slope"].values[..., 0, 0]).all()


def test_a_cell_trend_equals_pymannkendall_on_its_seasonal_series():
    field = _field()
    maps = trend_maps(seasonal_stack(field), PERIODS)
    series = seasonal_series(field, "JJA").sel(year=slice(2021, 2040)).isel(depth=1, lat=2, lon=3)
    expected = mk.original_test(series.values)
    cell = maps.sel(period="near", season="JJA").isel(depth=1, lat=2, lon=3)
    assert float(cell["slope"]) == expected.slope and float(cell["p"]) == expected.p
    assert bool(cell["h"]) == expected.h


def test_regional_series_trends_and_period_means():
    seasonal = seasonal_stack(_field())
    masks = xr.DataArray(
        np.ones((2, LAT.size, LON.size), bool),
        dims=("region", "lat", "lon"),
        coords={"region": ["TRSR", "west"], "lat": LAT, "lon": LON},
    )
    masks[1, :, 2:] = False
    series = regional_series(seasonal, masks)
    assert set(series.dims) == {"season", "year", "depth", "region"}
    trends = regional_trends(series, PERIODS)
    assert {"region", "season", "depth", "period", "slope", "p", "h"} <= set(trends.columns)
    annual = trends[(trends["period"] == "2015-2100") & (trends["season"] == "Y")]
    np.testing.assert_allclose(
        annual.sort_values(["depth", "region"])["slope"],
        [SLOPE, SLOPE, SLOPE / 2, SLOPE / 2],
        rtol=0.02,
    )
    means = period_means(series, {"near": (2021, 2040)})
    near = means[(means["season"] == "Y") & (means["region"] == "TRSR")].sort_values("depth")
    np.testing.assert_allclose(near["mean"], 0.2 + 16 * SLOPE / 2 ** np.arange(2), rtol=0.01)


def test_percent_change_and_a_period_outside_the_data():
    future = seasonal_stack(_field())
    base = future.sel(year=slice(2021, 2040))
    change = percent_change_maps(future, base, (2071, 2100), (2021, 2040))
    expected = 100 * (55 * SLOPE) / (0.2 + 16 * SLOPE)  # mean offsets 71 and 16 years
    np.testing.assert_allclose(
        change.sel(season="Y").isel(depth=0).values[1:, 1:], expected, rtol=0.02
    )
    with pytest.raises(InputError, match="1995"):
        trend_maps(future, {"historical": (1995, 2014)})


def test_trend_inputs_are_checked(tmp_path):
    field = _field()
    path = tmp_path / "product.nc"
    field.to_dataset().to_netcdf(path)
    assert read_sm(path).dims == ("time", "depth", "lat", "lon")
    with pytest.raises(InputError, match="no variable 'sm_spread'"):
        read_sm(path, "sm_spread")
    broken = tmp_path / "broken.nc"
    broken.write_bytes(path.read_bytes()[:100][::-1])
    with pytest.raises(InputError, match="not a NetCDF file"):
        read_sm(broken)
    flat = tmp_path / "flat.nc"
    field.isel(depth=0).to_dataset().to_netcdf(flat)
    with pytest.raises(InputError, match=r"\(time, depth, lat, lon\)"):
        read_sm(flat)
    regions = tmp_path / "regions.nc"
    shifted = xr.Dataset(
        {"mask": (("region", "lat", "lon"), np.ones((1, 3, 4), bool))},
        coords={"region": ["TRSR"], "lat": LAT + 0.5, "lon": LON},
    )
    shifted.to_netcdf(regions)
    with pytest.raises(InputError, match="lat"):
        region_masks(regions, read_sm(path), path)
