"""The synthetic China world of the CMIP6DL study: its box, CMIP6 and ERA5-Land files, outline."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
import xarray as xr
from shapely.geometry import shape

from smdown.catalog import MODELS
from smdown.geometry import native_grid
from smdown.grid.masks import read_region_masks
from smdown.synthetic import (
    CHINA_BOX,
    CHINA_RESOLUTION,
    TruthWorld,
    box_grid,
    target_grid,
    write_china_regions,
    write_cmip6,
    write_era5land,
)
from smdown.synthetic.truth import TARGET_BOX

SEED = 20241122
EARTH_RADIUS_KM = 6371.0
CHINA_AREA_KM2 = 9.6e6
CHINA = box_grid(CHINA_BOX, CHINA_RESOLUTION)


@pytest.fixture(scope="module")
def china() -> TruthWorld:
    return TruthWorld(SEED, box=CHINA_BOX, resolution=CHINA_RESOLUTION)


def _area_km2(mask: np.ndarray) -> float:
    return float((CHINA.cell_area() * mask).sum() * EARTH_RADIUS_KM**2)


# --- the world ---------------------------------------------------------------------------------


def test_china_grid_is_the_quarter_degree_grid_of_the_box(china):
    grid = china.target_grid()
    assert grid.shape == (144, 264) and grid.equals(CHINA)
    assert grid.lat[0] == 18.0 and grid.lat[-1] == 53.75
    assert grid.lon[0] == 71.0 and grid.lon[-1] == 136.75
    assert grid.lat_bnds.min() == 17.875 and grid.lat_bnds.max() == 53.875
    assert grid.lon_bnds.min() == 70.875 and grid.lon_bnds.max() == 136.875


def test_default_world_is_the_trsr_one():
    world = TruthWorld(SEED)
    assert world.box == TARGET_BOX and world.target_grid().equals(target_grid())


def test_box_must_be_whole_cells():
    with pytest.raises(ValueError, match="whole number of 0.1 degree cells"):
        TruthWorld(SEED, box=CHINA_BOX)


def test_china_patterns_span_the_china_box(china):
    months = np.arange("1990-01", "1992-01", dtype="datetime64[M]")
    sm = china.field(CHINA.lat, CHINA.lon, months, layers=[0])[:, 0]
    assert sm.min() >= 0.02 and sm.max() <= 0.6
    mean = sm.mean(axis=0)
    south_east = mean[: CHINA.lat.size // 3, -CHINA.lon.size // 3 :].mean()
    north_west = mean[-CHINA.lat.size // 3 :, : CHINA.lon.size // 3].mean()
    assert south_east > north_west + 0.03
    trsr = TruthWorld(SEED).field(CHINA.lat[:3], CHINA.lon[:3], months[:1])
    assert np.abs(trsr - china.field(CHINA.lat[:3], CHINA.lon[:3], months[:1])).max() > 1e-3


# --- CMIP6 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("model_name", ["EC-Earth3", "CanESM5"])
def test_china_cmip6_covers_the_box(china, tmp_path, model_name):
    model = MODELS[model_name]
    paths = write_cmip6(china, model_name, "ssp245", tmp_path)
    assert len(paths) == 1 and f"_{model.grid_label}_201501-210012" in paths[0].name
    ds = xr.open_dataset(paths[0], decode_times=False)
    lat_b, lon_b = ds["lat_bnds"].values, ds["lon_bnds"].values
    # every 0.25 degree cell of China covered, plus 3 native cells on every side
    assert (lat_b[:, 1] <= 18.0).sum() == 3 and (lat_b[:, 0] >= 54.0).sum() == 3
    assert (lon_b[:, 1] <= 71.0).sum() == 3 and (lon_b[:, 0] >= 137.0).sum() == 3
    full = native_grid(model.grid)
    assert np.all(np.isin(ds["lat"].values, full.lat)) and np.all(np.isin(ds["lon"], full.lon))
    assert ds["time"].attrs["calendar"] == model.calendar and ds.sizes["time"] == 86 * 12
    assert ds.attrs["grid_label"] == model.grid_label and ds.attrs["source_id"] == model_name
    sm = ds["mrsos"].values / 100.0
    assert np.isfinite(sm).all() and sm.min() > 0.0 and sm.max() < 0.7
    assert 0.15 < sm.mean() < 0.4


def test_china_cmip6_read_by_the_project_reader(china, tmp_path):
    from smdown.sources.cmip6 import read_mrsos

    paths = write_cmip6(china, "FGOALS-g3", "historical", tmp_path)
    mrsos, grid = read_mrsos(paths, 1950, 2014, model="FGOALS-g3")
    assert mrsos.sizes["time"] == 780 and grid.shape == mrsos.shape[1:]
    assert grid.lat_bnds.min() < 18.0 and grid.lat_bnds.max() > 54.0


# --- ERA5-Land ---------------------------------------------------------------------------------


def test_china_era5land_at_quarter_degree_swvl1_only(china, tmp_path):
    path = write_era5land(
        china,
        tmp_path / "era5land_2001-2002.nc",
        2001,
        2002,
        resolution=CHINA_RESOLUTION,
        variables=("swvl1",),
    )
    raw = xr.open_dataset(path, decode_times=False)
    assert list(raw.data_vars) == ["swvl1"]
    assert raw.sizes == {"valid_time": 24, "latitude": 144, "longitude": 264}
    np.testing.assert_array_equal(raw["latitude"].values, CHINA.lat[::-1])
    np.testing.assert_array_equal(raw["longitude"].values, CHINA.lon)
    attrs = raw["swvl1"].attrs
    assert (
        attrs["GRIB_iDirectionIncrementInDegrees"]
        == 0.25
        == attrs["GRIB_jDirectionIncrementInDegrees"]
    )
    assert (attrs["GRIB_Nx"], attrs["GRIB_Ny"], attrs["GRIB_paramId"]) == (264, 144, 39)
    assert attrs["GRIB_latitudeOfFirstGridPointInDegrees"] == 53.75
    values = raw["swvl1"].values
    assert np.isfinite(values).all() and values.min() > 0.02 and values.max() < 0.7
    # swvl1 does not depend on which other layers were asked for
    full = xr.open_dataset(write_era5land(china, tmp_path / "all.nc", 2001, 2002))
    assert sorted(full.data_vars) == ["swvl1", "swvl2", "swvl3"]
    np.testing.assert_array_equal(full["swvl1"].values, values)


def test_china_era5land_subset_in_old_and_zipped_layouts(china, tmp_path):
    old = write_era5land(china, tmp_path / "old.nc", 2014, 2014, layout="old", variables=("swvl1",))
    ds = xr.open_dataset(old, decode_times=False)
    assert list(ds.data_vars) == ["swvl1"] and ds["swvl1"].dims[1] == "expver"
    assert ds["swvl1"].encoding["dtype"] == np.int16
    zipped = write_era5land(
        china,
        tmp_path / "zip.nc",
        2014,
        2014,
        zipped=True,
        split_members=True,
        variables=["swvl3", "swvl1"],
    )
    with zipfile.ZipFile(zipped) as archive:
        assert sorted(archive.namelist()) == [
            "data_stream-moda_stepType-avgad.nc",
            "data_stream-moda_stepType-avgua.nc",
        ]
    only = write_era5land(
        china, tmp_path / "one.nc", 2014, 2014, zipped=True, split_members=True, variables=["swvl1"]
    )
    with zipfile.ZipFile(only) as archive:
        assert archive.namelist() == ["data_stream-moda_stepType-avgua.nc"]


def test_era5land_resolution_and_variables_are_checked(china, tmp_path):
    trsr = write_era5land(TruthWorld(SEED), tmp_path / "coarse.nc", 2014, 2014, resolution=0.25)
    assert xr.open_dataset(trsr).sizes == {"valid_time": 12, "latitude": 29, "longitude": 61}
    with pytest.raises(ValueError, match="whole number"):
        write_era5land(china, tmp_path / "fine.nc", 2014, 2014, resolution=0.1)
    with pytest.raises(ValueError, match="subset"):
        write_era5land(china, tmp_path / "bad.nc", 2014, 2014, variables=("swvl1", "stl1"))
    with pytest.raises(ValueError, match="subset"):
        write_era5land(china, tmp_path / "none.nc", 2014, 2014, variables=())


# --- outline -----------------------------------------------------------------------------------


def test_china_outline_geojson(tmp_path):
    path = write_china_regions(tmp_path / "china.geojson")
    collection = json.loads(path.read_text())
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 1
    feature = collection["features"][0]
    assert feature["properties"]["name"] == "China"
    assert "approximate demo outline" in feature["properties"]["note"]
    outline = shape(feature["geometry"])
    assert outline.is_valid
    mainland = max(outline.geoms, key=lambda p: p.area)
    assert 30 <= len(mainland.exterior.coords) - 1 <= 60
    west, south, east, north = outline.bounds
    assert west >= 71 and east <= 137 and south >= 18 and north <= 54


def test_china_outline_rasterises_to_china_sized_mask(tmp_path):
    path = write_china_regions(tmp_path / "china.geojson")
    masks = read_region_masks(CHINA, geojson=path, regions=["China"])
    mask = masks["mask"].sel(region="China").values.astype(bool)
    assert abs(_area_km2(mask) - CHINA_AREA_KM2) < 0.2 * CHINA_AREA_KM2
    lat, lon = np.searchsorted(CHINA.lat, 39.9), np.searchsorted(CHINA.lon, 116.4)  # Beijing
    assert mask[lat, lon]
    lat, lon = np.searchsorted(CHINA.lat, 20.0), np.searchsorted(CHINA.lon, 80.0)  # India
    assert not mask[lat, lon]
