"""The CMA station CSV as daily means per station and layer (each `depth_cm` taken as a point).

The CSV is parsed with its lines checked (`sources.cma`), then quality control drops and counts
duplicated rows, sentinels and values outside [0, porosity]; stations outside the box and depths
below the deepest layer are listed in the QC table and skipped.
"""

from __future__ import annotations

import logging
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from smdown.catalog import AMSMQTP_LAYERS
from smdown.errors import InputError
from smdown.insitu.sensors import (
    TARGET_BOX,
    Box,
    Layers,
    depth_expected,
    in_box,
    layer_of_depth,
    tidy_daily,
)
from smdown.qc import QCLog
from smdown.sources.cma import read_cma_csv

log = logging.getLogger(__name__)

CMA_NETWORK = "CMA"
ROW_KEY = ["station_id", "date", "depth_cm"]


def read_cma(
    path: str | PathLike,
    box: Box = TARGET_BOX,
    qc: QCLog | None = None,
    layers: Layers = AMSMQTP_LAYERS,
) -> pd.DataFrame:
    """Daily means per station and layer (of the reference's `layers`) from the CMA CSV, drops
    recorded in `qc` (the source is refused when it loses more than the QC settings allow)."""
    path = Path(path)
    qc = qc if qc is not None else QCLog("cma")
    raw = read_cma_csv(path)
    qc.count(path, len(raw))
    duplicated = raw.duplicated(ROW_KEY, keep="first")
    qc.drop(
        path,
        "duplicated (station_id, date, depth_cm) row (first kept)",
        int(duplicated.sum()),
        kind="row",
    )
    raw = raw[~duplicated]
    raw = raw[_stations_in_box(raw, box, qc, path)]
    raw = raw.merge(_layers(raw, qc, path, layers), on=["station_id", "depth_cm"])
    raw = raw[raw["layer"].notna()]
    raw = raw[qc.screen(raw["sm"].to_numpy(), path)]
    qc.refuse_if_too_much()
    if raw.empty:
        raise InputError(
            path,
            "no usable row left",
            f"stations in the box {box} with {depth_expected(layers)} and "
            "soil moisture that passes quality control",
        )
    frame = raw.groupby(["station_id", "layer", "date"], as_index=False).agg(
        lat=("lat", "first"), lon=("lon", "first"), sm=("sm", "mean")
    )
    return tidy_daily(frame.rename(columns={"station_id": "station"}).assign(network=CMA_NETWORK))


def _stations_in_box(raw: pd.DataFrame, box: Box, qc: QCLog, path: Path) -> pd.Series:
    """Row mask of stations inside `box` (a station's first row gives its position); the rows
    of the others are listed in the QC table."""
    coords = raw.groupby("station_id")[["lat", "lon"]].first()
    rows = raw["station_id"].value_counts()
    inside = []
    for station, lat, lon in coords.itertuples():
        if in_box(lat, lon, box):
            inside.append(station)
            continue
        log.warning(
            "CMA station %s at %.4f N %.4f E lies outside the box %s; skipped",
            station,
            lat,
            lon,
            box,
        )
        qc.drop(
            path,
            f"station {station} at {lat:.4f} N {lon:.4f} E outside the grid box {box}",
            int(rows[station]),
            kind="place",
        )
    return raw["station_id"].isin(inside)


def _layers(raw: pd.DataFrame, qc: QCLog, path: Path, bounds: Layers) -> pd.DataFrame:
    """Layer of each (station, depth) pair; NaN (listed in the QC table) where the depth is
    outside the layers (0-110 cm for AMSMQTP)."""
    rows = raw.groupby(["station_id", "depth_cm"]).size()
    pairs = raw[["station_id", "depth_cm"]].drop_duplicates()
    layers = []
    for station, depth_cm in pairs.itertuples(index=False):
        where = f"CMA station {station} depth {depth_cm:g} cm"
        try:
            layers.append(layer_of_depth(depth_cm / 100, depth_cm / 100, where, bounds))
        except InputError as exc:
            log.warning("%s; skipped", exc)
            qc.drop(
                path,
                f"{where}: below the deepest layer",
                int(rows[(station, depth_cm)]),
                kind="place",
            )
            layers.append(np.nan)
    return pairs.assign(layer=layers)
