"""Fig. 6: density scatter of predicted against observed (the fine-tuning reference, AMSMQTP in
the paper) soil moisture per layer."""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from smdown.catalog import AMSMQTP_LAYERS
from smdown.plots.output import save_png
from smdown.soil_layers import layer_labels
from smdown.stats.density import binned_density

SCORE_COLUMNS = ("layer", "R2", "R", "RMSE", "n")
UNIT = "m$^3$ m$^{-3}$"
TICK = 0.05  # the common axis range is widened to multiples of this (m3 m-3)


def _grid(count: int) -> tuple[int, int]:
    """Panels in one row for up to three layers, else in rows of three."""
    if count < 1:
        raise ValueError(f"need at least 1 layer, got {count}")
    return (1, count) if count <= 3 else (-(-count // 3), 3)


def _common_range(obs: Sequence, pred: Sequence) -> tuple[float, float]:
    """One axis range covering every finite value of every layer, widened to whole ticks."""
    values = np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in (*obs, *pred)])
    values = values[np.isfinite(values)]
    if not values.size:
        raise ValueError("no finite values to plot")
    lo, hi = np.floor(values.min() / TICK) * TICK, np.ceil(values.max() / TICK) * TICK
    return float(lo), float(hi if hi > lo else lo + TICK)


def _check_scores(scores: pd.DataFrame, count: int) -> None:
    """The scores table needs one row per layer, in panel order, with the printed columns."""
    missing = [c for c in SCORE_COLUMNS if c not in scores.columns]
    if missing or len(scores) != count:
        raise ValueError(
            f"scores need columns {SCORE_COLUMNS} and {count} rows; "
            f"got columns {list(scores.columns)} and {len(scores)} rows"
        )


def _score_text(row: pd.Series) -> str:
    """The corner text: R2, R, RMSE and the number of pairs."""
    return (
        f"R$^2$ = {row['R2']:.3f}\nR = {row['R']:.3f}\n"
        f"RMSE = {row['RMSE']:.3f} {UNIT}\nn = {int(row['n']):,}"
    )


def _panel(
    ax: Axes,
    counts: np.ndarray,
    edges: np.ndarray,
    norm: LogNorm,
    row: pd.Series,
    label: str,
    reference: str,
) -> QuadMesh:
    """Draw one layer: the density mesh, the red dotted 1:1 line, labels and the scores."""
    mesh = ax.pcolormesh(edges, edges, np.ma.masked_equal(counts, 0), norm=norm, cmap="viridis")
    ax.plot(edges[[0, -1]], edges[[0, -1]], color="red", linestyle=":", linewidth=1.5, label="1:1")
    ax.set(
        xlim=edges[[0, -1]],
        ylim=edges[[0, -1]],
        aspect="equal",
        xlabel=f"{reference} ({UNIT})",
        ylabel=f"Predicted ({UNIT})",
    )
    layer = int(row["layer"])
    ax.set_title(f"L{layer} {label}", fontsize=10)
    ax.text(
        0.04,
        0.96,
        _score_text(row),
        transform=ax.transAxes,
        va="top",
        ha="left",
        fontsize=8,
        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"},
    )
    ax.grid(alpha=0.3)
    return mesh


def draw_layer_scatter(
    obs: Sequence[np.ndarray],
    pred: Sequence[np.ndarray],
    scores: pd.DataFrame,
    title: str,
    bins: int = 100,
    layers: Sequence[Sequence[float]] = AMSMQTP_LAYERS,
    reference: str = "AMSMQTP",
) -> Figure:
    """The Fig. 6 figure: per layer a log-scaled 2-D histogram on equal, common axes.

    `scores` holds one row per layer in the order of `obs`/`pred`, with columns layer (1..L),
    R2, R, RMSE and n, printed in each panel's corner. All panels share one colour scale.
    `layers` (depth bounds, m) label the panels, `reference` names the observed axis.
    """
    if len(obs) != len(pred):
        raise ValueError(f"{len(obs)} observed layers but {len(pred)} predicted")
    nrows, ncols = _grid(len(obs))
    _check_scores(scores, len(obs))
    value_range = _common_range(obs, pred)
    hists = [binned_density(o, p, bins, value_range) for o, p in zip(obs, pred, strict=True)]
    norm = LogNorm(vmin=1, vmax=max(2, max(int(c.max()) for c, _ in hists)))
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(3.6 * ncols + 1, 3.5 * nrows + 0.6),
        constrained_layout=True,
        squeeze=False,
    )
    used = axes.ravel()[: len(obs)]
    labels = layer_labels(layers)
    for ax, (counts, edges), (_, row) in zip(used, hists, scores.iterrows(), strict=True):
        mesh = _panel(ax, counts, edges, norm, row, labels[int(row["layer"]) - 1], reference)
    for ax in axes.ravel()[len(obs) :]:
        ax.set_visible(False)
    fig.colorbar(mesh, ax=list(used), label="samples per bin", shrink=0.9)
    fig.suptitle(title, fontsize=11)
    return fig


def layer_scatter(
    obs: Sequence[np.ndarray],
    pred: Sequence[np.ndarray],
    scores: pd.DataFrame,
    path: str | PathLike,
    title: str,
    bins: int = 100,
    layers: Sequence[Sequence[float]] = AMSMQTP_LAYERS,
    reference: str = "AMSMQTP",
) -> None:
    """Draw Fig. 6 (see `draw_layer_scatter`) and write it to `path` as PNG, atomically."""
    fig = draw_layer_scatter(obs, pred, scores, title, bins, layers, reference)
    save_png(fig, path)
