"""Oracle tests: our regridding against CDO's remapcon/remapbil on a regular and a Gaussian grid.

The input mimics a CDS area request (lat 25..45, lon 80..115) of a model's native grid, with
`lat_bnds`/`lon_bnds` in the file, so CDO uses the same cell bounds as we do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from smdown.catalog import MODELS
from smdown.geometry import RectilinearGrid, cdo_griddes, native_grid, regular_grid
from smdown.grid.regrid import regrid, subset_grid

pytestmark = [
    pytest.mark.oracle,
    pytest.mark.skipif(shutil.which("cdo") is None, reason="CDO (cdo executable) is not installed"),
]

TARGET = regular_grid(31, 38, 89, 104, 0.1)
MODEL_NAMES = ["CESM2", "MPI-ESM1-2-LR"]  # 1.25 x 0.9424 with pole-clipped bounds; T63 Gaussian
FILL = 1.0e20


def _area_request(name: str) -> RectilinearGrid:
    """The model's native grid cut to lat 25..45, lon 80..115 (cell centres), like a CDS request."""
    grid = native_grid(MODELS[name].grid)
    ilat = np.flatnonzero((grid.lat >= 25) & (grid.lat <= 45))
    ilon = np.flatnonzero((grid.lon >= 80) & (grid.lon <= 115))
    return subset_grid(grid, ilat, ilon)


def _soil_moisture(grid: RectilinearGrid, seed: int) -> np.ndarray:
    """Smooth 0.1..0.4 m3/m3 pattern plus seeded noise, four time steps."""
    lat, lon = np.meshgrid(grid.lat, grid.lon, indexing="ij")
    pattern = 0.25 + 0.1 * np.sin(np.deg2rad(9 * lat)) * np.cos(np.deg2rad(6 * lon))
    noise = 0.03 * np.random.default_rng(seed).standard_normal((4, *grid.shape))
    return np.clip(pattern + noise, 0.1, 0.4)


def _write_input(path: Path, grid: RectilinearGrid, data: np.ndarray) -> xr.DataArray:
    """Write `data` as a CF file with bounds variables; return it as the DataArray we regrid."""
    da = xr.DataArray(
        data,
        dims=("time", "lat", "lon"),
        coords={"time": np.arange(data.shape[0], dtype=float), **grid.coords()},
        name="mrsos",
        attrs={"units": "m3 m-3"},
    )
    ds = da.to_dataset().assign(**grid.bounds_vars())
    ds.time.attrs.update(units="days since 2000-01-16", calendar="noleap")
    ds.to_netcdf(path, encoding={"mrsos": {"_FillValue": FILL}})
    return da


def _cdo(
    operator: str, workdir: Path, infile: Path, env: dict[str, str] | None = None
) -> np.ndarray:
    """Run `cdo -s <operator>,<target grid file> in out` and return the regridded values."""
    gridfile, outfile = workdir / "target_grid.txt", workdir / f"{infile.stem}_{operator}.nc"
    gridfile.write_text(cdo_griddes(TARGET))
    subprocess.run(
        ["cdo", "-s", f"{operator},{gridfile}", str(infile), str(outfile)],
        check=True,
        cwd=workdir,
        env=env,
    )
    with xr.open_dataset(outfile) as out:
        np.testing.assert_allclose(out.lat, TARGET.lat, atol=1e-9)
        np.testing.assert_allclose(out.lon, TARGET.lon, atol=1e-9)
        return out.mrsos.transpose("time", "lat", "lon").values


@pytest.fixture(scope="module", params=MODEL_NAMES)
def case(request, tmp_path_factory):
    """(source grid, source DataArray, input path, work dir) for one model."""
    workdir = tmp_path_factory.mktemp(request.param)
    grid = _area_request(request.param)
    path = workdir / "in.nc"
    da = _write_input(path, grid, _soil_moisture(grid, seed=MODEL_NAMES.index(request.param)))
    return grid, da, path, workdir


def test_conservative_matches_cdo_remapcon(case, record_property):
    grid, da, path, workdir = case
    ours = regrid(da, grid, TARGET).values
    diff = np.abs(ours - _cdo("remapcon", workdir, path))
    record_property("max_abs_diff_remapcon", float(diff.max()))
    print(f"max |ours - cdo remapcon| = {diff.max():.3g} m3/m3")
    assert np.isfinite(ours).all()
    assert diff.max() < 5e-4
    assert diff.max() < 1e-9  # both are exact: they differ by rounding only (~1e-11 seen)


def _box_integral(grid: RectilinearGrid, data: np.ndarray, box: RectilinearGrid) -> np.ndarray:
    """Exact area integral of the piecewise-constant source field over the target's box."""
    sin_box = np.sin(np.deg2rad([box.lat_bnds.min(), box.lat_bnds.max()]))
    sin_src = np.sin(np.deg2rad(grid.lat_bnds))
    dsin = np.clip(
        np.minimum(sin_src[:, 1], sin_box[1]) - np.maximum(sin_src[:, 0], sin_box[0]), 0, None
    )
    west, east = box.lon_bnds.min(), box.lon_bnds.max()
    dlon = np.clip(
        np.minimum(grid.lon_bnds[:, 1], east) - np.maximum(grid.lon_bnds[:, 0], west), 0, None
    )
    return np.einsum("tij,i,j->t", data, dsin, np.deg2rad(dlon))


def test_conservative_keeps_the_domain_mean(case):
    grid, da, _, _ = case
    area = TARGET.cell_area()
    ours = regrid(da, grid, TARGET).values
    ours_mean = (ours * area).sum(axis=(1, 2)) / area.sum()
    source_mean = _box_integral(grid, da.values, TARGET) / area.sum()
    np.testing.assert_allclose(ours_mean, source_mean, rtol=1e-5)
    np.testing.assert_allclose(ours_mean, source_mean, rtol=1e-12)  # in fact exact


def test_missing_values_follow_cdo_fracarea_with_area_min(case):
    grid, da, _, workdir = case
    holed = da.values.copy()
    i, j = np.searchsorted(grid.lat, 33.0), np.searchsorted(grid.lon, 93.0)
    holed[:, i, j] = np.nan  # one missing cell in every step
    holed[1, i + 1 : i + 3, j + 3 : j + 6] = np.nan  # a 2 x 3 block in one step only
    path = workdir / "holed.nc"
    da_holed = _write_input(path, grid, holed)
    env = {**os.environ, "REMAP_AREA_MIN": "0.5"}  # CDO's counterpart of min_valid_fraction
    cdo = _cdo("remapcon", workdir, path, env=env)
    ours = regrid(da_holed, grid, TARGET, min_valid_fraction=0.5).values
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(cdo))
    assert np.isnan(ours[1]).sum() > np.isnan(ours[0]).sum() > 0
    assert np.nanmax(np.abs(ours - cdo)) < 1e-9


def test_bilinear_matches_cdo_remapbil(case, record_property):
    grid, da, path, workdir = case
    ours = regrid(da, grid, TARGET, method="bilinear").values
    diff = np.abs(ours - _cdo("remapbil", workdir, path))
    record_property("max_abs_diff_remapbil", float(diff.max()))
    print(f"max |ours - cdo remapbil| = {diff.max():.3g} m3/m3")
    # On a lon-lat source CDO solves for the bilinear coordinates in (lon, lat), which is
    # separable linear interpolation between centres: agreement is to rounding (~1e-15 seen).
    assert diff.max() < 1e-9
