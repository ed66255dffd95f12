"""In-situ soil moisture as monthly means per station and layer of the fine-tuning reference
(AMSMQTP's five in the paper; the forest's targets).

Sources: ISMN networks (`ismn_stations`, read with the `ismn` package) and the CMA station CSV
(`cma_stations`). Each sensor is assigned the reference layer it overlaps most by its depth;
sensors of one station and layer are averaged per day, and days to months. Every value is
quality-controlled where it enters; `station_table` returns the QC table of both sources beside
the station table.
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from pathlib import Path

import pandas as pd

from smdown.catalog import AMSMQTP_LAYERS
from smdown.errors import InputError
from smdown.insitu.cma_stations import read_cma
from smdown.insitu.ismn_stations import KEEP_FLAGS, read_ismn
from smdown.insitu.sensors import TARGET_BOX, Box, box_longitude, depth_expected
from smdown.io import atomic_path
from smdown.qc import QCLog, QCSettings, qc_table

MONTHLY_COLUMNS = ["station", "network", "lat", "lon", "layer", "month", "sm", "n_days"]


def monthly_means(daily: pd.DataFrame, min_days: int) -> pd.DataFrame:
    """Monthly means per station and layer, kept where at least `min_days` days had data."""
    daily = daily.dropna(subset=["sm"])
    month = daily["date"].to_numpy().astype("datetime64[M]").astype("datetime64[ns]")
    table = (
        daily.assign(month=month)
        .groupby(["network", "station", "layer", "month"], as_index=False)
        .agg(
            lat=("lat", "first"),
            lon=("lon", "first"),
            sm=("sm", "mean"),
            n_days=("date", "nunique"),
        )
    )
    table = table[table["n_days"] >= min_days].astype({"layer": "int64", "n_days": "int64"})
    return table[MONTHLY_COLUMNS].reset_index(drop=True)


def station_table(
    ismn_path: str | PathLike | None,
    cma_path: str | PathLike | None,
    networks: Sequence[str],
    min_days: int,
    box: Box = TARGET_BOX,
    settings: QCSettings | None = None,
    keep_flags: Sequence[str] = KEEP_FLAGS,
    layers: Sequence[Sequence[float]] = AMSMQTP_LAYERS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The monthly station table from ISMN and CMA (a None path skips that source) on the
    fine-tuning reference's `layers` (depth bounds, m), and the QC table of what each source
    lost and why."""
    if ismn_path is None and cma_path is None:
        raise InputError(
            "ismn_path/cma_path", "no station source given", "an ISMN download, a CMA CSV, or both"
        )
    settings = settings or QCSettings()
    daily, logs = [], []
    if ismn_path is not None:
        logs.append(QCLog("ismn", settings))
        daily.append(read_ismn(ismn_path, networks, box, logs[-1], keep_flags, layers))
        _check_every_network(daily[-1], networks, ismn_path, box, keep_flags, layers)
    if cma_path is not None:
        logs.append(QCLog("cma", settings))
        daily.append(read_cma(cma_path, box, logs[-1], layers))
    table = monthly_means(pd.concat(daily, ignore_index=True), min_days)
    # longitudes in the grid's turn, as its cells are (a grid from 170 to 190 east)
    table["lon"] = [box_longitude(lon, box) for lon in table["lon"]]
    return table, qc_table(logs)


def _check_every_network(
    daily: pd.DataFrame,
    networks: Sequence[str],
    path: str | PathLike,
    box: Box,
    keep_flags: Sequence[str],
    layers: Sequence[Sequence[float]],
) -> None:
    """Refuse a configured network that gave no usable station (none inside the grid, or
    none with kept values): the config names it, so the run must not quietly go without it."""
    empty = [name for name in networks if name not in set(daily["network"])]
    if empty:
        raise InputError(
            Path(path) / empty[0],
            f"ISMN network {empty[0]} (sources.ismn.networks) has no usable station",
            f"stations in the box {box} with soil moisture flagged {'/'.join(keep_flags)} at "
            f"{depth_expected(layers)} (the warnings above say why each was skipped), or the "
            "network left out of sources.ismn.networks",
        )


def write_station_table(table: pd.DataFrame, path: str | PathLike) -> None:
    """Write the station table to Parquet atomically (no half-written file on failure)."""
    with atomic_path(path) as tmp:
        table.to_parquet(tmp, index=False)
