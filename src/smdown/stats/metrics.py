"""Evaluation metrics of the paper (eq. 15-18) and the usual companions, NaN-aware.

Every function takes observations `y` and estimates `yhat` of the same shape, ignores pairs
where either is NaN, and returns NaN when too few pairs remain.
"""

from __future__ import annotations

import numpy as np

MAPE_EPS = float(np.finfo(np.float64).eps)  # sklearn's epsilon in eq. 17


def valid_pairs(y, yhat) -> tuple[np.ndarray, np.ndarray]:
    """y and yhat flattened to float64, keeping the pairs where both are finite."""
    y = np.asarray(y, dtype=np.float64).ravel()
    yhat = np.asarray(yhat, dtype=np.float64).ravel()
    if y.shape != yhat.shape:
        raise ValueError(f"shapes differ: {y.shape} vs {yhat.shape}")
    ok = np.isfinite(y) & np.isfinite(yhat)
    return y[ok], yhat[ok]


def mae(y, yhat) -> float:
    """Mean absolute error (eq. 15)."""
    a, b = valid_pairs(y, yhat)
    return float(np.mean(np.abs(a - b))) if a.size else np.nan


def rmse(y, yhat) -> float:
    """Root mean squared error: the usual root of the mean of squares.

    (The paper's eq. 16 as printed averages |y - yhat|, i.e. equals MAE; we use the standard RMSE.)
    """
    a, b = valid_pairs(y, yhat)
    return float(np.sqrt(np.mean((a - b) ** 2))) if a.size else np.nan


def mape(y, yhat) -> float:
    """Mean absolute percentage error as a fraction (eq. 17), with eps guarding y = 0."""
    a, b = valid_pairs(y, yhat)
    return float(np.mean(np.abs(a - b) / np.maximum(MAPE_EPS, np.abs(a)))) if a.size else np.nan


def pearson_r(y, yhat) -> float:
    """Pearson correlation (eq. 18); NaN for fewer than 3 pairs or a constant series."""
    a, b = valid_pairs(y, yhat)
    if a.size < 3 or np.std(a) == 0 or np.std(b) == 0:
        return np.nan
    return float(np.corrcoef(a, b)[0, 1])


def bias(y, yhat) -> float:
    """Mean of estimate minus observation."""
    a, b = valid_pairs(y, yhat)
    return float(np.mean(b - a)) if a.size else np.nan


def ubrmsd(y, yhat) -> float:
    """Unbiased RMSD: the RMSE after removing each series' mean."""
    a, b = valid_pairs(y, yhat)
    if not a.size:
        return np.nan
    return float(np.sqrt(np.mean(((b - b.mean()) - (a - a.mean())) ** 2)))


def r2(y, yhat) -> float:
    """Coefficient of determination 1 - SS_res / SS_tot (sklearn's r2_score)."""
    a, b = valid_pairs(y, yhat)
    if a.size < 2 or np.all(a == a[0]):
        return np.nan
    return float(1.0 - np.sum((a - b) ** 2) / np.sum((a - a.mean()) ** 2))


METRICS = {
    "MAE": mae,
    "RMSE": rmse,
    "MAPE": mape,
    "R": pearson_r,
    "R2": r2,
    "bias": bias,
    "ubRMSD": ubrmsd,
}


def scores(y, yhat, names=("MAE", "RMSE", "MAPE", "R")) -> dict[str, float]:
    """The named metrics of one pair of series."""
    return {n: METRICS[n](y, yhat) for n in names}
