"""What every station reader shares: the target box, a sensor's AMSMQTP layer by its depth, and
the daily table's columns."""

from __future__ import annotations

from os import PathLike

import numpy as np
import pandas as pd

from smdown.catalog import AMSMQTP_LAYERS
from smdown.errors import InputError

Box = tuple[float, float, float, float]  # lat_min, lat_max, lon_min, lon_max (inclusive)
TARGET_BOX: Box = (31.0, 38.0, 89.0, 104.0)
DAILY_COLUMNS = ["network", "station", "lat", "lon", "layer", "date", "sm"]
DEPTH_EXPECTED = "a depth within 0-110 cm"
_MAX_DEPTH_M = AMSMQTP_LAYERS[-1][1]
_TOLERANCE_M = 1e-9  # absorbs float noise of depths parsed from text or converted from cm


def layer_of_depth(depth_from: float, depth_to: float, source: str | PathLike) -> int:
    """The AMSMQTP layer (1..5) of a sensor: largest overlap for a range, top <= d < bottom for a
    point (1.1 m belongs to layer 5; ties go to the shallower layer)."""
    if not -_TOLERANCE_M <= depth_from <= depth_to <= _MAX_DEPTH_M + _TOLERANCE_M:
        raise InputError(source, f"sensor depth {depth_from:g}-{depth_to:g} m", DEPTH_EXPECTED)
    if depth_to - depth_from <= _TOLERANCE_M:
        return _layer_of_point(depth_from)
    overlaps = [min(depth_to, bottom) - max(depth_from, top) for top, bottom in AMSMQTP_LAYERS]
    return int(np.argmax(np.round(overlaps, 9))) + 1


def _layer_of_point(depth: float) -> int:
    """The layer whose [top, bottom) holds `depth`; the deepest bottom itself maps to the last."""
    for layer, (_, bottom) in enumerate(AMSMQTP_LAYERS, start=1):
        if depth < bottom - _TOLERANCE_M:
            return layer
    return len(AMSMQTP_LAYERS)


def in_box(lat: float, lon: float, box: Box) -> bool:
    """Whether a station lies in the box, edges included."""
    lat_min, lat_max, lon_min, lon_max = box
    return lat_min <= lat <= lat_max and lon_min <= lon <= lon_max


def tidy_daily(frame: pd.DataFrame) -> pd.DataFrame:
    """Daily table in the shared column order and dtypes (dates as datetime64[ns] days)."""
    frame = frame.astype(
        {"station": str, "lat": float, "lon": float, "layer": "int64", "sm": float}
    )
    frame["date"] = pd.to_datetime(frame["date"]).dt.floor("D").astype("datetime64[ns]")
    return (
        frame[DAILY_COLUMNS]
        .sort_values(["network", "station", "layer", "date"])
        .reset_index(drop=True)
    )
