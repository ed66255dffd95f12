"""The bias-corrected baseline: the ensemble mean quantile-mapped onto AMSMQTP per layer and
calendar month, one map per cross-validation fold (trained on that fold's training months).

Cells are handled as a flat vector of the region's cells, so the maps hold nothing outside it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from smdown.product.quantile_mapping import QuantileMap, fit_quantile_map

FoldMaps = Sequence[Sequence[QuantileMap]]  # [fold][layer]


def calendar_months(times: np.ndarray) -> np.ndarray:
    """Calendar month 1..12 of each datetime64 time step."""
    return times.astype("datetime64[M]").astype(int) % 12 + 1


def fit_fold_maps(
    mean: np.ndarray,
    target: np.ndarray,
    months: np.ndarray,
    owner: np.ndarray,
    nquantiles: int = 20,
    kind: str = "+",
) -> list[list[QuantileMap]]:
    """One map per (fold, layer): ensemble mean (time, cell) onto target (time, layer, cell),
    fitted on the months whose test fold (`owner`) is not that fold."""
    maps = []
    for fold in range(int(owner.max()) + 1):
        train = owner != fold
        maps.append(
            [
                fit_quantile_map(target[train, layer], mean[train], months[train], nquantiles, kind)
                for layer in range(target.shape[1])
            ]
        )
    return maps


def apply_fold_maps(maps: FoldMaps, mean: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Every fold's correction of the ensemble mean (time, cell): (fold, time, layer, cell)."""
    return np.stack(
        [np.stack([layer.apply(mean, months) for layer in fold], axis=1) for fold in maps]
    )


def out_of_fold_corrected(
    maps: FoldMaps, mean: np.ndarray, months: np.ndarray, owner: np.ndarray
) -> np.ndarray:
    """Each month corrected by the map of the fold that held it out: (time, layer, cell)."""
    out = np.empty((mean.shape[0], len(maps[0]), mean.shape[1]), dtype=np.float32)
    for fold, layers in enumerate(maps):
        rows = owner == fold
        for layer, qmap in enumerate(layers):
            out[rows, layer] = qmap.apply(mean[rows], months[rows])
    return out
