"""Any fine-tuning reference (issue 22, item 3): the reader, the config's depth bounds and
ERA5-Land as reference, the stations' layers, ERA5-Land's weights, the synthetic reference,
the truth on the reference's layers, and the layer labels, for references other than
AMSMQTP's five layers."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from smdown.catalog import AMSMQTP_LAYERS, ERA5LAND_LAYERS
from smdown.configuration import check_config, reference_layers, reference_name
from smdown.errors import InputError
from smdown.insitu.references import era5_layer_weights, era5_on_station_layers
from smdown.insitu.sensors import layer_of_depth
from smdown.prepare import reference_from_era5land
from smdown.soil_layers import average_layers, layer_labels, layers_problem, overlap_weights
from smdown.sources.amsmqtp import read_amsmqtp_monthly
from smdown.stats.analyse import read_truth_on_layers
from smdown.stats.evaluation import layer_scores
from smdown.synthetic import TruthWorld
from smdown.synthetic.amsmqtp import year_dataset
from smdown.synthetic.truth import OBSERVED

from .test_configuration import SCHEMA, _merged, _message

FOUR = ((0.0, 0.05), (0.05, 0.2), (0.2, 0.6), (0.6, 1.2))
SMALL_WORLD = TruthWorld(seed=3, box=(33.0, 33.4, 95.0, 95.5), resolution=0.1)


def _monthly_file(path, n_layers: int, year: int = 2005):
    """A monthly reference file of `n_layers` layers: value = layer / 10 + month / 1000."""
    months = np.arange(12)
    values = (
        np.arange(1, n_layers + 1)[None, :, None, None] / 10
        + months[:, None, None, None] / 1000
        + np.zeros((12, n_layers, 2, 3))
    )
    ds = xr.Dataset(
        {"SM": (("time", "depth", "lat", "lon"), values, {"units": "m3 m-3"})},
        coords={
            "time": ("time", months * 31 + 15, {"units": f"days since {year}-01-01"}),
            "depth": np.arange(n_layers),
            "lat": [33.0, 33.1],
            "lon": [95.0, 95.1, 95.2],
        },
    )
    ds.to_netcdf(path)
    return path


# ------------------------------------------------------------------------------------- reader


@pytest.mark.parametrize("layers", [ERA5LAND_LAYERS, FOUR])
def test_the_reader_takes_a_monthly_file_of_the_configured_layers(tmp_path, layers):
    path = _monthly_file(tmp_path / "ref.nc", len(layers))
    sm = read_amsmqtp_monthly([path], 2005, 2005, layers=layers)
    assert sm.shape == (12, len(layers), 2, 3)
    np.testing.assert_allclose(sm["layer_top"], [t for t, _ in layers])
    np.testing.assert_allclose(sm["layer_bottom"], [b for _, b in layers])
    np.testing.assert_allclose(
        sm.isel(time=4, lat=0, lon=0), np.arange(1, len(layers) + 1) / 10 + 0.004
    )


def test_a_file_with_another_layer_count_is_refused_naming_it_and_the_count(tmp_path):
    path = _monthly_file(tmp_path / "ref.nc", 4)
    with pytest.raises(InputError, match=r"4 layers along 'depth'.*3 layers \(0-7 cm") as err:
        read_amsmqtp_monthly([path], 2005, 2005, layers=ERA5LAND_LAYERS)
    assert str(err.value.source).endswith("ref.nc")


# ------------------------------------------------------------------------------------- config


def test_a_reference_named_otherwise_needs_its_depth_bounds(tmp_path):
    message = _message(tmp_path, {"sources": {"amsmqtp": {"name": "SMCI"}}})
    assert message.startswith("config key sources.amsmqtp.layers (set in ")
    assert "mine.yaml" in message and "SMCI needs the depth bounds" in message


@pytest.mark.parametrize(
    ("layers", "problem"),
    [
        ([[0, 0.1], [0.2, 0.5]], "layer 2 starts at 0.2 m but layer 1 ends at 0.1 m"),
        ([[0, 0.1], [0.1, 0.1]], "layer 2 [0.1, 0.1] does not have top < bottom"),
        ([[0.3, 0.1]], "layer 1 [0.3, 0.1] does not have top < bottom"),
    ],
)
def test_depth_bounds_must_be_contiguous_and_increasing(tmp_path, layers, problem):
    overlay = {"sources": {"amsmqtp": {"name": "SMCI", "layers": layers}}}
    message = _message(tmp_path, overlay)
    assert message.startswith("config key sources.amsmqtp.layers (set in ")
    assert problem in message


def test_era5land_as_reference_refuses_other_layers(tmp_path):
    overlay = {"sources": {"amsmqtp": {"provider": "era5land", "layers": list(map(list, FOUR))}}}
    message = _message(tmp_path, overlay)
    assert message.startswith("config key sources.amsmqtp.layers (set in ")
    assert "differs from ERA5-Land's layers" in message


def test_era5land_as_reference_needs_years_inside_era5lands(tmp_path):
    overlay = {"sources": {"amsmqtp": {"provider": "era5land", "first_year": 1940}}}
    message = _message(tmp_path, overlay)
    assert message.startswith("config key sources.amsmqtp.first_year (set in ")
    assert "outside ERA5-Land's years" in message


def test_the_perceptual_loss_takes_3_or_5_reference_layers(tmp_path):
    four = {"sources": {"amsmqtp": {"name": "SMCI", "layers": list(map(list, FOUR))}}}
    message = _message(tmp_path, {**four, "training": {"loss_weights": {"b2": 0.006}}})
    assert message.startswith("config key training.loss_weights.b2 (set in ")
    assert "3 or 5 layers" in message and "has 4" in message
    config, files = _merged(tmp_path, {**four, "training": {"loss_weights": {"b2": 0}}})
    check_config(config, SCHEMA, files)


def test_the_configured_layers_and_name():
    assert reference_layers({"sources": {"amsmqtp": {}}}) == AMSMQTP_LAYERS
    assert reference_name({"sources": {"amsmqtp": {"name": None}}}) == "AMSMQTP"
    era5 = {"sources": {"amsmqtp": {"provider": "era5land", "name": None}}}
    assert reference_layers(era5) == ERA5LAND_LAYERS and reference_name(era5) == "ERA5-Land"
    mine = {"sources": {"amsmqtp": {"name": "SMCI", "layers": [[0, 0.05], [0.05, 0.2]]}}}
    assert reference_layers(mine) == ((0.0, 0.05), (0.05, 0.2)) and reference_name(mine) == "SMCI"


def test_layers_problem_accepts_the_known_layers():
    assert layers_problem(AMSMQTP_LAYERS) is None and layers_problem(ERA5LAND_LAYERS) is None
    assert layers_problem([]) == "no layers"


# ---------------------------------------------------------------------- stations and weights


@pytest.mark.parametrize(
    ("top", "bottom", "layer"),
    [
        (0.05, 0.05, 1),
        (0.07, 0.07, 2),
        (0.2, 0.2, 2),
        (0.4, 0.4, 3),
        (1.0, 1.0, 3),  # the deepest bottom belongs to the last layer
        (0.0, 0.1, 1),  # 7 cm in layer 1, 3 cm in layer 2
        (0.2, 0.5, 3),
    ],
)
def test_a_sensor_goes_to_the_3_layer_references_layer_it_overlaps_most(top, bottom, layer):
    assert layer_of_depth(top, bottom, "s", ERA5LAND_LAYERS) == layer


def test_a_sensor_below_the_references_deepest_bottom_is_refused():
    with pytest.raises(InputError, match="a depth within 0-100 cm"):
        layer_of_depth(1.1, 1.1, "station X", ERA5LAND_LAYERS)


def test_era5land_weights_on_any_reference():
    np.testing.assert_allclose(era5_layer_weights(ERA5LAND_LAYERS), np.eye(3))
    np.testing.assert_allclose(
        era5_layer_weights(((0.0, 0.14), (0.14, 1.2))),
        [[0.5, 0.5, 0.0], [0.0, 0.14 / 0.86, 0.72 / 0.86]],
    )
    era5 = xr.DataArray(
        np.arange(3.0)[None, :, None, None] + np.zeros((2, 3, 1, 1)),
        dims=("time", "layer", "lat", "lon"),
        coords={"layer": [1, 2, 3]},
    )
    on = era5_on_station_layers(era5, FOUR)
    assert on.sizes["layer"] == 4 and list(on.layer.values) == [1, 2, 3, 4]
    np.testing.assert_allclose(on.isel(time=0, lat=0, lon=0), era5_layer_weights(FOUR) @ [0, 1, 2])


def test_overlap_weights_refuse_a_layer_nothing_covers():
    with pytest.raises(ValueError, match="layer 120-150 cm overlaps none of the layers"):
        overlap_weights([(1.2, 1.5)], AMSMQTP_LAYERS)


# ------------------------------------------------------------------------- synthetic and truth


YEAR_2005 = np.arange("2005-01-01", "2006-01-01", dtype="datetime64[D]")


def test_the_synthetic_reference_is_the_truths_thickness_weighted_mean():
    days = YEAR_2005  # the daily curve depends on the window it is drawn over: the writer's year
    ds = year_dataset(SMALL_WORLD, 2005, FOUR)
    grid = SMALL_WORLD.target_grid()
    truth = SMALL_WORLD.daily_field(grid.lat, grid.lon, days, experiment=OBSERVED)
    weights = overlap_weights(FOUR, AMSMQTP_LAYERS)
    expected = np.einsum("lk,tkyx->tlyx", weights, truth)
    got = ds["SM"].values[:, :, ::-1]  # ascending latitude
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert ds["SM"].shape[1] == 4 and ds.attrs["layers"] == "0-5 cm, 5-20 cm, 20-60 cm, 60-120 cm"


def test_the_synthetic_reference_on_amsmqtps_layers_is_the_truth_itself():
    grid = SMALL_WORLD.target_grid()
    truth = SMALL_WORLD.daily_field(grid.lat, grid.lon, YEAR_2005, experiment=OBSERVED)
    got = year_dataset(SMALL_WORLD, 2005)["SM"].values[:, :, ::-1]
    np.testing.assert_array_equal(got, truth)
    assert average_layers(truth, AMSMQTP_LAYERS, AMSMQTP_LAYERS) is truth


def test_the_truth_is_compared_on_the_products_layers(tmp_path):
    grid = SMALL_WORLD.target_grid()
    truth = SMALL_WORLD.truth_dataset(grid, "historical").isel(time=slice(0, 24))
    truth.to_netcdf(tmp_path / "truth.nc")
    product = xr.Dataset(
        {"depth_bnds": (("depth", "bnds"), np.array(ERA5LAND_LAYERS))},
        coords={"depth": [0.035, 0.175, 0.64]},
    )
    product.to_netcdf(tmp_path / "product.nc")
    on = read_truth_on_layers(truth=tmp_path / "truth.nc", product=tmp_path / "product.nc")
    assert on.dims == ("time", "depth", "lat", "lon") and on.sizes["depth"] == 3
    weights = overlap_weights(ERA5LAND_LAYERS, AMSMQTP_LAYERS)
    expected = np.einsum("lk,tkyx->tlyx", weights, truth["sm"].values)
    np.testing.assert_allclose(on.values, expected, rtol=1e-6)


def test_era5land_serves_as_reference_for_years_inside_its_own(tmp_path):
    months = np.arange("2010-01", "2013-01", dtype="datetime64[M]").astype("datetime64[ns]")
    era5 = xr.Dataset(
        {"sm": (("time", "layer", "lat", "lon"), np.full((36, 3, 2, 2), 0.2, np.float32))},
        coords={
            "time": months,
            "layer": [1, 2, 3],
            "layer_top": ("layer", [t for t, _ in ERA5LAND_LAYERS]),
            "layer_bottom": ("layer", [b for _, b in ERA5LAND_LAYERS]),
            "lat": [33.0, 33.1],
            "lon": [95.0, 95.1],
        },
        attrs={"source": "ERA5-Land"},
    )
    era5.to_netcdf(tmp_path / "era5land.nc")
    ref = reference_from_era5land(tmp_path / "era5land.nc", 2011, 2012, "ERA5-Land")
    assert ref.sizes["time"] == 24 and ref.attrs["years"] == "2011-2012"
    np.testing.assert_allclose(ref["layer_bottom"], [0.07, 0.28, 1.0])
    with pytest.raises(InputError, match="years 2010-2012") as err:
        reference_from_era5land(tmp_path / "era5land.nc", 2011, 2014)
    assert str(err.value.source).endswith("era5land.nc")


# --------------------------------------------------------------------------------- labels


def test_labels_from_depth_bounds():
    assert layer_labels(AMSMQTP_LAYERS) == [
        "0-10 cm",
        "10-30 cm",
        "30-50 cm",
        "50-80 cm",
        "80-110 cm",
    ]
    assert layer_labels(ERA5LAND_LAYERS) == ["0-7 cm", "7-28 cm", "28-100 cm"]
    assert layer_labels([(0.0, 0.025)]) == ["0-2.5 cm"]


def test_the_papers_scores_stand_beside_five_layers_only():
    reference = np.random.default_rng(0).random((6, 3, 2, 2))
    scores = layer_scores(reference, {"same": reference})
    assert scores["paper_R2"].isna().all() and scores["paper_R"].isna().all()
