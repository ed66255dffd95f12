"""Seasons, periods, percent change and regional means against hand-computed numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from smdown.errors import InputError
from smdown.stats.seasons import (
    PERIODS,
    percent_change,
    period_mean,
    regional_mean,
    seasonal_series,
)


def monthly(first: str, last: str, values=None) -> xr.DataArray:
    """Month-start series on (time, lat, lon) = (n, 1, 1), value = month index unless given."""
    time = pd.date_range(first, last, freq="MS")
    data = np.arange(len(time), dtype=float) if values is None else np.asarray(values, float)
    return xr.DataArray(
        data[:, None, None],
        dims=("time", "lat", "lon"),
        coords={"time": time, "lat": [31.0], "lon": [90.0]},
        attrs={"units": "m3 m-3"},
        name="sm",
    )


def yearly(first: int, last: int, values=None) -> xr.DataArray:
    """A (year) series, value = year unless given."""
    years = np.arange(first, last + 1)
    data = years.astype(float) if values is None else np.asarray(values, float)
    return xr.DataArray(data, dims="year", coords={"year": years})


def test_djf_crosses_the_year_boundary_and_is_labelled_by_january():
    # 2000-01 .. 2002-12: value 0 is Jan 2000, 11 Dec 2000, 12 Jan 2001, 13 Feb 2001.
    djf = seasonal_series(monthly("2000-01-01", "2002-12-01"), "DJF")
    assert djf.dims == ("year", "lat", "lon")
    assert djf["year"].values.tolist() == [2001, 2002]  # Jan/Feb 2000 and Dec 2002 incomplete
    assert djf.values[:, 0, 0].tolist() == [(11 + 12 + 13) / 3, (23 + 24 + 25) / 3]
    assert djf.attrs == {"units": "m3 m-3", "season": "DJF"}


def test_incomplete_winter_at_the_start_is_dropped_but_a_complete_one_kept():
    # Starting in December: the first DJF (Dec 1999 + Jan/Feb 2000) is complete.
    djf = seasonal_series(monthly("1999-12-01", "2001-02-01"), "DJF")
    assert djf["year"].values.tolist() == [2000, 2001]
    assert djf.values[:, 0, 0].tolist() == [1.0, 13.0]


def test_other_seasons_and_annual_means():
    da = monthly("2000-03-01", "2002-05-01")  # value 0 = March 2000
    mam = seasonal_series(da, "MAM")
    assert mam["year"].values.tolist() == [2000, 2001, 2002]
    assert mam.values[:, 0, 0].tolist() == [1.0, 13.0, 25.0]
    son = seasonal_series(da, "SON")
    assert son["year"].values.tolist() == [2000, 2001] and son.values[0, 0, 0] == 7.0
    annual = seasonal_series(da, "Y")
    assert annual["year"].values.tolist() == [2001]  # 2000 and 2002 are partial years
    assert annual.values[0, 0, 0] == np.mean(np.arange(10, 22))


def test_a_missing_month_drops_its_season_and_nan_propagates():
    da = monthly("2000-01-01", "2001-12-01")
    gappy = da.drop_sel(time=np.datetime64("2000-07-01"))
    assert seasonal_series(gappy, "JJA")["year"].values.tolist() == [2001]
    da[14, 0, 0] = np.nan  # March 2001
    mam = seasonal_series(da, "MAM")
    assert mam.values[0, 0, 0] == 3.0 and np.isnan(mam.values[1, 0, 0])


def test_bad_input_is_refused():
    da = monthly("2000-01-01", "2000-12-01")
    with pytest.raises(InputError, match="unknown season"):
        seasonal_series(da, "winter")
    with pytest.raises(InputError, match="repeated time"):
        seasonal_series(xr.concat([da, da], "time"), "JJA")
    with pytest.raises(InputError, match="no 'time'"):
        seasonal_series(da.rename(time="month"), "JJA")


def test_period_means():
    assert PERIODS["historical"] == (1995, 2014) and PERIODS["far"] == (2071, 2100)
    series = yearly(1950, 2100)
    assert period_mean(series, "historical").item() == np.mean(np.arange(1995, 2015))
    assert period_mean(series, "mid").item() == np.mean(np.arange(2041, 2071))
    assert period_mean(series, (2000, 2001)).item() == 2000.5
    assert period_mean(series, "near").attrs["period"] == "2021-2040"


def test_period_outside_the_data_names_period_and_years():
    with pytest.raises(InputError) as err:
        period_mean(yearly(1950, 2014), "far")
    message = str(err.value)
    assert "far" in message and "2071-2100" in message and "1950-2014" in message
    gap = yearly(1990, 2020).drop_sel(year=2000)
    with pytest.raises(InputError, match="years 2000 are not in the data"):
        period_mean(gap, "historical")
    with pytest.raises(InputError, match="unknown period"):
        period_mean(gap, "late")


def test_period_mean_keeps_nan():
    values = np.arange(1995, 2015, dtype=float)
    values[3] = np.nan
    assert np.isnan(period_mean(yearly(1995, 2014, values), "historical").item())


def test_percent_change():
    future = np.array([1.1, 2.0, 3.0, 4.0])
    base = np.array([1.0, 0.0, np.nan, 8.0])
    np.testing.assert_array_equal(
        percent_change(future, base), [100 * (1.1 - 1.0) / 1.0, np.nan, np.nan, -50.0]
    )
    change = percent_change(yearly(1, 2, [3.0, 1.0]), yearly(1, 2, [2.0, 0.0]))
    assert change.values[0] == 50.0 and np.isnan(change.values[1])
    assert change.attrs["units"] == "%"


def grid_field(values) -> xr.DataArray:
    """A (lat, lon) = (2, 2) field at 0 and 60 degrees north."""
    return xr.DataArray(
        np.asarray(values, float),
        dims=("lat", "lon"),
        coords={"lat": [0.0, 60.0], "lon": [90.0, 91.0]},
    )


def test_regional_mean_weights_by_cos_latitude():
    field = grid_field([[1.0, 1.0], [4.0, 4.0]])
    mask = grid_field([[1, 1], [1, 1]]).astype(bool)
    # weights cos(0) = 1 and cos(60) = 0.5: (1 * 2 + 4 * 0.5 * 2) / (2 + 1) = 2
    assert regional_mean(field, mask).item() == pytest.approx(2.0, rel=1e-15)
    only_one = grid_field([[True, False], [True, False]])
    assert regional_mean(field, only_one).item() == pytest.approx(2.0, rel=1e-15)


def test_regional_mean_skips_nan_and_gives_nan_without_data():
    field = grid_field([[np.nan, 1.0], [4.0, np.nan]])
    mask = grid_field([[1, 1], [1, 1]])
    assert regional_mean(field, mask).item() == pytest.approx((1 + 4 * 0.5) / 1.5, rel=1e-15)
    assert np.isnan(regional_mean(field, grid_field([[1, 0], [0, 1]])).item())


def test_regional_mean_over_time_and_regions():
    time = pd.date_range("2000-01-01", periods=3, freq="MS")
    field = grid_field([[1.0, 2.0], [4.0, 8.0]]).expand_dims(time=time) * xr.DataArray(
        [1.0, 2.0, 3.0], dims="time", coords={"time": time}
    )
    masks = xr.concat(
        [grid_field([[1, 1], [0, 0]]), grid_field([[0, 0], [0, 1]])],
        dim=pd.Index(["south", "ne"], name="region"),
    )
    out = regional_mean(field, masks)
    assert set(out.dims) == {"time", "region"}
    np.testing.assert_allclose(out.sel(region="south").values, [1.5, 3.0, 4.5], rtol=1e-15)
    np.testing.assert_allclose(out.sel(region="ne").values, [8.0, 16.0, 24.0], rtol=1e-15)


def test_regional_mean_refuses_a_mask_on_another_grid():
    field = grid_field([[1.0, 2.0], [3.0, 4.0]])
    shifted = grid_field([[1, 1], [1, 1]]).assign_coords(lon=[90.5, 91.5])
    with pytest.raises(InputError, match="'lon' coordinate differs"):
        regional_mean(field, shifted)
    with pytest.raises(InputError, match="lat"):
        regional_mean(field, shifted.rename(lat="y"))
