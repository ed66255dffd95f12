"""A domain anywhere: across the prime meridian (models on 0..360, ERA5-Land on -180..180) and in
the southern hemisphere; CDS areas that follow the grid; outlines in either longitude turn."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from smdown.catalog import MODELS
from smdown.configuration import ConfigError, cds_areas, resolve_config
from smdown.errors import InputError
from smdown.geometry import RectilinearGrid, cdo_griddes, in_turn, native_grid, regular_grid
from smdown.grid.masks import read_mask_netcdf, read_region_masks
from smdown.grid.regrid import regrid, subset_grid
from smdown.prepare import on_target
from smdown.sources.cds import padded_area
from smdown.sources.common import ascending

CONFIG = Path(__file__).resolve().parents[2] / "config"
ACROSS = regular_grid(40.0, 46.0, -6.0, 6.0, 0.25)  # crosses 0 degrees east
SOUTH = regular_grid(-35.0, -25.0, 140.0, 150.0, 0.5)
CESM2 = native_grid(MODELS["CESM2"].grid)  # lon 0..358.75


def _field(grid: RectilinearGrid) -> xr.DataArray:
    """A smooth field continuous across 0 degrees (cos and sin of longitude)."""
    lat, lon = np.meshgrid(grid.lat, grid.lon, indexing="ij")
    values = 0.25 + 0.05 * np.cos(np.deg2rad(4 * lat)) + 0.05 * np.sin(np.deg2rad(5 * lon))
    return xr.DataArray(
        values[None], dims=("time", "lat", "lon"), coords={"time": [0], **grid.coords()}
    )


def _expected(grid: RectilinearGrid) -> np.ndarray:
    return _field(grid).values[0]


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    return path


def test_in_turn_moves_longitudes_by_whole_turns():
    np.testing.assert_allclose(in_turn([355.0, 0.0, 5.0], -10.0), [-5.0, 0.0, 5.0])
    np.testing.assert_allclose(in_turn([-5.0, 5.0, 90.0], 0.0), [355.0, 5.0, 90.0])


def test_cds_areas_follow_the_grid_across_0_and_south():
    assert cds_areas({"lat_min": 40.0, "lat_max": 46.0, "lon_min": -6.0, "lon_max": 6.0}) == (
        [46, -6, 40, 6],
        [46.0, -6.0, 40.0, 6.0],
    )
    cmip6, era5 = cds_areas({"lat_min": -34.95, "lat_max": -25.05, "lon_min": 140.05,
                             "lon_max": 149.95})  # fmt: skip
    assert cmip6 == [-25, 140, -35, 150]
    assert era5 == [-25.05, 140.05, -34.95, 149.95]
    # a box given east of 180 is written west of 0, as the CDS's areas are
    assert cds_areas({"lat_min": 0, "lat_max": 1, "lon_min": 350, "lon_max": 355})[1] == [
        1, -10, 0, -5
    ]  # fmt: skip


def test_a_config_with_its_own_grid_gets_its_own_areas(tmp_path):
    mine = _config(tmp_path, "grid: {lat_min: 40, lat_max: 46, lon_min: -6, lon_max: 6}\n")
    config = resolve_config([mine], CONFIG)
    assert config["grid"]["resolution"] == 0.1  # the study's, beside the config's box
    assert config["sources"]["cmip6"]["area"] == [46, -6, 40, 6]
    assert config["sources"]["era5land"]["area"] == [46, -6, 40, 6]
    # a config that sets only the resolution keeps the study's box and areas
    demo = resolve_config([], CONFIG)
    assert demo["sources"]["cmip6"]["area"] == [38, 89, 31, 104]


def test_a_box_given_west_to_east_across_0_in_the_wrong_turn_is_refused(tmp_path):
    mine = _config(tmp_path, "grid: {lat_min: 40, lat_max: 46, lon_min: 354, lon_max: 6}\n")
    with pytest.raises(ConfigError, match=r"grid\.lon_min \(set in .*mine\.yaml\).*lon_min -6"):
        resolve_config([mine], CONFIG)
    upside = _config(tmp_path, "grid: {lat_min: 46, lat_max: 40}\n")
    with pytest.raises(ConfigError, match=r"grid\.lat_min .* north of lat_max"):
        resolve_config([upside], CONFIG)


@pytest.mark.parametrize("method", ["conservative", "bilinear"])
def test_a_0_to_360_model_regrids_onto_a_grid_across_0(method):
    out = regrid(_field(CESM2), CESM2, ACROSS, method=method)
    assert out.lon.values.tolist() == ACROSS.lon.tolist()
    assert np.isfinite(out.values).all()
    np.testing.assert_allclose(out.values[0], _expected(ACROSS), atol=0.004)


def test_a_cds_subset_across_the_seam_regrids_as_the_global_file():
    """The CDS cuts 350..360 and 0..10 from a 0..360 model: `ascending` unwraps the seam."""
    ilon = np.flatnonzero((CESM2.lon >= 340) | (CESM2.lon <= 20))
    ilat = np.flatnonzero((CESM2.lat >= 30) & (CESM2.lat <= 55))
    cut = _field(CESM2).isel(lat=ilat, lon=ilon)
    cut = ascending(cut.to_dataset(name="mrsos"), "lat", "lon")
    sub = RectilinearGrid(
        lat=CESM2.lat[ilat],
        lon=cut.lon.values,
        lat_bnds=CESM2.lat_bnds[ilat],
        lon_bnds=subset_grid(CESM2, ilat, ilon).lon_bnds,
    )
    out = regrid(cut.mrsos, sub, ACROSS)
    np.testing.assert_allclose(out.values, regrid(_field(CESM2), CESM2, ACROSS).values)


def test_a_model_that_does_not_cover_the_domain_is_refused():
    east_only = regular_grid(30.0, 50.0, 0.5, 19.5, 1.0)
    with pytest.raises(InputError, match=r"model\.nc.*longitude"):
        regrid(_field(east_only), east_only, ACROSS, source_name="model.nc")


def test_a_southern_field_stored_north_to_south_regrids():
    src = regular_grid(-40.0, -20.0, 135.0, 155.0, 1.0)
    stored = _field(src).isel(lat=slice(None, None, -1)).to_dataset(name="mrsos")
    field = ascending(stored, "lat", "lon").mrsos
    out = regrid(field, src, SOUTH)
    np.testing.assert_allclose(out.values[0], _expected(SOUTH), atol=0.004)


@pytest.mark.parametrize("turn", ["0..360", "-180..180"])
def test_era5land_in_either_turn_lands_on_the_cells_of_a_grid_across_0(turn):
    """ERA5-Land from the CDS runs -180..180, a legacy or global file 0..360."""
    era = regular_grid(35.0, 50.0, -15.0, 15.0, 0.25)
    field = _field(era)
    if turn == "0..360":
        field = field.assign_coords(lon=np.mod(field.lon.values, 360.0)).sortby("lon")
    out = on_target(field, ACROSS, "era5land.nc")
    np.testing.assert_array_equal(out.values[0], _expected(ACROSS))


def _outline(tmp_path: Path, name: str, ring: list[list[float]]) -> Path:
    path = tmp_path / f"{name}.geojson"
    feature = {
        "type": "Feature",
        "properties": {"name": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


def test_an_outline_across_0_rasterises_in_either_turn(tmp_path):
    ring = [[-3.0, 41.0], [3.0, 41.0], [3.0, 45.0], [-3.0, 45.0], [-3.0, 41.0]]
    across = read_region_masks(ACROSS, geojson=_outline(tmp_path, "basin", ring))
    inside = across["mask"].sel(region="basin")
    lon = across.lon.values[inside.any("lat").values]
    assert lon.min() == -3.0 and lon.max() == 3.0
    # the same outline on a grid written 0..360 (-3..3 is 357..363 there)
    east = regular_grid(40.0, 46.0, 354.0, 359.75, 0.25)
    part = read_region_masks(east, geojson=_outline(tmp_path, "basin", ring))
    assert part["mask"].sum() == inside.sel(lon=slice(-3, -0.25)).sum()


def test_a_mask_file_on_0_to_360_reads_onto_a_grid_across_0(tmp_path):
    lon = np.mod(ACROSS.lon, 360.0)
    order = np.argsort(lon)
    mask = (np.abs(ACROSS.lon[order]) <= 2.0).astype(np.int8)
    da = xr.DataArray(
        np.broadcast_to(mask, ACROSS.shape),
        dims=("lat", "lon"),
        coords={"lat": ACROSS.lat, "lon": lon[order]},
        name="basin",
    )
    da.to_netcdf(tmp_path / "basin.nc")
    got = read_mask_netcdf(tmp_path / "basin.nc", ACROSS)
    np.testing.assert_array_equal(got[0], np.abs(ACROSS.lon) <= 2.0)


def test_an_outline_with_no_feature_inside_the_grid_is_refused(tmp_path):
    ring = [[20.0, 10.0], [25.0, 10.0], [25.0, 15.0], [20.0, 10.0]]
    path = _outline(tmp_path, "elsewhere", ring)
    with pytest.raises(InputError, match=r"elsewhere\.geojson.*'elsewhere' covers no cell"):
        read_region_masks(ACROSS, geojson=path, regions=["elsewhere"])


def test_cds_padding_of_a_domain_across_0_stays_west_of_0():
    north, west, south, east = padded_area("CESM2", [46, -6, 40, 6], cells=3)
    assert (west, east) == (-10, 10)  # 3 cells of 1.25 degrees, rounded outward
    assert south < 40 < 46 < north


@pytest.mark.oracle
@pytest.mark.skipif(shutil.which("cdo") is None, reason="CDO (cdo executable) is not installed")
def test_conservative_across_0_matches_cdo_remapcon(tmp_path):
    """CDO's remapcon from the global 0..360 model onto the grid across 0 is the oracle."""
    field = _field(CESM2).rename("mrsos").assign_attrs(units="m3 m-3")
    ds = field.to_dataset().assign(**CESM2.bounds_vars())
    ds.time.attrs.update(units="days since 2000-01-16", calendar="noleap")
    ds.to_netcdf(tmp_path / "in.nc")
    (tmp_path / "grid.txt").write_text(cdo_griddes(ACROSS))
    subprocess.run(["cdo", "-s", "remapcon,grid.txt", "in.nc", "out.nc"], check=True, cwd=tmp_path)
    with xr.open_dataset(tmp_path / "out.nc") as out:
        np.testing.assert_allclose(out.lon, ACROSS.lon, atol=1e-9)
        cdo = out.mrsos.values
    ours = regrid(field, CESM2, ACROSS, method="conservative").values
    np.testing.assert_allclose(ours, cdo, atol=1e-6)


def test_a_product_of_another_region_says_which(tmp_path):
    from smdown.product.run import region_attrs

    mine = _config(
        tmp_path,
        "grid: {lat_min: 42.5, lat_max: 46, lon_min: -2, lon_max: 4}\n"
        "regions: {names: [garonne], union: null}\n",
    )
    assert region_attrs(resolve_config([mine], CONFIG)) == {
        "region": "garonne (cell centres 42.5 N to 46 N, 2 W to 4 E)"
    }
    assert region_attrs(resolve_config([], CONFIG)) == {}  # the TRSR's: ProductAttrs' own


def test_the_perceptual_loss_on_a_grid_too_small_for_vgg_is_refused(tmp_path):
    small = _config(
        tmp_path,
        "grid: {lat_min: 43, lat_max: 45.5, lon_min: -2, lon_max: 3}\n"
        "training: {loss_weights: {b2: 0.006}}\nvgg: {provider: synthetic}\n",
    )
    with pytest.raises(ConfigError, match=r"b2 .*at least 32 cells each way.*26 x 51"):
        resolve_config([small], CONFIG)
