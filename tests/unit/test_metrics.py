"""Metrics against hand-made values and scikit-learn where it has them."""

from __future__ import annotations

import numpy as np
import pytest

from smdown.stats.metrics import bias, mae, mape, pearson_r, r2, rmse, scores, ubrmsd


def test_known_values():
    y = np.array([0.1, 0.2, 0.3, 0.4])
    yhat = np.array([0.2, 0.2, 0.1, 0.5])
    assert mae(y, yhat) == pytest.approx(0.1)
    assert rmse(y, yhat) == pytest.approx(np.sqrt((0.01 + 0 + 0.04 + 0.01) / 4))
    assert mape(y, yhat) == pytest.approx((1.0 + 0 + 2 / 3 + 0.25) / 4)
    assert bias(y, yhat) == pytest.approx(0.0)
    assert ubrmsd(y + 0.05, y) == pytest.approx(0.0, abs=1e-15)
    assert pearson_r(y, 2 * y + 1) == pytest.approx(1.0)


def test_nan_pairs_are_ignored_and_short_series_give_nan():
    y = np.array([0.1, np.nan, 0.3, 0.5])
    yhat = np.array([0.1, 0.2, np.nan, 0.4])
    assert mae(y, yhat) == pytest.approx(0.05)
    assert np.isnan(pearson_r(y, yhat))  # two pairs only
    assert np.isnan(rmse([np.nan], [1.0]))


def test_agrees_with_sklearn():
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    y = rng.uniform(0.05, 0.4, 200)
    yhat = y + rng.normal(0, 0.03, 200)
    assert mae(y, yhat) == pytest.approx(sk.mean_absolute_error(y, yhat), rel=1e-12)
    assert rmse(y, yhat) == pytest.approx(np.sqrt(sk.mean_squared_error(y, yhat)), rel=1e-12)
    assert mape(y, yhat) == pytest.approx(sk.mean_absolute_percentage_error(y, yhat), rel=1e-12)
    assert r2(y, yhat) == pytest.approx(sk.r2_score(y, yhat), rel=1e-12)
    assert set(scores(y, yhat)) == {"MAE", "RMSE", "MAPE", "R"}
