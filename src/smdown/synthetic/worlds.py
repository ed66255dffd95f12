"""Synthetic worlds unlike the demo's, to check that a training recipe generalises.

A recipe tuned on one world can fail on another: the demo's first recipe collapsed to a constant
field on a world written independently of the project. Each `WorldSpec` is a config overlay (the
`models` and `synthetic` sections) that changes what a new basin, model set or reference would
change: the number of models (3 to 25) and with them their native grids (regular, offset,
Gaussian) and calendars (360_day, noleap, 365_day, gregorian, proleptic_gregorian), the truth's
value range and seasonal amplitude, the strength, sign and pattern of its trends, and the models'
biases and noise. `benchmarks/worlds.py` runs the workflow on every one of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from smdown.catalog import MODELS


@dataclass(frozen=True)
class WorldSpec:
    """One varied world: the seed of its truth and sources, its CMIP6 models, and the
    `TruthWorld` fields (`synthetic.world` keys) that differ from the demo's."""

    seed: int
    models: tuple[str, ...]
    world: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""

    def overlay(self) -> dict[str, Any]:
        """The config sections that put the workflow on this world."""
        world = {k: list(v) if isinstance(v, tuple) else v for k, v in self.world.items()}
        return {"models": list(self.models), "synthetic": {"seed": self.seed, "world": world}}


VARIED_WORLDS: dict[str, WorldSpec] = {
    "dry_three_models": WorldSpec(
        101,
        ("UKESM1-0-LL", "CESM2", "MIROC-ES2L"),
        {
            "mean_moisture": 0.12,
            "pattern_amplitude": 0.06,
            "seasonal_amplitude": 0.03,
            "trend_scale": 0.5,
        },
        "a dry basin (0.06-0.18 m3 m-3), weak trends, 3 models (360_day, noleap, gregorian)",
    ),
    "wet_all_models": WorldSpec(
        102,
        tuple(sorted(MODELS, key=str.lower)),  # every catalog model, alphabetically
        {"mean_moisture": 0.38, "pattern_amplitude": 0.12, "seasonal_amplitude": 0.09},
        "a wet basin (0.26-0.50 m3 m-3), all 25 catalog models",
    ),
    "dipole_trends_close_models": WorldSpec(
        103,
        (
            "CanESM5-CanOE",
            "MIROC-ES2L",
            "MPI-ESM1-2-LR",
            "NorESM2-LM",
            "UKESM1-0-LL",
            "KACE-1-0-G",
            "IPSL-CM6A-LR",
        ),
        {
            "trend_scale": 3.0,
            "trend_pattern": "dipole",
            "model_scale": (0.9, 1.1),
            "model_bias": (-0.015, 0.015),
            "model_noise": (0.003, 0.01),
            "pattern_amplitude": 0.08,
            "seasonal_amplitude": 0.05,
        },
        "trends of both signs up to 1.8e-3 m3 m-3 per year, 7 coarse models close to the truth",
    ),
    "drying_biased_noisy": WorldSpec(
        104,
        (
            "ACCESS-CM2",
            "BCC-CSM2-MR",
            "CNRM-ESM2-1",
            "EC-Earth3",
            "GFDL-ESM4",
            "INM-CM5-0",
            "MRI-ESM2-0",
            "TaiESM1",
            "FGOALS-g3",
            "CMCC-CM2-SR5",
        ),
        {
            "trend_scale": -2.0,
            "model_scale": (0.5, 1.5),
            "model_bias": (-0.12, 0.12),
            "model_noise": (0.03, 0.06),
        },
        "a drying basin, 10 models with biases up to 0.12 and noise up to 0.06 m3 m-3",
    ),
    "flat_weak_signal": WorldSpec(
        105,
        ("CESM2", "NorESM2-MM", "TaiESM1", "GFDL-ESM4", "IPSL-CM6A-LR"),
        {
            "pattern_amplitude": 0.03,
            "seasonal_amplitude": 0.015,
            "noise_amplitude": 0.004,
            "model_noise": (0.005, 0.015),
        },
        "a nearly uniform basin with a weak seasonal cycle, 5 models",
    ),
    "strong_season_deep": WorldSpec(
        106,
        (
            "ACCESS-CM2",
            "CanESM5",
            "CNRM-CM6-1-HR",
            "EC-Earth3-Veg-LR",
            "KACE-1-0-G",
            "MIROC6",
            "MPI-ESM1-2-HR",
            "MRI-ESM2-0",
            "NorESM2-LM",
            "UKESM1-0-LL",
            "CESM2",
            "FGOALS-g3",
        ),
        {
            "mean_moisture": 0.3,
            "seasonal_amplitude": 0.12,
            "damping_depth_m": 1.5,
            "trend_scale": 1.5,
            "noise_amplitude": 0.02,
        },
        "a strong seasonal cycle reaching deep, 12 models",
    ),
}
