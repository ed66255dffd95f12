"""Figs. 8, 9 and 14: maps of per-cell trends or percent changes, one panel per scenario/season.

The values, the significance and the region masks come from the library; this module only draws
them on PlateCarree maps. No cartopy feature (coastlines, borders) is used: Natural Earth is not
reachable offline, so the regions' own outlines are drawn as contours of their masks.
"""

from __future__ import annotations

import math
from os import PathLike

import cartopy.crs as ccrs
import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
from cartopy.mpl.geoaxes import GeoAxes
from matplotlib.collections import QuadMesh
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator, ScalarFormatter

from smdown.geometry import midpoint_bounds
from smdown.plots.output import save_png

PLATE = ccrs.PlateCarree()
LIMIT_PERCENTILE = 98.0  # the colour limit's default: this percentile of |values|
# the first outline region (the union) on top of the others, which share its outer edges
UNION_STYLE = {"colors": "black", "linewidths": 1.3, "zorder": 5}
REGION_STYLE = {"colors": "0.35", "linewidths": 0.7, "zorder": 4}
DOT_FRACTION = 0.35  # a stipple dot's diameter as a fraction of the dot spacing
GRID_STYLE = {"linewidth": 0.3, "color": "0.5", "alpha": 0.6, "linestyle": "--"}


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ... 11th, 12th, 13th, 21st: for the stippling footnote."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def cell_edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges of 1-D ascending centres (halfway between neighbours, outer ones mirrored)."""
    bounds = midpoint_bounds(centres)
    return np.append(bounds[:, 0], bounds[-1, 1])


def _checked(values: xr.DataArray, panel_dim: str) -> xr.DataArray:
    """`values` as (panel, lat, lon), after checking the coordinates are 1-D and ascending."""
    for name in ("lat", "lon"):
        coord = np.asarray(values[name])
        if coord.ndim != 1 or coord.size < 2 or not np.all(np.diff(coord) > 0):
            raise ValueError(f"map_panels needs a 1-D ascending {name!r} coordinate")
    if values.sizes[panel_dim] == 0:
        raise ValueError(f"map_panels needs at least one {panel_dim!r} entry to draw")
    return values.transpose(panel_dim, "lat", "lon")


def colour_limit(values: np.ndarray, limit: float | None = None) -> float:
    """The given limit, else the 98th percentile of |values| over finite cells to 2 digits.

    Falls back to the largest |value|, then to 1, so an all-zero or all-NaN field still draws.
    """
    if limit is not None:
        return float(limit)
    finite = np.abs(values[np.isfinite(values)])
    if finite.size == 0:
        return 1.0
    level = float(np.percentile(finite, LIMIT_PERCENTILE)) or float(finite.max()) or 1.0
    return float(f"{level:.2g}")


def _layout(count: int, ncols: int | None, aspect: float) -> tuple[int, int, tuple[float, float]]:
    """Rows, columns and figure size (inches) for `count` maps of width/height `aspect`."""
    ncols = ncols or (1 if count == 1 else 2 if count <= 4 else math.ceil(math.sqrt(count)))
    nrows = math.ceil(count / ncols)
    width = min(max(9.0 / ncols, 3.6), 6.5)
    return nrows, ncols, (ncols * width + 0.8, nrows * (width / aspect + 0.45) + 1.6)


def draw_gridlines(ax: GeoAxes, left: bool, bottom: bool) -> None:
    """Dashed lat/lon lines; degree labels only on the left column and the bottom row."""
    gl = ax.gridlines(crs=PLATE, draw_labels=True, **GRID_STYLE)
    gl.xlocator = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10])
    gl.ylocator = MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10])
    gl.top_labels = gl.right_labels = False
    gl.left_labels, gl.bottom_labels = left, bottom
    gl.xlabel_style = gl.ylabel_style = {"size": 7}


def _padded(
    mask: np.ndarray, lat: np.ndarray, lon: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mask with a ring of outside cells around it, so outlines close at the domain edge."""
    pad_lat = np.concatenate([[2 * lat[0] - lat[1]], lat, [2 * lat[-1] - lat[-2]]])
    pad_lon = np.concatenate([[2 * lon[0] - lon[1]], lon, [2 * lon[-1] - lon[-2]]])
    return pad_lon, pad_lat, np.pad(mask.astype(float), 1)


def _style(k: int) -> dict:
    """Contour style of the k-th outline region: the first (the union) thick black."""
    return UNION_STYLE if k == 0 else REGION_STYLE


def draw_outlines(ax: GeoAxes, outlines: xr.DataArray) -> None:
    """Each region's boundary as the 0.5 contour of its mask on the cell centres."""
    lat, lon = np.asarray(outlines["lat"]), np.asarray(outlines["lon"])
    for k, mask in enumerate(np.asarray(outlines.transpose("region", "lat", "lon"), dtype=bool)):
        ax.contour(*_padded(mask, lat, lon), levels=[0.5], transform=PLATE, **_style(k))


def outline_handles(outlines: xr.DataArray) -> list[Line2D]:
    """Legend lines naming the outlined regions, styled like their contours."""
    return [
        Line2D(
            [], [], color=_style(k)["colors"], linewidth=_style(k)["linewidths"], label=str(name)
        )
        for k, name in enumerate(np.asarray(outlines["region"]))
    ]


def stipple_cells(significant: np.ndarray, every: int) -> tuple[np.ndarray, np.ndarray]:
    """(lat, lon) indices of the significant cells on the every-`every`-th lattice, both ways."""
    lattice = np.zeros(significant.shape, dtype=bool)
    lattice[::every, ::every] = True
    return np.nonzero(significant & lattice)


def _stipple(
    ax: GeoAxes, significant: np.ndarray, lat: np.ndarray, lon: np.ndarray, every: int, size: float
) -> None:
    """Small black dots on the significant cells of the lattice (NaN counts as not significant)."""
    rows, cols = stipple_cells(significant, every)
    ax.scatter(
        lon[cols], lat[rows], s=size, c="black", marker="o", linewidths=0, transform=PLATE, zorder=3
    )


def _dot_size(fig: Figure, ncols: int, nlon: int, every: int) -> float:
    """Scatter size (points squared) giving dots a fixed fraction of their spacing."""
    panel_points = fig.get_figwidth() / ncols * 72.0
    return (DOT_FRACTION * panel_points / nlon * every) ** 2


def _significance(significant: xr.DataArray, panel_dim: str) -> np.ndarray:
    """The significance as a (panel, lat, lon) bool array; NaN or missing counts as False."""
    flags = np.asarray(significant.transpose(panel_dim, "lat", "lon"), dtype=float)
    return np.nan_to_num(flags, nan=0.0) > 0.5


def _colorbar(
    fig: Figure, mesh: QuadMesh, axes: list[GeoAxes], label: str, symmetric: bool
) -> None:
    """One horizontal colourbar under all panels, few ticks and a shared power of ten."""
    bar = fig.colorbar(
        mesh,
        ax=axes,
        orientation="horizontal",
        location="bottom",
        shrink=0.6,
        aspect=40,
        extend="both" if symmetric else "max",
        label=label,
    )
    bar.locator = MaxNLocator(nbins=8, symmetric=symmetric)
    formatter = ScalarFormatter(useMathText=True)
    formatter.set_powerlimits((-2, 3))
    bar.formatter = formatter
    bar.ax.tick_params(labelsize=8)


def _legend_and_note(
    fig: Figure, outlines: xr.DataArray | None, stipple_every: int | None, alpha: float
) -> None:
    """The outline legend and the stippling footnote, under the colourbar."""
    if outlines is not None:
        fig.legend(
            handles=outline_handles(outlines),
            loc="outside lower left",
            fontsize=8,
            ncols=min(outlines.sizes["region"], 4),
            frameon=False,
        )
    if stipple_every is not None:
        fig.supxlabel(
            f"dots: p < {alpha:g} (every {_ordinal(stipple_every)} cell shown)",
            fontsize=8,
            x=0.99,
            ha="right",
        )


def _panel_axes(fig: Figure, count: int, nrows: int, ncols: int) -> list[GeoAxes]:
    """PlateCarree axes filled row by row; empty grid slots are left out."""
    return [fig.add_subplot(nrows, ncols, k + 1, projection=PLATE) for k in range(count)]


def draw_map_panels(
    values: xr.DataArray,
    title: str,
    colorbar_label: str,
    significant: xr.DataArray | None = None,
    outlines: xr.DataArray | None = None,
    panel_dim: str = "panel",
    ncols: int | None = None,
    cmap: str = "BrBG",
    limit: float | None = None,
    stipple_every: int = 2,
    alpha: float = 0.05,
    symmetric: bool = True,
) -> Figure:
    """The figure of `map_panels`, returned open so its artists can be inspected."""
    values = _checked(values, panel_dim)
    lat, lon = np.asarray(values["lat"], dtype=float), np.asarray(values["lon"], dtype=float)
    data = np.asarray(values, dtype=float)
    vmax = colour_limit(data, limit)
    lat_edges, lon_edges = cell_edges(lat), cell_edges(lon)
    aspect = (lon_edges[-1] - lon_edges[0]) / (lat_edges[-1] - lat_edges[0])
    nrows, ncols, size = _layout(len(data), ncols, aspect)
    fig = plt.figure(figsize=size, layout="constrained")
    axes = _panel_axes(fig, len(data), nrows, ncols)
    flags = None if significant is None else _significance(significant, panel_dim)
    dot = _dot_size(fig, ncols, lon.size, stipple_every)
    norm = Normalize(vmin=-vmax if symmetric else 0.0, vmax=vmax)
    for k, (ax, name) in enumerate(zip(axes, np.asarray(values[panel_dim]), strict=True)):
        mesh = ax.pcolormesh(
            lon_edges,
            lat_edges,
            np.ma.masked_invalid(data[k]),
            cmap=cmap,
            norm=norm,
            transform=PLATE,
            shading="flat",
        )
        ax.set_extent([lon_edges[0], lon_edges[-1], lat_edges[0], lat_edges[-1]], crs=PLATE)
        if flags is not None:
            _stipple(ax, flags[k], lat, lon, stipple_every, dot)
        if outlines is not None:
            draw_outlines(ax, outlines)
        draw_gridlines(ax, left=k % ncols == 0, bottom=k + ncols >= len(data))
        ax.set_title(str(name), fontsize=9)
    _colorbar(fig, mesh, axes, colorbar_label, symmetric)
    _legend_and_note(fig, outlines, None if significant is None else stipple_every, alpha)
    fig.suptitle(title, fontsize=11)
    return fig


def map_panels(
    values: xr.DataArray,
    path: str | PathLike,
    title: str,
    colorbar_label: str,
    significant: xr.DataArray | None = None,
    outlines: xr.DataArray | None = None,
    panel_dim: str = "panel",
    ncols: int | None = None,
    cmap: str = "BrBG",
    limit: float | None = None,
    stipple_every: int = 2,
    alpha: float = 0.05,
    symmetric: bool = True,
) -> None:
    """Draw one map per `panel_dim` entry (see `draw_map_panels`) and write a PNG atomically.

    Serves Fig. 8 (annual trend per scenario), Fig. 9 (season x scenario) and Fig. 14 (percent
    change per scenario, no stippling). The colour scale is shared and symmetric around 0;
    `alpha` is the significance level the dots stand for, as stated under the maps. With
    `symmetric=False` it runs from 0 to the limit instead, for non-negative fields on a
    sequential `cmap` (the CMIP6DL study's MAE maps, its Fig. 3).
    """
    fig = draw_map_panels(
        values,
        title,
        colorbar_label,
        significant,
        outlines,
        panel_dim,
        ncols,
        cmap,
        limit,
        stipple_every,
        alpha,
        symmetric,
    )
    save_png(fig, path)
