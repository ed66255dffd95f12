"""The stations of a station table as sites: where each is, how long it ran, which regions hold it.

Fig. 1 shows these sites on the study area; the same table is written beside the figure, so
what is drawn can be checked against the station table row by row.
"""

from __future__ import annotations

from os import PathLike

import numpy as np
import pandas as pd
import xarray as xr

from smdown.errors import InputError
from smdown.geometry import midpoint_bounds

SITE_COLUMNS = ("network", "station", "lat", "lon", "n_months", "first_month", "last_month")


def _cell(centres: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the cell holding each value, and whether it lies within the outer cell edges."""
    bounds = midpoint_bounds(centres)
    inside = (values >= bounds[0, 0]) & (values <= bounds[-1, 1])
    index = np.searchsorted(bounds[:, 1], values, side="left")
    return np.clip(index, 0, centres.size - 1), inside


def station_sites(
    table: pd.DataFrame, regions: xr.DataArray, source: str | PathLike
) -> pd.DataFrame:
    """One row per station of `table` (network, station, lat, lon, months of data, first and
    last month) with one boolean column per region of `regions` (region, lat, lon masks).

    Refuses a station outside the regions' grid and a first region (the study area) that holds
    no station, naming `source` (the station table's file).
    """
    if table.empty:
        raise InputError(source, "no station rows", "a station table with at least one station")
    months = pd.to_datetime(table["month"])
    sites = (
        table.assign(month=months)
        .groupby(["network", "station"], as_index=False, sort=True)
        .agg(
            lat=("lat", "first"),
            lon=("lon", "first"),
            n_months=("month", "nunique"),
            first_month=("month", "min"),
            last_month=("month", "max"),
        )
    )
    lat, lon = sites["lat"].to_numpy(float), sites["lon"].to_numpy(float)
    row, lat_in = _cell(np.asarray(regions["lat"], float), lat)
    col, lon_in = _cell(np.asarray(regions["lon"], float), lon)
    outside = ~(lat_in & lon_in)
    if outside.any():
        first = sites[outside].iloc[0]
        raise InputError(
            source,
            f"{int(outside.sum())} station(s) outside the target grid, "
            f"first {first['network']}/{first['station']} at "
            f"({first['lat']:g} N, {first['lon']:g} E)",
            "stations inside the grid's cells "
            f"[{float(regions['lat'].min()):g}..{float(regions['lat'].max()):g} N, "
            f"{float(regions['lon'].min()):g}..{float(regions['lon'].max()):g} E]",
        )
    masks = np.asarray(regions.transpose("region", "lat", "lon"), dtype=bool)
    names = [str(r) for r in np.asarray(regions["region"])]
    for name, mask in zip(names, masks, strict=True):
        sites[f"in_{name}"] = mask[row, col]
    if not sites[f"in_{names[0]}"].any():
        raise InputError(
            source,
            f"no station lies inside region {names[0]} "
            f"({len(sites)} stations elsewhere in the grid)",
            f"at least one station inside the study area {names[0]}",
        )
    return sites[[*SITE_COLUMNS, *(f"in_{n}" for n in names)]]


def no_sites(regions: xr.DataArray) -> pd.DataFrame:
    """The sites table of a run without stations: its columns, no row (Fig. 1 then shows the
    study area alone)."""
    names = [f"in_{r}" for r in np.asarray(regions["region"])]
    return pd.DataFrame(columns=[*SITE_COLUMNS, *names])
