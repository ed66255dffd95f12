"""Fig. 1: ERA5-Land geopotential as elevation (request, download, reader), the station sites,
and the map; bad input stops with the file named and nothing written."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from PIL import Image

from smdown.errors import InputError
from smdown.insitu.sites import no_sites, station_sites
from smdown.plots.study_area import study_area_figure
from smdown.sources import acquire, cds
from smdown.sources.orography import read_elevation
from smdown.synthetic import TruthWorld
from smdown.synthetic.orography import elevation_m, write_geopotential
from tests.unit.test_acquire import FakeCDS

WORLD = TruthWorld(seed=4)
GRID = WORLD.target_grid()
AREA = [38, 89, 31, 104]


@pytest.fixture(autouse=True)
def no_real_client(monkeypatch):
    import cdsapi

    def trap(*args, **kwargs):
        raise AssertionError("a test constructed a real cdsapi.Client")

    monkeypatch.setattr(cdsapi, "Client", trap)


@pytest.fixture(scope="module")
def geopotential(tmp_path_factory) -> Path:
    return write_geopotential(WORLD, tmp_path_factory.mktemp("z") / "geopotential.nc")


def regions() -> xr.DataArray:
    """Two regions on the grid: a west box (the study area) and an east box."""
    lat, lon = np.meshgrid(GRID.lat, GRID.lon, indexing="ij")
    west = (lon < 95.0) & (lat > 33.0)
    east = lon > 100.0
    return xr.DataArray(
        np.stack([west, east]).astype(np.int8),
        dims=("region", "lat", "lon"),
        coords={"region": ["WEST", "EAST"], "lat": GRID.lat, "lon": GRID.lon},
    )


def station_table(points: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    """Two months at each (network, station, lat, lon), layers 1 and 2."""
    rows = [
        {
            "station": s,
            "network": n,
            "lat": la,
            "lon": lo,
            "layer": layer,
            "month": np.datetime64(month, "ns"),
            "sm": 0.2,
            "n_days": 20,
        }
        for n, s, la, lo in points
        for month in ("2010-01", "2010-02")
        for layer in (1, 2)
    ]
    return pd.DataFrame(rows)


def test_geopotential_request_is_one_hour_of_the_invariant_field():
    assert cds.GEOPOTENTIAL_DATASET == "reanalysis-era5-land"
    assert cds.geopotential_request(AREA) == {
        "variable": ["geopotential"],
        "year": ["2000"],
        "month": ["01"],
        "day": ["01"],
        "time": ["00:00"],
        "data_format": "netcdf",
        "download_format": "unarchived",
        "area": [38.0, 89.0, 31.0, 104.0],
    }
    assert cds.geopotential_request(AREA, 0.25)["grid"] == [0.25, 0.25]


def test_geopotential_download_retries_and_records_the_request(tmp_path, monkeypatch, geopotential):
    monkeypatch.setenv("CDSAPI_URL", "https://cds.example/api")
    monkeypatch.setenv("CDSAPI_KEY", "secret-key-123")
    client = FakeCDS(lambda target: target.write_bytes(geopotential.read_bytes()), failures=1)
    target, manifest = tmp_path / "geopotential.nc", tmp_path / "geopotential.nc.manifest.json"
    acquire.geopotential_from_cds(
        target, manifest, area=AREA, retries=2, backoff_s=0.0, client_factory=client
    )
    assert [c[0] for c in client.calls] == ["reanalysis-era5-land"] * 2
    record = json.loads(manifest.read_text())
    assert record["origin"]["request"] == cds.geopotential_request(AREA)
    assert "secret-key-123" not in manifest.read_text()
    assert read_elevation(target, GRID.lat, GRID.lon).shape == GRID.shape


def test_elevation_is_geopotential_over_g_on_the_target_cells(geopotential, tmp_path):
    elevation = read_elevation(geopotential, GRID.lat, GRID.lon)
    assert elevation.dims == ("lat", "lon") and elevation.attrs["units"] == "m"
    np.testing.assert_allclose(elevation.values, elevation_m(WORLD, GRID.lat, GRID.lon), rtol=1e-6)
    assert 3000 < float(elevation.min()) < float(elevation.max()) < 5600
    assert elevation.attrs["synthetic"]  # the demo's orography says what it is
    inner = read_elevation(geopotential, GRID.lat[5:9], GRID.lon[10:20])  # a larger file is cut
    np.testing.assert_array_equal(inner.values, elevation.values[5:9, 10:20])
    archive = tmp_path / "zipped.nc"  # the CDS may zip what was asked for as NetCDF
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(geopotential, "data_0.nc")
    np.testing.assert_array_equal(
        read_elevation(archive, GRID.lat, GRID.lon).values, elevation.values
    )


def _rewritten(geopotential: Path, tmp_path: Path, change) -> Path:
    ds = change(xr.load_dataset(geopotential, decode_times=False))
    ds.to_netcdf(tmp_path / "bad.nc")
    return tmp_path / "bad.nc"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda ds: ds.rename({"z": "orog"}), "variable 'z' not found"),
        (lambda ds: ds.assign(z=ds["z"].assign_attrs(units="m")), "z has units 'm'"),
        (
            lambda ds: ds.assign_coords(latitude=ds["latitude"] + 0.05),
            "lat has 71 values .* miss the target centre",
        ),
        (lambda ds: ds.isel(longitude=slice(0, 100)), "lon has 100 values"),
        (lambda ds: ds.assign(z=ds["z"] * 10), "elevation .* m"),
    ],
)
def test_bad_geopotential_is_refused_naming_the_file(geopotential, tmp_path, change, message):
    bad = _rewritten(geopotential, tmp_path, change)
    with pytest.raises(InputError, match=message) as err:
        read_elevation(bad, GRID.lat, GRID.lon)
    assert str(bad) in str(err.value)


def test_an_html_error_page_saved_as_geopotential_is_refused(tmp_path):
    page = tmp_path / "geopotential.nc"
    page.write_text("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>")
    with pytest.raises(InputError, match="geopotential.nc"):
        read_elevation(page, GRID.lat, GRID.lon)


def test_sites_one_row_per_station_with_its_regions():
    table = station_table(
        [("NET", "A", 35.0, 90.0), ("NET", "B", 34.0, 102.0), ("CMA", "52000", 32.0, 92.0)]
    )
    sites = station_sites(table, regions(), "stations.parquet")
    assert list(sites.columns) == [
        "network",
        "station",
        "lat",
        "lon",
        "n_months",
        "first_month",
        "last_month",
        "in_WEST",
        "in_EAST",
    ]
    assert sites[["network", "station"]].values.tolist() == [
        ["CMA", "52000"],
        ["NET", "A"],
        ["NET", "B"],
    ]
    assert sites["in_WEST"].tolist() == [False, True, False]
    assert sites["in_EAST"].tolist() == [False, False, True]
    assert (sites["n_months"] == 2).all()


def test_a_station_outside_the_grid_is_refused_naming_the_table():
    table = station_table([("NET", "A", 35.0, 90.0), ("NET", "FAR", 40.2, 95.0)])
    with pytest.raises(
        InputError,
        match=r"stations.parquet: 1 station\(s\) outside the target "
        r"grid, first NET/FAR at \(40.2 N, 95 E\)",
    ):
        station_sites(table, regions(), "stations.parquet")


def test_a_study_area_without_stations_is_refused():
    table = station_table([("NET", "B", 34.0, 102.0)])
    with pytest.raises(InputError, match="no station lies inside region WEST"):
        station_sites(table, regions(), "stations.parquet")


def test_the_map_is_written_whole(geopotential, tmp_path):
    sites = station_sites(
        station_table([("NET", "A", 35.0, 90.0), ("CMA", "1", 34.0, 102.0)]),
        regions(),
        "stations.parquet",
    )
    path = tmp_path / "fig01_study_area.png"
    study_area_figure(
        read_elevation(geopotential, GRID.lat, GRID.lon), regions(), sites, "Fig. 1 (test)", path
    )
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size[0] > 800
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_a_run_without_stations_maps_the_study_area_alone(geopotential, tmp_path):
    sites = no_sites(regions())
    assert sites.empty and list(sites.columns)[-2:] == ["in_WEST", "in_EAST"]
    path = tmp_path / "fig01_study_area.png"
    study_area_figure(
        read_elevation(geopotential, GRID.lat, GRID.lon), regions(), sites, "Fig. 1 (test)", path
    )
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size[0] > 800
