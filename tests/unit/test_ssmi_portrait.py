"""The CMIP6DL study's SSMI (z-score per calendar month over its base) and the aggregation
behind its portrait diagram (percent change per region, time scale, scenario and period)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from smdown.errors import InputError
from smdown.stats.portrait import (
    TIME_SCALES,
    north_south_masks,
    portrait_table,
    time_scale_series,
)
from smdown.stats.ssmi import ssmi

LAT = np.array([30.0, 34.0, 35.0, 40.0])
LON = np.array([95.0, 105.0, 110.0])


def _monthly(first: int, last: int, values=None, seed: int = 0) -> xr.DataArray:
    time = pd.date_range(f"{first}-01-01", f"{last}-12-01", freq="MS")
    rng = np.random.default_rng(seed)
    data = values if values is not None else 0.2 + 0.05 * rng.random((time.size, 4, 3))
    return xr.DataArray(
        data, dims=("time", "lat", "lon"), coords={"time": time, "lat": LAT, "lon": LON}, name="sm"
    )


@pytest.mark.parametrize("ddof", [0, 1])
def test_ssmi_has_zero_mean_and_unit_variance_per_calendar_month_over_its_base(ddof):
    sm = _monthly(2000, 2100)
    sm = sm + 0.03 * np.sin(2 * np.pi * sm["time"].dt.month / 12)  # a seasonal cycle
    index = ssmi(sm, base=(2015, 2100), ddof=ddof)
    assert index.dims == sm.dims and index.sizes == sm.sizes
    base = index.sel(time=slice("2015", "2100")).groupby("time.month")
    np.testing.assert_allclose(base.mean("time"), 0.0, atol=1e-12)
    np.testing.assert_allclose(base.std("time", ddof=ddof), 1.0, rtol=1e-12)
    # a month outside the base, standardised with its calendar month's base statistics
    jan = sm.sel(time=sm["time"].dt.month == 1).sel(time=slice("2015", "2100"))
    expected = (sm.sel(time="2000-01-01") - jan.mean("time")) / jan.std("time", ddof=ddof)
    np.testing.assert_allclose(index.sel(time="2000-01-01"), expected, rtol=1e-12)
    assert index.attrs["base_period"] == "2015-2100" and index.attrs["units"] == "1"


def test_ssmi_constant_month_is_nan_and_a_partial_base_is_refused():
    sm = _monthly(2015, 2020)
    sm[sm["time"].dt.month == 3] = 0.25
    index = ssmi(sm, base=(2015, 2020))
    assert index.sel(time=index["time"].dt.month == 3).isnull().all()
    assert np.isfinite(index.sel(time=index["time"].dt.month == 4)).all()
    with pytest.raises(InputError, match="2021-2022"):
        ssmi(sm, base=(2015, 2022))


def test_north_south_masks_split_at_35n_east_of_100e():
    land = xr.DataArray(np.ones((4, 3), bool), dims=("lat", "lon"), coords={"lat": LAT, "lon": LON})
    land[0, 2] = False  # a sea cell in the south
    masks = north_south_masks(land)
    assert list(masks["region"].values) == ["north", "south"]
    np.testing.assert_array_equal(
        masks.sel(region="north"), [[0, 0, 0], [0, 0, 0], [0, 1, 1], [0, 1, 1]]
    )
    np.testing.assert_array_equal(
        masks.sel(region="south"), [[0, 1, 0], [0, 1, 1], [0, 0, 0], [0, 0, 0]]
    )


def test_time_scale_series_of_a_month_and_a_season():
    sm = _monthly(2001, 2003)
    may = time_scale_series(sm, "May")
    assert list(may["year"].values) == [2001, 2002, 2003]
    np.testing.assert_array_equal(may.sel(year=2002), sm.sel(time="2002-05-01"))
    djf = time_scale_series(sm, "DJF")
    assert list(djf["year"].values) == [2002, 2003]  # the first winter lacks its December


def test_portrait_table_by_hand():
    """Known regional means: the historical run is 0.2 everywhere; an SSP is 0.2 times
    (1 + k/100) in calendar month k north of 35 N and 0.2 in the south, so every monthly change
    is k % north and 0 south, seasons the mean of their months' factors."""
    hist = _monthly(1994, 2014, values=np.full((252, 4, 3), 0.2))  # DJF 1995 needs Dec 1994
    future = _monthly(2020, 2040, values=np.full((252, 4, 3), 0.2))
    factor = 1 + future["time"].dt.month / 100.0
    future = future.where(future["lat"] < 35, future * factor)
    land = xr.DataArray(np.ones((4, 3), bool), dims=("lat", "lon"), coords={"lat": LAT, "lon": LON})
    table = portrait_table(
        hist, {"ssp585": future}, north_south_masks(land), {"2021-2040": (2021, 2040)}
    )
    assert list(dict.fromkeys(table["scale"])) == list(TIME_SCALES)
    assert set(table["region"]) == {"north", "south"} and len(table) == 2 * len(TIME_SCALES)
    north = table[table["region"] == "north"].set_index("scale")["change"]
    for k, month in enumerate(TIME_SCALES[:12], start=1):
        assert north[month] == pytest.approx(k)
    assert north["JJA"] == pytest.approx(7.0)
    assert north["DJF"] == pytest.approx((12 + 1 + 2) / 3)
    assert north["Y"] == pytest.approx(6.5)
    np.testing.assert_allclose(table.loc[table["region"] == "south", "change"], 0.0, atol=1e-12)
