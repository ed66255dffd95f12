"""Fig. 7: Taylor diagram of candidates (models, ensemble, baselines, product) against a reference.

Drawn on matplotlib's own polar axes: standard deviation is the radius, arccos(R) the angle, so
the distance to the reference point on the x axis is the centred RMS difference (Taylor 2001).
The statistics come from `smdown.stats.taylor.taylor_statistics`; this module only draws them.
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.projections.polar import PolarAxes
from matplotlib.ticker import MaxNLocator

from smdown.plots.output import save_png

DEFAULT_GROUP = "candidate"  # the group of a candidate that `groups` does not name
GROUP_STYLES = {
    DEFAULT_GROUP: {"marker": "o", "markersize": 7},
    "CMIP6 model": {"marker": "o", "markersize": 7},
    "ensemble mean": {"marker": "D", "markersize": 9, "color": "black"},
    "baseline": {"marker": "s", "markersize": 8},
    "product": {"marker": "*", "markersize": 17, "color": "red", "markeredgecolor": "black"},
}
OTHER_MARKERS = ("^", "v", "P", "X", "h", "<", ">")  # groups not named in GROUP_STYLES
CORRELATIONS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)
ARC_GREY = "0.45"
RED_TAB20 = (6, 7)  # tab20's reds are left to the product
# per half circle or not: figure size and the polar axes' square box (left, bottom, side), inches
LAYOUT = {False: ((11.0, 8.0), (0.9, 0.9, 6.4)), True: ((13.0, 6.6), (0.9, -1.2, 8.4))}
LEGEND_X = {False: 0.72, True: 0.76}  # the legend's left edge, figure fraction


def _radii(stats: pd.DataFrame, normalised: bool) -> tuple[pd.Series, str]:
    """The column drawn as radius and its axis label."""
    if normalised:
        return stats["std_normalised"], "Normalised standard deviation"
    return stats["std"], "Standard deviation (m$^3$ m$^{-3}$)"


def _correlation_grid(ax: PolarAxes, half: bool) -> None:
    """Correlation ticks on the outer arc: 0 to 1 on a quarter circle, -1 to 1 on a half."""
    ticks = np.array(CORRELATIONS)
    if half:
        ticks = np.concatenate([-ticks[:0:-1], ticks])
    ax.set_thetamin(0)
    ax.set_thetamax(180 if half else 90)
    ax.set_thetagrids(np.degrees(np.arccos(ticks)), [f"{t:g}" for t in ticks], fontsize=8)


def _circle_around(
    centre: float, radius: float, thetamax: float, rmax: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Upper half of the circle around (centre, 0): its parameter t and polar (theta, r).

    Points outside the diagram (beyond rmax or past thetamax) are NaN, so the line breaks there.
    """
    t = np.linspace(0.0, np.pi, 721)
    x, y = centre + radius * np.cos(t), radius * np.sin(t)
    theta, r = np.arctan2(y, x), np.hypot(x, y)
    outside = (r > rmax) | (theta > thetamax + 1e-9)
    return t, np.where(outside, np.nan, theta), np.where(outside, np.nan, r)


def _crmsd_arcs(ax: PolarAxes, ref: float, rmax: float, thetamax: float) -> None:
    """Grey dashed arcs of equal centred RMS difference around the reference point, labelled."""
    for level in MaxNLocator(nbins=5).tick_values(0.0, rmax)[1:]:
        t, theta, r = _circle_around(ref, level, thetamax, rmax)
        if np.isnan(r).all():
            continue
        ax.plot(theta, r, color=ARC_GREY, linestyle="--", linewidth=0.8)
        k = np.nanargmin(np.where(np.isnan(r), np.nan, np.abs(t - 2 * np.pi / 3)))
        ax.text(
            theta[k],
            r[k],
            f"{level:g}",
            color=ARC_GREY,
            fontsize=7,
            ha="center",
            va="center",
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},
        )


def _styles(names: list[str], groups: Mapping[str, str] | None) -> dict[str, dict]:
    """Marker style per candidate: shape by group, fixed colours for ensemble and product."""
    group_of = {n: (groups or {}).get(n, DEFAULT_GROUP) for n in names}
    others = [g for g in dict.fromkeys(group_of.values()) if g not in GROUP_STYLES]
    palette = [c for i, c in enumerate(plt.get_cmap("tab20").colors) if i not in RED_TAB20]
    styles, k = {}, 0
    for name in names:
        group = group_of[name]
        style = dict(
            GROUP_STYLES.get(group)
            or {"marker": OTHER_MARKERS[others.index(group) % len(OTHER_MARKERS)], "markersize": 7}
        )
        if "color" not in style:
            style["color"], k = palette[k % len(palette)], k + 1
        styles[name] = style
    return styles


def _reference_radius(stats: pd.DataFrame, radii: pd.Series, reference: str) -> float:
    """The reference's own radius (1 when normalised); a clear error if it is not in the table."""
    match = stats["name"] == reference
    if not match.any():
        raise ValueError(f"reference {reference!r} is not a row of the statistics table")
    return float(radii[match].iloc[0])


def _axis_labels(ax: PolarAxes, label: str, rmax: float, half: bool) -> None:
    """The standard-deviation label under the x axis and "Correlation" along the outer arc."""
    ax.text(0.0, rmax / 2, f"\n\n{label}", ha="center", va="top", fontsize=9)
    angle = np.pi / 2 if half else np.pi / 4
    ax.text(
        angle,
        rmax * (1.16 if half else 1.13),
        "Correlation",
        ha="center",
        va="center",
        fontsize=10,
        rotation=np.degrees(angle) - 90,
    )


def _figure(half: bool) -> tuple[Figure, PolarAxes]:
    """A figure with the polar axes placed by hand, the legend's room to the right.

    Matplotlib keeps a square box around a partial polar axes and centres a half wedge in it, so
    the half circle's box reaches below the figure to leave no empty band above and below it.
    """
    (width, height), (left, bottom, side) = LAYOUT[half]
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes(
        (left / width, bottom / height, side / width, side / height), projection="polar"
    )
    return fig, ax


def _reference(ax: PolarAxes, ref: float, thetamax: float, name: str) -> None:
    """The reference point on the x axis and the dotted arc of its standard deviation."""
    ax.plot(
        np.linspace(0, thetamax, 200),
        np.full(200, ref),
        color="black",
        linestyle=":",
        linewidth=0.8,
    )
    ax.plot(
        [0.0],
        [ref],
        marker="o",
        markersize=9,
        color="black",
        markerfacecolor="white",
        markeredgewidth=2,
        linestyle="none",
        label=f"{name} (reference)",
        clip_on=False,
    )


def _candidates(
    ax: PolarAxes,
    stats: pd.DataFrame,
    radii: pd.Series,
    reference: str,
    groups: Mapping[str, str] | None,
) -> None:
    """One marker per candidate at (arccos R, radius), labelled with its name for the legend."""
    candidates = stats[stats["name"] != reference]
    styles = _styles(list(candidates["name"]), groups)
    for (_, row), radius in zip(candidates.iterrows(), radii[candidates.index], strict=True):
        ax.plot(
            [np.arccos(row["correlation"])],
            [radius],
            linestyle="none",
            label=row["name"],
            clip_on=False,
            **styles[row["name"]],
        )


def draw_taylor_diagram(
    stats: pd.DataFrame,
    reference: str,
    title: str,
    normalised: bool = True,
    groups: Mapping[str, str] | None = None,
) -> Figure:
    """The Fig. 7 figure from a `taylor_statistics` table: one marker per candidate and a legend.

    A quarter circle, or a half circle as soon as any correlation is negative. `groups` maps a
    candidate name to a group ("CMIP6 model", "ensemble mean", "baseline", "product", ...) that
    sets its marker shape, so members of one group look alike and the product stands out.
    """
    radii, label = _radii(stats, normalised)
    ref = _reference_radius(stats, radii, reference)
    half = bool((stats["correlation"] < 0).any())
    rmax, thetamax = 1.1 * float(np.nanmax(radii)), np.pi if half else np.pi / 2
    fig, ax = _figure(half)
    _correlation_grid(ax, half)
    ax.set_rmax(rmax)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(alpha=0.35)
    _crmsd_arcs(ax, ref, rmax, thetamax)
    _reference(ax, ref, thetamax, reference)
    _candidates(ax, stats, radii, reference, groups)
    _axis_labels(ax, label, rmax, half)
    fig.legend(
        loc="center left",
        bbox_to_anchor=(LEGEND_X[half], 0.5),
        fontsize=8,
        title="grey dashed arcs: centred RMSD",
        title_fontsize=8,
    )
    fig.suptitle(title, fontsize=11, y=0.98)
    return fig


def taylor_diagram(
    stats: pd.DataFrame,
    reference: str,
    path: str | PathLike,
    title: str,
    normalised: bool = True,
    groups: Mapping[str, str] | None = None,
) -> None:
    """Draw Fig. 7 (see `draw_taylor_diagram`) and write it to `path` as PNG, atomically."""
    fig = draw_taylor_diagram(stats, reference, title, normalised, groups)
    save_png(fig, path)
