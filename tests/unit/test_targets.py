"""ERA5-Land and AMSMQTP readers on files in every layout the real sources deliver."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from smdown.errors import InputError
from smdown.prepare import prepare_amsmqtp, prepare_era5land
from smdown.sources.amsmqtp import read_amsmqtp_monthly
from smdown.sources.era5land import read_era5land
from smdown.synthetic import TruthWorld, write_amsmqtp, write_era5land
from smdown.synthetic.era5land import era5_values

WORLD = TruthWorld(seed=7)


def _expected(first: int, last: int) -> np.ndarray:
    months = np.arange(f"{first}-01", f"{last + 1}-01", dtype="datetime64[M]")
    return era5_values(WORLD, months, first)


@pytest.mark.parametrize(
    "layout, zipped, split",
    [
        ("new", False, False),
        ("new", True, False),
        ("new", True, True),
        ("old", False, False),
        ("old", True, False),
    ],
)
def test_era5land_layouts_read_alike(tmp_path, layout, zipped, split):
    path = write_era5land(
        WORLD, tmp_path / "era.nc", 2013, 2014, layout=layout, zipped=zipped, split_members=split
    )
    assert (path.read_bytes()[:2] == b"PK") == zipped
    sm = read_era5land([path], 2013, 2014)
    assert sm.dims == ("time", "layer", "lat", "lon") and sm.shape == (24, 3, 71, 151)
    assert np.all(np.diff(sm.lat) > 0) and sm.lat.values[0] == pytest.approx(31.0)
    assert str(sm.time.values[0])[:10] == "2013-01-01"
    # Legacy files are packed shorts: equal up to half a packing step.
    tol = 1e-6 if layout == "new" else 1e-5
    np.testing.assert_allclose(sm.values, _expected(2013, 2014), atol=tol)


def test_era5land_mixed_layouts_concatenate_on_one_grid(tmp_path):
    a = write_era5land(WORLD, tmp_path / "a.nc", 2012, 2012, layout="old", era5t_months=0)
    b = write_era5land(WORLD, tmp_path / "b.nc", 2013, 2014, layout="new")
    sm = read_era5land([b, a], 2012, 2014)
    assert sm.shape == (36, 3, 71, 151)
    assert not np.isnan(sm.values).any()


def test_era5land_prepared_on_target(tmp_path, target):
    path = write_era5land(WORLD, tmp_path / "era.nc", 2014, 2014)
    ds = prepare_era5land([path], target, 2014, 2014)
    assert ds["sm"].attrs["units"] == "m3 m-3" and "lat_bnds" in ds
    np.testing.assert_allclose(ds.layer_top.values, [0.0, 0.07, 0.28])


def test_era5land_bad_inputs(tmp_path):
    good = write_era5land(WORLD, tmp_path / "era.nc", 2014, 2014)
    with xr.open_dataset(good) as ds:
        ds.load().drop_vars("swvl2").to_netcdf(tmp_path / "noswvl2.nc")
    with pytest.raises(InputError, match="'swvl2' not found") as err:
        read_era5land([tmp_path / "noswvl2.nc"], 2014, 2014)
    assert "noswvl2.nc" in str(err.value)
    bad_zip = tmp_path / "broken.nc"
    bad_zip.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    with pytest.raises(InputError, match="corrupt zip"):
        read_era5land([bad_zip], 2014, 2014)
    with pytest.raises(InputError, match="12 months missing"):
        read_era5land([good], 2013, 2014)


def test_amsmqtp_monthly_means_and_split_months(tmp_path, target):
    paths = write_amsmqtp(WORLD, tmp_path / "ams", 2000, 2000)
    whole = read_amsmqtp_monthly(paths, 2000, 2000)
    assert whole.shape == (12, 5, 71, 151)
    # The same days split into two files at mid-January give the same monthly means.
    with xr.open_dataset(paths[0], mask_and_scale=False, decode_times=False) as ds:
        ds = ds.load()
    ds.isel(time=slice(0, 15)).to_netcdf(tmp_path / "p1.nc")
    ds.isel(time=slice(15, None)).to_netcdf(tmp_path / "p2.nc")
    split = read_amsmqtp_monthly([tmp_path / "p2.nc", tmp_path / "p1.nc"], 2000, 2000)
    np.testing.assert_allclose(split.values, whole.values, atol=1e-12)
    prepared = prepare_amsmqtp(paths, target, 2000, 2000)
    np.testing.assert_allclose(prepared["sm"].values, whole.values, atol=1e-6)


def test_amsmqtp_configurable_names_and_other_grid(tmp_path, target):
    paths = write_amsmqtp(WORLD, tmp_path / "ams", 2001, 2001)
    with xr.open_dataset(paths[0], decode_times=False) as ds:
        ds = ds.load()
    # Another product's naming, on a grid offset by half a cell and wider than the target.
    other = ds.rename({"SM": "soil_moisture", "depth": "layer", "lat": "y", "lon": "x"})
    other = other.interp(
        y=np.arange(38.45, 30.5, -0.1),
        x=np.arange(88.55, 104.5, 0.1),
        method="nearest",
        kwargs={"fill_value": "extrapolate"},
    )
    other["soil_moisture"].attrs["units"] = "m3/m3"
    other.to_netcdf(tmp_path / "other.nc")
    dims = {"time": "time", "layer": "layer", "lat": "y", "lon": "x"}
    ds_out = prepare_amsmqtp(
        [tmp_path / "other.nc"], target, 2001, 2001, variable="soil_moisture", dims=dims
    )
    assert ds_out["sm"].shape == (12, 5, 71, 151)
    assert not np.isnan(ds_out["sm"].values).any()


def test_amsmqtp_wrong_names(tmp_path):
    paths = write_amsmqtp(WORLD, tmp_path / "ams", 2000, 2000)
    with pytest.raises(InputError, match="variable 'sm' not found") as err:
        read_amsmqtp_monthly(paths, 2000, 2000, variable="sm")
    assert "AMSMQTP_ensemble_2000.nc" in str(err.value)
    with pytest.raises(InputError, match="lacks \\['layer'\\]"):
        read_amsmqtp_monthly(paths, 2000, 2000, dims={"layer": "layer"})
