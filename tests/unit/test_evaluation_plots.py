"""Figs. 6 and 7: the PNGs are written atomically and the drawn artists carry the given data."""

from __future__ import annotations

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from smdown.plots.evaluation_scatter import draw_layer_scatter, layer_scatter
from smdown.plots.taylor_diagram import draw_taylor_diagram, taylor_diagram
from smdown.stats.taylor import taylor_statistics


def _layers(count: int, n: int = 400) -> tuple[list, list, pd.DataFrame]:
    """Synthetic observed/predicted layers with a hand-set scores table."""
    rng = np.random.default_rng(count)
    obs = [rng.uniform(0.05, 0.45, n) for _ in range(count)]
    pred = [o + rng.normal(0, 0.02, n) for o in obs]
    pred[0][:5] = np.nan
    scores = pd.DataFrame(
        {"layer": range(1, count + 1), "R2": 0.819, "R": 0.905, "RMSE": 0.031, "n": n - 5}
    )
    return obs, pred, scores


def _models(negative: bool) -> tuple[pd.DataFrame, dict[str, str]]:
    """A Taylor table for 17 fake models, their mean, two baselines and the product."""
    rng = np.random.default_rng(7)
    ref = 0.25 + 0.05 * np.sin(np.arange(300) / 5) + rng.normal(0, 0.01, 300)
    anomaly = ref - ref.mean()
    weights = np.linspace(-0.8 if negative else 0.1, 0.9, 17)
    cands = {f"M{k:02d}": w * anomaly + rng.normal(0.2, 0.03, 300) for k, w in enumerate(weights)}
    groups = dict.fromkeys(cands, "CMIP6 model")
    cands["Ensemble"] = np.mean(list(cands.values()), axis=0)
    cands["bilinear"] = ref + rng.normal(0, 0.03, 300)
    cands["forest"] = ref + rng.normal(0, 0.02, 300)
    cands["UNet-Gan"] = ref + rng.normal(0, 0.005, 300)
    groups |= {
        "Ensemble": "ensemble mean",
        "bilinear": "baseline",
        "forest": "baseline",
        "UNet-Gan": "product",
    }
    return taylor_statistics(ref, cands, reference_name="AMSMQTP"), groups


def _png_shape(path) -> tuple[int, int]:
    """(height, width) in pixels of a PNG, after checking its signature."""
    assert path.read_bytes()[:4] == b"\x89PNG"
    return mpimg.imread(path).shape[:2]


@pytest.mark.parametrize("count", [1, 5])
def test_scatter_writes_png(tmp_path, count):
    obs, pred, scores = _layers(count)
    figures = plt.get_fignums()
    layer_scatter(obs, pred, scores, tmp_path / "fig6.png", "test")
    height, width = _png_shape(tmp_path / "fig6.png")
    assert width >= 600 and height >= 500
    assert (width > 1.3 * height) if count == 5 else (width > height)
    assert [p.name for p in tmp_path.iterdir()] == ["fig6.png"]
    assert plt.get_fignums() == figures  # the figure was closed


def test_scatter_artists_carry_the_data():
    obs, pred, scores = _layers(5)
    fig = draw_layer_scatter(obs, pred, scores, "test", bins=40)
    panels = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert [ax.get_visible() for ax in panels] == [True] * 5 + [False]
    first = panels[0]
    assert first.get_title() == "L1 0-10 cm" and panels[4].get_title() == "L5 80-110 cm"
    diagonal = [
        line
        for line in first.get_lines()
        if line.get_linestyle() == ":" and line.get_color() == "red"
    ]
    assert len(diagonal) == 1
    np.testing.assert_allclose(*diagonal[0].get_data())  # x == y: the 1:1 line
    assert first.get_xlim() == first.get_ylim()
    assert "0.819" in first.texts[0].get_text() and "0.905" in first.texts[0].get_text()
    assert first.collections[0].get_array().sum() == 395  # the five NaN pairs are not drawn
    plt.close(fig)


def test_scatter_refuses_a_short_scores_table():
    obs, pred, scores = _layers(3)
    with pytest.raises(ValueError, match="3 rows"):
        draw_layer_scatter(obs, pred, scores.iloc[:2], "test")


@pytest.mark.parametrize("negative", [False, True])
def test_taylor_writes_png(tmp_path, negative):
    stats, groups = _models(negative)
    assert (stats["correlation"] < 0).any() == negative
    figures = plt.get_fignums()
    taylor_diagram(stats, "AMSMQTP", tmp_path / "fig7.png", "test", groups=groups)
    height, width = _png_shape(tmp_path / "fig7.png")
    assert width >= 1200 and height >= 800
    assert [p.name for p in tmp_path.iterdir()] == ["fig7.png"]
    assert plt.get_fignums() == figures  # the figure was closed


@pytest.mark.parametrize(("negative", "normalised"), [(False, False), (True, True)])
def test_taylor_markers_sit_at_arccos_r_and_std(negative, normalised):
    stats, groups = _models(negative)
    fig = draw_taylor_diagram(stats, "AMSMQTP", "test", normalised=normalised, groups=groups)
    ax = fig.axes[0]
    assert ax.get_thetamax() == (180 if negative else 90)
    lines = {line.get_label(): line for line in ax.get_lines()}
    radius = "std_normalised" if normalised else "std"
    for row in stats.iloc[1:].itertuples():
        theta, r = lines[row.name].get_data()
        np.testing.assert_allclose(
            [theta[0], r[0]], [np.arccos(row.correlation), getattr(row, radius)]
        )
    theta, r = lines["AMSMQTP (reference)"].get_data()
    assert theta[0] == 0.0 and r[0] == pytest.approx(stats[radius].iloc[0])
    assert lines["M00"].get_marker() == lines["M16"].get_marker() != lines["UNet-Gan"].get_marker()
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "UNet-Gan" in legend and "M05" in legend and len(legend) == len(stats)
    plt.close(fig)


def test_taylor_refuses_an_unknown_reference():
    stats, _ = _models(False)
    with pytest.raises(ValueError, match="not a row"):
        draw_taylor_diagram(stats, "ERA5-Land", "test")


def test_failed_save_leaves_no_part_file(tmp_path, disk_full):
    figures = plt.get_fignums()
    obs, pred, scores = _layers(2)
    with pytest.raises(OSError, match="disk full"):
        layer_scatter(obs, pred, scores, tmp_path / "fig6.png", "test")
    stats, groups = _models(True)
    with pytest.raises(OSError, match="disk full"):
        taylor_diagram(stats, "AMSMQTP", tmp_path / "fig7.png", "test", groups=groups)
    assert list(tmp_path.iterdir()) == []
    assert plt.get_fignums() == figures  # the figure was closed
