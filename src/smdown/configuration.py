"""The config: how it is layered, the keys that follow from the study, and its check.

Where a value comes from, last wins:

1. the schema's `default:` entries (config/schema.yaml), the one home of every default that
   does not depend on the study: the workflow's recommended recipe at full scale;
2. `STUDY_DEFAULTS`, the keys that follow from `study` (its region, grids, models, years,
   network), filled in by `derive_study_keys` where no config file sets them;
3. the config files: the `--configfile`s in the order given, or config/demo.yaml when there
   is none (`CONFIG_FILES`). Each is a short overlay that says only what differs.

A schema failure as jsonschema reports it prints the whole schema and config (thousands of
lines). `check_config` reports the one failure that matters: the key path, what was found, what
was expected (the allowed values, or the nearest valid key for a misspelt one) and which config
file set it.
"""

from __future__ import annotations

import copy
import difflib
import math
from collections.abc import Mapping, MutableMapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from smdown.catalog import (
    AMSMQTP_LAYERS,
    CMIP6DL_MODELS,
    ERA5LAND_LAYERS,
    MODELS,
    TRSR_MODELS,
    model_name,
)
from smdown.soil_layers import Layers, as_layers, layers_problem


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
            node = next((o for o in node.get("oneOf", []) if "properties" in o), node)
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
    if error is not None:
        _refuse(*_describe(_as_mapping(error), schema), files)
    _check_models(config, schema, files)
    for key in ("grid", "input_grid"):
        if isinstance(config.get(key), Mapping):
            _check_box(key, config[key], files)
    _check_reference(config, schema, files)


def _as_mapping(error: ValidationError) -> ValidationError:
    """A mapping that fits none of a `oneOf` (a `models` entry: a name or a mapping) is judged as
    a mapping: its failing field, not the list of names it is not one of."""
    top = error if error.validator == "oneOf" else error.parent
    if top is None or top.validator != "oneOf":
        return error
    mapping = isinstance(top.instance, Mapping)
    fits = [i for i, b in enumerate(top.validator_value) if (b.get("type") == "object") == mapping]
    return best_match(e for e in top.context if e.schema_path[0] in fits) or error


def _refuse(
    parts: Sequence[Any],
    account: str,
    files: Sequence[str | PathLike],
    set_by: Sequence[Any] | None = None,
) -> None:
    """ConfigError naming the key at `parts` and the file that sets it (or `set_by`, the key
    around a missing one)."""
    origin = _origin(parts if set_by is None else set_by, files)
    where = f" (set in {origin})" if origin else ""
    raise ConfigError(f"config key {_key_path(parts)}{where}: {account}")


def _check_models(
    config: Mapping[str, Any], schema: Mapping[str, Any], files: Sequence[str | PathLike]
) -> None:
    """What the schema cannot say about `models`: a name twice, a model outside the catalog
    without its institution or member, and the synthetic provider without a model's calendar and
    native grid (it writes the model's files on them)."""
    cmip6 = config.get("sources", {}).get("cmip6", {})
    provider = cmip6.get(
        "provider", _subschema(schema, ["sources", "cmip6", "provider"]).get("default")
    )
    seen: dict[str, int] = {}
    for index, entry in enumerate(config.get("models", [])):
        name = model_name(entry)
        if name in seen:
            _refuse(["models", index], f"{name} is listed twice (also models.{seen[name]})", files)
        seen[name] = index
        if isinstance(entry, str):
            continue
        spec = MODELS.get(name)
        needed = ["institution", "member"] if spec is None else []
        if provider == "synthetic" and spec is None:
            needed += ["calendar", "native_grid"]
        for key in needed:
            if key not in entry:
                why = (
                    "the synthetic provider writes the model's files on its native grid and "
                    "calendar"
                    if key in ("calendar", "native_grid")
                    else f"{name} is not in the catalog (smdown.catalog.MODELS)"
                )
                _refuse(["models", index, key], f"missing ({why})", files, ["models", index])


def _check_box(key: str, grid: Mapping[str, float], files: Sequence[str | PathLike]) -> None:
    """A grid's box must run south to north and west to east within one turn (the schema
    checks each bound alone)."""
    if {"lat_min", "lat_max"} <= set(grid) and grid["lat_min"] > grid["lat_max"]:
        _refuse([key, "lat_min"], f"{grid['lat_min']} is north of lat_max {grid['lat_max']}", files)
    if {"lon_min", "lon_max"} <= set(grid):
        west, east = grid["lon_min"], grid["lon_max"]
        if west > east:
            hint = (
                f" (a grid crossing the prime meridian starts west of it: lon_min {west - 360:g})"
                if west > 180 and west - 360 <= east
                else ""
            )
            _refuse([key, "lon_min"], f"{west} is east of lon_max {east}{hint}", files)
        if east - west >= 360:
            _refuse([key, "lon_max"], f"{east} is a turn or more east of lon_min {west}", files)


def _setting(config: Mapping[str, Any], schema: Mapping[str, Any], parts: Sequence[str]) -> Any:
    """The value at `parts`, or the schema's default where the config does not set it (the
    check runs before the validation fills the defaults in)."""
    node: Any = config
    for part in parts:
        if not isinstance(node, Mapping) or part not in node:
            return _subschema(schema, parts).get("default")
        node = node[part]
    return node


REFERENCE_KEY = ["sources", "amsmqtp"]


def _reference_section(config: Mapping[str, Any]) -> Mapping[str, Any]:
    """`sources.amsmqtp` as far as the config sets it (empty before the defaults are in)."""
    return config.get("sources", {}).get("amsmqtp", {}) or {}


# The VGG perceptual loss takes the layers in channel triplets (smdown.nn.losses.layer_triplets).
VGG_LAYER_COUNTS = (3, 5)
VGG_MIN_CELLS = 32  # VGG16 features[0:31] halves the field five times


def reference_layers(config: Mapping[str, Any]) -> Layers:
    """Depth bounds (m) of the fine-tuning reference's layers, in file order: ERA5-Land's with
    provider era5land, else `sources.amsmqtp.layers`, else AMSMQTP's five (the paper's)."""
    src = _reference_section(config)
    if src.get("provider") == "era5land":
        return ERA5LAND_LAYERS
    layers = src.get("layers")
    return AMSMQTP_LAYERS if layers is None else as_layers(layers)


def reference_name(config: Mapping[str, Any]) -> str:
    """The fine-tuning reference's name: `sources.amsmqtp.name`, else ERA5-Land with provider
    era5land, else AMSMQTP."""
    src = _reference_section(config)
    if src.get("name"):
        return str(src["name"])
    return "ERA5-Land" if src.get("provider") == "era5land" else "AMSMQTP"


def _check_reference(
    config: Mapping[str, Any], schema: Mapping[str, Any], files: Sequence[str | PathLike]
) -> None:
    """What the schema cannot say about the fine-tuning reference (`sources.amsmqtp`): depth
    bounds where the layers are not AMSMQTP's, bounds that are soil layers, ERA5-Land's own
    layers and years with provider era5land, and a layer count the VGG loss can take."""
    provider = _setting(config, schema, [*REFERENCE_KEY, "provider"])
    name = _setting(config, schema, [*REFERENCE_KEY, "name"])
    layers = _setting(config, schema, [*REFERENCE_KEY, "layers"])
    key = [*REFERENCE_KEY, "layers"]
    if layers is None and provider != "era5land" and name not in (None, "AMSMQTP"):
        _refuse(
            key,
            f"missing: the reference {name} needs the depth bounds of its layers, in file "
            "order, as [[top, bottom], ...] in metres (only AMSMQTP's are known)",
            files,
            REFERENCE_KEY,
        )
    if layers is not None:
        problem = layers_problem(layers)
        if problem:
            _refuse(key, f"{problem}; expected [[top, bottom], ...] in metres", files)
        if provider == "era5land" and as_layers(layers) != ERA5LAND_LAYERS:
            _refuse(
                key,
                f"{layers} differs from ERA5-Land's layers {[list(b) for b in ERA5LAND_LAYERS]} "
                "(provider era5land: leave the key out)",
                files,
            )
    if provider == "era5land":
        _check_era5land_years(config, schema, files)
    _check_vgg_layers(config, schema, files)


def _check_era5land_years(
    config: Mapping[str, Any], schema: Mapping[str, Any], files: Sequence[str | PathLike]
) -> None:
    """With ERA5-Land as the reference, its years must lie inside ERA5-Land's prepared years."""
    first, last = (
        _setting(config, schema, ["sources", "era5land", k]) for k in ("first_year", "last_year")
    )
    for k in ("first_year", "last_year"):
        year = _setting(config, schema, [*REFERENCE_KEY, k])
        early = None not in (year, first) and year < first
        if early or None not in (year, last) and year > last:
            _refuse(
                [*REFERENCE_KEY, k],
                f"{year} lies outside ERA5-Land's years {first}-{last} (sources.era5land."
                "first_year..last_year), which provider era5land takes the reference from",
                files,
            )


def _check_vgg_layers(
    config: Mapping[str, Any], schema: Mapping[str, Any], files: Sequence[str | PathLike]
) -> None:
    """The UNet-GAN's perceptual loss (b2 > 0) fine-tunes on 3 or 5 reference layers only, and
    its five 2 x 2 poolings need a grid of at least `VGG_MIN_CELLS` cells each way."""
    study = STUDY_DEFAULTS.get(_setting(config, schema, ["study"]), {})
    model = _setting(config, schema, ["training", "model"]) or study.get("training", {}).get(
        "model"
    )
    if model != "unet_gan":
        return
    b2 = _setting(config, schema, ["training", "loss_weights", "b2"])
    count = len(reference_layers(config))
    if b2 and count not in VGG_LAYER_COUNTS:
        _refuse(
            ["training", "loss_weights", "b2"],
            f"{b2} (VGG perceptual loss) needs a reference of 3 or 5 layers (channel triplets), "
            f"but sources.amsmqtp has {count}: set b2 to 0",
            files,
        )
    grid = config.get("grid", {})
    if b2 and {"lat_min", "lat_max", "lon_min", "lon_max", "resolution"} <= set(grid):
        shape = [
            round((grid[f"{axis}_max"] - grid[f"{axis}_min"]) / grid["resolution"]) + 1
            for axis in ("lat", "lon")
        ]
        if min(shape) < VGG_MIN_CELLS:
            _refuse(
                ["training", "loss_weights", "b2"],
                f"{b2} (VGG perceptual loss) needs a grid of at least {VGG_MIN_CELLS} cells each "
                f"way (its five 2 x 2 poolings), but the grid has {shape[0]} x {shape[1]}: "
                "set b2 to 0 or widen the grid",
                files,
            )


# The keys that follow from `study`. A config file that sets one of them wins (the tests' tiny
# windows set their own grids and models), except where the study needs a value: REQUIRED.
STUDY_DEFAULTS: dict[str, dict[str, Any]] = {
    # Li et al. 2024: the Three-River Source Region on ERA5-Land's 0.1 degree grid (71 x 151),
    # the models regridded straight onto it, the UNet-GAN; ERA5-Land to 2019 for the stations.
    "trsr": {
        "grid": {"lat_min": 31.0, "lat_max": 38.0, "lon_min": 89.0, "lon_max": 104.0,
                 "resolution": 0.1},
        "input_grid": None,
        "models": list(TRSR_MODELS),
        "regions": {"names": ["TRSR", "yangtze", "yellow", "lancang"], "union": "TRSR"},
        "sources": {
            "cmip6": {"area": [38, 89, 31, 104]},  # N, W, S, E: the grid's box
            "era5land": {"area": [38, 89, 31, 104], "resolution": None,
                         "chunks": [[1950, 1969], [1970, 1989], [1990, 2009], [2010, 2019]],
                         "last_year": 2019},  # pretraining to 2014, the stations to 2019
        },
        "training": {"model": "unet_gan"},
        # first-order conservative: our choice (the paper's text says linear interpolation,
        # docs/deviations.md)
        "regrid": {"method": "conservative"},
    },
    # The CMIP6DL study: China, its ERA5-Land points 18-53.75 N, 71-136.75 E by 0.25 degree
    # (144 x 264 cells centred there, so its Fig. 4 points are cell centres); the models on
    # 2 degree cells over the same box (18 x 33), each holding 8 x 8 target cells; the YNet.
    "cmip6dl": {
        "grid": {"lat_min": 18.0, "lat_max": 53.75, "lon_min": 71.0, "lon_max": 136.75,
                 "resolution": 0.25},
        "input_grid": {"lat_min": 18.875, "lat_max": 52.875, "lon_min": 71.875,
                       "lon_max": 135.875, "resolution": 2.0},
        "models": list(CMIP6DL_MODELS),
        "regions": {"names": ["China"], "union": None},
        "sources": {
            # N, W, S, E; widened per model by pad_cells native cells
            "cmip6": {"area": [54, 71, 18, 137]},
            # cell centres, so the CDS's points are ours; the CDS interpolates to 0.25 degree
            "era5land": {"area": [53.75, 71.0, 18.0, 136.75], "resolution": 0.25,
                         "chunks": [[1950, 1969], [1970, 1989], [1990, 2014]],
                         "last_year": 2014},
        },
        "training": {"model": "ynet"},
        "regrid": {"method": "bilinear"},  # the study's
    },
}  # fmt: skip
# The grid keys that place the domain: a config that sets one has its own CDS areas.
BOX_KEYS = {"lat_min", "lat_max", "lon_min", "lon_max"}
# What a study cannot do without: (key, what it needs, whether a value meets it).
REQUIRED: dict[str, list[tuple[str, str, Any]]] = {
    "trsr": [
        ("training.model", "unet_gan", lambda v: v == "unet_gan"),
        ("input_grid", "null (the models go straight onto the target grid)", lambda v: v is None),
    ],
    "cmip6dl": [
        ("training.model", "ynet", lambda v: v == "ynet"),
        ("input_grid", "a grid (the models' coarse grid)", lambda v: v is not None),
    ],
}


def _fill(config: MutableMapping[str, Any], defaults: Mapping[str, Any]) -> None:
    """Set every key of `defaults` that `config` lacks, through nested mappings."""
    for key, value in defaults.items():
        if key not in config:
            config[key] = copy.deepcopy(value)
        elif isinstance(value, Mapping) and isinstance(config[key], MutableMapping):
            _fill(config[key], value)


def _get(config: Mapping[str, Any], key: str) -> Any:
    node: Any = config
    for part in key.split("."):
        node = node[part]
    return node


def derive_study_keys(
    config: MutableMapping[str, Any],
    schema: Mapping[str, Any],
    files: Sequence[str | PathLike] = (),
) -> None:
    """Fill in, in place, the keys that follow from the config's study (`STUDY_DEFAULTS`).

    A key a config file sets keeps its value, unless the study cannot work with it (`REQUIRED`:
    the network, and whether the models have a grid of their own): then ConfigError names the
    key, the file that set it and what the study needs. An unknown study is left to
    `check_config`. `schema` gives the study's default; `files` are as for `check_config`.
    """
    study = config.get("study", schema["properties"]["study"]["default"])
    if study not in STUDY_DEFAULTS:
        return
    for key, needs, meets in REQUIRED[study]:
        parts = key.split(".")
        try:
            value = _get(config, key)
        except (KeyError, TypeError):
            continue
        if not meets(value):
            origin = _origin(parts, files)
            where = f" (set in {origin})" if origin else ""
            raise ConfigError(
                f"config key {key}{where}: {value!r} contradicts the study: study {study} needs "
                f"{key}: {needs} (leave the key out, it follows from the study)"
            )
    if BOX_KEYS & set(config.get("grid") or {}):
        # the study's CDS areas are its grid's: a config's own grid brings its own
        _fill(config, {"grid": STUDY_DEFAULTS[study]["grid"]})
        cmip6_area, era5land_area = cds_areas(config["grid"])
        areas = {"cmip6": {"area": cmip6_area}, "era5land": {"area": era5land_area}}
        _fill(config, {"sources": areas})
    _fill(config, STUDY_DEFAULTS[study])


def cds_areas(grid: Mapping[str, float]) -> tuple[list[float], list[float]]:
    """The CDS areas (N, W, S, E degrees) that follow from a target grid, as each study's are
    derived from its own: CMIP6's, the grid's box rounded outward to whole degrees (each model's
    request is widened further by `pad_cells` of its native cells); ERA5-Land's, the grid's
    first and last cell centres, so the CDS's points are the grid's. Longitudes past 180 are
    written west of 0, as the CDS's areas are; a grid crossing the prime meridian is given with
    a negative `lon_min`, one crossing the antimeridian keeps its east past 180."""
    north, south = grid["lat_max"], grid["lat_min"]
    west, east = grid["lon_min"], grid["lon_max"]
    if west > 180:
        west, east = west - 360, east - 360
    cmip6 = [math.ceil(north), math.floor(west), math.floor(south), math.ceil(east)]
    return cmip6, [north, west, south, east]


def resolve_config(
    files: Sequence[str | PathLike], config_dir: str | PathLike, overrides: Mapping | None = None
) -> dict[str, Any]:
    """The config as the Snakefile builds it from `files` (its `--configfile`s; none: the demo)
    and `overrides` (its `--config`): laid over one another, the study's keys derived, checked,
    the schema's defaults filled in. For the tests and tools; the Snakefile does the same."""
    from snakemake.common.configfile import load_configfile
    from snakemake.utils import update_config, validate

    schema_path = Path(config_dir) / "schema.yaml"
    files = config_files(files, config_dir)
    config: dict[str, Any] = {}
    for path in files:
        update_config(config, load_configfile(str(path)))
    update_config(config, dict(overrides or {}))
    schema = load_configfile(str(schema_path))
    derive_study_keys(config, schema, files)
    check_config(config, schema, files)
    validate(config, str(schema_path))
    normalise_models(config)
    return config


def config_files(
    configfiles: Sequence[str | PathLike], config_dir: str | PathLike
) -> list[str | PathLike]:
    """The config files laid over the defaults: the `--configfile`s, or the demo without any."""
    return list(configfiles) or [Path(config_dir) / "demo.yaml"]


def normalise_models(config: MutableMapping[str, Any]) -> None:
    """Make `models` the list of model names every rule and script reads, in place.

    A config whose `models` are all catalog names is left exactly as it is (so no job's params
    and no config hash change). One with a mapping among them keeps the entries as given under
    `model_specs` (what `smdown.catalog.model_entries` hands to the code that finds, requests
    or mimics files). Call it after the check; calling it again changes nothing.
    """
    entries = config.get("models", [])
    if all(isinstance(entry, str) for entry in entries):
        return
    config["model_specs"] = copy.deepcopy(list(entries))
    config["models"] = [model_name(entry) for entry in entries]


# Why a fine-tuning job without stations trains without the in-situ term (its log says so).
NO_STATIONS = (
    "the in-situ loss is off: no stations are configured (sources.ismn.networks is empty and "
    "sources.cma.provider is none), so training.loss_weights.a3 is taken as 0"
)
# What a run without stations leaves out (the rules that read the station table).
STATION_OUTPUTS = (
    "the station table and its QC part (rule station_table)",
    "the in-situ grids S and P and their skill (insitu_grids, insitu_skill)",
    "the references against stations, Table S1 and Fig. 5 (reference_metrics, "
    "figure_reference_boxplots)",
)


def station_sources(config: Mapping[str, Any]) -> list[str]:
    """The station sources a UNet-GAN run reads: "ismn" when it names networks, "cma" unless
    its provider is none (none for the CMIP6DL study, which uses no stations)."""
    if config["study"] != "trsr":
        return []
    src = config["sources"]
    return [
        name
        for name, used in (
            ("ismn", bool(src["ismn"]["networks"])),
            ("cma", src["cma"]["provider"] != "none"),
        )
        if used
    ]


def station_notes(config: Mapping[str, Any]) -> list[str]:
    """What a UNet-GAN run does without some station source, one line each, for the start of
    the run: the station table from the other source alone, or without any station the
    in-situ loss off and the station-based outputs left out."""
    if config["study"] != "trsr":
        return []
    sources = station_sources(config)
    if sources == ["ismn", "cma"]:
        return []
    if sources == ["ismn"]:
        return [
            "stations: sources.cma.provider is none; the station table is built from ISMN alone"
        ]
    if sources == ["cma"]:
        return [
            "stations: sources.ismn.networks is empty; the station table is built from CMA alone"
        ]
    return [
        f"stations: {NO_STATIONS}",
        *(f"stations: left out: {what}" for what in STATION_OUTPUTS),
    ]
