"""A region of one's own by configuration alone (issue 22, item 5), through the real workflow:
a grid across the prime meridian, its own region names, a network outside the demo's and no
CMA. The synthetic outlines, stations and sources are written for it, and the regions, the
station table and a regridded model are prepared without NaN in the region."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml

from tests.workflow.conftest import TINY, snakemake

pytestmark = pytest.mark.workflow
MINE = {
    "run": "anywhere",
    "grid": {"lat_min": 40.0, "lat_max": 50.0, "lon_min": -10.0, "lon_max": 10.0,
             "resolution": 0.25},
    "regions": {"names": ["Basin", "upper", "lower"], "union": "Basin"},
    "sources": {"ismn": {"networks": ["MY_NET"]}, "cma": {"provider": "none"}},
}  # fmt: skip
PREPARED = "results/anywhere/prepared"


def test_a_world_across_the_prime_meridian_is_prepared(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(MINE))
    targets = [
        f"{PREPARED}/regions.nc",
        f"{PREPARED}/cmip6/historical/CESM2.nc",
        "results/anywhere/insitu/stations.parquet",
    ]
    proc = snakemake(tmp_path, *targets, configfile=(TINY, path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "the station table is built from ISMN alone" in proc.stderr
    outlines = json.loads((tmp_path / "resources/demo/regions.geojson").read_text())
    assert [f["properties"]["name"] for f in outlines["features"]] == ["upper", "lower"]
    assert all("synthetic" in f["properties"]["note"] for f in outlines["features"])
    masks = xr.open_dataset(tmp_path / PREPARED / "regions.nc")["mask"]
    assert list(masks["region"].values) == ["Basin", "upper", "lower"]
    basin = masks.sel(region="Basin").values.astype(bool)
    stations = pd.read_parquet(tmp_path / "results/anywhere/insitu/stations.parquet")
    assert set(stations["network"]) == {"MY_NET"} and stations["station"].nunique() == 8
    lat, lon = masks["lat"].values, masks["lon"].values
    rows = np.abs(stations["lat"].to_numpy()[:, None] - lat[None, :]).argmin(axis=1)
    cols = np.abs(stations["lon"].to_numpy()[:, None] - lon[None, :]).argmin(axis=1)
    assert basin[rows, cols].all()  # every station in the first region
    mrsos = xr.open_dataset(tmp_path / PREPARED / "cmip6/historical/CESM2.nc")["mrsos"]
    assert not np.isnan(mrsos.values[:, basin]).any()


def test_synthetic_stations_follow_the_users_own_outlines(tmp_path):
    """Real outlines (provider local) with synthetic stations: the station writer reads the
    prepared masks, so its stations lie in the user's first region."""
    (tmp_path / "mine.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Basin"}, "geometry": {"type": "Polygon",
         "coordinates": [[[-4, 42], [4, 42], [4, 48], [-4, 48], [-4, 42]]]}}]}))  # fmt: skip
    mine = {
        **MINE,
        "regions": {"provider": "local", "geojson": str(tmp_path / "mine.geojson"),
                    "names": ["Basin"], "union": None},
    }  # fmt: skip
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(mine))
    proc = snakemake(tmp_path, "-n", "--forceall", "results/anywhere/insitu/stations.parquet",
                     configfile=(TINY, path))  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    job = proc.stdout[proc.stdout.index("rule synthesize_ismn:") :].split("\n\n")[0]
    assert f"{PREPARED}/regions.nc" in job
