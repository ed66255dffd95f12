"""The config schema: complete descriptions and defaults, and both shipped configs valid."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from snakemake.utils import validate

from smdown.catalog import EXPERIMENTS, MODELS

CONFIG = Path(__file__).resolve().parents[2] / "config"
SCHEMA = CONFIG / "schema.yaml"


def _properties(schema: dict, path: str = ""):
    for name, sub in schema.get("properties", {}).items():
        yield f"{path}.{name}".lstrip("."), sub
        yield from _properties(sub, f"{path}.{name}")


def test_every_key_has_description_and_default():
    schema = yaml.safe_load(SCHEMA.read_text())
    for key, sub in _properties(schema):
        assert sub.get("description"), f"{key} has no description"
        assert "default" in sub, f"{key} has no default"


@pytest.mark.parametrize("name", ["demo.yaml", "config.yaml"])
def test_shipped_configs_validate(name):
    config = yaml.safe_load((CONFIG / name).read_text())
    validate(config, str(SCHEMA))
    assert set(config["models"]) <= set(MODELS) and set(config["experiments"]) <= set(EXPERIMENTS)


def test_defaults_fill_an_empty_config():
    config: dict = {}
    validate(config, str(SCHEMA), set_default=True)
    assert config["regrid"]["method"] == "conservative"
    assert config["sources"]["amsmqtp"]["dims"]["layer"] == "depth"
    assert len(config["models"]) == 17


def test_paper_config_sets_every_key_the_demo_sets():
    # --configfile merges over the embedded demo config: the paper must not inherit demo values.
    def keys(d, prefix=""):
        for k, v in d.items():
            yield prefix + k
            if isinstance(v, dict) and k != "netcdf":
                yield from keys(v, prefix + k + ".")

    demo = set(keys(yaml.safe_load((CONFIG / "demo.yaml").read_text())))
    paper = set(keys(yaml.safe_load((CONFIG / "config.yaml").read_text())))
    assert demo <= paper, sorted(demo - paper)


def test_model_names_in_schema_match_catalog():
    schema = yaml.safe_load(SCHEMA.read_text())
    assert schema["properties"]["models"]["items"]["enum"] == list(MODELS)
