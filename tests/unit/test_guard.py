"""The collapse guard: its verdict on a history, and what error and warn do."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from smdown.errors import TrainingFailed
from smdown.training.guard import Guard


def _history(**best) -> pd.DataFrame:
    """Two epochs; epoch 2 (the kept one in these tests) takes `best`'s scores."""
    rows = [
        {
            "epoch": 1,
            "val_rmse": 0.05,
            "val_rmse_ensemble_mean": 0.02,
            "val_spatial_std_ratio": 0.0,
        },
        {
            "epoch": 2,
            "val_rmse": 0.01,
            "val_rmse_ensemble_mean": 0.02,
            "val_spatial_std_ratio": 0.9,
            **best,
        },
    ]
    return pd.DataFrame(rows)


def test_a_network_that_beats_the_mean_with_spread_passes():
    verdict = Guard().verdict(_history(), best_epoch=2)
    assert verdict["passed"] and verdict["problems"] == []
    assert (verdict["val_rmse"], verdict["val_rmse_ensemble_mean"]) == (0.01, 0.02)
    assert verdict["val_spatial_std_ratio"] == 0.9


@pytest.mark.parametrize(
    ("best", "problem"),
    [
        ({"val_rmse": 0.03}, "validation RMSE 0.03 is not below the ensemble mean's 0.02"),
        ({"val_rmse": 0.02}, "not below"),  # a tie does not beat the mean
        ({"val_spatial_std_ratio": 0.1}, "spatial standard deviation is 0.1 of the target's"),
    ],
)
def test_each_failure_is_named_with_its_numbers(best, problem):
    verdict = Guard().verdict(_history(**best), best_epoch=2)
    assert not verdict["passed"]
    assert len(verdict["problems"]) == 1 and problem in verdict["problems"][0]


def test_the_kept_epoch_is_judged_not_the_last():
    assert not Guard().verdict(_history(), best_epoch=1)["passed"]
    assert not Guard().verdict(_history(), best_epoch=7)["passed"]  # not in the history


def test_the_spread_threshold_is_configurable():
    history = _history(val_spatial_std_ratio=0.2)
    assert not Guard(min_spatial_std_ratio=0.25).verdict(history, 2)["passed"]
    assert Guard(min_spatial_std_ratio=0.1).verdict(history, 2)["passed"]
    assert Guard.from_config({"guard": "warn", "guard_min_spatial_std_ratio": 0.1}) == Guard(
        "warn", 0.1
    )


def test_error_stops_naming_the_job_and_the_numbers():
    verdict = Guard().verdict(_history(val_rmse=0.03, val_spatial_std_ratio=0.01), 2)
    with pytest.raises(TrainingFailed) as failure:
        Guard("error").enforce(verdict, "finetune fold 3")
    message = str(failure.value)
    for part in (
        "finetune fold 3",
        "epoch 2",
        "0.03",
        "0.02",
        "0.01 of the target's",
        "Nothing was saved",
        "training.guard: warn",
    ):
        assert part in message


def test_warn_logs_and_returns(caplog):
    verdict = Guard().verdict(_history(val_rmse=0.03), 2)
    with caplog.at_level(logging.WARNING):
        Guard("warn").enforce(verdict, "pretrain")
    assert "pretrain" in caplog.text and "kept because training.guard is warn" in caplog.text
    Guard("error").enforce(Guard().verdict(_history(), 2), "pretrain")  # a pass never raises


def test_unknown_action_is_refused():
    with pytest.raises(ValueError, match="unknown guard action 'stop'"):
        Guard("stop")
