"""The fine-tuning folds' test metrics side by side with the ensemble mean's, and pooled.

Every fold scores the same region cells (NaN inside is refused), so pooling over folds weights
each fold by its number of test months: RMSE from the weighted mean square, MAE and bias from
weighted means. Pearson R does not pool from per-fold values and is left out of the pooled rows.
The `guard` column says whether each fold passed the collapse guard (the pooled rows: all).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

PREDICTORS = ("generator", "ensemble_mean")
METRICS = ("rmse", "mae", "bias", "r")


def read_metrics(paths: Iterable[str | PathLike]) -> list[dict]:
    """The test-metrics JSON files written by the finetune jobs."""
    return [json.loads(Path(path).read_text()) for path in paths]


def _rows(fold: dict) -> list[dict]:
    test = fold["test"]
    layers = [("all", "overall", None)] + [
        (str(k + 1), "layers", k) for k in range(len(test[PREDICTORS[0]]["layers"]))
    ]
    rows = []
    for layer, part, index in layers:
        row = {
            "fold": str(fold["fold"]),
            "layer": layer,
            "months": len(fold["test_months"]),
            "guard": _verdict(fold.get("guard")),
        }
        for who in PREDICTORS:
            scores = test[who][part] if index is None else test[who][part][index]
            row.update({f"{m}_{who}": float(scores[m]) for m in METRICS})
        rows.append(row)
    return rows


def _verdict(guard: dict | None) -> str:
    """A fold's collapse-guard verdict for the table: passed, or FAILED with the reasons."""
    if guard is None or guard["passed"]:
        return "passed"
    return "FAILED: " + "; ".join(guard["problems"])


def _pooled(group: pd.DataFrame) -> pd.Series:
    weights = group["months"] / group["months"].sum()
    failed = sorted(
        fold
        for fold, verdict in zip(group["fold"], group["guard"], strict=True)
        if verdict != "passed"
    )
    out = {
        "months": group["months"].sum(),
        "guard": f"FAILED in folds {', '.join(failed)}" if failed else "passed",
    }
    for who in PREDICTORS:
        out[f"rmse_{who}"] = np.sqrt((weights * group[f"rmse_{who}"] ** 2).sum())
        out[f"mae_{who}"] = (weights * group[f"mae_{who}"]).sum()
        out[f"bias_{who}"] = (weights * group[f"bias_{who}"]).sum()
        out[f"r_{who}"] = np.nan
    return pd.Series(out)


def fold_table(metrics: Sequence[dict]) -> pd.DataFrame:
    """One row per (fold, layer) plus pooled rows with fold "all"; layer "all" is every layer."""
    folds = pd.DataFrame([row for fold in metrics for row in _rows(fold)])
    pooled = (
        folds.groupby("layer", sort=False)[folds.columns.drop("layer")].apply(_pooled).reset_index()
    )
    pooled.insert(0, "fold", "all")
    table = pd.concat([folds, pooled], ignore_index=True)
    table["months"] = table["months"].astype(int)
    return table
