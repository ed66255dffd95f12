"""Figs. 10-13 and 15: regional series with their slopes, period means and period trend rates.

The tables come from the library (series, Sen's slopes with Mann-Kendall p values, period means,
period rates); these functions only draw them. Scenario colours and labels live in
`SCENARIO_STYLE` so that other figures show each scenario alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from os import PathLike

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from smdown.plots.output import save_png

SCENARIO_STYLE: dict[str, dict[str, str]] = {
    "historical": {"label": "Historical", "color": "black"},
    "ssp126": {"label": "SSP1-2.6", "color": "#1f5fbf"},
    "ssp245": {"label": "SSP2-4.5", "color": "#1a9e8f"},
    "ssp370": {"label": "SSP3-7.0", "color": "#f28e1c"},
    "ssp585": {"label": "SSP5-8.5", "color": "#d62728"},
}
EXTRA_COLOURS = ("#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
SEASON_ORDER = ("Y", "DJF", "MAM", "JJA", "SON")
SIGNIFICANCE = ((0.001, "***"), (0.01, "**"), (0.05, "*"))  # strictest first
SM_UNITS = "m$^3$ m$^{-3}$"
FOOTNOTE_IN = 0.35  # inches kept free at the bottom of a figure for its footnote
BAR_GROUP_WIDTH = 0.8  # the share of one period's slot that its bars fill


def scenario_styles(
    scenarios: Iterable[str], known: Mapping[str, dict[str, str]] = SCENARIO_STYLE
) -> dict[str, dict[str, str]]:
    """Label and colour per scenario in drawing order: known ones first, then the rest as met.

    Scenarios missing from `known` (by default `SCENARIO_STYLE`; other figures pass their own
    table, e.g. of datasets) are labelled by their name and coloured from `EXTRA_COLOURS`, so one
    figure never shows two unknown scenarios in the same colour (up to six).
    """
    unique = list(dict.fromkeys(scenarios))
    styles = {s: known[s] for s in known if s in unique}
    others = [s for s in unique if s not in known]
    styles.update(
        {
            s: {"label": str(s), "color": EXTRA_COLOURS[k % len(EXTRA_COLOURS)]}
            for k, s in enumerate(others)
        }
    )
    return styles


def stars(p: float) -> str:
    """Asterisks for a p value: * below 0.05, ** below 0.01, *** below 0.001; none for NaN."""
    return next((mark for limit, mark in SIGNIFICANCE if p < limit), "")


def slope_text(slope: float, p: float) -> str:
    """Legend text, e.g. "+2.73e-04 /yr***": slope per year (the paper's unit), asterisks."""
    return f"{slope:+.2e} /yr{stars(p)}"


def check_table(table: pd.DataFrame, keys: Sequence[str], values: Sequence[str], what: str) -> None:
    """Refuse a table without rows, without a needed column, or with a key combination twice."""
    missing = [c for c in (*keys, *values) if c not in table.columns]
    if missing:
        raise ValueError(f"the {what} table lacks column(s) {missing}; has {list(table.columns)}")
    if table.empty:
        raise ValueError(f"the {what} table has no rows")
    repeated = table.duplicated(list(keys))
    if repeated.any():
        first = table.loc[repeated, list(keys)].iloc[0].to_dict()
        raise ValueError(f"the {what} table repeats the key {first}: one row per {list(keys)}")


def ordered(values: Iterable, order: Sequence) -> list:
    """The distinct values, those named in `order` first in that order, the rest as they come."""
    unique = list(dict.fromkeys(values))
    return [v for v in order if v in unique] + [v for v in unique if v not in order]


def _grid(nrows: int, ncols: int, panel: tuple[float, float]) -> tuple[Figure, np.ndarray]:
    """A constrained-layout figure of nrows x ncols panels, with room for a footnote below."""
    height = panel[1] * nrows + 0.8 + FOOTNOTE_IN
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(panel[0] * ncols, height), squeeze=False, layout="constrained"
    )
    fig.get_layout_engine().set(rect=(0.0, FOOTNOTE_IN / height, 1.0, 1.0 - FOOTNOTE_IN / height))
    return fig, axes


def _footnote(fig: Figure, text: str) -> None:
    """A small grey note at the bottom left of the figure, in the room `_grid` kept for it."""
    fig.text(0.01, 0.01, text, ha="left", va="bottom", fontsize=8, color="0.25")


def _series_label(style: dict[str, str], slope: pd.Series | None) -> str:
    """Legend entry of one scenario's line: its label, then its slope text when it has one."""
    if slope is None or not np.isfinite(slope["slope"]):
        return style["label"]
    return f"{style['label']}: {slope_text(slope['slope'], slope['p'])}"


def _series_panel(
    ax: Axes, series: pd.DataFrame, slopes: pd.DataFrame, styles: dict[str, dict[str, str]]
) -> None:
    """One region: a line per scenario (by year) and a legend carrying the slopes."""
    for scenario, style in styles.items():
        line = series[series["scenario"] == scenario].sort_values("year", kind="stable")
        if line.empty:
            continue
        match = slopes[slopes["scenario"] == scenario]
        slope = match.iloc[0] if len(match) else None
        ax.plot(
            line["year"],
            line["value"],
            color=style["color"],
            linewidth=1.1,
            label=_series_label(style, slope),
            gid=str(scenario),
        )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", framealpha=0.8)


def draw_regional_series(
    series: pd.DataFrame, slopes: pd.DataFrame, title: str, units: str = SM_UNITS
) -> Figure:
    """Figs. 10-12: a panel per region (order of appearance, two columns), a line per scenario.

    Each legend entry gives the scenario's slope per year and asterisks for its p value; a
    scenario without a slope row is listed by its label alone.
    """
    check_table(series, ("region", "scenario", "year"), ("value",), "series")
    check_table(slopes, ("region", "scenario"), ("slope", "p"), "slopes")
    regions = list(dict.fromkeys(series["region"]))
    styles = scenario_styles(series["scenario"])
    ncols = min(2, len(regions))
    fig, axes = _grid(-(-len(regions) // ncols), ncols, (6.0, 3.8))
    for ax, region in zip(axes.ravel(), regions, strict=False):
        _series_panel(
            ax, series[series["region"] == region], slopes[slopes["region"] == region], styles
        )
        ax.set_title(str(region), fontsize=10)
    for ax in axes.ravel()[len(regions) :]:
        fig.delaxes(ax)
    fig.supxlabel("Year", fontsize=9)
    fig.supylabel(f"Soil moisture ({units})", fontsize=9)
    fig.suptitle(title, fontsize=11)
    _footnote(
        fig, f"Legend: trend per year ({units} per year); * p < 0.05, ** p < 0.01, *** p < 0.001."
    )
    return fig


def _bar_positions(
    table: pd.DataFrame, periods: list, scenarios: list
) -> tuple[dict[tuple, float], float]:
    """x of each (period, scenario) row: groups at 0, 1, ... centred; and the common bar width.

    A group holds only the scenarios with a row in that period (historical alone in 1995-2014),
    so no empty slots are left; the width is set by the fullest group of the whole table.
    """
    present = set(zip(table["period"], table["scenario"], strict=True))
    members = {p: [s for s in scenarios if (p, s) in present] for p in periods}
    width = BAR_GROUP_WIDTH / max(len(m) for m in members.values())
    return {
        (p, s): k + (i - (len(m) - 1) / 2) * width
        for k, (p, m) in enumerate(members.items())
        for i, s in enumerate(m)
    }, width


def _bar_panel(
    ax: Axes,
    panel: pd.DataFrame,
    value: str,
    layout: tuple[dict, float],
    styles: dict[str, dict[str, str]],
) -> dict[str, BarContainer]:
    """One panel's bars, a container per scenario (labelled with its label), by scenario."""
    positions, width = layout
    containers = {}
    for scenario, style in styles.items():
        rows = panel[panel["scenario"] == scenario]
        if rows.empty:
            continue
        x = [positions[(p, scenario)] for p in rows["period"]]
        containers[scenario] = ax.bar(
            x,
            rows[value].to_numpy(float),
            width * 0.92,
            color=style["color"],
            edgecolor=style["color"],
            linewidth=1.0,
            label=style["label"],
        )
    return containers


def _period_axis(ax: Axes, periods: list) -> None:
    """Period names under their bar groups, and a light horizontal grid."""
    ax.set_xticks(range(len(periods)), [str(p) for p in periods], fontsize=7)
    ax.tick_params(axis="y", labelsize=7)
    ax.grid(axis="y", alpha=0.3)


def _zoom(ax: Axes, values: np.ndarray) -> None:
    """y limits around the values, not from zero, so that small period differences show."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return
    lo, hi = float(finite.min()), float(finite.max())
    span = (hi - lo) or (0.1 * abs(hi)) or 1.0
    bottom = lo - 0.5 * span
    ax.set_ylim(max(bottom, 0.0) if lo >= 0 else bottom, hi + 0.2 * span)


def _scenario_legend(fig: Figure, styles: dict[str, dict[str, str]]) -> None:
    """One legend for the whole figure: a colour patch per scenario, below the panels."""
    handles = [
        Patch(facecolor=s["color"], edgecolor=s["color"], label=s["label"]) for s in styles.values()
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8)


def _panel_name(layer: object) -> str:
    """A layer's panel name: "Layer 3" for a number, the value itself otherwise."""
    return f"Layer {layer}" if isinstance(layer, int | np.integer) else str(layer)


def draw_period_means(table: pd.DataFrame, title: str, units: str = SM_UNITS) -> Figure:
    """Fig. 13: rows of layers, columns of seasons (Y, DJF, MAM, JJA, SON), bars per period.

    In a panel, a group per period (order of appearance) holds a bar per scenario that has a
    mean there. Each panel's y axis is zoomed to its values (said in the footnote).
    """
    check_table(table, ("layer", "season", "scenario", "period"), ("value",), "period means")
    layers, seasons = list(dict.fromkeys(table["layer"])), ordered(table["season"], SEASON_ORDER)
    periods, styles = list(dict.fromkeys(table["period"])), scenario_styles(table["scenario"])
    layout = _bar_positions(table, periods, list(styles))
    fig, axes = _grid(len(layers), len(seasons), (3.4, 2.4))
    for r, layer in enumerate(layers):
        for c, season in enumerate(seasons):
            ax, panel = axes[r, c], table[(table["layer"] == layer) & (table["season"] == season)]
            _bar_panel(ax, panel, "value", layout, styles)
            _period_axis(ax, periods)
            _zoom(ax, panel["value"].to_numpy(float))
            ax.set_title(f"{_panel_name(layer)}, {season}", fontsize=9)
    fig.supylabel(f"Mean soil moisture ({units})", fontsize=9)
    _scenario_legend(fig, styles)
    fig.suptitle(title, fontsize=11)
    _footnote(fig, "Each panel's y axis is zoomed to its values and does not start at zero.")
    return fig


NON_SIGNIFICANT = ("hollow", "omit")


def _mark_significance(
    containers: dict[str, BarContainer], panel: pd.DataFrame, alpha: float, non_significant: str
) -> None:
    """Fill the bars with p < alpha; leave the others hollow (edge only) or hide them ("omit").
    NaN p counts as not significant."""
    for scenario, container in containers.items():
        p = panel.loc[panel["scenario"] == scenario, "p"].to_numpy(float)
        for patch, p_value in zip(container.patches, p, strict=True):
            patch.set_fill(bool(p_value < alpha))
            patch.set_visible(bool(p_value < alpha) or non_significant == "hollow")


def draw_period_rates(
    table: pd.DataFrame,
    title: str,
    units: str = f"{SM_UNITS} per year",
    panel_by: str = "region",
    alpha: float = 0.05,
    non_significant: str = "hollow",
) -> Figure:
    """Fig. 15: a panel per `panel_by` value (a region, or a layer), and a row per season when
    the table has one; bars per period.

    Bars whose p value is below `alpha` are filled; the others are hollow, so every rate stays
    visible while the significant ones stand out, or with `non_significant` "omit" not drawn,
    as the paper's figure. The footnote says which.
    """
    if non_significant not in NON_SIGNIFICANT:
        raise ValueError(f"non_significant {non_significant!r} is not one of {NON_SIGNIFICANT}")
    keys = (panel_by, "scenario", "period") + (("season",) if "season" in table else ())
    check_table(table, keys, ("rate", "p"), "period rates")
    regions, periods = list(dict.fromkeys(table[panel_by])), list(dict.fromkeys(table["period"]))
    seasons = ordered(table["season"], SEASON_ORDER) if "season" in table else [None]
    styles = scenario_styles(table["scenario"])
    layout = _bar_positions(table, periods, list(styles))
    fig, axes = _grid(len(seasons), len(regions), (3.6, 2.6))
    for r, season in enumerate(seasons):
        for c, region in enumerate(regions):
            ax, panel = axes[r, c], table[table[panel_by] == region]
            if season is not None:
                panel = panel[panel["season"] == season]
            _mark_significance(
                _bar_panel(ax, panel, "rate", layout, styles), panel, alpha, non_significant
            )
            _period_axis(ax, periods)
            ax.axhline(0.0, color="0.3", linewidth=0.8)
            name = _panel_name(region)
            ax.set_title(name if season is None else f"{name}, {season}", fontsize=9)
    fig.supylabel(f"Trend ({units})", fontsize=9)
    _scenario_legend(fig, styles)
    fig.suptitle(title, fontsize=11)
    _footnote(
        fig,
        f"Filled: p < {alpha:g}; hollow (edge only): p >= {alpha:g}, not significant."
        if non_significant == "hollow"
        else f"Only rates with p < {alpha:g} are drawn; the others are left out, as in the "
        "paper (the table lists them).",
    )
    return fig


def regional_series(
    series: pd.DataFrame,
    slopes: pd.DataFrame,
    path: str | PathLike,
    title: str,
    units: str = SM_UNITS,
) -> None:
    """Draw Figs. 10-12 (see `draw_regional_series`) and write them to `path` as PNG."""
    save_png(draw_regional_series(series, slopes, title, units), path)


def period_means(
    table: pd.DataFrame, path: str | PathLike, title: str, units: str = SM_UNITS
) -> None:
    """Draw Fig. 13 (see `draw_period_means`) and write it to `path` as PNG."""
    save_png(draw_period_means(table, title, units), path)


def period_rates(
    table: pd.DataFrame,
    path: str | PathLike,
    title: str,
    units: str = f"{SM_UNITS} per year",
    panel_by: str = "region",
    alpha: float = 0.05,
    non_significant: str = "hollow",
) -> None:
    """Draw Fig. 15 (see `draw_period_rates`) and write it to `path` as PNG."""
    save_png(draw_period_rates(table, title, units, panel_by, alpha, non_significant), path)
