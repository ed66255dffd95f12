"""The deviations table in docs/ is the single source of what each config chooses: every option
it names exists in the schema, and the paper and demo configs hold the values it states."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from smdown.configuration import resolve_config

REPO = Path(__file__).resolve().parents[2]
TABLE = REPO / "docs" / "deviations.md"
SCHEMA = yaml.safe_load((REPO / "config" / "schema.yaml").read_text())
KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$|^[a-z][a-z0-9_]*$")
CONFIGS = {"paper config": ("config.yaml",), "demo": ("demo.yaml",)}


def _rows() -> list[dict[str, str]]:
    """The table's rows as {column: cell}."""
    lines = [line for line in TABLE.read_text().splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [
        dict(zip(header, (cell.strip() for cell in line.strip("|").split("|")), strict=True))
        for line in lines[2:]
    ]


def _ticked(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def _options(row: dict[str, str]) -> list[str]:
    """The config keys an option cell names (values in parentheses are not keys)."""
    return [item for item in _ticked(row["option"].split("(")[0]) if KEY.match(item)]


def _expected(row: dict[str, str], column: str) -> dict[str, Any]:
    """{key: value} a config column states: `value` for the first option, `key: value` else."""
    first = _options(row)[0]
    expected = {}
    for item in _ticked(row[column]):
        key, sep, value = item.partition(": ")
        if sep and KEY.match(key) and "." in key:
            expected[key] = yaml.safe_load(value)
        else:
            expected[first] = yaml.safe_load(item)
    return expected


def _config(names: tuple[str, ...]) -> dict:
    """The configs laid over the defaults as the workflow does (the study's keys derived, the
    schema's defaults filled in)."""
    return resolve_config([REPO / "config" / name for name in names], REPO / "config")


def _value(config: dict, key: str) -> Any:
    node: Any = config
    for part in key.split("."):
        node = node[part]
    return node


def _in_schema(key: str) -> bool:
    node = SCHEMA
    for part in key.split("."):
        node = node.get("properties", {}).get(part)
        if node is None:
            return False
    return True


ROWS = _rows()


def test_the_table_has_rows_and_every_row_names_an_option():
    assert len(ROWS) >= 15
    for row in ROWS:
        assert _options(row), f"row {row['choice']!r} names no option"
        assert _ticked(row["paper config"]), f"row {row['choice']!r} states no paper value"


@pytest.mark.parametrize("row", ROWS, ids=[row["choice"] for row in ROWS])
def test_every_option_exists_in_the_schema(row):
    for key in _options(row) + [k for c in CONFIGS for k in _expected(row, c)]:
        assert _in_schema(key), f"{key} (row {row['choice']!r}) is not in config/schema.yaml"


@pytest.mark.parametrize("column", sorted(CONFIGS))
@pytest.mark.parametrize("row", ROWS, ids=[row["choice"] for row in ROWS])
def test_the_configs_hold_what_the_table_states(row, column):
    config = _config(CONFIGS[column])
    for key, value in _expected(row, column).items():
        assert _value(config, key) == value, (
            f"{column}: {key} is {_value(config, key)!r}, docs/deviations.md says {value!r}"
        )
