"""The CMIP6DL study's Fig. 8: portrait diagram of regional soil-moisture change (%) against the
historical reference, a row per time scale and a column per scenario and future period.

One panel per region (north, south of 35 N), each with its own colourbar by default, since the
paper scales the two regions differently. The table comes from
`smdown.stats.portrait.portrait_table`; this module only draws it.
"""

from __future__ import annotations

import string
from os import PathLike

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from smdown.plots.output import save_png
from smdown.plots.trend_maps import colour_limit
from smdown.plots.trend_series import check_table, ordered, scenario_styles
from smdown.stats.portrait import TIME_SCALES

CELL_IN = (0.55, 0.3)  # a cell's width and height, inches, unless the figure is too wide
MAX_WIDTH_IN = 20.0  # wider figures shrink their cells to fit this
PANEL_MARGIN_IN = 1.6  # per panel: row labels and colourbar
MIN_TEXT_CELL_IN = 0.4  # cells narrower than this get no value written in them
DARK_SHARE = 0.6  # values beyond this share of the limit sit on dark colours: white text
REGION_ORDER = ("north", "south")  # `north_south_masks`' regions; others follow as met


def _check(table: pd.DataFrame) -> None:
    """Refuse a table lacking a column, repeating a cell or naming an unknown time scale."""
    check_table(table, ("region", "scale", "scenario", "period"), ("change",), "portrait")
    unknown = sorted(set(map(str, table["scale"])) - set(TIME_SCALES))
    if unknown:
        raise ValueError(
            f"the portrait table has unknown time scale(s) {unknown}; "
            f"expected some of {list(TIME_SCALES)}"
        )


def _cells(rows: pd.DataFrame, scales: list[str], columns: list[tuple[str, str]]) -> np.ndarray:
    """The (scale, column) matrix of change for one region, NaN where the table has no row."""
    change = rows.set_index(["scale", "scenario", "period"])["change"]
    wanted = pd.MultiIndex.from_tuples([(s, *c) for s in scales for c in columns])
    return change.reindex(wanted).to_numpy(float).reshape(len(scales), len(columns))


def _cell_width(regions: int, columns: int) -> float:
    """Cell width in inches: `CELL_IN`'s unless the figure would exceed `MAX_WIDTH_IN`."""
    room = (MAX_WIDTH_IN - regions * PANEL_MARGIN_IN) / (regions * columns)
    return min(CELL_IN[0], room)


def _annotate(ax: Axes, values: np.ndarray, vmax: float) -> None:
    """Each finite value to one decimal in the centre of its cell, white on dark colours."""
    for (r, c), value in np.ndenumerate(values):
        if np.isfinite(value):
            colour = "white" if abs(value) > DARK_SHARE * vmax else "black"
            ax.text(
                c + 0.5,
                r + 0.5,
                f"{value:.1f}",
                ha="center",
                va="center",
                fontsize=6.5,
                color=colour,
            )


def _column_labels(ax: Axes, columns: list[tuple[str, str]], labels: dict[str, str]) -> None:
    """Periods under each column, scenario names over their groups, lines between groups."""
    ax.set_xticks(np.arange(len(columns)) + 0.5, [p for _, p in columns], rotation=90, fontsize=7)
    groups = list(dict.fromkeys(s for s, _ in columns))
    size = len(columns) // len(groups)
    top = ax.secondary_xaxis("top")
    top.set_xticks(
        np.arange(len(groups)) * size + size / 2, [labels[g] for g in groups], fontsize=8
    )
    top.tick_params(length=0)
    for k in range(1, len(groups)):
        ax.axvline(k * size, color="black", linewidth=1.2)


def _panel(
    fig: Figure,
    ax: Axes,
    values: np.ndarray,
    scales: list[str],
    cmap: str,
    limit: float | None,
    annotate: bool,
) -> None:
    """One region's cells on a symmetric diverging scale, its colourbar and its row labels."""
    vmax = colour_limit(values, limit)
    mesh = ax.pcolormesh(
        np.arange(values.shape[1] + 1),
        np.arange(len(scales) + 1),
        np.ma.masked_invalid(values),
        cmap=cmap,
        norm=Normalize(-vmax, vmax),
        edgecolors="white",
        linewidth=0.4,
    )
    ax.set_ylim(len(scales), 0)
    ax.set_yticks(np.arange(len(scales)) + 0.5, scales, fontsize=8)
    fig.colorbar(mesh, ax=ax, extend="both", label="Change (%)", shrink=0.8)
    if annotate:
        _annotate(ax, values, vmax)


def draw_portrait(
    table: pd.DataFrame, title: str, cmap: str = "BrBG", limit: float | None = None
) -> Figure:
    """Fig. 8: a panel per region (north, south, others as met), rows the time scales in
    TIME_SCALES order (those present), columns the scenarios then the periods (as met).

    The colour scale is symmetric around 0: up to `limit` in both panels when given, else per
    region (the 98th percentile of its |change|, see `colour_limit`). Values are written in
    the cells unless the figure had to shrink them below `MIN_TEXT_CELL_IN`.
    """
    _check(table)
    scales = [s for s in TIME_SCALES if s in set(map(str, table["scale"]))]
    styles = scenario_styles(table["scenario"])
    periods = list(dict.fromkeys(table["period"]))
    columns = [(s, p) for s in styles for p in periods]
    regions = ordered(table["region"], REGION_ORDER)
    width = _cell_width(len(regions), len(columns))
    fig, axes = plt.subplots(
        1,
        len(regions),
        squeeze=False,
        layout="constrained",
        figsize=(
            len(regions) * (len(columns) * width + PANEL_MARGIN_IN),
            len(scales) * CELL_IN[1] + 2.4,
        ),
    )
    for k, (ax, region) in enumerate(zip(axes[0], regions, strict=True)):
        values = _cells(table[table["region"] == region], scales, columns)
        _panel(fig, ax, values, scales, cmap, limit, width >= MIN_TEXT_CELL_IN)
        _column_labels(ax, columns, {s: style["label"] for s, style in styles.items()})
        ax.set_title(f"({string.ascii_uppercase[k]}) {region}", fontsize=10)
    fig.suptitle(title, fontsize=11)
    return fig


def portrait_diagram(
    table: pd.DataFrame,
    path: str | PathLike,
    title: str,
    cmap: str = "BrBG",
    limit: float | None = None,
) -> None:
    """Draw Fig. 8 (see `draw_portrait`) and write it to `path` as PNG."""
    save_png(draw_portrait(table, title, cmap, limit), path)
