"""The collapse guard: a trained network is used only if it learned more than a constant.

A network can end training as one near-constant field (dead ReLUs: the loss then sits at the
target's variance and nothing moves it) and still be saved as the best epoch. The guard reads
the history of the epoch that was kept and asks two things of it on the validation months: a
masked RMSE below the plain ensemble mean's, and an output whose spatial standard deviation is
at least `min_spatial_std_ratio` of the target's. `action` "error" stops the job; "warn" keeps
the network and records the verdict, which every later table and figure shows.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from smdown.errors import TrainingFailed

log = logging.getLogger(__name__)

GUARD_ACTIONS = ("error", "warn")


@dataclass(frozen=True)
class Guard:
    """What a job's best epoch must show on its validation months, and what a failure does."""

    action: str = "error"
    min_spatial_std_ratio: float = 0.25

    def __post_init__(self) -> None:
        if self.action not in GUARD_ACTIONS:
            raise ValueError(
                f"unknown guard action {self.action!r}; allowed: {', '.join(GUARD_ACTIONS)}"
            )

    @classmethod
    def from_config(cls, training: Mapping[str, Any]) -> Guard:
        """The guard of the config's `training` section (`guard`, `guard_min_spatial_std_ratio`)."""
        return cls(training["guard"], training["guard_min_spatial_std_ratio"])

    def verdict(self, history: pd.DataFrame, best_epoch: int) -> dict[str, Any]:
        """The best epoch's validation scores and what is wrong with them ("problems": [])."""
        row = history.loc[history["epoch"] == best_epoch]
        if row.empty:
            return {
                "passed": False,
                "best_epoch": best_epoch,
                "problems": [f"no epoch of the history is the kept one ({best_epoch})"],
            }
        row = row.iloc[0]
        rmse, baseline = float(row["val_rmse"]), float(row["val_rmse_ensemble_mean"])
        ratio = float(row["val_spatial_std_ratio"])
        problems = []
        if not rmse < baseline:
            problems.append(
                f"validation RMSE {rmse:.4g} is not below the ensemble mean's {baseline:.4g}"
            )
        if not ratio >= self.min_spatial_std_ratio:
            problems.append(
                f"its output's spatial standard deviation is {ratio:.3g} of the "
                f"target's (at least {self.min_spatial_std_ratio:g} expected): a "
                "near-constant field"
            )
        return {
            "passed": not problems,
            "best_epoch": best_epoch,
            "val_rmse": rmse,
            "val_rmse_ensemble_mean": baseline,
            "val_spatial_std_ratio": ratio,
            "problems": problems,
        }

    def enforce(self, verdict: Mapping[str, Any], job: str) -> None:
        """Raise TrainingFailed for a failed verdict when the action is "error", else log it."""
        if verdict["passed"]:
            log.info("guard passed: %s", _numbers(verdict))
            return
        message = (
            f"{job}: the kept network (epoch {verdict['best_epoch']}) failed the "
            f"collapse guard: {'; '.join(verdict['problems'])}"
        )
        if self.action == "error":
            raise TrainingFailed(
                f"{message}. Nothing was saved from it. Standardised inputs "
                "(training.network.input_norm: standardise), a lower learning rate or a "
                "warm-up usually help; training.guard: warn keeps the network, marked in "
                "every table and figure made from it"
            )
        log.warning("%s; kept because training.guard is warn, and marked downstream", message)


def _numbers(verdict: Mapping[str, Any]) -> str:
    return (
        f"validation RMSE {verdict['val_rmse']:.4g} against the ensemble mean's "
        f"{verdict['val_rmse_ensemble_mean']:.4g}, spatial spread "
        f"{verdict['val_spatial_std_ratio']:.3g} of the target's"
    )
