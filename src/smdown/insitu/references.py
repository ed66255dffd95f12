"""The reference datasets against stations (paper section 3.1, Fig. 5 and Table S1).

ERA5-Land's three layers are mapped to the station layers, which are the fine-tuning
reference's (AMSMQTP's five in the paper), by thickness-weighted depth overlap; the reference
is taken as is. Each dataset is sampled at the station's cell and month,
and MAE, RMSE, MAPE and R are computed per station and layer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from smdown.catalog import AMSMQTP_LAYERS, ERA5LAND_LAYERS
from smdown.soil_layers import overlap_weights
from smdown.stats.metrics import scores

METRIC_NAMES = ("MAE", "RMSE", "MAPE", "R")


def era5_layer_weights(layers: Sequence[Sequence[float]] = AMSMQTP_LAYERS) -> np.ndarray:
    """(L, 3) weights of the ERA5-Land layers within each station layer (`layers`, the
    reference's depth bounds in m), rows summing to 1.

    Overlaps are normalised over the covered depth: the 100-110 cm part of AMSMQTP's deepest
    layer lies below ERA5-Land's deepest layer and takes that layer's value.
    """
    return overlap_weights(layers, ERA5LAND_LAYERS)


def era5_on_station_layers(
    era5: xr.DataArray, layers: Sequence[Sequence[float]] = AMSMQTP_LAYERS
) -> xr.DataArray:
    """ERA5-Land `sm(time, layer=3, lat, lon)` on the station layers `layers` (time, layer=L,
    lat, lon)."""
    weights = xr.DataArray(
        era5_layer_weights(layers),
        dims=("station_layer", "layer"),
        coords={"station_layer": np.arange(1, len(layers) + 1), "layer": era5.layer.values},
    )
    out = xr.dot(
        weights, era5.drop_vars(["layer_top", "layer_bottom"], errors="ignore"), dim="layer"
    )
    return out.rename(station_layer="layer").transpose("time", "layer", "lat", "lon")


def sample_at_stations(field: xr.DataArray, table: pd.DataFrame) -> np.ndarray:
    """The field's value at each row's (month, layer, nearest cell); NaN outside its months."""
    times = field.time.values
    t_index = np.searchsorted(times, table["month"].values)
    inside = (t_index < times.size) & (
        times[np.minimum(t_index, times.size - 1)] == table["month"].values
    )
    lat_i = np.abs(field.lat.values[None, :] - table["lat"].values[:, None]).argmin(axis=1)
    lon_i = np.abs(field.lon.values[None, :] - table["lon"].values[:, None]).argmin(axis=1)
    layer_i = table["layer"].values.astype(int) - 1
    values = field.values[np.minimum(t_index, times.size - 1), layer_i, lat_i, lon_i]
    return np.where(inside, values, np.nan)


def station_metrics(
    table: pd.DataFrame, references: Mapping[str, xr.DataArray], min_months: int
) -> pd.DataFrame:
    """Per dataset, station and layer: n months and MAE, RMSE, MAPE, R (needs `min_months`)."""
    rows = []
    for name, field in references.items():
        sampled = table.assign(ref=sample_at_stations(field, table)).dropna(subset=["ref"])
        for (network, station, layer), g in sampled.groupby(["network", "station", "layer"]):
            if len(g) < min_months:
                continue
            rows.append(
                {
                    "dataset": name,
                    "network": network,
                    "station": station,
                    "layer": int(layer),
                    "n_months": len(g),
                    **scores(g["sm"].values, g["ref"].values, METRIC_NAMES),
                }
            )
    return pd.DataFrame(rows)


def median_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """Table S1: the median of each metric per dataset and layer, with the station count."""
    grouped = metrics.groupby(["dataset", "layer"])
    out = grouped[list(METRIC_NAMES)].median()
    out["n_stations"] = grouped.size()
    return out.reset_index()
