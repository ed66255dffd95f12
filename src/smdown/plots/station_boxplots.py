"""Fig. 5: box plots of the reference datasets' metrics against stations, per layer."""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike

import matplotlib.pyplot as plt
import pandas as pd

from smdown.catalog import AMSMQTP_LAYERS
from smdown.plots.output import save_png
from smdown.soil_layers import layer_labels

COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52")
BETTER = {
    "MAE": "lower is better",
    "RMSE": "lower is better",
    "MAPE": "lower is better",
    "R": "higher is better",
}


def reference_boxplots(
    metrics: pd.DataFrame,
    path: str | PathLike,
    title: str,
    layers: Sequence[Sequence[float]] = AMSMQTP_LAYERS,
) -> None:
    """Four panels (MAE, RMSE, MAPE, R); per layer of `layers` (the station layers' depth
    bounds, m) one box per dataset, over its stations."""
    datasets = list(dict.fromkeys(metrics["dataset"]))
    numbers = range(1, len(layers) + 1)
    width = 0.8 / len(datasets)
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), constrained_layout=True)
    for ax, metric in zip(axes.ravel(), BETTER, strict=True):
        for k, name in enumerate(datasets):
            sub = metrics[metrics["dataset"] == name]
            data = [sub.loc[sub["layer"] == layer, metric].dropna().values for layer in numbers]
            positions = [layer + (k - (len(datasets) - 1) / 2) * width for layer in numbers]
            ax.boxplot(
                data,
                positions=positions,
                widths=width * 0.9,
                patch_artist=True,
                boxprops={"facecolor": COLOURS[k % 4], "alpha": 0.7},
                medianprops={"color": "black"},
                flierprops={"markersize": 3},
            )
        ax.set_xticks(numbers, [f"L{i}\n{d}" for i, d in enumerate(layer_labels(layers), 1)])
        unit = "" if metric in ("R", "MAPE") else " (m$^3$ m$^{-3}$)"
        ax.set_ylabel(f"{metric}{unit}")
        ax.set_title(f"{metric} ({BETTER[metric]})", fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    handles = [
        plt.Rectangle((0, 0), 1, 1, color=COLOURS[k % 4], alpha=0.7) for k in range(len(datasets))
    ]
    fig.legend(handles, datasets, loc="outside lower center", ncols=len(datasets))
    fig.suptitle(title, fontsize=11)
    save_png(fig, path)
