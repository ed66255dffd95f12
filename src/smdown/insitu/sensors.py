"""What every station reader shares: the target box, a sensor's layer of the fine-tuning
reference (AMSMQTP's five in the paper) by its depth, and the daily table's columns."""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike

import numpy as np
import pandas as pd

from smdown.catalog import AMSMQTP_LAYERS
from smdown.errors import InputError
from smdown.geometry import in_turn
from smdown.soil_layers import TOLERANCE_M

Box = tuple[float, float, float, float]  # lat_min, lat_max, lon_min, lon_max (inclusive)
TARGET_BOX: Box = (31.0, 38.0, 89.0, 104.0)
DAILY_COLUMNS = ["network", "station", "lat", "lon", "layer", "date", "sm"]
Layers = Sequence[Sequence[float]]


def depth_expected(layers: Layers = AMSMQTP_LAYERS) -> str:
    """What a sensor depth must be: within the layers' depth range ("0-110 cm" for AMSMQTP)."""
    return f"a depth within {round(layers[0][0] * 100, 6):g}-{round(layers[-1][1] * 100, 6):g} cm"


def layer_of_depth(
    depth_from: float, depth_to: float, source: str | PathLike, layers: Layers = AMSMQTP_LAYERS
) -> int:
    """The reference layer (1..L of `layers`, depth bounds in m) of a sensor: largest overlap
    for a range, top <= d < bottom for a point (the deepest bottom, 1.1 m for AMSMQTP, belongs
    to the last layer; ties go to the shallower layer)."""
    deepest = layers[-1][1]
    if not layers[0][0] - TOLERANCE_M <= depth_from <= depth_to <= deepest + TOLERANCE_M:
        raise InputError(
            source, f"sensor depth {depth_from:g}-{depth_to:g} m", depth_expected(layers)
        )
    if depth_to - depth_from <= TOLERANCE_M:
        return _layer_of_point(depth_from, layers)
    overlaps = [min(depth_to, bottom) - max(depth_from, top) for top, bottom in layers]
    return int(np.argmax(np.round(overlaps, 9))) + 1


def _layer_of_point(depth: float, layers: Layers) -> int:
    """The layer whose [top, bottom) holds `depth`; the deepest bottom itself maps to the last."""
    for layer, (_, bottom) in enumerate(layers, start=1):
        if depth < bottom - TOLERANCE_M:
            return layer
    return len(layers)


def in_box(lat: float, lon: float, box: Box) -> bool:
    """Whether a station lies in the box, edges included, its longitude taken in the box's turn
    (a station at -175 lies in a box from 170 to 190)."""
    lat_min, lat_max, lon_min, lon_max = box
    return lat_min <= lat <= lat_max and lon_min <= box_longitude(lon, box) <= lon_max


def box_longitude(lon: float, box: Box) -> float:
    """`lon` moved by whole turns to the box's: unchanged where it lies there already."""
    west = box[2]
    return lon if west <= lon < west + 360.0 else float(in_turn(lon, west))


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
