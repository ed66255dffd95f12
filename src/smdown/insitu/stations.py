"""In-situ soil moisture as monthly means per station and AMSMQTP layer (the forest's targets).

Sources: ISMN networks (read with the `ismn` package, values flagged G only) and the CMA station
CSV (`station_id,lat,lon,elevation_m,date,depth_cm,sm`). Each sensor is assigned one AMSMQTP
layer by its depth; sensors of one station and layer are averaged per day, and days to months.
Stations outside the target box and sensors that cannot be used are skipped with a warning.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd
from ismn.components import Network, Station
from ismn.interface import ISMN_Interface

from smdown.catalog import AMSMQTP_LAYERS
from smdown.errors import InputError
from smdown.io import atomic_path

log = logging.getLogger(__name__)

Box = tuple[float, float, float, float]  # lat_min, lat_max, lon_min, lon_max (inclusive)
TARGET_BOX: Box = (31.0, 38.0, 89.0, 104.0)
DAILY_COLUMNS = ["network", "station", "lat", "lon", "layer", "date", "sm"]
MONTHLY_COLUMNS = ["station", "network", "lat", "lon", "layer", "month", "sm", "n_days"]
CMA_COLUMNS = ["station_id", "lat", "lon", "date", "depth_cm", "sm"]
CMA_EXPECTED = "a CSV with columns station_id,lat,lon,elevation_m,date,depth_cm,sm and data rows"
CMA_NETWORK = "CMA"
DEPTH_EXPECTED = "a depth within 0-110 cm"
ISMN_EXPECTED = "an ISMN download (folder or zip of network/station/*.stm files)"
ISMN_VARIABLE = "soil_moisture"
GOOD_FLAG = "G"
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


def _in_box(lat: float, lon: float, box: Box) -> bool:
    """Whether a station lies in the box, edges included."""
    lat_min, lat_max, lon_min, lon_max = box
    return lat_min <= lat <= lat_max and lon_min <= lon <= lon_max


def _tidy_daily(frame: pd.DataFrame) -> pd.DataFrame:
    """Daily table in the shared column order and dtypes (dates as datetime64[ns] days)."""
    frame = frame.astype({"station": str, "lat": float, "lon": float, "layer": "int64",
                          "sm": float})
    frame["date"] = pd.to_datetime(frame["date"]).dt.floor("D").astype("datetime64[ns]")
    return (frame[DAILY_COLUMNS].sort_values(["network", "station", "layer", "date"])
            .reset_index(drop=True))


# ---------------------------------------------------------------------------------------- ISMN


def read_ismn(path: str | PathLike, networks: Sequence[str],
              box: Box = TARGET_BOX) -> pd.DataFrame:
    """Daily means of flag-G soil moisture per station and layer of the ISMN `networks` in `box`.

    The ismn metadata cache goes to a temporary directory, so `path` is only read.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "not found", ISMN_EXPECTED)
    with tempfile.TemporaryDirectory(prefix="smdown-ismn-") as meta:
        data = _open_ismn(path, meta)
        try:
            _check_networks(data, networks, path)
            frames = [frame for name in networks for frame in _read_network(data[name], box)]
        finally:
            data.close_files()
    if not frames:
        raise InputError(path, f"no usable station in networks {list(networks)}",
                         f"stations in the box {box} with flag-G soil moisture at 0-110 cm")
    return _tidy_daily(pd.concat(frames, ignore_index=True))


def _open_ismn(path: Path, meta: str) -> ISMN_Interface:
    """The ismn reader on `path`, its metadata and extracted files kept under `meta`."""
    try:
        return ISMN_Interface(path, meta_path=meta, temp_root=meta)
    except Exception as exc:  # ismn fails with many types on folders that are no ISMN download
        raise InputError(path, f"cannot be read by ismn ({type(exc).__name__}: {exc})",
                         ISMN_EXPECTED) from exc


def _check_networks(data: ISMN_Interface, networks: Sequence[str], path: Path) -> None:
    """Refuse requested networks the download does not hold, naming the ones it does."""
    found = list(data.networks)
    missing = [name for name in networks if name not in found]
    if missing:
        raise InputError(path, f"ISMN network(s) {missing} not found; found {found}",
                         "a download holding the requested networks")


def _read_network(network: Network, box: Box) -> list[pd.DataFrame]:
    """One daily frame per usable station of `network`; stations outside `box` are skipped."""
    frames = []
    for station in network.iter_stations():
        if not _in_box(station.lat, station.lon, box):
            log.warning("ISMN %s station %s at %.4f N %.4f E lies outside the box %s; skipped",
                        network.name, station.name, station.lat, station.lon, box)
            continue
        frame = _read_station(network.name, station)
        if frame is not None:
            frames.append(frame)
    return frames


def _read_station(network: str, station: Station) -> pd.DataFrame | None:
    """Daily means per layer at one station, averaged over its usable soil-moisture sensors."""
    parts = []
    for sensor in station.iter_sensors(variable=ISMN_VARIABLE):
        where = (f"ISMN {network} station {station.name} sensor at "
                 f"{sensor.depth.start:g}-{sensor.depth.end:g} m")
        try:
            layer = layer_of_depth(sensor.depth.start, sensor.depth.end, where)
        except InputError as exc:
            log.warning("%s; skipped", exc)
            continue
        daily = _good_daily_means(sensor.read_data())
        if daily.empty:
            log.warning("%s: no values flagged %s; skipped", where, GOOD_FLAG)
            continue
        parts.append(pd.DataFrame({"layer": layer, "date": daily.index, "sm": daily.to_numpy()}))
    if not parts:
        return None
    frame = pd.concat(parts).groupby(["layer", "date"], as_index=False)["sm"].mean()
    return frame.assign(network=network, station=station.name, lat=station.lat,
                        lon=station.lon)


def _good_daily_means(data: pd.DataFrame) -> pd.Series:
    """Daily means of the values whose ISMN quality flag starts with G."""
    flags = data[f"{ISMN_VARIABLE}_flag"].astype(str)
    good = flags.str.startswith(GOOD_FLAG) & data[ISMN_VARIABLE].notna()
    values = data.loc[good, ISMN_VARIABLE].astype(float)
    return values.groupby(values.index.floor("D")).mean()


# ----------------------------------------------------------------------------------------- CMA


def read_cma(path: str | PathLike, box: Box = TARGET_BOX) -> pd.DataFrame:
    """Daily means per station and layer from the CMA CSV (each depth_cm taken as a point)."""
    path = Path(path)
    raw = _parse_cma(_load_cma(path), path)
    raw = raw[_cma_stations_in_box(raw, box)]
    raw = raw.merge(_cma_layers(raw), on=["station_id", "depth_cm"]).dropna(subset=["layer", "sm"])
    if raw.empty:
        raise InputError(path, "no usable row left",
                         f"stations in the box {box} with depths within 0-110 cm")
    frame = raw.groupby(["station_id", "layer", "date"], as_index=False).agg(
        lat=("lat", "first"), lon=("lon", "first"), sm=("sm", "mean"))
    return _tidy_daily(frame.rename(columns={"station_id": "station"})
                       .assign(network=CMA_NETWORK))


def _load_cma(path: Path) -> pd.DataFrame:
    """The CSV as read by pandas, every failure turned into an InputError naming the file."""
    try:
        raw = pd.read_csv(path, dtype={"station_id": str})
    except FileNotFoundError as exc:
        raise InputError(path, "file not found", CMA_EXPECTED) from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError(path, "empty file", CMA_EXPECTED) from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot be parsed ({exc})", CMA_EXPECTED) from exc
    missing = [column for column in CMA_COLUMNS if column not in raw.columns]
    if missing:
        raise InputError(path, f"missing columns {missing}", CMA_EXPECTED)
    if raw.empty:
        raise InputError(path, "no data rows (header only)", CMA_EXPECTED)
    return raw


def _parse_cma(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Numbers and ISO dates from the CSV's text; unparsable values are an InputError."""
    try:
        numbers = {c: pd.to_numeric(raw[c]) for c in ("lat", "lon", "depth_cm", "sm")}
        date = pd.to_datetime(raw["date"], format="%Y-%m-%d")
    except (ValueError, TypeError) as exc:
        raise InputError(path, f"bad value ({exc})", CMA_EXPECTED) from exc
    return raw[CMA_COLUMNS].assign(**numbers, date=date)


def _cma_stations_in_box(raw: pd.DataFrame, box: Box) -> pd.Series:
    """Row mask of stations inside `box` (a station's first row gives its position)."""
    coords = raw.groupby("station_id")[["lat", "lon"]].first()
    inside = []
    for station, lat, lon in coords.itertuples():
        if _in_box(lat, lon, box):
            inside.append(station)
        else:
            log.warning("CMA station %s at %.4f N %.4f E lies outside the box %s; skipped",
                        station, lat, lon, box)
    return raw["station_id"].isin(inside)


def _cma_layers(raw: pd.DataFrame) -> pd.DataFrame:
    """Layer of each (station, depth) pair; NaN where the depth is outside 0-110 cm."""
    pairs = raw[["station_id", "depth_cm"]].drop_duplicates()
    return pairs.assign(layer=[_cma_layer(station, depth_cm)
                               for station, depth_cm in pairs.itertuples(index=False)])


def _cma_layer(station: str, depth_cm: float) -> float:
    """The layer of one CMA sensor depth taken as a point, or NaN (with a warning) if unusable."""
    where = f"CMA station {station} depth {depth_cm:g} cm"
    try:
        return layer_of_depth(depth_cm / 100, depth_cm / 100, where)
    except InputError as exc:
        log.warning("%s; skipped", exc)
        return np.nan


# ------------------------------------------------------------------------------ monthly table


def monthly_means(daily: pd.DataFrame, min_days: int) -> pd.DataFrame:
    """Monthly means per station and layer, kept where at least `min_days` days had data."""
    daily = daily.dropna(subset=["sm"])
    month = daily["date"].to_numpy().astype("datetime64[M]").astype("datetime64[ns]")
    table = (daily.assign(month=month)
             .groupby(["network", "station", "layer", "month"], as_index=False)
             .agg(lat=("lat", "first"), lon=("lon", "first"), sm=("sm", "mean"),
                  n_days=("date", "nunique")))
    table = table[table["n_days"] >= min_days].astype({"layer": "int64", "n_days": "int64"})
    return table[MONTHLY_COLUMNS].reset_index(drop=True)


def station_table(ismn_path: str | PathLike | None, cma_path: str | PathLike | None,
                  networks: Sequence[str], min_days: int,
                  box: Box = TARGET_BOX) -> pd.DataFrame:
    """The monthly station table from ISMN and CMA (a None path skips that source)."""
    daily = []
    if ismn_path is not None:
        daily.append(read_ismn(ismn_path, networks, box))
    if cma_path is not None:
        daily.append(read_cma(cma_path, box))
    if not daily:
        raise InputError("ismn_path/cma_path", "no station source given",
                         "an ISMN download, a CMA CSV, or both")
    return monthly_means(pd.concat(daily, ignore_index=True), min_days)


def write_station_table(table: pd.DataFrame, path: str | PathLike) -> None:
    """Write the station table to Parquet atomically (no half-written file on failure)."""
    with atomic_path(path) as tmp:
        table.to_parquet(tmp, index=False)
