"""Varied synthetic worlds: the truth's character, the models' biases and noise, and the
catalogue of worlds the recipe is benchmarked on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from snakemake.utils import validate

from smdown.catalog import MODELS, MRSOS_DEPTH_M, WATER_DENSITY
from smdown.geometry import regular_grid
from smdown.synthetic import TruthWorld, world_on
from smdown.synthetic.cmip6 import model_values
from smdown.synthetic.worlds import VARIED_WORLDS

CONFIG = Path(__file__).resolve().parents[2] / "config"
GRID = regular_grid(31.0, 38.0, 89.0, 104.0, 0.5)
LAT, LON = GRID.lat[:, None], GRID.lon[None, :]
MONTHS = np.arange("2000-01", "2002-01", dtype="datetime64[M]")


def test_the_defaults_are_the_demo_world():
    demo = world_on(
        {"lat_min": 31.0, "lat_max": 38.0, "lon_min": 89.0, "lon_max": 104.0, "resolution": 0.1},
        7,
        {},
    )
    assert demo == TruthWorld(seed=7)
    field = TruthWorld(seed=7).field(GRID.lat, GRID.lon, MONTHS)
    np.testing.assert_array_equal(
        field,
        TruthWorld(
            seed=7, pattern_amplitude=0.15, trend_pattern="modes", model_scale=(0.7, 1.3)
        ).field(GRID.lat, GRID.lon, MONTHS),
    )


def test_value_range_and_season_follow_the_world():
    dry = TruthWorld(seed=1, mean_moisture=0.12, pattern_amplitude=0.06)
    pattern = dry.pattern(LAT, LON, [0])[0]
    assert pattern.min() >= 0.06 - 1e-9 and pattern.max() <= 0.18 + 1e-9
    assert abs(pattern.mean() - 0.12) < 0.03
    flat, strong = (TruthWorld(seed=1, seasonal_amplitude=a) for a in (0.01, 0.1))
    spread = [w.field(GRID.lat, GRID.lon, MONTHS, [0]).std(axis=0).mean() for w in (flat, strong)]
    assert spread[1] > 4 * spread[0]


def test_dipole_trends_change_sign_across_the_box_and_modes_do_not():
    modes = TruthWorld(seed=3).trend(LAT, LON, "ssp585")
    dipole = TruthWorld(seed=3, trend_pattern="dipole").trend(LAT, LON, "ssp585")
    assert (modes > 0).all()
    assert (dipole[0] > 0).mean() > 0.1 and (dipole[0] < 0).mean() > 0.1
    assert np.abs(dipole).max() <= 1.5 * 4e-4 + 1e-12
    drying = TruthWorld(seed=3, trend_scale=-2.0).trend(LAT, LON, "ssp245")
    np.testing.assert_allclose(drying, -2.0 * modes * 2.3 / 4.0)


def test_models_see_the_truth_through_the_worlds_ranges():
    exact = TruthWorld(
        seed=5, model_scale=(1.0, 1.0), model_bias=(0.04, 0.04), model_noise=(0.0, 0.0)
    )
    values = model_values(exact, "CESM2", "historical", GRID, MONTHS)
    truth = exact.cell_mean(GRID, MONTHS, layer=0, experiment="historical")
    np.testing.assert_allclose(values / (WATER_DENSITY * MRSOS_DEPTH_M), truth + 0.04, rtol=1e-5)
    noisy = TruthWorld(seed=5, model_noise=(0.05, 0.05))
    residual = (
        model_values(noisy, "CESM2", "historical", GRID, MONTHS) / 100.0
        - model_values(
            TruthWorld(seed=5, model_noise=(0.0, 0.0)), "CESM2", "historical", GRID, MONTHS
        )
        / 100.0
    )
    assert residual.std() == pytest.approx(0.05, rel=0.1)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"trend_pattern": "stripes"}, "unknown trend_pattern 'stripes'"),
        ({"model_bias": (0.1, -0.1)}, "model_bias must be a \\(low, high\\) range"),
    ],
)
def test_bad_world_settings_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        TruthWorld(seed=1, **changes)


def test_the_varied_worlds_span_what_a_new_basin_changes():
    assert len(VARIED_WORLDS) >= 6
    counts = [len(spec.models) for spec in VARIED_WORLDS.values()]
    assert min(counts) == 3 and max(counts) == 25
    assert all(set(spec.models) <= set(MODELS) for spec in VARIED_WORLDS.values())
    calendars = {MODELS[m].calendar for spec in VARIED_WORLDS.values() for m in spec.models}
    assert {"360_day", "noleap", "365_day", "gregorian", "proleptic_gregorian"} <= calendars
    kinds = {MODELS[m].grid.lat_kind for spec in VARIED_WORLDS.values() for m in spec.models}
    assert {"gaussian", "regular_poles", "regular_offset"} <= kinds
    worlds = [
        TruthWorld(
            seed=spec.seed,
            **{
                k: tuple(v) if isinstance(v, list) else v
                for k, v in spec.overlay()["synthetic"]["world"].items()
            },
        )
        for spec in VARIED_WORLDS.values()
    ]
    assert len(set(worlds)) == len(worlds) and TruthWorld(seed=20241122) not in worlds
    assert {w.trend_pattern for w in worlds} == {"modes", "dipole"}
    assert min(w.trend_scale for w in worlds) < 0 < max(w.trend_scale for w in worlds)


@pytest.mark.parametrize("name", list(VARIED_WORLDS))
def test_each_world_is_a_valid_config_overlay(name):
    config = yaml.safe_load((CONFIG / "demo.yaml").read_text())
    config.update(VARIED_WORLDS[name].overlay())
    validate(config, str(CONFIG / "schema.yaml"), set_default=True)
    assert config["synthetic"]["world"]["model_noise"]  # defaults fill what the world leaves
