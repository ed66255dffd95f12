"""Config errors in a few lines: the key, what was expected, the nearest key, the file; and the
keys that follow from the study."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from smdown import catalog
from smdown.configuration import (
    NO_STATIONS,
    STUDY_DEFAULTS,
    ConfigError,
    check_config,
    derive_study_keys,
    resolve_config,
    station_notes,
    station_sources,
)

CONFIG = Path(__file__).resolve().parents[2] / "config"
SCHEMA = yaml.safe_load((CONFIG / "schema.yaml").read_text())
DEMO = CONFIG / "demo.yaml"


def _merged(tmp_path, overlay: dict) -> tuple[dict, list[Path]]:
    """The demo config with `overlay` laid over it (one level deep, as the tests need), and
    the files in the order Snakemake reads them."""
    config = yaml.safe_load(DEMO.read_text())
    for key, value in overlay.items():
        config[key] = (
            {**config[key], **value}
            if isinstance(value, dict) and isinstance(config.get(key), dict)
            else value
        )
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(overlay))
    return config, [DEMO, path]


def _message(tmp_path, overlay: dict) -> str:
    config, files = _merged(tmp_path, overlay)
    with pytest.raises(ConfigError) as err:
        check_config(config, SCHEMA, files)
    return str(err.value)


def test_the_shipped_configs_pass():
    for name in ("demo.yaml", "config.yaml", "cmip6dl.yaml", "cmip6dl-demo.yaml"):
        config = yaml.safe_load((CONFIG / name).read_text())
        derive_study_keys(config, SCHEMA, [CONFIG / name])
        check_config(config, SCHEMA, [CONFIG / name])


def test_a_misspelt_top_level_key_names_the_nearest_and_the_file(tmp_path):
    message = _message(tmp_path, {"trainig": {"seed": 1}})
    assert message.startswith("config key trainig (set in ")
    assert "mine.yaml): unknown key (did you mean 'training'?" in message
    assert len(message.splitlines()) == 1 and len(message) < 600


def test_a_misspelt_nested_key(tmp_path):
    message = _message(tmp_path, {"training": {"gaurd": "warn"}})
    assert message.startswith("config key training.gaurd (set in ")
    assert "did you mean 'guard'?" in message


def test_a_value_outside_the_allowed_ones(tmp_path):
    message = _message(tmp_path, {"training": {"guard": "stop"}})
    assert message.startswith("config key training.guard (set in ")
    assert "'stop' is not allowed (expected one of: 'error', 'warn')" in message


def test_a_value_of_the_wrong_type_set_by_the_demo_config(tmp_path):
    config = yaml.safe_load(DEMO.read_text())
    config["product"]["threads"] = "one"
    with pytest.raises(
        ConfigError,
        match=r"^config key product.threads \(set in .*demo.yaml\): 'one' is not of type integer$",
    ):
        check_config(config, SCHEMA, [DEMO])


# ------------------------------------------------------------------ the keys of the study


def _write(tmp_path, overlay: dict, name: str = "mine.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(overlay))
    return path


def test_the_study_brings_its_grid_models_region_and_network():
    config: dict = {"study": "cmip6dl"}
    derive_study_keys(config, SCHEMA)
    assert config["training"] == {"model": "ynet"}
    assert config["grid"]["resolution"] == 0.25 and config["input_grid"]["resolution"] == 2.0
    assert config["regions"] == {"names": ["China"], "union": None}
    assert config["sources"]["era5land"]["last_year"] == 2014
    assert config["regrid"] == {"method": "bilinear"}
    assert set(config["models"]) == set(catalog.CMIP6DL_MODELS)


def test_without_a_study_the_schema_default_trsr_applies():
    config: dict = {}
    derive_study_keys(config, SCHEMA)
    assert config["training"]["model"] == "unet_gan" and config["input_grid"] is None
    assert config["models"] == list(catalog.MODELS)[:17]  # the paper's Table 1, in order
    assert config["regions"]["union"] == "TRSR" and config["grid"]["resolution"] == 0.1


def test_a_key_the_config_sets_wins_and_the_rest_of_its_mapping_is_filled():
    config = {"study": "cmip6dl", "grid": {"resolution": 0.5}, "models": ["CESM2"]}
    derive_study_keys(config, SCHEMA)
    assert config["grid"] == {**STUDY_DEFAULTS["cmip6dl"]["grid"], "resolution": 0.5}
    assert config["models"] == ["CESM2"]


def test_the_study_defaults_are_copies():
    first: dict = {"study": "cmip6dl"}
    derive_study_keys(first, SCHEMA)
    first["models"].append("x")
    first["grid"]["lat_min"] = 0.0
    second: dict = {"study": "cmip6dl"}
    derive_study_keys(second, SCHEMA)
    assert "x" not in second["models"] and second["grid"]["lat_min"] == 18.0


def test_a_network_that_contradicts_the_study_is_refused_naming_the_file(tmp_path):
    mine = _write(tmp_path, {"study": "cmip6dl", "training": {"model": "unet_gan"}})
    with pytest.raises(
        ConfigError,
        match=r"^config key training.model \(set in .*mine.yaml\): 'unet_gan' contradicts the "
        r"study: study cmip6dl needs training.model: ynet \(leave the key out, it follows from "
        r"the study\)$",
    ):
        resolve_config([mine], CONFIG)


@pytest.mark.parametrize(
    ("overlay", "needs"),
    [
        ({"study": "cmip6dl", "input_grid": None}, "a grid"),
        ({"input_grid": STUDY_DEFAULTS["cmip6dl"]["input_grid"]}, "null"),
    ],
)
def test_an_input_grid_that_contradicts_the_study_is_refused(tmp_path, overlay, needs):
    mine = _write(tmp_path, overlay)
    with pytest.raises(
        ConfigError,
        match=rf"^config key input_grid \(set in .*mine.yaml\): .* "
        rf"contradicts the study: study \w+ needs input_grid: {needs}",
    ):
        resolve_config([mine], CONFIG)


def test_an_unknown_study_is_left_to_the_check(tmp_path):
    mine = _write(tmp_path, {"study": "cmip6"})
    with pytest.raises(ConfigError, match=r"^config key study \(set in .*mine.yaml\): 'cmip6' "):
        resolve_config([mine], CONFIG)


def test_the_study_model_lists_are_the_catalogs():
    assert STUDY_DEFAULTS["trsr"]["models"] == list(catalog.MODELS)[:17]
    cmip6dl = STUDY_DEFAULTS["cmip6dl"]["models"]
    assert len(cmip6dl) == 25 and set(cmip6dl) == set(catalog.CMIP6DL_MODELS)


def test_the_files_laid_over_the_defaults_are_the_configfiles_or_the_demo(tmp_path):
    mine = _write(tmp_path, {"run": "mine"})
    config = resolve_config([mine], CONFIG)
    assert config["run"] == "mine" and config["grid"]["resolution"] == 0.1  # not the demo's
    assert resolve_config([], CONFIG, {"run": "x"})["grid"]["resolution"] == 0.2  # the demo's


@pytest.mark.parametrize(
    ("sources", "expected", "said"),
    [
        ({}, ["ismn", "cma"], None),
        ({"cma": {"provider": "none"}}, ["ismn"], "from ISMN alone"),
        ({"ismn": {"networks": []}}, ["cma"], "from CMA alone"),
        ({"ismn": {"networks": []}, "cma": {"provider": "none"}}, [], NO_STATIONS),
    ],
)
def test_station_sources_and_what_the_run_says_without_some(tmp_path, sources, expected, said):
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump({"sources": sources}))
    config = resolve_config([DEMO, path], CONFIG)
    assert station_sources(config) == expected
    notes = station_notes(config)
    assert (notes == []) if said is None else said in notes[0]
    if not expected:  # without stations: the loss off and every station-based output named
        assert "training.loss_weights.a3 is taken as 0" in notes[0]
        assert any("Fig. 5" in line for line in notes[1:])
        assert any("insitu_grids" in line for line in notes[1:])


def test_the_cmip6dl_study_reads_no_stations():
    config = resolve_config([CONFIG / "cmip6dl-demo.yaml"], CONFIG)
    assert station_sources(config) == [] and station_notes(config) == []
