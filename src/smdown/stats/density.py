"""Binned point density of predicted against observed values, for density scatter plots (Fig. 6)."""

from __future__ import annotations

import numpy as np

from smdown.stats.metrics import valid_pairs


def binned_density(
    obs, pred, bins: int, range: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Count (obs, pred) pairs on a square grid of `bins` x `bins` cells spanning `range` twice.

    Returns `(counts, edges)`: `counts[i, j]` is the number of pairs with `pred` in bin i and
    `obs` in bin j (rows are the y axis, ready for `pcolormesh(edges, edges, counts)`), and
    `edges` the `bins + 1` bin edges shared by both axes. Pairs with a NaN, and pairs outside
    `range`, are not counted.
    """
    lo, hi = range
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi) or bins < 1:
        raise ValueError(f"need bins >= 1 and a finite range lo < hi, got {bins}, {range}")
    o, p = valid_pairs(obs, pred)
    edges = np.linspace(lo, hi, bins + 1)
    counts, _, _ = np.histogram2d(p, o, bins=(edges, edges))
    return counts.astype(np.int64), edges
