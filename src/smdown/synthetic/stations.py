"""Synthetic in-situ soil moisture: ISMN networks in "header_values" format and a CMA CSV.

ISMN: <folder>/<network>/<station>/ holds one `<station>_static_variables.csv` (semicolon
separated, as ISMN ships it) and one `.stm` file per sensor named
`<net>_<net>_<station>_sm_<from>_<to>_<sensor>_<start>_<end>.stm` (<net> is the network with
"_" written "-", as ISMN names FR_Aqui's files FR-Aqui_...), whose first line is
`network network station lat lon elevation depth_from depth_to sensor` and whose data lines are
`YYYY/MM/DD HH:MM value flag orig_flag` (daily at 12:00 here; days without data are absent).

Where stations lie: the demo's networks (`NETWORKS`: CTP_SMTMN, MAQU, NAQU) in their own boxes
on the TRSR, and CMA stations scattered over a world inside China; any other network, or a
world elsewhere, gets its stations inside a given region (the config's first synthetic region),
drawn from a generator seeded by the network's name, with ISMN-like sensor depths.

CMA: one CSV, columns `station_id,lat,lon,elevation_m,date,depth_cm,sm` where station_id is a
5-digit string, lat/lon in degrees, elevation_m in metres, date ISO `YYYY-MM-DD`, depth_cm the
sensor depth (10, 20, 40, 60, 80, 100) and sm volumetric soil moisture in m3/m3 (3 decimals);
one row per station, day and depth, rows sorted by station, date, depth; no missing values.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import box as rectangle
from shapely.geometry.base import BaseGeometry

from smdown.io import atomic_path
from smdown.synthetic.orography import elevation_at
from smdown.synthetic.truth import CHINA_BOX, Box, TruthWorld

ISMN_DEPTHS_M = (0.05, 0.10, 0.20, 0.40, 0.80)
CMA_DEPTHS_CM = (10, 20, 40, 60, 80, 100)
SENSOR_NOISE = 0.01
GAP_FRACTION = 0.03
SPIKE_FRACTION = 0.002  # readings above saturation, flagged C03
SATURATION = 0.48  # HWSD saturation written to the static variables file
FROZEN_MONTHS = (12, 1, 2)
FROZEN_MONTHS_SOUTH = (6, 7, 8)  # a world south of the equator (TruthWorld.southern)
PLACED_STATIONS = 8  # stations of a network placed in a region (not one of NETWORKS' boxes)
PLACED_SENSOR = "5TM"


@dataclass(frozen=True)
class NetworkSpec:
    """Where a network's stations lie, how many there are, and how they are named."""

    name: str
    n_stations: int
    lat_range: tuple[float, float]
    lon_range: tuple[float, float]
    station_prefix: str
    sensor: str


NETWORKS = {
    n.name: n
    for n in [
        NetworkSpec("CTP_SMTMN", 20, (31.0, 32.5), (91.0, 92.5), "L", "EC-TM"),
        NetworkSpec("MAQU", 10, (33.5, 34.0), (101.5, 102.5), "CST-", "ECH20-EC-TM"),
        NetworkSpec("NAQU", 5, (31.3, 31.5), (91.8, 92.0), "NQ-", "5TM"),
    ]
}


def elevation(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """A plausible plateau elevation (m): about 4800 m in the west, 3400 m in the east."""
    return 4800.0 - 95.0 * (lon - 89.0) + 120.0 * np.sin(lat * 1.7) * np.cos(lon * 1.3)


def _station_table(spec: NetworkSpec, rng: np.random.Generator) -> pd.DataFrame:
    lat = np.round(rng.uniform(*spec.lat_range, spec.n_stations), 5)
    lon = np.round(rng.uniform(*spec.lon_range, spec.n_stations), 5)
    return pd.DataFrame(
        {
            "network": spec.name,
            "station": [f"{spec.station_prefix}{i + 1:02d}" for i in range(spec.n_stations)],
            "lat": lat,
            "lon": lon,
            "elevation_m": np.round(elevation(lat, lon), 1),
            "sensor": spec.sensor,
        }
    )


def _within(inner: Box, outer: Box) -> bool:
    """Whether the (lat_min, lat_max, lon_min, lon_max) box `inner` lies inside `outer`."""
    return (
        outer[0] <= inner[0]
        and inner[1] <= outer[1]
        and outer[2] <= inner[2]
        and inner[3] <= outer[3]
    )


def _world_region(world: TruthWorld) -> BaseGeometry:
    """The world's box as a (lon, lat) rectangle: where stations go when no region is given."""
    lat_min, lat_max, lon_min, lon_max = world.box
    return rectangle(lon_min, lat_min, lon_max, lat_max)


def points_in(
    region: BaseGeometry, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """`n` (lat, lon) points drawn uniformly inside `region` (lon, lat), rounded to 5 decimals."""
    if region.is_empty or region.area == 0:
        raise ValueError(f"cannot place stations in an empty region {region.wkt[:80]}")
    west, south, east, north = region.bounds
    lat, lon = np.empty(0), np.empty(0)
    while lat.size < n:
        x, y = rng.uniform(west, east, 4 * n), rng.uniform(south, north, 4 * n)
        inside = shapely.contains_xy(region, x, y)
        lat, lon = np.r_[lat, y[inside]], np.r_[lon, x[inside]]
    return np.round(lat[:n], 5), np.round(lon[:n], 5)


def _name_number(name: str) -> int:
    """A number from a network's name, for its own seeded generator."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big")


def _placed_stations(
    name: str, world: TruthWorld, region: BaseGeometry, rng: np.random.Generator
) -> pd.DataFrame:
    """PLACED_STATIONS stations of network `name` inside `region`, named after the network."""
    lat, lon = points_in(region, PLACED_STATIONS, rng)
    prefix = re.sub(r"[^A-Za-z0-9]", "", name)[:4].upper() or "ST"
    return pd.DataFrame(
        {
            "network": name,
            "station": [f"{prefix}-{i + 1:02d}" for i in range(PLACED_STATIONS)],
            "lat": lat,
            "lon": lon,
            "elevation_m": np.round(elevation_at(world, lat, lon), 1),
            "sensor": PLACED_SENSOR,
        }
    )


def network_stations(
    name: str, world: TruthWorld, region: BaseGeometry | None = None, seed: int = 0
) -> tuple[pd.DataFrame, np.random.Generator]:
    """The stations of network `name` and the generator that goes on to draw their values: a
    demo network in its box when the world holds it, else inside `region` (default the
    world's box), seeded by the network's name."""
    spec = NETWORKS.get(name)
    if spec is not None and _within((*spec.lat_range, *spec.lon_range), world.box):
        rng = np.random.default_rng([world.seed, seed, 301, list(NETWORKS).index(name)])
        return _station_table(spec, rng), rng
    rng = np.random.default_rng([world.seed, seed, 302, _name_number(name)])
    return _placed_stations(
        name, world, region if region is not None else _world_region(world), rng
    ), rng


def _flags(
    days: np.ndarray, values: np.ndarray, rng: np.random.Generator, southern: bool = False
) -> np.ndarray:
    """ISMN quality flags: mostly G; D01 (soil frozen) on most winter days (June-August in the
    south); C03 above saturation."""
    months = days.astype("datetime64[M]").astype(int) % 12 + 1
    flags = np.full(days.size, "G", dtype=object)
    winter = FROZEN_MONTHS_SOUTH if southern else FROZEN_MONTHS
    frozen = np.isin(months, winter) & (rng.random(days.size) < 0.7)
    flags[frozen] = "D01"
    flags[values > SATURATION] = "C03"
    return flags


def _keep_mask(n: int, rng: np.random.Generator) -> np.ndarray:
    """Days with data: a few random gaps of 1-40 days (sensor outages)."""
    keep = np.ones(n, dtype=bool)
    for _ in range(max(1, round(GAP_FRACTION * n / 20))):
        start = rng.integers(0, n)
        keep[start : start + rng.integers(1, 41)] = False
    return keep


def _stm_text(
    row: pd.Series, depth: float, days: np.ndarray, values: np.ndarray, flags: np.ndarray
) -> str:
    header = (
        f"{row.network:<10} {row.network:<15} {row.station:<17} {row.lat:8.5f}"
        f"{row.lon:12.5f}{row.elevation_m:8.2f}{depth:8.2f}{depth:8.2f} {row.sensor}"
    )
    dates = pd.DatetimeIndex(days).strftime("%Y/%m/%d")
    lines = [f"{d} 12:00 {v:8.4f} {f} M" for d, v, f in zip(dates, values, flags, strict=True)]
    return "\n".join([header, *lines]) + "\n"


def _static_csv() -> str:
    """The station's static variables file as ISMN ships it (HWSD soil, CCI land cover)."""
    head = (
        "quantity_name;unit;depth_from[m];depth_to[m];value;description;quantity_source_name;"
        "quantity_source_description;quantity_source_provider;quantity_source_version;"
        "quantity_source_resolution;quantity_source_timerange;quantity_source_url;"
    )
    hwsd = 'HWSD;Harmonized World Soil Database v1.1;IIASA;v1.1;30";;;'
    rows = [
        f"saturation;m^3*m^-3;0.00;0.30;{SATURATION:.2f};;{hwsd}",
        f"clay fraction;% weight;0.00;0.30;18.00;;{hwsd}",
        f"sand fraction;% weight;0.00;0.30;45.00;;{hwsd}",
        f"silt fraction;% weight;0.00;0.30;37.00;;{hwsd}",
        f"organic carbon;% weight;0.00;0.30;1.20;;{hwsd}",
        (
            "land cover classification;;;;130;Grassland;CCI_landcover_2010;ESA CCI Land Cover;ESA;"
            "2010-v1.6.1;300m;2008-2012;;"
        ),
        (
            "climate classification;;;;ET;Polar Tundra;koeppen_geiger_2007;Koeppen-Geiger Climate "
            "Classification;;Peel2007;0.1deg;;;"
        ),
    ]
    return "\n".join([head, *rows]) + "\n"


def _write_text(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def write_ismn(
    world: TruthWorld,
    folder: str | PathLike,
    networks: Sequence[str] = tuple(NETWORKS),
    period: tuple[str, str] = ("2008-05-01", "2019-09-30"),
    seed: int = 0,
    region: BaseGeometry | None = None,
) -> pd.DataFrame:
    """Write ISMN header_values files for the networks into `folder`, their stations where
    `network_stations` puts them (`region`: for a network outside the demo's boxes).

    Values: the truth at each sensor depth plus white sensor noise (0.01), 3 decimals, with
    sensor outages, rare spikes above saturation (flag C03) and frozen-soil flags (D01).
    Returns one row per sensor: network, station, lat, lon, elevation_m, sensor, depth_m, path,
    n_values.
    """
    folder = Path(folder)
    days = np.arange(np.datetime64(period[0]), np.datetime64(period[1]) + 1)
    rows = []
    for name in networks:
        stations, rng = network_stations(name, world, region, seed)
        net = name.replace("_", "-")
        for row in stations.itertuples(index=False):
            truths = world.point_series(row.lat, row.lon, ISMN_DEPTHS_M, days)
            for depth, truth in zip(ISMN_DEPTHS_M, truths.T, strict=True):
                values = np.round(truth + rng.normal(0.0, SENSOR_NOISE, days.size), 3)
                values = np.clip(values, 0.0, SATURATION)
                spikes = rng.random(days.size) < SPIKE_FRACTION
                values[spikes] = np.round(SATURATION + rng.uniform(0.01, 0.08, spikes.sum()), 3)
                keep = _keep_mask(days.size, rng)
                kept_days, kept = days[keep], values[keep]
                flags = _flags(kept_days, kept, rng, world.southern)
                start, end = (str(d).replace("-", "") for d in kept_days[[0, -1]])
                stm = (
                    f"{net}_{net}_{row.station}_sm_{depth:.6f}_{depth:.6f}_{row.sensor}_"
                    f"{start}_{end}.stm"
                )
                path = folder / name / row.station / stm
                _write_text(path, _stm_text(row, depth, kept_days, kept, flags))
                rows.append(
                    {
                        **row._asdict(),
                        "depth_m": depth,
                        "path": str(path),
                        "n_values": int(keep.sum()),
                    }
                )
            _write_text(
                folder / name / row.station / f"{net}_{net}_{row.station}_static_variables.csv",
                _static_csv(),
            )
    return pd.DataFrame(rows)


def write_cma(
    world: TruthWorld,
    path: str | PathLike,
    n_stations: int = 30,
    period: tuple[str, str] = ("2015-01-01", "2018-12-31"),
    seed: int = 0,
    region: BaseGeometry | None = None,
) -> pd.DataFrame:
    """Write the CMA station CSV (schema in the module docstring) to `path`.

    Stations are scattered over the world's box when it lies in China (the CMA's), else inside
    `region` (default the world's box); values are the truth at each depth plus white noise
    (0.015). Returns the station table: station_id, lat, lon, elevation_m.
    """
    rng = np.random.default_rng([world.seed, seed, 401])
    if _within(world.box, CHINA_BOX):
        lat_min, lat_max, lon_min, lon_max = world.box
        lat = np.round(rng.uniform(lat_min + 0.2, lat_max - 0.2, n_stations), 4)
        lon = np.round(rng.uniform(lon_min + 0.2, lon_max - 0.2, n_stations), 4)
        heights = elevation(lat, lon)
    else:
        lat, lon = points_in(
            region if region is not None else _world_region(world), n_stations, rng
        )
        heights = elevation_at(world, lat, lon)
    stations = pd.DataFrame(
        {
            "station_id": [f"{52000 + 37 * i:05d}" for i in range(n_stations)],
            "lat": lat,
            "lon": lon,
            "elevation_m": np.round(heights, 1),
        }
    )
    days = np.arange(np.datetime64(period[0]), np.datetime64(period[1]) + 1)
    frames = []
    for st in stations.itertuples(index=False):
        series = world.point_series(st.lat, st.lon, np.array(CMA_DEPTHS_CM) / 100, days)
        series = np.clip(series + rng.normal(0.0, 0.015, series.shape), 0.0, 0.6)
        frames.append(
            pd.DataFrame(
                {
                    "station_id": st.station_id,
                    "lat": st.lat,
                    "lon": st.lon,
                    "elevation_m": st.elevation_m,
                    "date": np.repeat(
                        pd.DatetimeIndex(days).strftime("%Y-%m-%d"), len(CMA_DEPTHS_CM)
                    ),
                    "depth_cm": np.tile(CMA_DEPTHS_CM, days.size),
                    "sm": np.round(series.ravel(), 3),
                }
            )
        )
    with atomic_path(path) as tmp:
        pd.concat(frames, ignore_index=True).to_csv(tmp, index=False)
    return stations
