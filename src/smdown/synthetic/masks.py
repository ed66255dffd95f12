"""Synthetic region outlines: the studies' hand-drawn ones, or rectangles for any other grid.

The demo's are rough hand-drawn source regions of the Yangtze, Yellow and Lancang and a rough
outline of China for the CMIP6DL study, drawn from general geographic knowledge only (not from
any published mask or boundary) and labelled as approximate in the file. The three basins share
their borders, so TRSR is their exact union. A config whose region names or grid are not those
gets generated outlines instead (`tiled_regions`): its regions as rectangles tiling the inner
part of its grid, labelled as synthetic, so a new region can be tried before any download.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path

import numpy as np
import shapely
import xarray as xr
from shapely.geometry import MultiPolygon, Polygon, box, mapping
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.ops import unary_union

from smdown.errors import InputError
from smdown.geometry import regular_grid
from smdown.io import atomic_path

NOTE = "approximate demo outline, not the published boundary"
GENERATED_NOTE = "synthetic outline generated inside the configured grid, not a real boundary"
INNER_MARGIN = 0.15  # generated outlines leave this fraction of the grid free on every side

# Shared borders (lon, lat): Yangtze/Yellow runs north-west from the triple point near
# Zhimenda; Yangtze/Lancang runs west from it along the Tanggula foothills.
_TRIPLE = (97.5, 32.9)
_YANGTZE_YELLOW = [_TRIPLE, (97.2, 33.8), (96.3, 34.6), (95.8, 35.3), (96.0, 35.9)]
_YANGTZE_LANCANG = [(93.5, 33.0), (95.0, 33.3), (96.5, 33.0), _TRIPLE]

OUTLINES: dict[str, list[tuple[float, float]]] = {
    "yangtze": [
        (90.0, 33.2),
        (91.5, 32.6),
        (93.0, 32.5),
        *_YANGTZE_LANCANG,
        *_YANGTZE_YELLOW[1:],
        (94.5, 35.9),
        (92.5, 36.0),
        (90.5, 35.8),
        (89.5, 35.0),
        (89.6, 34.0),
    ],
    "yellow": [
        _TRIPLE,
        (99.0, 32.6),
        (100.5, 32.5),
        (101.8, 32.8),
        (102.8, 33.3),
        (103.0, 34.2),
        (102.4, 35.0),
        (101.0, 35.6),
        (99.5, 36.0),
        (98.0, 35.9),
        *_YANGTZE_YELLOW[::-1][:-1],
    ],
    "lancang": [
        _YANGTZE_LANCANG[0],
        (93.6, 32.3),
        (94.3, 31.8),
        (95.2, 31.5),
        (96.2, 31.6),
        (97.0, 31.9),
        (97.5, 32.4),
        *_YANGTZE_LANCANG[::-1][:-1],
    ],
}


# Mainland China (lon, lat), clockwise from the Pamirs: along the borders to the north-east,
# down the coast, and back west along the southern borders and the Himalaya (roughly the lines
# of actual control); then Hainan.
CHINA_MAINLAND = [
    (73.5, 39.5),
    (75.6, 40.6),
    (80.2, 42.1),
    (80.4, 44.9),
    (82.6, 45.3),
    (83.0, 47.2),
    (87.3, 49.1),
    (90.1, 47.9),
    (93.5, 44.9),
    (96.4, 42.7),
    (100.8, 42.6),
    (110.4, 42.8),
    (116.6, 46.3),
    (119.9, 46.7),
    (118.4, 47.9),
    (115.6, 47.9),
    (116.7, 49.8),
    (120.5, 52.6),
    (122.5, 53.5),
    (125.5, 53.1),
    (127.4, 50.3),
    (130.6, 48.9),
    (134.7, 48.3),
    (133.1, 45.1),
    (131.3, 43.0),
    (130.6, 42.4),
    (128.1, 42.0),
    (124.4, 40.0),
    (121.2, 38.8),
    (122.2, 40.5),
    (119.6, 39.9),
    (117.7, 38.9),
    (118.9, 37.6),
    (122.6, 37.4),
    (120.3, 36.0),
    (119.3, 34.8),
    (121.9, 31.1),
    (119.6, 26.0),
    (118.1, 24.4),
    (114.2, 22.3),
    (110.2, 20.3),
    (108.0, 21.5),
    (105.3, 23.3),
    (102.1, 22.4),
    (101.6, 21.2),
    (99.5, 22.1),
    (98.0, 24.2),
    (98.7, 27.5),
    (97.4, 28.2),
    (96.2, 29.4),
    (94.3, 29.2),
    (92.1, 27.8),
    (88.1, 27.9),
    (81.0, 30.2),
    (79.0, 31.3),
    (77.8, 35.5),
    (75.4, 36.9),
    (74.9, 38.5),
]
HAINAN = [(108.6, 19.2), (109.6, 18.2), (110.5, 18.7), (111.0, 19.7), (110.4, 20.1), (109.2, 20.0)]


def demo_regions() -> dict[str, Polygon]:
    """The three basin polygons and TRSR, their union, oriented counter-clockwise."""
    basins = {name: orient(Polygon(points), 1.0) for name, points in OUTLINES.items()}
    return {"TRSR": orient(unary_union(list(basins.values())), 1.0), **basins}


def china_region() -> MultiPolygon:
    """Mainland China and Hainan, each oriented counter-clockwise."""
    return MultiPolygon([orient(Polygon(CHINA_MAINLAND), 1.0), orient(Polygon(HAINAN), 1.0)])


def _write_regions(
    path: str | PathLike, regions: dict[str, BaseGeometry], note: str = NOTE
) -> Path:
    """Write regions as a GeoJSON FeatureCollection (properties `name`, `note`)."""
    features = [
        {
            "type": "Feature",
            "properties": {"name": name, "note": note},
            "geometry": mapping(polygon),
        }
        for name, polygon in regions.items()
    ]
    collection = {"type": "FeatureCollection", "features": features}
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(collection, indent=1))
    return path


def write_demo_regions(path: str | PathLike) -> Path:
    """Write the TRSR demo regions as a GeoJSON FeatureCollection (properties `name`, `note`)."""
    return _write_regions(path, demo_regions())


def write_china_regions(path: str | PathLike) -> Path:
    """Write the approximate China outline as a GeoJSON FeatureCollection of one feature, China."""
    return _write_regions(path, {"China": china_region()})


def _grid_box(grid: Mapping[str, float]) -> Polygon:
    """The rectangle of a config `grid` section's cell centres (lon, lat)."""
    return box(grid["lon_min"], grid["lat_min"], grid["lon_max"], grid["lat_max"])


def drawn_regions(
    grid: Mapping[str, float], names: Sequence[str]
) -> dict[str, BaseGeometry] | None:
    """The hand-drawn outlines (the TRSR's basins, or China) when they hold every configured
    region and reach into the grid; None when the config's region lies elsewhere."""
    for regions in (demo_regions(), {"China": china_region()}):
        if set(names) <= set(regions) and _grid_box(grid).intersects(
            unary_union(list(regions.values()))
        ):
            return regions
    return None


def tiled_regions(grid: Mapping[str, float], names: Sequence[str]) -> dict[str, Polygon]:
    """Rectangles, one per name, tiling the grid's inner part (INNER_MARGIN free each side) in
    rows from the north-west; neighbours share their borders, none overlap. Refuses a grid too
    small for each to hold a cell centre."""
    lon_min, lat_min, lon_max, lat_max = _grid_box(grid).bounds
    width, height = lon_max - lon_min, lat_max - lat_min
    west, east = lon_min + INNER_MARGIN * width, lon_max - INNER_MARGIN * width
    south, north = lat_min + INNER_MARGIN * height, lat_max - INNER_MARGIN * height
    columns = math.ceil(math.sqrt(len(names)))
    rows = math.ceil(len(names) / columns)
    tiles = {}
    for i, name in enumerate(names):
        row, column = divmod(i, columns)
        in_row = min(columns, len(names) - row * columns)
        step = (east - west) / in_row
        top = north - row * (north - south) / rows
        tiles[name] = orient(
            box(
                west + column * step, top - (north - south) / rows, west + (column + 1) * step, top
            ),
            1.0,
        )
    cells = regular_grid(
        grid["lat_min"], grid["lat_max"], grid["lon_min"], grid["lon_max"], grid["resolution"]
    )
    lon, lat = np.meshgrid(cells.lon, cells.lat)
    empty = [
        name for name, tile in tiles.items() if not shapely.intersects_xy(tile, lon, lat).any()
    ]
    if empty:
        raise InputError(
            "regions.names",
            f"the grid {dict(grid)} is too small for {len(names)} synthetic regions: "
            f"{empty} would hold no cell",
            "fewer regions or a grid of more cells (each region's rectangle needs a cell centre)",
        )
    return tiles


def synthetic_regions(
    grid: Mapping[str, float], names: Sequence[str], union: str | None
) -> tuple[dict[str, BaseGeometry], str]:
    """The outlines the synthetic provider writes for a config, and their note: the drawn ones
    where they fit (`drawn_regions`), else `tiled_regions` for every name but the union (which
    the masks make as the union of the others; a union that is the only name is drawn)."""
    drawn = drawn_regions(grid, names)
    if drawn is not None:
        return drawn, NOTE
    parts = [name for name in names if name != union] or list(names)
    return tiled_regions(grid, parts), GENERATED_NOTE


def write_regions(
    path: str | PathLike, grid: Mapping[str, float], names: Sequence[str], union: str | None
) -> Path:
    """Write the synthetic outlines of a config's `grid` and `regions` (names, union) as a
    GeoJSON FeatureCollection, each feature labelled by its note."""
    regions, note = synthetic_regions(grid, names, union)
    return _write_regions(path, regions, note)


def first_region(
    grid: Mapping[str, float], names: Sequence[str], union: str | None
) -> BaseGeometry:
    """The synthetic outline of the config's first region (the union of all when it is the
    union), cut to the grid: where synthetic stations go."""
    regions, _ = synthetic_regions(grid, names, union)
    region = regions[names[0]] if names[0] in regions else unary_union(list(regions.values()))
    return region.intersection(_grid_box(grid))


def station_region(
    grid: Mapping[str, float],
    names: Sequence[str],
    union: str | None,
    masks: str | PathLike | None = None,
) -> BaseGeometry:
    """Where synthetic stations outside the demo's boxes go: the first of the user's own
    regions (`masks`, the prepared masks file, when the outlines are real), else the first
    synthetic outline (`first_region`)."""
    return mask_region(masks) if masks else first_region(grid, names, union)


def mask_region(path: str | PathLike) -> BaseGeometry:
    """The first region of a prepared masks file (`mask(region, lat, lon)`) as the union of its
    cells: where synthetic stations go when the outlines are the user's own."""
    with xr.open_dataset(path) as ds:
        first = ds["mask"].isel(region=0)
        lat, lon = ds["lat"].values, ds["lon"].values
        iy, ix = np.nonzero(first.values)
    half_lat, half_lon = np.diff(lat).mean() / 2, np.diff(lon).mean() / 2
    return unary_union(
        [box(lon[x] - half_lon, lat[y] - half_lat, lon[x] + half_lon, lat[y] + half_lat)
         for y, x in zip(iy, ix, strict=True)]
    )  # fmt: skip
