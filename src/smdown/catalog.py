"""The studies' fixed facts: the CMIP6 models, their native grids, and the experiments.

`MODELS` holds the 17 models of the TRSR study's Table 1 (`TRSR_MODELS`) and 8 more that the
CMIP6DL study's list needs (`CMIP6DL_MODELS`); both lists are in their networks' channel order.
Native grid sizes and calendars follow the models' published CMIP6 output; the synthetic demo
writes files on exactly these grids so the preparation code meets what the real files hold.

A config's `models` entry is a catalog name or a mapping (`{name, institution, member,
grid_label, calendar, native_grid}`) that overrides a catalog model's fields or describes a model
outside the catalog; `model_spec` and `model_specs` turn entries into `Model`s, and everything
that finds, requests or mimics a model's files takes them from there, not from `MODELS`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class NativeGrid:
    """A model's rectilinear lat-lon grid, described the way its CMOR files lay it out."""

    nlon: int
    nlat: int
    lat_kind: str  # "gaussian" | "regular_poles" (FV, centres on the poles) | "regular_offset"
    lon0: float = 0.0  # first longitude centre

    @property
    def dlon(self) -> float:
        return 360.0 / self.nlon


@dataclass(frozen=True)
class Model:
    """One CMIP6 model with what is needed to find, read and mimic its files."""

    name: str
    institution: str
    member: str
    calendar: str | None  # None: a model outside the catalog, read from its files
    grid: NativeGrid | None  # None: as calendar
    grid_label: str = "gn"

    @property
    def cds_id(self) -> str:
        """Identifier the CDS `projections-cmip6` form uses (lower case, underscores)."""
        return self.name.lower().replace("-", "_")


_N96 = NativeGrid(192, 144, "regular_offset", lon0=0.9375)
_FV09 = NativeGrid(288, 192, "regular_poles")
_N128 = NativeGrid(512, 256, "gaussian")  # EC-Earth3's T255 output on the regular N128 grid

MODELS: dict[str, Model] = {
    m.name: m
    for m in [
        Model("ACCESS-CM2", "CSIRO-ARCCSS", "r1i1p1f1", "proleptic_gregorian", _N96),
        Model("BCC-CSM2-MR", "BCC", "r1i1p1f1", "365_day", NativeGrid(320, 160, "gaussian")),
        Model("CanESM5-CanOE", "CCCma", "r1i1p2f1", "365_day", NativeGrid(128, 64, "gaussian")),
        Model("CESM2", "NCAR", "r1i1p1f1", "noleap", _FV09),
        Model("CMCC-CM2-SR5", "CMCC", "r1i1p1f1", "365_day", _FV09),
        Model(
            "CNRM-CM6-1-HR",
            "CNRM-CERFACS",
            "r1i1p1f2",
            "gregorian",
            NativeGrid(720, 360, "gaussian"),
        ),
        Model(
            "CNRM-ESM2-1", "CNRM-CERFACS", "r1i1p1f2", "gregorian", NativeGrid(256, 128, "gaussian")
        ),
        Model(
            "EC-Earth3-Veg-LR",
            "EC-Earth-Consortium",
            "r1i1p1f1",
            "proleptic_gregorian",
            NativeGrid(320, 160, "gaussian"),
        ),
        Model("KACE-1-0-G", "NIMS-KMA", "r1i1p1f1", "360_day", _N96),
        Model("MIROC6", "MIROC", "r1i1p1f1", "gregorian", NativeGrid(256, 128, "gaussian")),
        Model("MIROC-ES2L", "MIROC", "r1i1p1f2", "gregorian", NativeGrid(128, 64, "gaussian")),
        Model(
            "MPI-ESM1-2-LR",
            "MPI-M",
            "r1i1p1f1",
            "proleptic_gregorian",
            NativeGrid(192, 96, "gaussian"),
        ),
        Model(
            "MRI-ESM2-0", "MRI", "r1i1p1f1", "proleptic_gregorian", NativeGrid(320, 160, "gaussian")
        ),
        Model("NorESM2-LM", "NCC", "r1i1p1f1", "noleap", NativeGrid(144, 96, "regular_poles")),
        Model("NorESM2-MM", "NCC", "r1i1p1f1", "noleap", _FV09),
        Model("TaiESM1", "AS-RCEC", "r1i1p1f1", "noleap", _FV09),
        Model("UKESM1-0-LL", "MOHC", "r1i1p1f2", "360_day", _N96),
        # The CMIP6DL study's models beyond the 17, appended so the models above keep their
        # position (the synthetic demo seeds each model by it).
        Model("CanESM5", "CCCma", "r1i1p1f1", "365_day", NativeGrid(128, 64, "gaussian")),
        Model(
            "EC-Earth3",
            "EC-Earth-Consortium",
            "r1i1p1f1",
            "proleptic_gregorian",
            _N128,
            grid_label="gr",
        ),
        Model(
            "EC-Earth3-Veg",
            "EC-Earth-Consortium",
            "r1i1p1f1",
            "proleptic_gregorian",
            _N128,
            grid_label="gr",
        ),
        # FGOALS-g3's 80 rows (its GAMIL atmosphere's grid) are not known here to be exactly
        # Gaussian; 80 Gaussian rows, about 2.25 degrees apart, stand in for them.
        Model("FGOALS-g3", "CAS", "r1i1p1f1", "365_day", NativeGrid(180, 80, "gaussian")),
        Model(
            "GFDL-ESM4",
            "NOAA-GFDL",
            "r1i1p1f1",
            "noleap",
            NativeGrid(288, 180, "regular_offset", lon0=0.625),
            grid_label="gr1",
        ),
        Model(
            "INM-CM5-0",
            "INM",
            "r1i1p1f1",
            "365_day",
            NativeGrid(180, 120, "regular_offset"),
            grid_label="gr1",
        ),
        Model(
            "IPSL-CM6A-LR",
            "IPSL",
            "r1i1p1f1",
            "gregorian",
            NativeGrid(144, 143, "regular_poles"),
            grid_label="gr",
        ),
        # CMIP runs are published under MPI-M, its ScenarioMIP runs under DKRZ.
        Model(
            "MPI-ESM1-2-HR",
            "MPI-M",
            "r1i1p1f1",
            "proleptic_gregorian",
            NativeGrid(384, 192, "gaussian"),
        ),
    ]
}

# The TRSR study's 17 models (its Table 1), in the order of the network's input channels.
TRSR_MODELS: tuple[str, ...] = (
    "ACCESS-CM2", "BCC-CSM2-MR", "CanESM5-CanOE", "CESM2", "CMCC-CM2-SR5", "CNRM-CM6-1-HR",
    "CNRM-ESM2-1", "EC-Earth3-Veg-LR", "KACE-1-0-G", "MIROC6", "MIROC-ES2L", "MPI-ESM1-2-LR",
    "MRI-ESM2-0", "NorESM2-LM", "NorESM2-MM", "TaiESM1", "UKESM1-0-LL",
)  # fmt: skip
# The CMIP6DL study's 25 models, in the order of its input channels. The paper's Table 1 is an
# image that cannot be read here, so this list is ours: models that provide mrsos for historical
# and all four SSPs. Check it against the published table before quoting results as the paper's.
CMIP6DL_MODELS: tuple[str, ...] = (
    "ACCESS-CM2", "BCC-CSM2-MR", "CanESM5", "CanESM5-CanOE", "CESM2", "CMCC-CM2-SR5",
    "CNRM-CM6-1-HR", "CNRM-ESM2-1", "EC-Earth3", "EC-Earth3-Veg", "EC-Earth3-Veg-LR",
    "FGOALS-g3", "GFDL-ESM4", "INM-CM5-0", "IPSL-CM6A-LR", "KACE-1-0-G", "MIROC6", "MIROC-ES2L",
    "MPI-ESM1-2-HR", "MPI-ESM1-2-LR", "MRI-ESM2-0", "NorESM2-LM", "NorESM2-MM", "TaiESM1",
    "UKESM1-0-LL",
)  # fmt: skip


@dataclass(frozen=True)
class Experiment:
    """A CMIP6 experiment with the years the study uses and the CDS spelling of its id."""

    name: str
    cds_id: str
    first_year: int
    last_year: int
    activity: str


EXPERIMENTS: dict[str, Experiment] = {
    e.name: e
    for e in [
        Experiment("historical", "historical", 1950, 2014, "CMIP"),
        Experiment("ssp126", "ssp1_2_6", 2015, 2100, "ScenarioMIP"),
        Experiment("ssp245", "ssp2_4_5", 2015, 2100, "ScenarioMIP"),
        Experiment("ssp370", "ssp3_7_0", 2015, 2100, "ScenarioMIP"),
        Experiment("ssp585", "ssp5_8_5", 2015, 2100, "ScenarioMIP"),
    ]
}

# Soil layers of the two targets, as depth bounds in metres.
AMSMQTP_LAYERS: tuple[tuple[float, float], ...] = (
    (0.0, 0.1),
    (0.1, 0.3),
    (0.3, 0.5),
    (0.5, 0.8),
    (0.8, 1.1),
)
ERA5LAND_LAYERS: tuple[tuple[float, float], ...] = ((0.0, 0.07), (0.07, 0.28), (0.28, 1.0))

# mrsos is the water in the upper 10 cm: kg m-2 / (1000 kg m-3 * 0.1 m) = m3 m-3.
MRSOS_DEPTH_M = 0.1
WATER_DENSITY = 1000.0


def cmor_filename(model: Model, experiment: str, first: str, last: str) -> str:
    """CMOR file name for an `mrsos` chunk; `first`/`last` are YYYYMM."""
    return (
        f"mrsos_Lmon_{model.name}_{experiment}_{model.member}_{model.grid_label}_{first}-{last}.nc"
    )


SOURCE_ID = re.compile(r"[A-Za-z0-9-]+")
MEMBER = re.compile(r"r\d+i\d+p\d+f\d+")
ModelEntry = str | Mapping | Model


def model_spec(entry: ModelEntry) -> Model:
    """The `Model` of one config `models` entry: a catalog name, a mapping or a `Model`.

    A mapping whose name is in the catalog overrides the catalog's fields; one outside it needs
    `institution` and `member` (grid label gn unless given; calendar and native grid None unless
    given: real files say them). Raises ValueError (KeyError for an unknown name) naming the field;
    `smdown.configuration.check_config` reports the same with the config key and file.
    """
    if isinstance(entry, Model):
        return entry
    if isinstance(entry, str):
        if entry not in MODELS:
            raise KeyError(f"{entry!r} is not in the catalog: give it as a mapping")
        return MODELS[entry]
    name = entry["name"]
    if not SOURCE_ID.fullmatch(str(name)):
        raise ValueError(f"name {name!r} is not a CMIP6 source_id (letters, digits, '-')")
    if "member" in entry and not MEMBER.fullmatch(str(entry["member"])):
        raise ValueError(f"member {entry['member']!r} is not a variant label rNiNpNfN")
    given = {k: v for k, v in entry.items() if k in {f.name for f in fields(Model)}}
    if "native_grid" in entry:
        given["grid"] = NativeGrid(**entry["native_grid"])
    if name in MODELS:
        return replace(MODELS[name], **given)
    missing = [key for key in ("institution", "member") if key not in entry]
    if missing:
        raise ValueError(f"{missing[0]} missing (model {name} is not in the catalog)")
    return Model(**{"calendar": None, "grid": None, **given})


def model_specs(entries: Sequence[ModelEntry]) -> dict[str, Model]:
    """The `Model`s of a config's `models` entries by name, in order; a name twice is refused."""
    specs: dict[str, Model] = {}
    for entry in entries:
        model = model_spec(entry)
        if model.name in specs:
            raise ValueError(f"model {model.name} is listed twice")
        specs[model.name] = model
    return specs


def model_name(entry: ModelEntry) -> str:
    """The name of a `models` entry, without resolving it."""
    if isinstance(entry, str):
        return entry
    return entry.name if isinstance(entry, Model) else str(entry["name"])


def model_entries(config: Mapping[str, Any]) -> list[Any]:
    """A resolved config's `models` entries as given (names or mappings): its `model_specs`
    where `smdown.configuration.normalise_models` kept mappings, else its names."""
    return list(config.get("model_specs", config["models"]))
