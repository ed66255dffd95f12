"""Training sets from the prepared files: the 17-model input stack, targets, masks and splits.

Pretraining uses fixed year ranges (paper: train 1950-1999, validate 2000-2007, test
2008-2014). Fine-tuning uses k folds over 2000-2014: blocked by year by default, so a test
fold never holds the neighbouring months of a training month; the authors' shuffled single
months stay available as `scheme="shuffled_months"`. Early stopping validates on an inner split
of the training folds, never on the test fold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from os import PathLike

import numpy as np
import xarray as xr

from smdown.errors import InputError

SCHEMES = ("year_blocked", "shuffled_months")


def stack_models(paths: Mapping[str, str | PathLike], models: Sequence[str]) -> xr.DataArray:
    """Prepared CMIP6 files of one experiment as `x(time, model, lat, lon)` in `models` order.

    All files must share the time axis; NaN (outside any model's valid cells) becomes 0 so the
    network sees a finite input everywhere (losses only look inside the region mask).
    """
    parts = []
    for model in models:
        with xr.open_dataset(paths[model]) as ds:
            parts.append(ds["mrsos"].load().expand_dims(model=[model]))
    times = parts[0].time.values
    for model, part in zip(models, parts, strict=True):
        if not np.array_equal(part.time.values, times):
            raise InputError(paths[model], "time axis differs from the other models'",
                             f"the months of {paths[models[0]]}")
    return xr.concat(parts, dim="model").transpose("time", "model", "lat", "lon").fillna(0.0)


def year_indices(times: np.ndarray, first: int, last: int) -> np.ndarray:
    """Indices of the months whose year lies in [first, last]."""
    years = times.astype("datetime64[Y]").astype(int) + 1970
    return np.flatnonzero((years >= first) & (years <= last))


def fold_indices(times: np.ndarray, n_folds: int, scheme: str, seed: int
                 ) -> list[np.ndarray]:
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


def inner_split(train: np.ndarray, times: np.ndarray, val_fraction: float, scheme: str,
                seed: int) -> tuple[np.ndarray, np.ndarray]:
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
