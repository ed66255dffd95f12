"""The slices of the trend results that each trend figure draws (Figs. 8-15), per layer.

Only selection and relabelling: every number was computed by `smdown.stats.analyse`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from os import PathLike

import pandas as pd
import xarray as xr

SCENARIO_LABELS = {
    "historical": "Historical",
    "ssp126": "SSP1-2.6",
    "ssp245": "SSP2-4.5",
    "ssp370": "SSP3-7.0",
    "ssp585": "SSP5-8.5",
}


def _label(experiment: str) -> str:
    return SCENARIO_LABELS.get(experiment, experiment)


def scenario_maps(
    paths: Mapping[str, str | PathLike],
    variable: str,
    layer: int,
    seasons: Sequence[str],
    period: str | None = None,
) -> tuple[xr.DataArray, xr.DataArray | None]:
    """`variable` of each (season, experiment) as panels (panel, lat, lon), and, for trend
    maps, the significance `h` alike; `period` selects the trend period."""
    values, significant = [], []
    for season in seasons:
        for experiment, path in paths.items():
            with xr.open_dataset(path) as ds:
                field = ds.sel(season=season).isel(depth=layer - 1)
                if period is not None:
                    field = field.sel(period=period)
                label = _label(experiment)
                if len(seasons) > 1:
                    label = f"{season} {label}"
                values.append(field[variable].load().expand_dims(panel=[label]))
                if "h" in field:
                    significant.append(field["h"].load().astype(bool).expand_dims(panel=[label]))
    drop = ["season", "depth", "period"]
    panels = xr.concat(values, dim="panel").drop_vars(drop, errors="ignore")
    if not significant:
        return panels, None
    return panels, xr.concat(significant, dim="panel").drop_vars(drop, errors="ignore")


def _read(paths: Mapping[str, str | PathLike]) -> pd.DataFrame:
    """The CSVs of every experiment, with a scenario column."""
    return pd.concat(
        [pd.read_csv(path).assign(scenario=experiment) for experiment, path in paths.items()],
        ignore_index=True,
    )


def _layer(table: pd.DataFrame, layer: int) -> pd.DataFrame:
    """The rows of the layer-th depth (1-based) of a table with a depth column."""
    depths = sorted(table["depth"].unique())
    return table[table["depth"] == depths[layer - 1]]


def series_tables(
    series: Mapping[str, str | PathLike],
    trends: Mapping[str, str | PathLike],
    whole: Mapping[str, str],
    layer: int,
    season: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Figs. 10-12: the regional series of one layer and season per scenario, and each
    scenario's slope and p over its whole period (`whole[experiment]`)."""
    values = _layer(_read(series), layer)
    values = values[values["season"] == season].rename(columns={"sm": "value"})
    slopes = _layer(_read(trends), layer)
    slopes = slopes[
        (slopes["season"] == season) & (slopes["period"] == slopes["scenario"].map(whole))
    ]
    return (
        values[["region", "scenario", "year", "value"]],
        slopes[["region", "scenario", "slope", "p"]],
    )


def _region_periods(
    paths: Mapping[str, str | PathLike], periods: Mapping[str, Sequence[str]], region: str
) -> pd.DataFrame:
    """The rows of one region and of each scenario's shown periods, with a "Layer k" label."""
    table = _read(paths)
    keep = table.apply(lambda row: row["period"] in periods[row["scenario"]], axis=1)
    table = table[keep & (table["region"] == region)].copy()
    depths = sorted(table["depth"].unique())
    table["layer"] = table["depth"].map(lambda d: f"Layer {depths.index(d) + 1}")
    return table


def period_table(
    means: Mapping[str, str | PathLike], periods: Mapping[str, Sequence[str]], region: str
) -> pd.DataFrame:
    """Fig. 13: the period means of one region for every layer, season and scenario."""
    table = _region_periods(means, periods, region)
    return table.rename(columns={"mean": "value"})[
        ["layer", "season", "scenario", "period", "value"]
    ]


def rates_table(
    trends: Mapping[str, str | PathLike], periods: Mapping[str, Sequence[str]], region: str
) -> pd.DataFrame:
    """Fig. 15: the trend rates (per year) and p of one region per layer, season, scenario and
    period."""
    table = _region_periods(trends, periods, region)
    return table.rename(columns={"slope": "rate"})[
        ["layer", "season", "scenario", "period", "rate", "p"]
    ]
