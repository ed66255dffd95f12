"""Region masks from the authors' published NetCDFs and from GeoJSON polygons."""

from __future__ import annotations

import json

import numpy as np
import pytest

from smdown.errors import InputError
from smdown.grid.masks import cells_per_region, read_region_masks
from tests.conftest import SHARED_MASKS

BASINS = {"yangtze": 1431, "yellow": 1190, "lancang": 507}


@pytest.mark.skipif(not SHARED_MASKS.is_dir(), reason="no authors' masks (SMDOWN_TRSR_MASKS)")
def test_published_masks_read_by_coordinates(target):
    # Their crs GeoTransform claims 0.01 degree pixels; only lat/lon may be used.
    files = {n: SHARED_MASKS / f"{n}_0.1.nc" for n in BASINS}
    ds = read_region_masks(target, netcdf=files, union="TRSR", regions=["TRSR", *BASINS])
    assert cells_per_region(ds) == {"TRSR": 3128, **BASINS}
    assert ds["mask"].sel(region=["yangtze", "yellow", "lancang"]).sum("region").max() == 1
    # The Yellow River source region lies east of the Yangtze source region.
    lon_centre = {n: float(ds.lon.where(ds["mask"].sel(region=n) == 1).mean()) for n in BASINS}
    assert lon_centre["yellow"] > lon_centre["yangtze"]


def _geojson(path, features):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def _box(name, w, s, e, n):
    ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
    return {
        "type": "Feature",
        "properties": {"name": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def test_geojson_rasterised_by_cell_centres(tmp_path, target):
    path = _geojson(
        tmp_path / "r.geojson",
        [_box("a", 90.05, 32.05, 91.05, 33.05), _box("b", 95.05, 32.05, 95.55, 32.55)],
    )
    ds = read_region_masks(target, geojson=path, union="ALL", regions=["ALL", "a", "b"])
    assert ds["mask"].sel(region="a").sum() == 100  # 10 x 10 centres inside
    assert ds["mask"].sel(region="b").sum() == 25
    assert ds["mask"].sel(region="ALL").sum() == 125
    assert ds["mask"].dtype == np.int8


def test_geojson_region_missing(tmp_path, target):
    path = _geojson(tmp_path / "r.geojson", [_box("a", 90, 32, 91, 33)])
    with pytest.raises(InputError, match=r"regions \['yellow'\] not found") as err:
        read_region_masks(target, geojson=path, regions=["a", "yellow"])
    assert str(path) in str(err.value)


def test_region_outside_domain(tmp_path, target):
    path = _geojson(tmp_path / "r.geojson", [_box("far", 10, 10, 11, 11)])
    with pytest.raises(InputError, match="covers no cell"):
        read_region_masks(target, geojson=path)


def test_mask_on_other_grid_is_refused(tmp_path, target):
    import xarray as xr

    lat = np.arange(31.05, 38.0, 0.1)
    lon = np.arange(89.05, 104.0, 0.1)
    path = tmp_path / "m.nc"
    xr.Dataset(
        {"Band1": (("lat", "lon"), np.ones((lat.size, lon.size)))}, coords={"lat": lat, "lon": lon}
    ).to_netcdf(path)
    with pytest.raises(InputError, match="do not match the target grid") as err:
        read_region_masks(target, netcdf={"x": path})
    assert str(path) in str(err.value)
