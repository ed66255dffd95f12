"""Training curves: losses and validation scores per epoch, read from the jobs' history.csv.

The UNet-GAN's pretraining and every fold (generator and discriminator losses, validation RMSE
against the ensemble mean's) and the CMIP6DL study's Fig. 2 (the YNet's training loss and
validation RMSE) are the same drawing of different histories.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from os import PathLike

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from smdown.plots.output import save_png

LABELS = {
    "total_g": "generator loss (total)",
    "d_loss": "discriminator loss",
    "mse": "training loss (MSE)",
    "val_rmse": "validation RMSE (m3 m-3)",
}


def read_histories(paths: Mapping[str, str | PathLike]) -> dict[str, pd.DataFrame]:
    """The history tables by label, in the given order."""
    return {label: pd.read_csv(path) for label, path in paths.items()}


def draw_training_curves(
    histories: Mapping[str, pd.DataFrame], columns: Sequence[str], title: str
) -> Figure:
    """A panel per column (log scale where all values are positive), a line per history.

    The validation RMSE panel also shows the ensemble mean's RMSE on the same months (dashed,
    where the history has it), the yardstick the collapse guard uses.
    """
    fig = Figure(figsize=(4.2 * len(columns), 3.4), layout="constrained")
    axes = fig.subplots(1, len(columns), squeeze=False)[0]
    for ax, column in zip(axes, columns, strict=True):
        for label, history in histories.items():
            if column not in history:
                raise ValueError(f"history {label!r} has no column {column!r}")
            (line,) = ax.plot(history["epoch"], history[column], label=label, linewidth=1.2)
            if column == "val_rmse" and "val_rmse_ensemble_mean" in history:
                ax.plot(
                    history["epoch"],
                    history["val_rmse_ensemble_mean"],
                    linestyle="--",
                    color=line.get_color(),
                    linewidth=0.8,
                )
        values = np.concatenate([h[column].to_numpy(float) for h in histories.values()])
        if np.all(values[np.isfinite(values)] > 0):
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_title(LABELS.get(column, column), fontsize=9)
    axes[0].legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    if "val_rmse" in columns:
        fig.text(
            0.01, 0.0, "Dashed: the ensemble mean's RMSE on the same validation months.", fontsize=7
        )
    return fig


def training_curves(
    paths: Mapping[str, str | PathLike], columns: Sequence[str], title: str, path: str | PathLike
) -> None:
    """Draw the training curves (see `draw_training_curves`) and write them to `path`."""
    save_png(draw_training_curves(read_histories(paths), columns, title), path)
