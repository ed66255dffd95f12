"""Training curves drawn from history tables: a panel per column, a line per job."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from smdown.plots.training_curves import draw_training_curves, training_curves


def _history(scale: float, epochs: int = 4) -> pd.DataFrame:
    epoch = range(1, epochs + 1)
    return pd.DataFrame(
        {
            "epoch": list(epoch),
            "total_g": [scale / e for e in epoch],
            "d_loss": [0.69] * epochs,
            "val_rmse": [0.05 / e for e in epoch],
            "val_rmse_ensemble_mean": [0.04] * epochs,
        }
    )


def test_a_panel_per_column_and_a_line_per_job(tmp_path):
    histories = {"pretraining": _history(1.0), "fold 0": _history(0.5, epochs=3)}
    fig = draw_training_curves(histories, ["total_g", "d_loss", "val_rmse"], "curves")
    assert [ax.get_title() for ax in fig.axes] == [
        "generator loss (total)",
        "discriminator loss",
        "validation RMSE (m3 m-3)",
    ]
    assert [len(ax.lines) for ax in fig.axes] == [2, 2, 4]  # + the ensemble mean, dashed
    assert fig.axes[2].lines[1].get_linestyle() == "--"
    assert fig.axes[0].get_yscale() == "log"
    assert fig.axes[0].lines[1].get_xdata().tolist() == [1, 2, 3]
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["pretraining", "fold 0"]
    plt.close(fig)
    _history(1.0).to_csv(tmp_path / "h.csv", index=False)
    training_curves({"a": tmp_path / "h.csv"}, ["total_g"], "t", tmp_path / "curves.png")
    assert (tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"


def test_a_history_without_the_column_is_refused():
    with pytest.raises(ValueError, match="history 'ynet' has no column 'd_loss'"):
        draw_training_curves({"ynet": _history(1.0).drop(columns="d_loss")}, ["d_loss"], "t")
