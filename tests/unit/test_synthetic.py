"""The synthetic demo inputs: a seeded truth, written in the real formats the readers meet."""

from __future__ import annotations

import json
import zipfile

import cftime
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from shapely.geometry import shape
from shapely.ops import unary_union

from smdown.catalog import AMSMQTP_LAYERS, MODELS
from smdown.geometry import RectilinearGrid, native_grid, regular_grid
from smdown.synthetic import (
    TruthWorld,
    amsmqtp_filenames,
    cmip6_filenames,
    target_grid,
    write_amsmqtp,
    write_cma,
    write_cmip6,
    write_demo_regions,
    write_era5land,
    write_ismn,
)
from smdown.synthetic.era5land import BIAS, layer_weights

SEED = 20241122
SMALL = regular_grid(33.0, 34.0, 95.0, 96.0, 0.5)  # 3 x 3 pixels


@pytest.fixture(scope="module")
def world() -> TruthWorld:
    return TruthWorld(SEED)


def _open_cftime(path) -> xr.Dataset:
    return xr.open_dataset(path, decode_times=xr.coders.CFDatetimeCoder(use_cftime=True))


def _annual_slope(sm: np.ndarray) -> np.ndarray:
    """OLS slope per year of the annual means of a (month, ...) array of whole years."""
    annual = sm.reshape((-1, 12) + sm.shape[1:]).mean(axis=1)
    years = np.arange(annual.shape[0]) - (annual.shape[0] - 1) / 2
    return np.tensordot(years, annual - annual.mean(axis=0), axes=1) / (years**2).sum()


# --- truth -------------------------------------------------------------------------------------


def test_truth_is_deterministic_and_seed_dependent(world):
    months = np.arange("2000-01", "2001-01", dtype="datetime64[M]")
    a = world.field(SMALL.lat, SMALL.lon, months)
    b = TruthWorld(SEED).field(SMALL.lat, SMALL.lon, months)
    c = TruthWorld(SEED + 1).field(SMALL.lat, SMALL.lon, months)
    assert a.shape == (12, 5, 3, 3) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 0.01


def test_truth_range_and_wetter_south_east(world):
    grid = target_grid()
    months = np.arange("1990-01", "2000-01", dtype="datetime64[M]")
    sm = world.field(grid.lat, grid.lon, months, layers=[0])[:, 0]
    assert sm.min() >= 0.02 and sm.max() <= 0.6
    mean = sm.mean(axis=0)
    assert mean.min() >= 0.10 and mean.max() <= 0.40
    south_east = mean[: grid.lat.size // 3, -grid.lon.size // 3 :].mean()
    north_west = mean[-grid.lat.size // 3 :, : grid.lon.size // 3].mean()
    assert south_east > north_west + 0.03


def test_seasonal_minimum_in_winter_and_damped_with_depth(world):
    months = np.arange("1980-01", "2010-01", dtype="datetime64[M]")
    sm = world.field(SMALL.lat, SMALL.lon, months).mean(axis=(2, 3))
    climatology = sm.reshape(-1, 12, 5).mean(axis=0)  # (month, layer)
    assert climatology[:, 0].argmin() + 1 in (12, 1, 2)
    assert climatology[:, 0].argmax() + 1 in (7, 8)
    amplitude = climatology.max(axis=0) - climatology.min(axis=0)
    assert np.all(np.diff(amplitude) < 0)
    assert amplitude[0] > 0.05


def test_trends_ordered_by_scenario_damped_with_depth_and_recoverable(world):
    means = {}
    for experiment in ("historical", "ssp126", "ssp245", "ssp370", "ssp585"):
        ds = world.truth_dataset(SMALL, experiment)
        trend = ds["trend"].values
        assert np.all(np.diff(trend.mean(axis=(1, 2))) < 0)  # damped with depth
        np.testing.assert_allclose(_annual_slope(ds["sm"].values), trend, atol=2e-6)
        means[experiment] = trend[0].mean()
    ordered = [means[e] for e in ("historical", "ssp126", "ssp245", "ssp370", "ssp585")]
    assert np.all(np.diff(ordered) > 0)
    assert 0.5e-4 < means["historical"] < 2e-4 and 2e-4 < means["ssp585"] < 7e-4


def test_scenarios_share_the_historical_past_and_continue_it(world):
    months = np.arange("2013-01", "2017-01", dtype="datetime64[M]")
    low = world.field(SMALL.lat, SMALL.lon, months, experiment="ssp126")
    high = world.field(SMALL.lat, SMALL.lon, months, experiment="ssp585")
    hist = world.field(SMALL.lat, SMALL.lon, months, experiment="historical")
    np.testing.assert_array_equal(low[:24], high[:24])
    np.testing.assert_array_equal(low[:24], hist[:24])
    assert np.all(high[24:, 0] >= low[24:, 0]) and (high[-1, 0] - low[-1, 0]).mean() > 1e-4
    assert np.abs(np.diff(high[22:26, 0], axis=0)).max() < 0.1  # no jump at 2015


def test_truth_dataset_layout(world):
    ds = world.truth_dataset(SMALL, "historical")
    assert ds["sm"].dims == ("time", "layer", "lat", "lon") and ds["sm"].dtype == np.float32
    assert ds["trend"].dims == ("layer", "lat", "lon")
    assert ds.sizes["time"] == 780 and str(ds.time.values[0])[:10] == "1950-01-01"
    assert str(ds.time.values[-1])[:10] == "2014-12-01"
    np.testing.assert_allclose(ds["depth_top"], [t for t, _ in AMSMQTP_LAYERS])
    np.testing.assert_allclose(ds["depth_bottom"], [b for _, b in AMSMQTP_LAYERS])
    assert ds["lat"].attrs["bounds"] == "lat_bnds" and ds["lat_bnds"].shape == (3, 2)


def test_point_series_interpolates_between_layer_mid_depths(world):
    days = np.arange("2012-03-01", "2012-05-01", dtype="datetime64[D]")
    daily = world.daily_field([32.0], [92.0], days, points=True)[:, :, 0]
    np.testing.assert_allclose(world.point_series(32.0, 92.0, 0.05, days), daily[:, 0])
    np.testing.assert_allclose(world.point_series(32.0, 92.0, 0.95, days), daily[:, 4])
    between = world.point_series(32.0, 92.0, 0.1, days)  # a third of the way from 0.05 to 0.2
    np.testing.assert_allclose(between, (2 * daily[:, 0] + daily[:, 1]) / 3, rtol=1e-5)
    both = world.point_series(32.0, 92.0, [0.05, 0.2], days)
    assert both.shape == (days.size, 2)


def test_daily_field_keeps_monthly_means(world):
    days = np.arange("2003-01-01", "2004-01-01", dtype="datetime64[D]")
    daily = world.daily_field(SMALL.lat, SMALL.lon, days)
    monthly = world.field(
        SMALL.lat, SMALL.lon, np.arange("2003-01", "2004-01", dtype="datetime64[M]")
    )
    month_of_day = days.astype("datetime64[M]").astype(int) % 12
    means = np.stack([daily[month_of_day == m].mean(axis=0) for m in range(12)])
    np.testing.assert_allclose(means, monthly, atol=1e-4)
    assert np.abs(np.diff(daily, axis=0)).max() < 0.02  # smooth from day to day


def test_cell_mean_matches_fine_average(world):
    months = np.arange("2000-01", "2000-04", dtype="datetime64[M]")
    coarse = regular_grid(33.0, 34.0, 95.0, 96.0, 1.0)
    fine = regular_grid(32.55, 34.45, 94.55, 96.45, 0.1)
    values = world.field(fine.lat, fine.lon, months, layers=[0])[:, 0]
    block = values[:, :10, :10].mean(axis=(1, 2))
    np.testing.assert_allclose(
        world.cell_mean(coarse, months, subsamples=10)[:, 0, 0], block, atol=2e-3
    )


# --- CMIP6 -------------------------------------------------------------------------------------


def test_cmip6_file_layout_padding_and_values(world, tmp_path):
    model = MODELS["MPI-ESM1-2-LR"]
    paths = write_cmip6(world, model.name, "historical", tmp_path)
    assert [p.name for p in paths] == cmip6_filenames(model.name, "historical")
    assert paths[0].name == "mrsos_Lmon_MPI-ESM1-2-LR_historical_r1i1p1f1_gn_195001-201412.nc"
    ds = _open_cftime(paths[0])
    assert ds["mrsos"].dims == ("time", "lat", "lon") and ds["mrsos"].dtype == np.float32
    assert ds["mrsos"].attrs["units"] == "kg m-2"
    assert ds["mrsos"].attrs["standard_name"] == "mass_content_of_water_in_soil_layer"
    assert ds["mrsos"].encoding["_FillValue"] == np.float32(1e20)
    assert ds["mrsos"].encoding["missing_value"] == np.float32(1e20)
    assert ds["time"].encoding["calendar"] == model.calendar
    assert ds["time"].encoding["units"] == "days since 1850-01-01"
    assert ds.sizes["time"] == 780 and ds["time"].values[0].month == 1
    assert {"time_bnds", "lat_bnds", "lon_bnds"} <= set(ds.variables)
    assert ds["lat"].attrs["bounds"] == "lat_bnds" and np.all(np.diff(ds["lat"]) > 0)
    assert ds.attrs["source_id"] == model.name and ds.attrs["table_id"] == "Lmon"
    assert ds.attrs["variant_label"] == model.member and ds.attrs["frequency"] == "mon"
    assert ds.attrs["tracking_id"].startswith("hdl:21.14100/")
    # 3 native cells beyond those overlapping the 0.1 degree cells, on every side
    lat_b, lon_b = ds["lat_bnds"].values, ds["lon_bnds"].values
    assert (lat_b[:, 1] <= 30.95).sum() == 3 and (lat_b[:, 0] >= 38.05).sum() == 3
    assert (lon_b[:, 1] <= 88.95).sum() == 3 and (lon_b[:, 0] >= 104.05).sum() == 3
    full = native_grid(model.grid)
    assert np.all(np.isin(ds["lat"].values, full.lat)) and np.all(np.isin(ds["lon"], full.lon))
    # values: the truth's top layer seen through the model's bias and noise
    sm = ds["mrsos"].values / 100.0
    assert sm.min() > 0.0 and sm.max() < 0.7
    grid = RectilinearGrid(ds["lat"].values, ds["lon"].values, lat_b, lon_b)
    months = np.arange("1950-01", "2015-01", dtype="datetime64[M]")
    truth = world.cell_mean(grid, months, experiment="historical")
    series = sm[:, 3:-3, 3:-3].mean(axis=(1, 2))
    true_series = truth[:, 3:-3, 3:-3].mean(axis=(1, 2))
    assert np.corrcoef(series, true_series)[0, 1] > 0.9
    assert abs(series.mean() - true_series.mean()) <= 0.06


def test_cmip6_360_day_model(world, tmp_path):
    paths = write_cmip6(world, "UKESM1-0-LL", "ssp585", tmp_path)
    assert len(paths) == 1 and paths[0].name.endswith("_gn_201501-210012.nc")
    ds = _open_cftime(paths[0])
    assert ds["time"].encoding["calendar"] == "360_day"
    assert isinstance(ds["time"].values[0], cftime.Datetime360Day)
    assert ds.sizes["time"] == 86 * 12
    raw = xr.open_dataset(paths[0], decode_times=False)
    np.testing.assert_array_equal(np.diff(raw["time_bnds"].values, axis=1), 30.0)
    np.testing.assert_allclose(raw["time"].values, raw["time_bnds"].values.mean(axis=1))
    assert raw["time"].values[0] == 165 * 360 + 15  # 2015-01-16 in days since 1850 (360-day)
    assert raw.attrs["parent_experiment_id"] == "historical"


def test_cmip6_split_model_chunks_cover_the_years(world, tmp_path):
    names = cmip6_filenames("CNRM-CM6-1-HR", "historical")
    assert [n.rsplit("_", 1)[1] for n in names] == [
        "195001-197412.nc",
        "197501-199912.nc",
        "200001-201412.nc",
    ]
    paths = write_cmip6(world, "CNRM-CM6-1-HR", "historical", tmp_path)
    parts = [_open_cftime(p) for p in paths]
    assert all(p["time"].encoding["calendar"] == "gregorian" for p in parts)
    assert [p.sizes["time"] for p in parts] == [300, 300, 180]
    assert parts[0]["time"].values[0].year == 1950 and parts[-1]["time"].values[-1].year == 2014
    assert all(p.sizes["lat"] == parts[0].sizes["lat"] for p in parts)


# --- ERA5-Land ---------------------------------------------------------------------------------


def test_era5land_new_layout(world, tmp_path):
    path = write_era5land(world, tmp_path / "era5land_2000-2001.nc", 2000, 2001)
    with open(path, "rb") as fh:
        assert fh.read(4) == b"\x89HDF"
    raw = xr.open_dataset(path, decode_times=False)
    assert raw["swvl1"].dims == ("valid_time", "latitude", "longitude")
    assert raw.sizes == {"valid_time": 24, "latitude": 71, "longitude": 151}
    assert raw["latitude"].values[0] == 38.0 and raw["latitude"].values[-1] == 31.0
    assert raw["longitude"].values[0] == 89.0 and raw["longitude"].values[-1] == 104.0
    assert raw["valid_time"].dtype == np.int64
    assert raw["valid_time"].attrs["units"] == "seconds since 1970-01-01"
    assert raw["valid_time"].values[0] == 946684800  # 2000-01-01
    assert raw["number"].ndim == 0 and int(raw["number"]) == 0
    assert raw["expver"].dims == ("valid_time",) and set(raw["expver"].values) == {"0001"}
    assert [raw[f"swvl{k}"].attrs["GRIB_paramId"] for k in (1, 2, 3)] == [39, 40, 41]
    assert raw["swvl2"].attrs["units"] == "m**3 m**-3" and raw["swvl1"].dtype == np.float32
    assert raw.attrs["GRIB_centre"] == "ecmf" and raw.attrs["Conventions"] == "CF-1.7"
    # values: thickness-weighted truth plus the ERA5 bias, on average
    grid = target_grid()
    truth = world.field(grid.lat, grid.lon, np.arange("2000-01", "2002-01", dtype="datetime64[M]"))
    expected = np.einsum("el,tlyx->teyx", layer_weights(), truth).mean(axis=(0, 2, 3)) + BIAS
    got = [raw[f"swvl{k}"].values.mean() for k in (1, 2, 3)]
    np.testing.assert_allclose(got, expected, atol=0.005)
    np.testing.assert_allclose(layer_weights().sum(axis=1), 1.0)


def test_era5land_old_layout_has_expver_dimension(world, tmp_path):
    path = write_era5land(world, tmp_path / "old.nc", 2013, 2014, layout="old")
    with open(path, "rb") as fh:
        assert fh.read(3) == b"CDF"
    ds = xr.open_dataset(path, decode_times=False)
    assert ds["swvl1"].dims == ("time", "expver", "latitude", "longitude")
    assert list(ds["expver"].values) == [1, 5]
    assert ds["time"].dtype == np.int32
    assert ds["time"].attrs["units"] == "hours since 1900-01-01 00:00:00.0"
    assert (
        ds["time"].values[0]
        == (np.datetime64("2013-01-01") - np.datetime64("1900-01-01")).astype(int) * 24
    )
    assert "number" not in ds.variables and ds["latitude"].values[0] == 38.0
    assert ds["swvl3"].encoding["dtype"] == np.int16 and "scale_factor" in ds["swvl3"].encoding
    valid = np.isfinite(ds["swvl1"].values[:, :, 0, 0])
    assert np.all(valid.sum(axis=1) == 1)  # exactly one of the two per month
    assert valid[-1, 1] and not valid[-1, 0] and valid[0, 0] and not valid[0, 1]
    new = xr.open_dataset(write_era5land(world, tmp_path / "new.nc", 2013, 2014))
    merged = ds["swvl1"].max("expver").values
    np.testing.assert_allclose(merged, new["swvl1"].values, atol=1e-4)


def test_era5land_zipped_with_two_members(world, tmp_path):
    path = write_era5land(
        world, tmp_path / "era5land_2010-2010.nc", 2010, 2010, zipped=True, split_members=True
    )
    assert path.name.endswith(".nc")
    with open(path, "rb") as fh:
        assert fh.read(2) == b"PK"
    with zipfile.ZipFile(path) as archive:
        members = sorted(archive.namelist())
        assert len(members) == 2 and all(m.endswith(".nc") for m in members)
        archive.extractall(tmp_path / "members")
    parts = [xr.open_dataset(tmp_path / "members" / m) for m in members]
    assert sorted(v for p in parts for v in p.data_vars) == ["swvl1", "swvl2", "swvl3"]
    single = write_era5land(world, tmp_path / "single.nc", 2010, 2010, layout="old", zipped=True)
    with zipfile.ZipFile(single) as archive:
        assert len(archive.namelist()) == 1


# --- AMSMQTP -----------------------------------------------------------------------------------


def test_amsmqtp_layout_and_monthly_means(world, tmp_path):
    paths = write_amsmqtp(world, tmp_path, 2004, 2004)
    assert [p.name for p in paths] == amsmqtp_filenames(2004, 2004) == ["AMSMQTP_ensemble_2004.nc"]
    raw = xr.open_dataset(paths[0], decode_times=False, mask_and_scale=False)
    assert raw["SM"].dims == ("time", "depth", "lat", "lon") and raw["SM"].dtype == np.int16
    assert raw["SM"].attrs["scale_factor"] == 0.001 and raw["SM"].attrs["_FillValue"] == -9999
    assert raw["SM"].attrs["units"] == "m3/m3" and raw["SM"].encoding["zlib"]
    assert raw.sizes == {"time": 366, "depth": 5, "lat": 71, "lon": 151}
    assert raw["lat"].values[0] == 38.0 and raw["lat"].values[-1] == 31.0
    assert raw["time"].attrs["units"] == "days since 2004-01-01"
    assert "0-10 cm" in raw["depth"].attrs["layers"] and "80-110 cm" in raw["depth"].attrs["layers"]
    ds = xr.open_dataset(paths[0]).sortby("lat")
    monthly = ds["SM"].resample(time="MS").mean().values
    grid = target_grid()
    truth = world.field(grid.lat, grid.lon, np.arange("2004-01", "2005-01", dtype="datetime64[M]"))
    np.testing.assert_allclose(monthly, truth, atol=1e-3)


# --- stations ----------------------------------------------------------------------------------


def test_ismn_files_read_by_ismn_interface(world, tmp_path):
    from ismn.interface import ISMN_Interface

    folder = tmp_path / "ismn"
    meta = write_ismn(world, folder, period=("2015-01-01", "2015-12-31"), seed=3)
    assert set(meta["depth_m"]) == {0.05, 0.10, 0.20, 0.40, 0.80}
    some = min(folder.glob("CTP_SMTMN/*/*.stm"))
    assert some.name.startswith("CTP-SMTMN_CTP-SMTMN_L01_sm_0.050000_0.050000_")
    header = some.read_text().splitlines()[0].split()
    assert header[:3] == ["CTP_SMTMN", "CTP_SMTMN", "L01"] and len(header) == 9
    interface = ISMN_Interface(folder, meta_path=tmp_path / "ismn_meta")
    counts = {name: len(interface[name].stations) for name in interface.networks}
    assert counts == {"CTP_SMTMN": 20, "MAQU": 10, "NAQU": 5}
    row = meta[(meta.network == "MAQU") & (meta.depth_m == 0.2)].iloc[0]
    station = interface["MAQU"][row.station]
    assert station.lat == pytest.approx(row.lat) and station.lon == pytest.approx(row.lon)
    sensor = next(s for s in station.iter_sensors(depth=None) if s.depth.start == 0.2)
    data = sensor.read_data()
    flags = data["soil_moisture_flag"]
    assert (flags == "G").mean() > 0.7 and "D01" in set(flags)
    good = data[flags == "G"]["soil_moisture"]
    truth = pd.Series(
        world.point_series(row.lat, row.lon, 0.2, good.index.values), index=good.index
    )
    assert np.abs(good - truth).mean() < 0.015
    assert good.max() <= 0.48


def test_cma_csv_schema(world, tmp_path):
    path = tmp_path / "cma_stations.csv"
    stations = write_cma(world, path, n_stations=4, period=("2016-01-01", "2016-03-31"))
    df = pd.read_csv(path, dtype={"station_id": str})
    assert list(df.columns) == ["station_id", "lat", "lon", "elevation_m", "date", "depth_cm", "sm"]
    assert sorted(df["depth_cm"].unique()) == [10, 20, 40, 60, 80, 100]
    assert len(df) == 4 * 91 * 6 and df["sm"].between(0, 0.6).all()
    assert df["station_id"].str.fullmatch(r"\d{5}").all()
    assert list(stations.columns) == ["station_id", "lat", "lon", "elevation_m"]
    assert df["lat"].between(31, 38).all() and df["lon"].between(89, 104).all()
    first = stations.iloc[0]
    sub = df[(df.station_id == first.station_id) & (df.depth_cm == 40)]
    truth = world.point_series(first.lat, first.lon, 0.4, pd.to_datetime(sub["date"]).values)
    assert np.abs(sub["sm"].values - truth).mean() < 0.02


# --- regions -----------------------------------------------------------------------------------


def test_demo_regions_geojson(tmp_path):
    path = write_demo_regions(tmp_path / "regions.geojson")
    collection = json.loads(path.read_text())
    assert collection["type"] == "FeatureCollection"
    shapes = {f["properties"]["name"]: shape(f["geometry"]) for f in collection["features"]}
    assert set(shapes) == {"TRSR", "yangtze", "yellow", "lancang"}
    assert all(
        "approximate demo outline" in f["properties"]["note"] for f in collection["features"]
    )
    basins = [shapes[n] for n in ("yangtze", "yellow", "lancang")]
    assert all(b.is_valid and 8 <= len(b.exterior.coords) - 1 <= 20 for b in basins)
    for i, a in enumerate(basins):
        for b in basins[i + 1 :]:
            assert a.intersection(b).area < 1e-9
    assert unary_union(basins).symmetric_difference(shapes["TRSR"]).area < 1e-9
    west, south, east, north = shapes["TRSR"].bounds
    assert west >= 89 and east <= 104 and south >= 31 and north <= 38
    assert shapes["yangtze"].centroid.x < shapes["yellow"].centroid.x
    assert shapes["lancang"].centroid.y < shapes["yangtze"].centroid.y


# --- the project's readers ---------------------------------------------------------------------


def test_project_readers_accept_the_synthetic_files(world, tmp_path):
    from smdown.sources.amsmqtp import read_amsmqtp_monthly
    from smdown.sources.cmip6 import read_mrsos
    from smdown.sources.era5land import read_era5land

    paths = write_cmip6(world, "KACE-1-0-G", "historical", tmp_path / "cmip6")
    mrsos, grid = read_mrsos(paths, 1950, 2014, model="KACE-1-0-G")
    assert mrsos.sizes["time"] == 780 and grid.shape == mrsos.shape[1:]
    assert 0.0 < float(mrsos.mean()) < 0.6  # kg m-2 / 100 -> m3 m-3
    new = [
        write_era5land(
            world, tmp_path / "era_2001-2001.nc", 2001, 2001, zipped=True, split_members=True
        ),
        write_era5land(world, tmp_path / "era_2002-2002.nc", 2002, 2002),
    ]
    old = write_era5land(world, tmp_path / "old_2001-2002.nc", 2001, 2002, layout="old")
    from_new, from_old = read_era5land(new, 2001, 2002), read_era5land([old], 2001, 2002)
    assert from_new.shape == from_old.shape == (24, 3, 71, 151)
    assert not np.isnan(from_new.values).any() and not np.isnan(from_old.values).any()
    np.testing.assert_allclose(from_old.values[:12], from_new.values[:12], atol=1e-4)
    ams = write_amsmqtp(world, tmp_path / "ams", 2010, 2010)
    monthly = read_amsmqtp_monthly(ams, 2010, 2010)
    grid = target_grid()
    truth = world.field(grid.lat, grid.lon, np.arange("2010-01", "2011-01", dtype="datetime64[M]"))
    np.testing.assert_allclose(monthly.values, truth, atol=1e-3)
