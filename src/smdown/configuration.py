"""The config checked against its schema before anything runs, with an error of a few lines.

A schema failure as jsonschema reports it prints the whole schema and config (thousands of
lines). `check_config` reports the one failure that matters: the key path, what was found, what
was expected (the allowed values, or the nearest valid key for a misspelt one) and which config
file set it.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match


class ConfigError(ValueError):
    """A config that breaks the schema: names the key, the file and what was expected."""


def _key_path(parts: Sequence[Any]) -> str:
    return ".".join(str(p) for p in parts) or "(top level)"


def _holds(node: Any, part: Any) -> bool:
    """Whether a YAML node has the key or index `part`."""
    if isinstance(node, Mapping):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and part < len(node)


def _origin(parts: Sequence[Any], files: Sequence[str | PathLike]) -> str | None:
    """The last of `files` (in the order they are laid over one another) that sets the key."""
    found = None
    for path in files:
        try:
            node: Any = yaml.safe_load(Path(path).read_text()) or {}
        except (OSError, yaml.YAMLError):
            continue
        for part in parts:
            if not _holds(node, part):
                break
            node = node[part]
        else:
            found = str(path)
    return found


def _subschema(schema: Mapping[str, Any], parts: Sequence[Any]) -> Mapping[str, Any]:
    """The schema of the object at `parts` (through properties and array items)."""
    node = schema
    for part in parts:
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(part, {})
    return node


def _describe(error: ValidationError, schema: Mapping[str, Any]) -> tuple[list[Any], str]:
    """The key path and a one-line account of one schema failure."""
    parts = list(error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = sorted(_subschema(schema, parts).get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        key = unknown[0]
        near = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"did you mean '{near[0]}'? " if near else ""
        return [*parts, key], (f"unknown key ({hint}the keys here are: {', '.join(allowed)})")
    if error.validator == "enum":
        return parts, (
            f"{error.instance!r} is not allowed (expected one of: "
            f"{', '.join(repr(v) for v in error.validator_value)})"
        )
    if error.validator == "type":
        return parts, f"{error.instance!r} is not of type {error.validator_value}"
    if error.validator == "required":
        return parts, error.message
    return parts, f"{error.message} (schema rule {error.validator}: {error.validator_value!r})"


def check_config(
    config: Mapping[str, Any], schema: Mapping[str, Any], files: Sequence[str | PathLike] = ()
) -> None:
    """Raise ConfigError for the config's most relevant schema failure, in a few lines.

    `files` are the config files in the order they were laid over one another; the message
    names the last one that sets the failing key.
    """
    error = best_match(Draft202012Validator(schema).iter_errors(config))
    if error is None:
        return
    parts, account = _describe(error, schema)
    origin = _origin(parts, files)
    where = f" (set in {origin})" if origin else ""
    raise ConfigError(f"config key {_key_path(parts)}{where}: {account}")
