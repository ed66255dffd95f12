"""Unit tests of smdown.grid.regrid: weights, NaN rule, longitude wrap, coverage, subsetting."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import xarray as xr

from smdown.catalog import MODELS
from smdown.errors import InputError
from smdown.geometry import RectilinearGrid, native_grid, regular_grid
from smdown.grid.regrid import (
    XESMF_MISSING,
    Regridder,
    bilinear_weights,
    check_coverage,
    conservative_weights,
    regrid,
    subset_grid,
    subset_indices,
)

TARGET = regular_grid(31, 38, 89, 104, 0.1)
CESM2 = native_grid(MODELS["CESM2"].grid)  # 1.25 x 0.9424, lon 0..358.75
MPI = native_grid(MODELS["MPI-ESM1-2-LR"].grid)  # T63 Gaussian


def _field(grid: RectilinearGrid, ntime: int = 2) -> xr.DataArray:
    """Smooth soil-moisture-like field (0.15..0.35) with a time axis."""
    lat, lon = np.meshgrid(grid.lat, grid.lon, indexing="ij")
    base = 0.25 + 0.1 * np.sin(np.deg2rad(3 * lat)) * np.cos(np.deg2rad(2 * lon))
    data = np.stack([base + 0.01 * t for t in range(ntime)])
    return xr.DataArray(
        data,
        dims=("time", "lat", "lon"),
        coords={"time": np.arange(ntime)},
        name="mrsos",
        attrs={"units": "m3 m-3"},
    )


def _lon_index_field(grid: RectilinearGrid) -> xr.DataArray:
    """Field equal to the source longitude index, constant in latitude."""
    data = np.broadcast_to(np.arange(grid.lon.size, dtype=float), grid.shape)
    return xr.DataArray(data, dims=("lat", "lon"))


def _grid(lat_bnds: list[list[float]], lon_bnds: list[list[float]]) -> RectilinearGrid:
    lat_b, lon_b = np.array(lat_bnds, dtype=float), np.array(lon_bnds, dtype=float)
    return RectilinearGrid(
        lat=lat_b.mean(axis=1), lon=lon_b.mean(axis=1), lat_bnds=lat_b, lon_bnds=lon_b
    )


@pytest.mark.parametrize("src", [CESM2, MPI], ids=["regular", "gaussian"])
def test_conservative_weight_rows_sum_to_target_cell_extents(src):
    w_lat, w_lon = conservative_weights(src, TARGET)
    dsin = np.diff(np.sin(np.deg2rad(TARGET.lat_bnds)), axis=1)[:, 0]
    assert w_lat.shape == (71, src.lat.size) and w_lon.shape == (151, src.lon.size)
    np.testing.assert_allclose(w_lat.sum(axis=1), dsin, rtol=1e-12)
    np.testing.assert_allclose(w_lon.sum(axis=1), 0.1, rtol=1e-12)
    assert np.all(w_lat >= 0) and np.all(w_lon >= 0)


@pytest.mark.parametrize("method", ["conservative", "bilinear"])
def test_constant_field_stays_constant(method):
    da = xr.full_like(_field(MPI), 0.3)
    out = regrid(da, MPI, TARGET, method=method)
    assert out.shape == (2, 71, 151)
    np.testing.assert_allclose(out.values, 0.3, rtol=1e-12)


def test_area_weighted_mean_conserved_when_domain_exactly_covered():
    src = regular_grid(30.5, 38.5, 88.5, 104.5, 1.0)  # bounds 30..39, 88..105
    dst = regular_grid(30.05, 38.95, 88.05, 104.95, 0.1)  # the same box in 0.1 cells
    rng = np.random.default_rng(1)
    x = rng.uniform(0.1, 0.4, (3, *src.shape))
    y = Regridder(src, dst)(x)
    src_total = (x * src.cell_area()).sum(axis=(1, 2))
    dst_total = (y * dst.cell_area()).sum(axis=(1, 2))
    np.testing.assert_allclose(dst_total, src_total, rtol=1e-12)


def test_nan_source_cell_renormalised_or_masked_by_valid_fraction():
    src = regular_grid(0, 3, 0, 3, 1.0)
    # One target cell: all of source cell (1, 1) and half of source cell (1, 2).
    dst = _grid([[0.5, 1.5]], [[0.5, 2.0]])
    x = np.full(src.shape, 0.2)
    x[1, 1], x[1, 2] = 0.1, 0.4
    assert Regridder(src, dst)(x)[0, 0] == pytest.approx((0.1 * 1.0 + 0.4 * 0.5) / 1.5)
    x_right_missing = x.copy()
    x_right_missing[1, 2] = np.nan  # valid fraction 2/3: renormalised to the other cell
    assert Regridder(src, dst)(x_right_missing)[0, 0] == pytest.approx(0.1)
    x_left_missing = x.copy()
    x_left_missing[1, 1] = np.nan  # valid fraction 1/3 < 0.5: NaN
    assert np.isnan(Regridder(src, dst)(x_left_missing)[0, 0])
    assert Regridder(src, dst, min_valid_fraction=0.3)(x_left_missing)[0, 0] == pytest.approx(0.4)


def test_nan_mask_varying_in_time_uses_each_steps_mask():
    src = regular_grid(0, 3, 0, 3, 1.0)
    dst = _grid([[0.5, 1.5]], [[0.5, 2.0]])
    x = np.full((3, *src.shape), 0.2)
    x[:, 1, 1], x[:, 1, 2] = 0.1, 0.4
    x[1, 1, 2] = np.nan
    x[2, 1, 1] = np.nan
    out = Regridder(src, dst)(x)[:, 0, 0]
    np.testing.assert_allclose(out[:2], [0.2, 0.1], rtol=1e-12)
    assert np.isnan(out[2])


def test_nan_in_realistic_field_only_affects_overlapping_target_cells():
    da = _field(CESM2, ntime=1)
    i, j = np.searchsorted(CESM2.lat, 34.0), np.searchsorted(CESM2.lon, 95.0)
    holed = da.copy()
    holed[0, i, j] = np.nan
    full, out = regrid(da, CESM2, TARGET).values[0], regrid(holed, CESM2, TARGET).values[0]
    sin_t, sin_s = np.sin(np.deg2rad(TARGET.lat_bnds)), np.sin(np.deg2rad(CESM2.lat_bnds[i]))
    in_lat = np.clip(np.minimum(sin_t[:, 1], sin_s[1]) - np.maximum(sin_t[:, 0], sin_s[0]), 0, None)
    lon_t, lon_s = TARGET.lon_bnds, CESM2.lon_bnds[j]
    in_lon = np.clip(np.minimum(lon_t[:, 1], lon_s[1]) - np.maximum(lon_t[:, 0], lon_s[0]), 0, None)
    missing = np.outer(in_lat / np.diff(sin_t, axis=1)[:, 0], in_lon / 0.1)  # share of each cell
    assert np.isclose(missing, 1).sum() == 99  # 9 x 11 target cells lie wholly in the NaN cell
    np.testing.assert_array_equal(np.isnan(out), missing > 0.5)
    changed = ~np.isclose(out, full, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(changed, missing > 0)


def test_longitude_wrap_target_crossing_greenwich():
    dst = regular_grid(-5, 5, -10, 10, 0.1)
    out = regrid(_lon_index_field(CESM2), CESM2, dst).values
    at = {round(lon, 2): k for k, lon in enumerate(dst.lon)}
    np.testing.assert_allclose(out[:, at[0.0]], 0.0)  # inside cell 0 (-0.625..0.625)
    np.testing.assert_allclose(out[:, at[-1.0]], 287.0)  # inside cell 287 (358.125..359.375)
    np.testing.assert_allclose(out[:, at[0.6]], 0.25)  # 0.075 of cell 0, 0.025 of cell 1
    np.testing.assert_allclose(out[:, at[-0.6]], 287 * 0.25)  # 0.025 of cell 287
    np.testing.assert_allclose(out[:, at[9.4]], 7.75)  # 9.35..9.45 straddles 9.375


def test_longitude_wrap_same_result_for_0_360_and_180_180_sources():
    shifted = RectilinearGrid(CESM2.lat, CESM2.lon - 180.0, CESM2.lat_bnds, CESM2.lon_bnds - 180.0)
    da = _field(CESM2)
    rolled = da.roll(lon=144).assign_coords(lon=shifted.lon)  # same values, lon -180..178.75
    for dst in (TARGET, regular_grid(-5, 5, -10, 10, 0.1)):
        a = regrid(da, CESM2, dst).values
        b = regrid(rolled, shifted, dst).values
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-15)
    out = regrid(_lon_index_field(CESM2), CESM2, TARGET).values
    np.testing.assert_allclose(out[:, 4], 71 * 0.25 + 72 * 0.75)  # 89.35..89.45 vs 89.375


def test_coverage_error_names_file_and_numbers():
    short_lon = regular_grid(25, 45, 80, 95, 1.0)
    with pytest.raises(InputError, match="longitude") as err:
        check_coverage(short_lon, TARGET, "mrsos_CESM2.nc")
    message = str(err.value)
    assert message.startswith("mrsos_CESM2.nc: model grid does not cover the target domain")
    assert "79.5..95.5" in message and "88.95..104.05" in message
    short_lat = regular_grid(32, 45, 80, 110, 1.0)
    with pytest.raises(InputError, match=r"latitude: source cells span 31.5\.\.45\.5"):
        regrid(_field(short_lat), short_lat, TARGET, source_name="cut.nc")


def test_coverage_accepts_global_and_exactly_fitting_grids():
    check_coverage(CESM2, TARGET, "global.nc")
    check_coverage(MPI, regular_grid(-5, 5, -10, 10, 0.1), "global.nc")
    check_coverage(TARGET, TARGET, "same.nc")  # bounds coincide exactly
    shifted = RectilinearGrid(
        TARGET.lat, TARGET.lon + 0.01, TARGET.lat_bnds, TARGET.lon_bnds + 0.01
    )
    with pytest.raises(InputError, match=r"88.96..104.06 degrees east"):
        check_coverage(shifted, TARGET, "shifted.nc")


def test_subset_indices_keep_the_margin():
    ilat, ilon = subset_indices(CESM2, TARGET, margin_cells=2)
    assert np.array_equal(ilat, np.arange(ilat[0], ilat[-1] + 1))
    assert CESM2.lat_bnds[ilat[2], 0] <= 30.95 < CESM2.lat_bnds[ilat[2], 1]
    assert CESM2.lat_bnds[ilat[-3], 0] < 38.05 <= CESM2.lat_bnds[ilat[-3], 1]
    assert CESM2.lon_bnds[ilon[2], 0] <= 88.95 < CESM2.lon_bnds[ilon[2], 1]
    assert CESM2.lon_bnds[ilon[-3], 0] < 104.05 <= CESM2.lon_bnds[ilon[-3], 1]
    assert ilat.size <= 13 and ilon.size <= 18


def test_subset_indices_wrap_and_stop_at_file_edge():
    _, ilon = subset_indices(CESM2, regular_grid(-5, 5, -10, 10, 0.1), margin_cells=2)
    # cells 280..287, 0..8 overlap -10.05..10.05; two more on each side
    assert ilon[0] == 278 and list(ilon[8:12]) == [286, 287, 0, 1] and ilon[-1] == 10
    sub = subset_grid(CESM2, np.arange(CESM2.lat.size), ilon)
    assert np.all(np.diff(sub.lon) > 0) and sub.lon[0] == pytest.approx(347.5)
    pre = subset_grid(CESM2, *subset_indices(CESM2, TARGET, margin_cells=0))
    ilat, ilon = subset_indices(pre, TARGET, margin_cells=2)
    np.testing.assert_array_equal(ilat, np.arange(pre.lat.size))
    np.testing.assert_array_equal(ilon, np.arange(pre.lon.size))


def test_bilinear_reproduces_bilinear_function_at_interior_points():
    def f(lat, lon):
        return 0.1 + 0.004 * lat + 0.002 * lon + 1e-4 * lat * lon

    for src in (CESM2, MPI):
        lat, lon = np.meshgrid(src.lat, src.lon, indexing="ij")
        out = regrid(xr.DataArray(f(lat, lon), dims=("lat", "lon")), src, TARGET, method="bilinear")
        expected = f(*np.meshgrid(TARGET.lat, TARGET.lon, indexing="ij"))
        np.testing.assert_allclose(out.values, expected, rtol=1e-12)
        w_lat, w_lon = bilinear_weights(src, TARGET)
        np.testing.assert_allclose(w_lat.sum(axis=1), 1.0)
        assert (np.count_nonzero(w_lon, axis=1) <= 2).all()


def test_output_keeps_leading_coords_attrs_and_float64():
    da = _field(CESM2).astype(np.float32)
    out = regrid(da, CESM2, TARGET)
    assert out.dims == ("time", "lat", "lon") and out.dtype == np.float64
    assert out.name == "mrsos" and out.attrs == {"units": "m3 m-3"}
    np.testing.assert_array_equal(out.time, da.time)
    np.testing.assert_array_equal(out.lat, TARGET.lat)
    assert out.lon.attrs["units"] == "degrees_east"


def test_data_not_matching_its_grid_is_an_input_error():
    with pytest.raises(InputError, match=r"^bad.nc: data has 192 x 288 .*expected 96 x 192"):
        regrid(_field(CESM2), MPI, TARGET, source_name="bad.nc")


def test_unknown_method_or_backend_names_the_choices():
    with pytest.raises(ValueError, match="conservative, bilinear"):
        regrid(_field(CESM2), CESM2, TARGET, method="nearest")
    with pytest.raises(ValueError, match="exact, xesmf, xarray-regrid"):
        regrid(_field(CESM2), CESM2, TARGET, backend="cdo")


@pytest.mark.parametrize(("method", "atol"), [("conservative", 2e-4), ("bilinear", 1e-12)])
@pytest.mark.parametrize("src", [CESM2, MPI], ids=["regular", "gaussian"])
def test_xarray_regrid_backend_agrees_with_exact(src, method, atol):
    # xarray-regrid infers bounds from centres, which differ from the true Gaussian bounds.
    da = _field(src)
    exact = regrid(da, src, TARGET, method=method)
    other = regrid(da, src, TARGET, method=method, backend="xarray-regrid")
    assert other.dims == exact.dims and np.isfinite(other.values).all()
    np.testing.assert_allclose(other.values, exact.values, rtol=0, atol=atol)


@pytest.mark.skipif(importlib.util.find_spec("xesmf") is not None, reason="xesmf is installed")
def test_xesmf_backend_missing_raises_import_error():
    with pytest.raises(ImportError) as err:
        regrid(_field(CESM2), CESM2, TARGET, backend="xesmf")
    assert str(err.value) == XESMF_MISSING
    assert "install it or use backend: exact" in str(err.value)
