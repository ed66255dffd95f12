"""The fold-wise quantile-mapped baseline: each fold's maps see only its training months."""

from __future__ import annotations

import numpy as np
import pandas as pd

from smdown.product.baselines import (
    apply_fold_maps,
    calendar_months,
    fit_fold_maps,
    out_of_fold_corrected,
)
from smdown.product.quantile_mapping import fit_quantile_map

TIMES = pd.date_range("2000-01-01", periods=48, freq="MS").values


def _data(seed=0):
    rng = np.random.default_rng(seed)
    mean = rng.random((48, 6)) * 0.3
    target = np.stack([mean * 0.8 + 0.05 * k for k in range(3)], axis=1)  # (time, layer, cell)
    owner = np.repeat([0, 1], 24)  # fold 0 tests 2000-2001, fold 1 tests 2002-2003
    return mean, target, owner


def test_calendar_months():
    assert calendar_months(TIMES)[:14].tolist() == [*range(1, 13), 1, 2]


def test_each_fold_map_is_fitted_on_the_other_folds_months():
    mean, target, owner = _data()
    months = calendar_months(TIMES)
    maps = fit_fold_maps(mean, target, months, owner, nquantiles=5)
    assert len(maps) == 2 and len(maps[0]) == 3
    direct = fit_quantile_map(target[24:, 2], mean[24:], months[24:], 5)  # fold 0 trains on 1
    np.testing.assert_array_equal(maps[0][2].af, direct.af)
    oof = out_of_fold_corrected(maps, mean, months, owner)
    assert oof.shape == (48, 3, 6)
    np.testing.assert_allclose(oof[:24, 2], direct.apply(mean[:24], months[:24]), atol=1e-6)
    every = apply_fold_maps(maps, mean, months)
    assert every.shape == (2, 48, 3, 6)
    np.testing.assert_allclose(every[1, 24:], oof[24:], atol=1e-6)


def test_a_linear_bias_is_mostly_removed():
    mean, target, owner = _data()
    months = calendar_months(TIMES)
    oof = out_of_fold_corrected(fit_fold_maps(mean, target, months, owner), mean, months, owner)
    raw = np.sqrt(np.mean((mean[:, None] - target) ** 2))
    corrected = np.sqrt(np.mean((oof - target) ** 2))
    assert corrected < 0.5 * raw
