"""Fig. 1 of the UNet-GAN study: the study area's elevation, its basins and the stations used.

Elevation is ERA5-Land's surface geopotential over g; the basins are the regions' own outlines
(no Natural Earth offline); each network's stations get their own marker, counted in the legend.
"""

from __future__ import annotations

from os import PathLike

import cartopy.crs as ccrs
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from smdown.plots.output import save_png
from smdown.plots.trend_maps import cell_edges, draw_gridlines, draw_outlines, outline_handles

PLATE = ccrs.PlateCarree()
MARKERS = ("^", "o", "s", "D", "v", "P", "X", "*")
# terrain without its sea blues: every cell of the map is land
LAND = ListedColormap(plt.get_cmap("terrain")(np.linspace(0.25, 1.0, 256)), name="land")
COLOURS = ("#d62728", "#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "k")


def _network_handles(sites: pd.DataFrame, region: str) -> list[Line2D]:
    """One legend entry per network: its marker, its station count and how many lie in `region`."""
    handles = []
    for k, (network, group) in enumerate(sites.groupby("network", sort=True)):
        inside = int(group[f"in_{region}"].sum())
        handles.append(
            Line2D(
                [],
                [],
                linestyle="",
                marker=MARKERS[k % len(MARKERS)],
                markerfacecolor=COLOURS[k % len(COLOURS)],
                markeredgecolor="k",
                markeredgewidth=0.4,
                markersize=6,
                label=f"{network}: {len(group)} stations ({inside} in {region})",
            )
        )
    return handles


def draw_study_area(
    elevation: xr.DataArray, regions: xr.DataArray, sites: pd.DataFrame, title: str
) -> Figure:
    """The map: elevation (m) as colour, each region outlined (the first thick), and the sites
    (`smdown.insitu.sites.station_sites`) marked by network."""
    lat, lon = np.asarray(elevation["lat"], float), np.asarray(elevation["lon"], float)
    aspect = (lon[-1] - lon[0]) / max(lat[-1] - lat[0], 1e-9)
    fig = plt.figure(figsize=(min(11.0, 3.0 + 4.5 * aspect), 6.2), layout="constrained")
    ax = fig.add_subplot(projection=PLATE)
    mesh = ax.pcolormesh(
        cell_edges(lon),
        cell_edges(lat),
        elevation.values,
        cmap=LAND,
        transform=PLATE,
        shading="flat",
    )
    draw_outlines(ax, regions)
    region = str(np.asarray(regions["region"])[0])
    for k, (_, group) in enumerate(sites.groupby("network", sort=True)):
        ax.scatter(
            group["lon"],
            group["lat"],
            marker=MARKERS[k % len(MARKERS)],
            c=COLOURS[k % len(COLOURS)],
            edgecolors="k",
            linewidths=0.4,
            s=28,
            transform=PLATE,
            zorder=6,
        )
    ax.set_extent([*cell_edges(lon)[[0, -1]], *cell_edges(lat)[[0, -1]]], crs=PLATE)
    draw_gridlines(ax, left=True, bottom=True)
    fig.colorbar(mesh, ax=ax, shrink=0.8, label="elevation (m)")
    fig.legend(
        handles=[*outline_handles(regions), *_network_handles(sites, region)],
        loc="outside lower center",
        ncols=2,
        fontsize=8,
        frameon=False,
    )
    source = (
        "a synthetic orography (demo), not ERA5-Land's"
        if elevation.attrs.get("synthetic")
        else "ERA5-Land surface geopotential / g"
    )
    stations = (
        f"{len(sites)} stations of the station table, "
        f"{int(sites[f'in_{region}'].sum())} inside {region}"
        if len(sites)
        else "no stations configured"
    )
    ax.set_title(f"Elevation: {source}; {stations}", fontsize=8)
    fig.suptitle(title, fontsize=11)
    return fig


def study_area_figure(
    elevation: xr.DataArray,
    regions: xr.DataArray,
    sites: pd.DataFrame,
    title: str,
    path: str | PathLike,
) -> None:
    """Draw Fig. 1 (see `draw_study_area`) and write it as PNG atomically."""
    save_png(draw_study_area(elevation, regions, sites, title), path)
