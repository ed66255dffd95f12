"""Config errors in a few lines: the key, what was expected, the nearest key, the file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from smdown.configuration import ConfigError, check_config

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
        check_config(yaml.safe_load((CONFIG / name).read_text()), SCHEMA)


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
    config["insitu"]["min_days_per_month"] = "fifteen"
    with pytest.raises(
        ConfigError,
        match=r"^config key insitu.min_days_per_month \(set in .*"
        r"demo.yaml\): 'fifteen' is not of type integer$",
    ):
        check_config(config, SCHEMA, [DEMO])
