"""ISMN station data (read with the `ismn` package) as daily means per station and layer.

The whole download is checked line by line before the reader sees it (`sources.ismn`); then
each sensor's values pass quality control where they enter: duplicated timestamps, flags the
config does not keep, sentinels and values outside [0, porosity] are dropped and counted in the
source's `QCLog`. Stations outside the box and sensors below the deepest layer are listed too.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from os import PathLike
from pathlib import Path

import pandas as pd
from ismn.components import Network, Sensor, Station
from ismn.interface import ISMN_Interface

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
from smdown.sources.ismn import ARCHIVE_EXPECTED, STM_EXPECTED, check_archive, flag_kept

log = logging.getLogger(__name__)

ISMN_VARIABLE = "soil_moisture"
KEEP_FLAGS = ("G",)


def read_ismn(
    path: str | PathLike,
    networks: Sequence[str],
    box: Box = TARGET_BOX,
    qc: QCLog | None = None,
    keep_flags: Sequence[str] = KEEP_FLAGS,
    layers: Layers = AMSMQTP_LAYERS,
) -> pd.DataFrame:
    """Daily means of the quality-controlled soil moisture per station and layer (of the
    reference's `layers`) of the ISMN
    `networks` in `box`; drops are recorded in `qc` (the source is refused when it loses more
    than the QC settings allow). The ismn metadata cache goes to a temporary directory, so
    `path` is only read."""
    path = Path(path)
    qc = qc if qc is not None else QCLog("ismn")
    if not path.exists():
        raise InputError(path, "not found", ARCHIVE_EXPECTED)
    if path.is_dir() or path.suffix == ".zip":
        check_archive(path)
    with tempfile.TemporaryDirectory(prefix="smdown-ismn-") as meta:
        data = _open_ismn(path, meta)
        try:
            _check_networks(data, networks, path)
            reader = _Reader(qc, tuple(keep_flags), box, layers)
            frames = [frame for name in networks for frame in reader.network(data[name])]
        finally:
            data.close_files()
    qc.refuse_if_too_much()
    if not frames:
        raise InputError(
            path,
            f"no usable station in networks {list(networks)}",
            f"stations in the box {box} with soil moisture flagged "
            f"{'/'.join(keep_flags)} at {depth_expected(layers)}",
        )
    return tidy_daily(pd.concat(frames, ignore_index=True))


def _open_ismn(path: Path, meta: str) -> ISMN_Interface:
    """The ismn reader on `path`, its metadata and extracted files kept under `meta`."""
    try:
        return ISMN_Interface(path, meta_path=meta, temp_root=meta)
    except Exception as exc:  # ismn fails with many types on folders that are no ISMN download
        raise InputError(
            path, f"cannot be read by ismn ({type(exc).__name__}: {exc})", ARCHIVE_EXPECTED
        ) from exc


def _check_networks(data: ISMN_Interface, networks: Sequence[str], path: Path) -> None:
    """Refuse requested networks the download does not hold, naming the ones it does."""
    found = list(data.networks)
    missing = [name for name in networks if name not in found]
    if missing:
        raise InputError(
            path,
            f"ISMN network(s) {missing} not found; found {found}",
            "a download holding the requested networks",
        )


class _Reader:
    """Reads stations into daily frames, recording every drop in one QC log."""

    def __init__(self, qc: QCLog, keep_flags: tuple[str, ...], box: Box, layers: Layers):
        self.qc, self.keep_flags, self.box, self.layers = qc, keep_flags, box, layers

    def network(self, network: Network) -> list[pd.DataFrame]:
        """One daily frame per usable station of `network`; stations outside the box are
        listed in the QC table and skipped."""
        frames = []
        for station in network.iter_stations():
            if not in_box(station.lat, station.lon, self.box):
                self._outside(network.name, station)
                continue
            frame = self.station(network.name, station)
            if frame is not None:
                frames.append(frame)
        return frames

    def _outside(self, network: str, station: Station) -> None:
        log.warning(
            "ISMN %s station %s at %.4f N %.4f E lies outside the box %s; skipped",
            network,
            station.name,
            station.lat,
            station.lon,
            self.box,
        )
        for sensor in station.iter_sensors(variable=ISMN_VARIABLE):
            values = len(sensor.read_data())
            self.qc.count(_file(sensor), values)
            self.qc.drop(
                _file(sensor),
                f"station at {station.lat:.4f} N {station.lon:.4f} E "
                f"outside the grid box {self.box}",
                values,
                kind="place",
            )

    def station(self, network: str, station: Station) -> pd.DataFrame | None:
        """Daily means per layer at one station, averaged over its usable sensors."""
        parts = []
        for sensor in station.iter_sensors(variable=ISMN_VARIABLE):
            where = (
                f"ISMN {network} station {station.name} sensor at "
                f"{sensor.depth.start:g}-{sensor.depth.end:g} m"
            )
            daily = self.sensor_daily(sensor, where)
            if daily is None:
                continue
            layer, means = daily
            parts.append(
                pd.DataFrame({"layer": layer, "date": means.index, "sm": means.to_numpy()})
            )
        if not parts:
            return None
        frame = pd.concat(parts).groupby(["layer", "date"], as_index=False)["sm"].mean()
        return frame.assign(network=network, station=station.name, lat=station.lat, lon=station.lon)

    def sensor_daily(self, sensor: Sensor, where: str) -> tuple[int, pd.Series] | None:
        """The sensor's layer and daily means of its values that pass quality control."""
        file = _file(sensor)
        try:
            data = sensor.read_data()
        except Exception as exc:  # the ismn reader fails with many types on damaged files
            raise InputError(
                file, f"cannot be read by ismn ({type(exc).__name__}: {exc})", STM_EXPECTED
            ) from exc
        self.qc.count(file, len(data))
        try:
            layer = layer_of_depth(sensor.depth.start, sensor.depth.end, where, self.layers)
        except InputError as exc:
            log.warning("%s; skipped", exc)
            self.qc.drop(
                file,
                f"sensor at {sensor.depth.start:g}-{sensor.depth.end:g} m, below the deepest layer",
                len(data),
                kind="place",
            )
            return None
        values = self._screened(data, file)
        if values.empty:
            log.warning(
                "%s: no value flagged %s passes quality control; skipped",
                where,
                "/".join(self.keep_flags),
            )
            return None
        return layer, values.groupby(values.index.floor("D")).mean()

    def _screened(self, data: pd.DataFrame, file: str) -> pd.Series:
        """The sensor's values left after duplicated timestamps, flags and screening."""
        duplicated = data.index.duplicated(keep="first")
        self.qc.drop(file, "duplicated timestamp (first kept)", int(duplicated.sum()), kind="row")
        data = data[~duplicated]
        flags = data[f"{ISMN_VARIABLE}_flag"].astype(str)
        kept = flags.map({flag: flag_kept(flag, self.keep_flags) for flag in flags.unique()})
        for flag, count in flags[~kept].value_counts().sort_index().items():
            self.qc.drop(
                file,
                f"quality flag {flag} not kept (sources.ismn.keep_flags)",
                int(count),
                kind="flag",
            )
        values = data.loc[kept.to_numpy(), ISMN_VARIABLE].astype(float)
        return values[self.qc.screen(values.to_numpy(), file)]


def _file(sensor: Sensor) -> str:
    """The sensor's file as the download names it (network/station/file.stm)."""
    return str(sensor.filehandler.file_path)
