"""Readers: calendars to month starts, unit conversion, and one clear error per bad input."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from smdown.errors import InputError
from smdown.sources.cmip6 import read_mrsos
from tests.conftest import write_small_cmip6


@pytest.mark.parametrize(
    "calendar", ["noleap", "360_day", "gregorian", "proleptic_gregorian", "365_day", "standard"]
)
def test_calendars_become_month_starts(tmp_path, calendar):
    path = write_small_cmip6(tmp_path / "m.nc", calendar=calendar)
    data, grid = read_mrsos([path], 2000, 2001)
    expected = np.arange("2000-01", "2002-01", dtype="datetime64[M]").astype("datetime64[ns]")
    np.testing.assert_array_equal(data.time.values, expected)
    assert grid.shape == (8, 13)


def test_kg_m2_converted_to_volumetric(tmp_path):
    path = write_small_cmip6(tmp_path / "m.nc", value=25.0)
    data, _ = read_mrsos([path], 2000, 2001)
    assert data.attrs["units"] == "m3 m-3"
    assert abs(float(data.mean()) - 0.25) < 0.01  # 25 kg m-2 over 10 cm = 0.25 m3 m-3


def test_chunks_concatenate_and_years_are_selected(tmp_path):
    a = write_small_cmip6(tmp_path / "a.nc", years=(1999, 2000))
    b = write_small_cmip6(tmp_path / "b.nc", years=(2001, 2002))
    data, _ = read_mrsos([b, a], 2000, 2001)
    assert data.sizes["time"] == 24 and str(data.time.values[0])[:7] == "2000-01"


def test_descending_latitude_is_flipped(tmp_path):
    path = write_small_cmip6(tmp_path / "m.nc", lat=np.arange(41.0, 25.0, -2.0))
    data, grid = read_mrsos([path], 2000, 2001)
    assert np.all(np.diff(grid.lat) > 0) and np.all(grid.lat_bnds[:, 0] < grid.lat_bnds[:, 1])
    raw = xr.open_dataset(path, decode_times=False)["mrsos"].values / 100.0
    np.testing.assert_allclose(data.values[:, 0, :], raw[:, -1, :], rtol=1e-6)


@pytest.mark.parametrize(
    "units, message", [("kg m-3", "units 'kg m-3'"), (None, "no units attribute")]
)
def test_wrong_or_missing_units(tmp_path, units, message):
    path = write_small_cmip6(tmp_path / "m.nc", units=units)
    with pytest.raises(InputError, match=message) as err:
        read_mrsos([path], 2000, 2001)
    assert str(path) in str(err.value) and "kg m-2" in str(err.value)


def test_missing_variable(tmp_path):
    path = write_small_cmip6(tmp_path / "m.nc", variable="tas")
    with pytest.raises(InputError, match="variable 'mrsos' not found") as err:
        read_mrsos([path], 2000, 2001)
    assert str(path) in str(err.value)


def test_unknown_calendar(tmp_path):
    path = write_small_cmip6(tmp_path / "m.nc")
    import netCDF4

    with netCDF4.Dataset(path, "a") as nc:
        nc["time"].calendar = "martian"
    with pytest.raises(InputError, match="unknown calendar 'martian'") as err:
        read_mrsos([path], 2000, 2001)
    assert str(path) in str(err.value) and "360_day" in str(err.value)


def test_truncated_netcdf(tmp_path):
    path = write_small_cmip6(tmp_path / "m.nc")
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(InputError, match="cannot be read") as err:
        read_mrsos([path], 2000, 2001)
    assert str(path) in str(err.value)


def test_not_netcdf_at_all(tmp_path):
    path = tmp_path / "m.nc"
    path.write_text("<html>403 Forbidden</html>")
    with pytest.raises(InputError, match="not a NetCDF file"):
        read_mrsos([path], 2000, 2001)


def test_missing_months(tmp_path):
    path = write_small_cmip6(tmp_path / "m.nc", years=(2000, 2000))
    with pytest.raises(InputError, match="12 months missing"):
        read_mrsos([path], 2000, 2001)


def test_wrong_model_in_file(tmp_path):
    path = write_small_cmip6(tmp_path / "m.nc", source_id="CESM2")
    with pytest.raises(InputError, match="source_id 'MIROC6'"):
        read_mrsos([path], 2000, 2001, model="MIROC6")
