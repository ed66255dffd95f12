"""The CMIP6DL study's evaluation: Table 2 scores, per-cell MAE maps and series at chosen cells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from smdown.errors import InputError
from smdown.stats.skill import mae_map, point_series, skill_table, spatial_correlation

LAT = np.array([30.0, 30.25, 30.5])
LON = np.array([100.0, 100.25, 100.5, 100.75])
TIME = pd.date_range("2008-01-01", periods=4, freq="MS")


def _field(values) -> xr.DataArray:
    """(time, lat, lon) soil moisture on the small test grid."""
    return xr.DataArray(
        np.asarray(values, dtype=float),
        dims=("time", "lat", "lon"),
        coords={"time": TIME[: len(values)], "lat": LAT, "lon": LON},
    )


def _random(seed: int) -> xr.DataArray:
    return _field(np.random.default_rng(seed).uniform(0.1, 0.4, (TIME.size, LAT.size, LON.size)))


def _mask() -> xr.DataArray:
    """Land everywhere but the first row's first cell."""
    land = np.ones((LAT.size, LON.size), bool)
    land[0, 0] = False
    return xr.DataArray(land, dims=("lat", "lon"), coords={"lat": LAT, "lon": LON})


def test_constant_offset_scores_by_hand():
    reference = _random(0)
    table = skill_table(reference, {"offset": reference + 0.05}, _mask())
    assert table.index.name == "dataset" and list(table.columns) == ["MAE", "RMSD", "ubRMSD", "r"]
    assert table.loc["offset"].to_dict() == pytest.approx(
        {"MAE": 0.05, "RMSD": 0.05, "ubRMSD": 0.0, "r": 1.0}, abs=1e-12
    )


def test_skill_table_against_numpy_inside_the_mask_skipping_nan():
    reference, candidate = _random(1), _random(2)
    candidate[1, 2, 3] = np.nan  # one missing pair
    candidate[:, 0, 0] = 9.0  # a huge error, but outside the mask
    table = skill_table(reference, {"model": candidate, "same": reference}, _mask())
    assert list(table.index) == ["model", "same"]
    inside = np.broadcast_to(_mask().values, reference.shape) & np.isfinite(candidate.values)
    diff = (candidate.values - reference.values)[inside]
    per_month = [
        np.corrcoef(reference.values[t][inside[t]], candidate.values[t][inside[t]])[0, 1]
        for t in range(TIME.size)
    ]
    row = table.loc["model"]
    assert row["MAE"] == pytest.approx(np.abs(diff).mean(), rel=1e-12)
    assert row["RMSD"] == pytest.approx(np.sqrt((diff**2).mean()), rel=1e-12)
    assert row["ubRMSD"] == pytest.approx(diff.std(), rel=1e-12)
    assert row["r"] == pytest.approx(np.mean(per_month), rel=1e-12)
    assert table.loc["same"].to_dict() == pytest.approx(
        {"MAE": 0.0, "RMSD": 0.0, "ubRMSD": 0.0, "r": 1.0}
    )


def test_r_is_the_mean_of_monthly_spatial_correlations_not_the_pooled_one():
    """Month 1 mirrors the reference's map, month 2 copies it: spatial r = (-1 + 1) / 2 = 0,
    while the pooled r, carried by the difference between the months, is close to 1."""
    first = np.arange(12.0).reshape(3, 4) / 100
    reference = _field([first, first + 1.0])
    candidate = _field([first[::-1, ::-1], first + 1.0])
    mask = xr.ones_like(_mask())
    table = skill_table(reference, {"c": candidate}, mask)
    assert table.loc["c", "r"] == pytest.approx(0.0, abs=1e-12)
    assert np.corrcoef(reference.values.ravel(), candidate.values.ravel())[0, 1] > 0.99


def test_spatial_correlation_skips_months_without_a_correlation():
    reference = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0], [1.0, np.nan, 3.0]])
    candidate = np.array([[1.0, 2.5, 3.5], [2.0, 3.0, 4.0], [1.0, 2.0, 3.0]])
    # month 2: constant reference, month 3: two pairs left: only month 1 counts
    assert spatial_correlation(reference, candidate) == pytest.approx(
        np.corrcoef(reference[0], candidate[0])[0, 1]
    )
    assert np.isnan(spatial_correlation(reference[1:], candidate[1:]))


def test_skill_table_refuses_other_grids_months_and_dims():
    reference, mask = _random(0), _mask()
    shifted = _random(1).assign_coords(lon=LON + 0.1)
    with pytest.raises(InputError, match="shifted: lon"):
        skill_table(reference, {"shifted": shifted}, mask)
    with pytest.raises(InputError, match="short: its 3 time steps differ"):
        skill_table(reference, {"short": reference.isel(time=slice(0, 3))}, mask)
    with pytest.raises(InputError, match="layered: dims"):
        skill_table(reference, {"layered": reference.expand_dims(depth=[1])}, mask)
    with pytest.raises(InputError, match="reference: lat"):
        skill_table(reference, {}, mask.isel(lat=slice(0, 2)))


def test_mae_map_per_cell_nan_without_pairs():
    reference, candidate = _random(3), _random(4)
    candidate[:, 1, 2] = np.nan
    candidate[0, 2, 1] = np.nan
    error = mae_map(reference, candidate.transpose("lat", "lon", "time"))
    assert error.dims == ("lat", "lon") and error.name == "mae"
    np.testing.assert_array_equal(error["lat"], LAT)
    assert np.isnan(error[1, 2])
    assert float(error[2, 1]) == pytest.approx(
        np.abs(candidate.values[1:, 2, 1] - reference.values[1:, 2, 1]).mean()
    )
    expected = np.abs(candidate.values - reference.values).mean(axis=0)
    finite = np.isfinite(expected)
    np.testing.assert_allclose(error.values[finite], expected[finite], rtol=1e-12)
    assert np.isfinite(error.values).sum() == LAT.size * LON.size - 1


def test_mae_map_refuses_another_grid():
    with pytest.raises(InputError, match="candidate: lat"):
        mae_map(_random(0), _random(1).assign_coords(lat=LAT + 1.0))


def test_point_series_takes_the_nearest_cell():
    fields = {"ERA5-Land": _random(5), "CMIP6DL": _random(6)}
    points = {"arid": (100.3, 30.1), "edge": (100.85, 30.6)}  # just inside the outer edges
    table = point_series(fields, points)
    assert list(table.columns) == ["point", "dataset", "time", "value", "lon", "lat"]
    assert len(table) == 2 * 2 * TIME.size
    arid = table[(table["point"] == "arid") & (table["dataset"] == "CMIP6DL")]
    np.testing.assert_array_equal(arid["value"], fields["CMIP6DL"].values[:, 0, 1])
    np.testing.assert_array_equal(arid["time"], TIME)
    assert set(zip(arid["lon"], arid["lat"], strict=True)) == {(100.25, 30.0)}
    edge = table[table["point"] == "edge"]
    assert set(zip(edge["lon"], edge["lat"], strict=True)) == {(100.75, 30.5)}
    assert list(dict.fromkeys(table["dataset"])) == ["ERA5-Land", "CMIP6DL"]


@pytest.mark.parametrize(
    ("point", "message"),
    [((100.9, 30.0), "lon 100.9 lies outside"), ((100.0, 29.8), "lat 29.8 lies outside")],
)
def test_point_series_refuses_a_point_outside_the_grid(point, message):
    with pytest.raises(InputError, match=message):
        point_series({"ERA5-Land": _random(0)}, {"far": point})


def test_point_series_refuses_a_cell_without_data():
    field = _random(0)
    field[:, 2, 3] = np.nan
    with pytest.raises(InputError, match=r"point sea: ERA5-Land's nearest cell \(100.75, 30.5\)"):
        point_series({"ERA5-Land": field}, {"sea": (100.7, 30.45)})
    with pytest.raises(InputError, match="no fields or no points"):
        point_series({"ERA5-Land": field}, {})


def test_point_series_refuses_a_point_on_a_cell_border():
    """A point midway between two centres has no nearest cell: it is refused, not tie-broken."""
    with pytest.raises(InputError, match="point corner: lon 100.375 lies on the border of two"):
        point_series({"ERA5-Land": _random(0)}, {"corner": (100.375, 30.1)})
    with pytest.raises(InputError, match="lat 30.125 lies on the border"):
        point_series({"ERA5-Land": _random(0)}, {"corner": (100.3, 30.125)})
