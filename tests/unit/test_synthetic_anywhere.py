"""A synthetic world anywhere (issue 22, item 5): on a grid across the prime meridian and one in
the southern hemisphere, the outlines are generated inside the grid with the configured names,
stations lie in the first region, and ERA5-Land, CMIP6 (on its native 0..360 longitudes),
AMSMQTP, the truth and the orography cover the grid without NaN."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
import xarray as xr
from shapely.geometry import box, shape

from smdown.catalog import MODELS
from smdown.errors import InputError
from smdown.geometry import native_grid
from smdown.grid.masks import read_region_masks
from smdown.insitu import station_table
from smdown.prepare import target_grid
from smdown.synthetic import first_region, world_on, write_cma, write_cmip6, write_ismn
from smdown.synthetic.amsmqtp import year_dataset
from smdown.synthetic.era5land import write_era5land
from smdown.synthetic.masks import GENERATED_NOTE, synthetic_regions, write_regions
from smdown.synthetic.orography import elevation_m
from smdown.synthetic.stations import PLACED_STATIONS

GRIDS = {
    "prime_meridian": {
        "lat_min": 40.0,
        "lat_max": 50.0,
        "lon_min": -10.0,
        "lon_max": 10.0,
        "resolution": 0.25,
    },
    "southern": {
        "lat_min": -35.0,
        "lat_max": -25.0,
        "lon_min": 15.0,
        "lon_max": 30.0,
        "resolution": 0.25,
    },
}
NAMES = ["Basin", "upper", "middle", "lower"]
UNION = "Basin"
NETWORKS = ("MY_NET", "MAQU")  # a new network, and a demo one whose box is not in the grid
PERIOD = ("2010-01-01", "2010-02-28")


@pytest.fixture(params=sorted(GRIDS))
def grid(request) -> dict:
    return GRIDS[request.param]


def _box(grid: dict):
    return box(grid["lon_min"], grid["lat_min"], grid["lon_max"], grid["lat_max"])


def test_outlines_tile_the_grid_with_the_configured_names(grid, tmp_path):
    path = write_regions(tmp_path / "regions.geojson", grid=grid, names=NAMES, union=UNION)
    features = json.loads(path.read_text())["features"]
    assert [f["properties"]["name"] for f in features] == NAMES[1:]  # the union is not drawn
    assert all(f["properties"]["note"] == GENERATED_NOTE for f in features)
    polygons = [shape(f["geometry"]) for f in features]
    for i, polygon in enumerate(polygons):
        assert _box(grid).contains(polygon)
        assert all(polygon.intersection(other).area == 0 for other in polygons[i + 1 :])
    masks = read_region_masks(target_grid(grid), geojson=path, regions=NAMES, union=UNION)
    cells = masks["mask"].values.astype(bool)
    assert cells.sum(axis=(1, 2)).min() > 0
    np.testing.assert_array_equal(cells[0], cells[1:].any(axis=0))


@pytest.mark.parametrize(("names", "union"), [(["Basin"], "Basin"), (["a", "b"], None)])
def test_outlines_of_one_region_or_without_a_union(names, union, tmp_path):
    grid = GRIDS["southern"]
    path = write_regions(tmp_path / "regions.geojson", grid=grid, names=names, union=union)
    masks = read_region_masks(target_grid(grid), geojson=path, regions=names, union=union)
    assert list(masks["region"].values) == names
    assert first_region(grid, names, union).area > 0


def test_a_grid_too_small_for_its_regions_is_refused():
    grid = {"lat_min": 0.0, "lat_max": 0.5, "lon_min": 0.0, "lon_max": 0.5, "resolution": 0.25}
    with pytest.raises(InputError, match="regions.names") as err:
        write_regions("unused.geojson", grid=grid, names=list("abcdefghi"), union=None)
    assert "would hold no cell" in str(err.value)


def test_the_demo_grids_keep_their_drawn_outlines():
    trsr = {"lat_min": 31.0, "lat_max": 38.0, "lon_min": 89.0, "lon_max": 104.0}
    regions, note = synthetic_regions(trsr, ["TRSR", "yangtze", "yellow", "lancang"], "TRSR")
    assert list(regions) == ["TRSR", "yangtze", "yellow", "lancang"] and "approximate" in note


def test_stations_lie_in_the_first_region(grid, tmp_path):
    world = world_on(grid, seed=5)
    region = first_region(grid, NAMES, UNION)
    sensors = write_ismn(world, tmp_path / "ismn", networks=NETWORKS, period=PERIOD, region=region)
    cma = write_cma(world, tmp_path / "cma.csv", n_stations=4, period=PERIOD, region=region)
    box4 = (grid["lat_min"], grid["lat_max"], grid["lon_min"], grid["lon_max"])
    table, _ = station_table(tmp_path / "ismn", tmp_path / "cma.csv", NETWORKS, 1, box=box4)
    assert set(table["network"]) == {*NETWORKS, "CMA"}
    counts = table.groupby("network")["station"].nunique()
    assert counts["MY_NET"] == counts["MAQU"] == PLACED_STATIONS
    lat = np.r_[sensors["lat"], cma["lat"]]
    lon = np.r_[sensors["lon"], cma["lon"]]
    assert shapely.contains_xy(region.buffer(1e-4), lon, lat).all()
    assert set(sensors["depth_m"]) == {0.05, 0.10, 0.20, 0.40, 0.80}


def test_stations_are_seeded_by_the_network_name(tmp_path):
    grid = GRIDS["southern"]
    world, region = world_on(grid, seed=5), first_region(grid, NAMES, UNION)
    one = write_ismn(world, tmp_path / "a", networks=["MY_NET"], period=PERIOD, region=region)
    two = write_ismn(world, tmp_path / "b", networks=["X", "MY_NET"], period=PERIOD, region=region)
    same = two[two["network"] == "MY_NET"].reset_index(drop=True)
    assert one[["station", "lat", "lon"]].equals(same[["station", "lat", "lon"]])


def test_era5land_covers_the_grid(grid, tmp_path):
    world = world_on(grid, seed=5)
    path = write_era5land(world, tmp_path / "era5land.nc", 2010, 2010)
    with xr.open_dataset(path) as ds:
        expected = target_grid(grid)
        np.testing.assert_allclose(np.sort(ds["latitude"].values), expected.lat)
        np.testing.assert_allclose(ds["longitude"].values, expected.lon)
        for name in ("swvl1", "swvl2", "swvl3"):
            assert np.isfinite(ds[name].values).all()


@pytest.mark.parametrize("model_name", ["CESM2", "MPI-ESM1-2-LR"])
def test_cmip6_on_its_native_longitudes_covers_the_grid(grid, tmp_path, model_name):
    world = world_on(grid, seed=5)
    (path,) = write_cmip6(world, model_name, "ssp245", tmp_path)
    with xr.open_dataset(path, decode_times=False) as ds:
        lon, lon_b, lat_b = ds["lon"].values, ds["lon_bnds"].values, ds["lat_bnds"].values
        sm = ds["mrsos"].values / 100.0
    full = native_grid(MODELS[model_name].grid)
    assert np.isin(lon, full.lon).all() and np.all(np.diff(lon) > 0)  # native order
    assert lat_b.min() < grid["lat_min"] and lat_b.max() > grid["lat_max"]
    # every target longitude lies in a cell of the file, taken modulo 360
    targets = target_grid(grid).lon % 360.0
    west, east = lon_b.min(axis=1) % 360.0, lon_b.max(axis=1)
    inside = (targets[:, None] - west[None, :]) % 360.0 <= (east - lon_b.min(axis=1))[None, :]
    assert inside.any(axis=1).all()
    assert np.isfinite(sm).all() and sm.min() > 0.0 and sm.max() < 0.7
    if grid["lon_min"] < 0:  # across 0: cells near 360 and near 0, and the field continuous
        assert lon.min() < 15.0 and lon.max() > 345.0
        means = sm.mean(axis=(0, 1))
        seam = abs(means[np.argmax(lon)] - means[np.argmin(lon)])
        assert seam < 0.25 * (means.max() - means.min()) + 0.005


def test_amsmqtp_truth_and_orography_have_no_nan(grid):
    world = world_on(grid, seed=5)
    expected = target_grid(grid)
    sm = year_dataset(world, 2010)["SM"]
    assert np.isfinite(sm.values).all()
    truth = world.truth_dataset(expected, "ssp245").isel(time=slice(0, 24))
    assert np.isfinite(truth["sm"].values).all() and np.isfinite(truth["trend"].values).all()
    height = elevation_m(world, expected.lat, expected.lon)
    assert np.isfinite(height).all() and 2000 < height.min() < height.max() < 7000


@pytest.mark.parametrize(("name", "driest"), [("prime_meridian", (1, 2)), ("southern", (7, 8))])
def test_winter_is_the_hemispheres_own(name, driest, tmp_path):
    """The truth's top layer is driest in its hemisphere's late winter, and the stations'
    frozen-soil flags fall in that winter."""
    grid = GRIDS[name]
    world = world_on(grid, seed=3)
    months = np.arange("2001-01", "2011-01", dtype="datetime64[M]")
    lat, lon = np.array([grid["lat_min"] + 2.0]), np.array([grid["lon_min"] + 2.0])
    top = world.field(lat, lon, months, layers=[0])[:, 0, 0, 0]
    climatology = [top[k::12].mean() for k in range(12)]
    assert int(np.argmin(climatology)) + 1 in driest
    assert world.southern == (name == "southern")
    write_ismn(world, tmp_path / "ismn", networks=["MY_NET"], period=("2010-01-01", "2010-12-31"),
               region=first_region(grid, NAMES, UNION))  # fmt: skip
    flagged = set()
    for stm in (tmp_path / "ismn").rglob("*.stm"):
        rows = [line.split() for line in stm.read_text().splitlines()[1:]]
        flagged |= {int(r[0][5:7]) for r in rows if r[3] == "D01"}
    assert flagged == ({6, 7, 8} if name == "southern" else {12, 1, 2})


def test_stations_go_into_the_users_own_first_region(tmp_path):
    """With real outlines (regions.provider local) the synthetic stations lie in the first
    region's prepared mask, not in a generated rectangle."""
    from smdown.grid.masks import masks_dataset
    from smdown.synthetic import mask_region

    grid = GRIDS["prime_meridian"]
    target = target_grid(grid)
    lat, lon = np.meshgrid(target.lat, target.lon, indexing="ij")
    own = (lat - 46.0) ** 2 + (lon + 6.0) ** 2 < 4.0  # a disc of 2 degrees around 46 N, 6 W
    masks_dataset({"mine": own, "other": ~own}, target).to_netcdf(tmp_path / "regions.nc")
    region = mask_region(tmp_path / "regions.nc")
    sensors = write_ismn(world_on(grid, seed=3), tmp_path / "ismn", networks=["MY_NET"],
                         period=PERIOD, region=region)  # fmt: skip
    rows = np.abs(sensors["lat"].to_numpy()[:, None] - target.lat).argmin(axis=1)
    cols = np.abs(sensors["lon"].to_numpy()[:, None] - target.lon).argmin(axis=1)
    assert own[rows, cols].all() and len(sensors) > 0
