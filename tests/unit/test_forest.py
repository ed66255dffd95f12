"""The in-situ forests: skill against the known truth, reliability, masking, determinism, output."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from smdown.geometry import regular_grid
from smdown.insitu.forest import (
    ForestOptions,
    _unlabelled_samples,
    features,
    fit_classifier,
    fit_regressor,
    insitu_grids,
    leave_stations_out_skill,
)
from smdown.io import compressed_encoding, open_netcdf, write_netcdf
from smdown.synthetic.truth import TruthWorld

GRID = regular_grid(31.0, 38.0, 89.0, 104.0, 0.1)
MONTHS = np.arange("2000-01", "2015-01", dtype="datetime64[M]")
GRID_MONTHS = np.arange("2008-01", "2010-01", dtype="datetime64[M]")  # predicted in the tests
OPTIONS = ForestOptions(n_estimators_regressor=30, n_estimators_classifier=30, seed=3)
NOISE = 0.01


def cell_index(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of the cells holding the points."""
    return (
        np.rint((lat - GRID.lat[0]) / 0.1).astype(int),
        np.rint((lon - GRID.lon[0]) / 0.1).astype(int),
    )


def station_positions(rng: np.random.Generator) -> pd.DataFrame:
    """30 scattered stations west of 98 E and two clustered networks of 5; none east of 100 E."""
    spots = [
        ("SCATTER", rng.uniform(31.2, 37.8, 30), rng.uniform(89.2, 98.0, 30)),
        ("CLUSTER_A", rng.uniform(31.3, 31.8, 5), rng.uniform(91.5, 92.0, 5)),
        ("CLUSTER_B", rng.uniform(33.6, 34.0, 5), rng.uniform(96.0, 96.5, 5)),
    ]
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "network": net,
                    "station": [f"S{i:02d}" for i in range(lat.size)],
                    "lat": lat,
                    "lon": lon,
                }
            )
            for net, lat, lon in spots
        ],
        ignore_index=True,
    )


def station_table(world: TruthWorld, seed: int = 0) -> pd.DataFrame:
    """Monthly means 2000-2014, layers 1..5: the truth at each station's cell plus 0.01 noise."""
    rng = np.random.default_rng(seed)
    parts = []
    for row in station_positions(rng).itertuples():
        iy, ix = cell_index(np.array(row.lat), np.array(row.lon))
        truth = world.field([GRID.lat[iy]], [GRID.lon[ix]], MONTHS, experiment="historical")
        sm = truth[:, :, 0, 0] + rng.normal(0.0, NOISE, truth.shape[:2])
        parts.append(
            pd.DataFrame(
                {
                    "station": row.station,
                    "network": row.network,
                    "lat": row.lat,
                    "lon": row.lon,
                    "layer": np.tile(np.arange(1, 6), MONTHS.size),
                    "month": np.repeat(MONTHS, 5),
                    "sm": sm.ravel(),
                    "n_days": 28,
                }
            )
        )
    table = pd.concat(parts, ignore_index=True)
    table["month"] = table["month"].astype("datetime64[ns]")
    return table


def ellipse_mask() -> np.ndarray:
    lat, lon = np.meshgrid(GRID.lat, GRID.lon, indexing="ij")
    return ((lat - 34.5) / 3.6) ** 2 + ((lon - 96.5) / 7.6) ** 2 <= 1.0


@pytest.fixture(scope="module")
def world() -> TruthWorld:
    return TruthWorld(seed=11)


@pytest.fixture(scope="module")
def table(world) -> pd.DataFrame:
    return station_table(world)


@pytest.fixture(scope="module")
def grids(table) -> xr.Dataset:
    return insitu_grids(table, GRID, ellipse_mask(), GRID_MONTHS, OPTIONS)


def station_cells(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    stations = table.drop_duplicates(["network", "station"])
    return cell_index(stations["lat"].to_numpy(), stations["lon"].to_numpy())


def test_features_column_order_and_dtype():
    x = features([1, 2], 33.5, [90.0, 91.0], 2001, [1, 12])
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x, [[1, 33.5, 90, 2001, 1], [2, 33.5, 91, 2001, 12]])


def test_forest_beats_climatology_on_left_out_stations(table):
    skill = leave_stations_out_skill(table, OPTIONS, n_folds=5)
    # Measured (seed 3, 30 trees), layers 1..5, m3 m-3: forest RMSE 0.028 0.027 0.027 0.026 0.026,
    # climatology RMSE 0.045 0.044 0.043 0.042 0.042; R 0.90..0.79 against 0.73..0.19.
    assert list(skill["layer"]) == [1, 2, 3, 4, 5]
    assert skill["forest_beats_climatology"].sum() >= 4
    assert (skill["forest_rmse"] < 0.8 * skill["climatology_rmse"]).sum() >= 4
    assert (skill["forest_r"] > skill["climatology_r"]).all()
    assert skill["n_stations"].eq(40).all()


def test_sm_close_to_truth_at_station_cells(grids, world, table):
    iy, ix = station_cells(table)
    truth = world.field(GRID.lat, GRID.lon, GRID_MONTHS, experiment="historical")
    inside = ellipse_mask()[iy, ix]
    predicted = grids["insitu_sm"].values[:, :, iy[inside], ix[inside]]
    error = predicted - truth[:, :, iy[inside], ix[inside]]
    # Measured: RMSE 0.013, bias 0.002 m3 m-3 (the stations carry 0.01 noise).
    assert np.sqrt(np.mean(error**2)) < 2 * NOISE
    assert abs(np.mean(error)) < 0.005


def test_prob_high_near_stations_low_far_away(grids, table):
    iy, ix = station_cells(table)
    lat, lon = np.meshgrid(GRID.lat, GRID.lon, indexing="ij")
    distance = np.min(
        np.hypot(lat[..., None] - GRID.lat[iy], lon[..., None] - GRID.lon[ix]), axis=-1
    )
    prob = grids["insitu_prob"].values
    at = np.nanmean(prob[:, :, distance < 0.01])
    near = np.nanmean(prob[:, :, distance <= 0.2])
    far = np.nanmean(prob[:, :, distance > 2.0])
    # Measured: 0.95 at the station cells, 0.43 within 0.2 degrees, 0.0001 beyond 2 degrees.
    assert at > 0.9
    assert near > far + 0.2
    assert far < 0.02


def test_nan_outside_mask_values_inside(grids):
    mask = ellipse_mask()
    for name in ("insitu_sm", "insitu_prob"):
        values = grids[name].values
        assert np.isnan(values[:, :, ~mask]).all()
        assert np.isfinite(values[:, :, mask]).all()
    prob = grids["insitu_prob"].values[:, :, mask]
    assert prob.min() >= 0.0 and prob.max() <= 1.0


def test_same_seed_identical_other_seed_differs(table):
    mask = np.zeros(GRID.shape, dtype=bool)
    mask[20:40, 10:80] = True
    months = GRID_MONTHS[:3]
    small = ForestOptions(n_estimators_regressor=10, n_estimators_classifier=10, seed=5)
    first = insitu_grids(table, GRID, mask, months, small)
    again = insitu_grids(table, GRID, mask, months, small)
    other = insitu_grids(
        table,
        GRID,
        mask,
        months,
        ForestOptions(n_estimators_regressor=10, n_estimators_classifier=10, seed=6),
    )
    for name in ("insitu_sm", "insitu_prob"):
        np.testing.assert_array_equal(first[name].values, again[name].values)
        assert not np.array_equal(
            first[name].values[:, :, mask], other[name].values[:, :, mask], equal_nan=True
        )


def test_classifier_draws_as_many_unlabelled_samples(table):
    months, mask = MONTHS[96:120], ellipse_mask()
    model = fit_classifier(table, mask, GRID, months, OPTIONS)
    in_period = np.isin(table["month"].to_numpy(dtype="datetime64[M]"), months).sum()
    assert in_period == 40 * 24 * 5
    assert model.classes_.tolist() == [0, 1]
    assert model.estimators_[0].tree_.weighted_n_node_samples[0] == 2 * in_period
    drawn = _unlabelled_samples(2000, mask, GRID, months, seed=1)
    iy, ix = cell_index(drawn[:, 1], drawn[:, 2])
    assert mask[iy, ix].all()
    assert set(drawn[:, 0]) == {1, 2, 3, 4, 5}
    assert set(drawn[:, 3]) == {2008, 2009} and set(drawn[:, 4]) == set(range(1, 13))


def test_dataset_layout_and_netcdf_roundtrip(grids, tmp_path):
    assert grids["insitu_sm"].dims == ("time", "layer", "lat", "lon")
    assert grids["insitu_sm"].shape == (GRID_MONTHS.size, 5, 71, 151)
    assert grids["insitu_sm"].dtype == np.float32 and grids["insitu_prob"].dtype == np.float32
    assert grids["insitu_sm"].attrs["units"] == "m3 m-3"
    assert grids["insitu_sm"].attrs["standard_name"] == "volume_fraction_of_condensed_water_in_soil"
    assert grids["insitu_prob"].attrs["units"] == "1"
    assert grids["layer"].values.tolist() == [1, 2, 3, 4, 5]
    assert grids["layer_top"].values.tolist() == [0.0, 0.1, 0.3, 0.5, 0.8]
    assert grids["layer_bottom"].values.tolist() == [0.1, 0.3, 0.5, 0.8, 1.1]
    assert json.loads(grids.attrs["forest_options"])["seed"] == OPTIONS.seed
    assert grids.attrs["stations"] == 40
    path = tmp_path / "insitu.nc"
    write_netcdf(grids, path, encoding=compressed_encoding(grids))
    back = xr.open_dataset(path)
    xr.testing.assert_identical(back.load(), grids)
    assert open_netcdf(path)["insitu_prob"].shape == grids["insitu_prob"].shape


def test_regressor_refuses_bad_tables(table):
    with pytest.raises(ValueError, match="lacks columns"):
        fit_regressor(table.drop(columns="sm"), OPTIONS)
    with pytest.raises(ValueError, match="layers outside"):
        fit_regressor(table.assign(layer=6), OPTIONS)


@pytest.mark.parametrize(("where", "outside"), [("domain", True), ("region", False)])
def test_unlabelled_samples_come_from_the_domain_or_the_region(table, monkeypatch, where, outside):
    import smdown.insitu.forest as forest

    seen = []
    original = forest._unlabelled_samples

    def spy(n, mask, grid, months, seed, *layers):
        drawn = original(n, mask, grid, months, seed, *layers)
        seen.append(drawn)
        return drawn

    monkeypatch.setattr(forest, "_unlabelled_samples", spy)
    options = ForestOptions(n_estimators_classifier=5, seed=3, unlabelled_from=where)
    fit_classifier(table, ellipse_mask(), GRID, MONTHS[96:120], options)
    iy, ix = cell_index(seen[0][:, 1], seen[0][:, 2])
    assert (~ellipse_mask()[iy, ix]).any() == outside


def test_an_unknown_sampling_domain_is_refused(table):
    with pytest.raises(ValueError, match="unlabelled_from 'box' is not one of"):
        fit_classifier(
            table, ellipse_mask(), GRID, MONTHS[96:120], ForestOptions(unlabelled_from="box")
        )


def test_held_out_months_train_neither_forest(table):
    """Per-fold grids: fitted as if the held-out months' station rows did not exist."""
    mask = np.zeros(GRID.shape, dtype=bool)
    mask[20:40, 10:80] = True
    small = ForestOptions(n_estimators_regressor=10, n_estimators_classifier=10, seed=5)
    held = GRID_MONTHS[6:12]
    blind = insitu_grids(table, GRID, mask, GRID_MONTHS, small, held_out=held)
    seen = table[~np.isin(table["month"].to_numpy(dtype="datetime64[M]"), held)]
    regressor = fit_regressor(seen, small)
    x = features(1, GRID.lat[30], GRID.lon[40], 2008, np.arange(1, 13))
    np.testing.assert_allclose(
        blind["insitu_sm"].values[:12, 0, 30, 40],
        regressor.predict(x).astype(np.float32),
        rtol=1e-6,
    )
    shared = insitu_grids(table, GRID, mask, GRID_MONTHS, small)
    assert not np.array_equal(
        blind["insitu_sm"].values[:, :, mask], shared["insitu_sm"].values[:, :, mask]
    )
    assert blind.attrs["held_out_months"] == "2008-07,2008-08,2008-09,2008-10,2008-11,2008-12"
    assert shared.attrs["held_out_months"] == ""
    assert blind.attrs["station_samples"] == len(seen) < len(table)
    assert np.isfinite(blind["insitu_sm"].values[6:12][:, :, mask]).all()  # still predicted


def test_holding_out_every_station_month_is_refused(table):
    with pytest.raises(ValueError, match="held-out"):
        insitu_grids(table, GRID, ellipse_mask(), GRID_MONTHS, OPTIONS, held_out=MONTHS)
