"""The config schema and the shipped configs: every key described and given a default once
(the schema, or the study's keys), every shipped config a short overlay that is valid and says only
what differs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from smdown.catalog import EXPERIMENTS, MODELS
from smdown.configuration import STUDY_DEFAULTS, resolve_config

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "config"
SCHEMA = CONFIG / "schema.yaml"
# Every shipped config as it is run: the files laid over the defaults, in order.
SHIPPED = {
    "demo": ("config/demo.yaml",),
    "paper": ("config/config.yaml",),
    "cmip6dl": ("config/cmip6dl.yaml",),
    "cmip6dl-demo": ("config/cmip6dl-demo.yaml",),
    "tiny": ("tests/workflow/tiny.yaml",),
    "tiny_cmip6dl": ("config/cmip6dl-demo.yaml", "tests/workflow/tiny_cmip6dl.yaml"),
}


def _properties(schema: dict, path: str = ""):
    for name, sub in schema.get("properties", {}).items():
        yield f"{path}.{name}".lstrip("."), sub
        yield from _properties(sub, f"{path}.{name}")


def _leaves(node, path=()):
    """(key path, value) of every leaf; a list, an empty mapping, a name->value map
    (`regions.netcdf`, `regions.urls`) and `input_grid` (null or a grid) count as one."""
    whole = path in (("input_grid",), ("regions", "netcdf"), ("regions", "urls"))
    if isinstance(node, dict) and node and not whole:
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    else:
        yield path, node


def _study_keys() -> set[str]:
    keys = set()
    for defaults in STUDY_DEFAULTS.values():
        keys |= {".".join(p) for p, _ in _leaves(defaults)}
    return keys


def _resolve(*files) -> dict:
    return resolve_config([REPO / f for f in files], CONFIG)


def test_every_key_has_description_and_one_default():
    """A default in the schema, or one from the study (STUDY_DEFAULTS), never both."""
    schema = yaml.safe_load(SCHEMA.read_text())
    study = _study_keys()
    described = dict(_properties(schema))
    for key, sub in described.items():
        assert sub.get("description"), f"{key} has no description"
        if key in study:
            assert "default" not in sub, f"{key} has a default in the schema and the study's"
            parts = key.split(".")
            assert any(
                "STUDY_DEFAULTS" in described[".".join(parts[:n])]["description"]
                for n in range(1, len(parts) + 1)
            ), f"{key} does not say it follows from the study"
        elif not any(k.startswith(f"{key}.") for k in study):
            assert "default" in sub, f"{key} has no default"


def test_every_study_sets_the_same_keys():
    trsr, cmip6dl = ({".".join(p) for p, _ in _leaves(d)} for d in STUDY_DEFAULTS.values())
    assert trsr == cmip6dl


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_configs_resolve(name):
    config = _resolve(*SHIPPED[name])
    assert set(config["models"]) <= set(MODELS) and set(config["experiments"]) <= set(EXPERIMENTS)


def test_the_demo_is_the_run_without_a_configfile():
    assert resolve_config([], CONFIG) == _resolve("config/demo.yaml")
    assert resolve_config([], CONFIG)["run"] == "demo"


def test_defaults_fill_an_empty_config(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("{}\n")
    config = resolve_config([empty], CONFIG)
    assert config["regrid"]["method"] == "conservative"
    assert config["sources"]["amsmqtp"]["dims"]["layer"] == "depth"
    assert len(config["models"]) == 17 and config["grid"]["resolution"] == 0.1
    assert config["training"]["network"]["base_channels"] == 64  # full scale, not the demo's


@pytest.mark.parametrize("name", ["config.yaml", "cmip6dl.yaml"])
def test_the_study_configs_are_short_overlays(name):
    assert len((CONFIG / name).read_text().splitlines()) < 80


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_no_shipped_config_repeats_a_default(name, tmp_path):
    """Each key a shipped config sets changes the resolved config: without it (the files
    below it and the study unchanged), the key would hold another value."""
    *below, top = SHIPPED[name]
    overlay = yaml.safe_load((REPO / top).read_text())
    full = _resolve(*SHIPPED[name])
    repeated = []
    for path, _ in _leaves(overlay):
        if path == ("study",):
            continue  # the study is what the others follow from
        without = yaml.safe_load((REPO / top).read_text())
        node = without
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]
        mine = tmp_path / "without.yaml"
        mine.write_text(yaml.safe_dump(without))
        config = resolve_config([*(REPO / f for f in below), mine], CONFIG)
        value, other = full, config
        for part in path:
            value, other = value[part], other[part]
        if value == other:
            repeated.append(f"{'.'.join(path)}: {value!r}")
    assert not repeated, f"{top} sets keys to the values they have anyway: {repeated}"


def test_model_names_in_schema_match_catalog():
    schema = yaml.safe_load(SCHEMA.read_text())
    names, mapping = schema["properties"]["models"]["items"]["oneOf"]
    assert names["enum"] == list(MODELS) and mapping["type"] == "object"
