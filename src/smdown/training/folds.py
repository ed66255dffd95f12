"""The training years and folds: which months train, validate and test.

Pretraining uses fixed year ranges (paper: train 1950-1999, validate 2000-2007, test
2008-2014). Fine-tuning uses k folds over 2000-2014: blocked by year by default, so a test
fold never holds the neighbouring months of a training month; the authors' shuffled single
months stay available as `scheme="shuffled_months"`. Early stopping validates on an inner split
of the training folds, never on the test fold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from smdown.sources.calendar import month_range

SCHEMES = ("year_blocked", "shuffled_months")


def fold_indices(times: np.ndarray, n_folds: int, scheme: str, seed: int) -> list[np.ndarray]:
    """Test indices of each fold: whole years in contiguous blocks, or shuffled single months."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown fold scheme {scheme!r}; allowed: {', '.join(SCHEMES)}")
    if scheme == "shuffled_months":
        order = np.random.default_rng(seed).permutation(times.size)
        return [np.sort(part) for part in np.array_split(order, n_folds)]
    years = times.astype("datetime64[Y]").astype(int) + 1970
    unique = np.unique(years)
    if unique.size < n_folds:
        raise ValueError(f"{unique.size} years cannot make {n_folds} year-blocked folds")
    return [np.flatnonzero(np.isin(years, block)) for block in np.array_split(unique, n_folds)]


def fold_test_months(
    years: Sequence[int], n_folds: int, scheme: str, seed: int, fold: int
) -> np.ndarray:
    """The month starts that fine-tuning fold `fold` tests on (of every month of `years`).

    The same split as `fold_indices` on the prepared files' months, which hold every month of
    the fine-tuning years; the fold-aware in-situ grids leave these months out.
    """
    times = month_range(*years)
    tests = fold_indices(times, n_folds, scheme, seed)
    if not 0 <= fold < len(tests):
        raise ValueError(f"fold {fold} does not exist: folds 0..{len(tests) - 1}")
    return times[tests[fold]].astype("datetime64[M]")


def inner_split(
    train: np.ndarray, times: np.ndarray, val_fraction: float, scheme: str, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Split a fold's training indices into (fit, validate) for early stopping.

    Year-blocked folds validate on their last whole years; shuffled folds on random months.
    """
    n_val = max(1, round(val_fraction * train.size))
    if scheme == "shuffled_months":
        order = np.random.default_rng([seed, 1]).permutation(train)
        return np.sort(order[n_val:]), np.sort(order[:n_val])
    years = times[train].astype("datetime64[Y]").astype(int) + 1970
    unique = np.unique(years)
    n_years = max(1, round(val_fraction * unique.size))
    val_years = unique[-n_years:]
    is_val = np.isin(years, val_years)
    return train[~is_val], train[is_val]
