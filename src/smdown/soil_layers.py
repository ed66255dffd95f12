"""Soil layers as (top, bottom) depth bounds in metres: their check, the thickness weights of one
set of layers within another, and their labels.

The fine-tuning reference may have any layers (AMSMQTP's five in the paper); everything that
maps depths between datasets goes through `overlap_weights`, so ERA5-Land within the reference,
the synthetic truth within either and the truth within a product are averaged alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Layers = tuple[tuple[float, float], ...]
TOLERANCE_M = 1e-9  # absorbs float noise of bounds parsed from text or converted from cm


def as_layers(bounds: Sequence[Sequence[float]]) -> Layers:
    """`bounds` as a tuple of (top, bottom) float pairs (from config lists or file coordinates)."""
    return tuple((float(top), float(bottom)) for top, bottom in bounds)


def layers_problem(bounds: Sequence[Sequence[float]]) -> str | None:
    """What is wrong with `bounds` as soil layers, or None: at least one [top, bottom] pair,
    top >= 0, top < bottom, each layer starting where the one above ends."""
    try:
        layers = as_layers(bounds)
    except (TypeError, ValueError):
        return f"{bounds!r} is not a list of [top, bottom] pairs"
    if not layers:
        return "no layers"
    if layers[0][0] < -TOLERANCE_M:
        return f"the first layer starts above the surface ({layers[0][0]:g} m)"
    for k, (top, bottom) in enumerate(layers, start=1):
        if not top < bottom:
            return f"layer {k} [{top:g}, {bottom:g}] does not have top < bottom"
        if k > 1 and abs(top - layers[k - 2][1]) > TOLERANCE_M:
            return (
                f"layer {k} starts at {top:g} m but layer {k - 1} ends at {layers[k - 2][1]:g} m "
                "(layers must be contiguous and increasing)"
            )
    return None


def overlap_weights(
    rows: Sequence[Sequence[float]], columns: Sequence[Sequence[float]]
) -> np.ndarray:
    """(len(rows), len(columns)) thickness weights of the `columns` layers within each `rows`
    layer, each row summing to 1.

    Overlaps are normalised over the depth the columns cover: a part of a row layer below the
    deepest column takes the values of the columns it does overlap. A row no column overlaps
    is refused (ValueError), since nothing could stand for it.
    """
    weights = np.array(
        [[max(0.0, min(bottom, b) - max(top, t)) for t, b in columns] for top, bottom in rows]
    )
    covered = weights.sum(axis=1, keepdims=True)
    empty = np.flatnonzero(covered[:, 0] <= 0)
    if empty.size:
        raise ValueError(
            f"layer {layer_label(*rows[empty[0]])} overlaps none of the layers "
            f"{', '.join(layer_labels(columns))}"
        )
    return weights / covered


def average_layers(
    values: np.ndarray,
    source: Sequence[Sequence[float]],
    target: Sequence[Sequence[float]],
    axis: int = 1,
) -> np.ndarray:
    """`values` on the `source` layers (along `axis`) as thickness-weighted means on `target`.

    The same layers come back unchanged (so a comparison on the source's own layers is exact).
    """
    if as_layers(source) == as_layers(target):
        return values
    weights = overlap_weights(target, source).astype(values.dtype, copy=False)
    moved = np.tensordot(weights, np.moveaxis(values, axis, 0), axes=1)
    return np.moveaxis(moved, 0, axis)


def layer_label(top: float, bottom: float) -> str:
    """A layer's depth range in whole centimetres, as the paper writes it: "0-10 cm"."""
    return f"{_cm(top)}-{_cm(bottom)} cm"


def layer_labels(bounds: Sequence[Sequence[float]]) -> list[str]:
    """The label of each layer (`layer_label`)."""
    return [layer_label(top, bottom) for top, bottom in bounds]


def _cm(depth_m: float) -> str:
    """A depth in cm, as a whole number where it is one (0.07 m -> "7", 0.025 m -> "2.5")."""
    cm = round(depth_m * 100, 6)
    return f"{cm:g}"
