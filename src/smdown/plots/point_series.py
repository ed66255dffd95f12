"""The CMIP6DL study's Fig. 4: monthly series at chosen cells, one panel per cell, one line per
dataset (the reference ERA5-Land, the downscaled product, the ensemble mean, ...).

The table comes from `smdown.stats.skill.point_series`; this module only draws it. Colours come
from `DATASET_STYLE` through `trend_series.scenario_styles`, so unknown datasets still differ.
"""

from __future__ import annotations

import math
from os import PathLike

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from smdown.plots.output import save_png
from smdown.plots.trend_series import SM_UNITS, check_table, scenario_styles

DATASET_STYLE: dict[str, dict[str, str]] = {
    "ERA5-Land": {"label": "ERA5-Land", "color": "black"},
    "CMIP6DL": {"label": "CMIP6DL", "color": "#d62728"},
    "ensemble mean": {"label": "Ensemble mean", "color": "#1f5fbf"},
}
PANEL_SIZE = (6.0, 3.2)  # inches per panel


def degrees_text(lon: float, lat: float) -> str:
    """A cell's centre as the paper writes it, e.g. "84.5°E, 44.75°N"."""
    return f"{abs(lon):g}°{'E' if lon >= 0 else 'W'}, {abs(lat):g}°{'N' if lat >= 0 else 'S'}"


def _panel(ax: Axes, rows: pd.DataFrame, styles: dict[str, dict[str, str]]) -> None:
    """One point: a line per dataset by time, in the shared styles, titled with its cell."""
    for dataset, style in styles.items():
        line = rows[rows["dataset"] == dataset].sort_values("time", kind="stable")
        if not line.empty:
            ax.plot(
                line["time"],
                line["value"],
                color=style["color"],
                linewidth=1.1,
                label=style["label"],
                gid=str(dataset),
            )
    first = rows.iloc[0]
    ax.set_title(f"{first['point']} ({degrees_text(first['lon'], first['lat'])})", fontsize=10)
    ax.grid(alpha=0.3)


def draw_point_series(table: pd.DataFrame, title: str, units: str = SM_UNITS) -> Figure:
    """Fig. 4: a panel per point (order of appearance, two columns), a line per dataset.

    Panel titles give the point's name and its cell's centre (that of the point's first row);
    one legend under the panels serves them all.
    """
    check_table(table, ("point", "dataset", "time"), ("value", "lon", "lat"), "point series")
    points = list(dict.fromkeys(table["point"]))
    styles = scenario_styles(table["dataset"], known=DATASET_STYLE)
    ncols = min(2, len(points))
    nrows = math.ceil(len(points) / ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(PANEL_SIZE[0] * ncols, PANEL_SIZE[1] * nrows + 1.0),
        squeeze=False,
        layout="constrained",
    )
    for ax, point in zip(axes.ravel(), points, strict=False):
        _panel(ax, table[table["point"] == point], styles)
    for ax in axes.ravel()[len(points) :]:
        fig.delaxes(ax)
    handles = [
        Line2D([], [], color=s["color"], linewidth=1.1, label=s["label"]) for s in styles.values()
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=9)
    fig.supylabel(f"Surface soil moisture ({units})", fontsize=9)
    fig.suptitle(title, fontsize=11)
    return fig


def point_series_figure(
    table: pd.DataFrame, path: str | PathLike, title: str, units: str = SM_UNITS
) -> None:
    """Draw Fig. 4 (see `draw_point_series`) and write it to `path` as PNG."""
    save_png(draw_point_series(table, title, units), path)
