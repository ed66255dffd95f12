"""Demo region outlines: rough hand-drawn source regions of the Yangtze, Yellow and Lancang,
and a rough hand-drawn outline of China for the CMIP6DL study.

Drawn from general geographic knowledge only (not from any published mask or boundary) and
labelled as approximate in the file. The three basins share their borders, so TRSR is their
exact union.
"""

from __future__ import annotations

import json
from os import PathLike
from pathlib import Path

from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.ops import unary_union

from smdown.io import atomic_path

NOTE = "approximate demo outline, not the published boundary"

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


def _write_regions(path: str | PathLike, regions: dict[str, BaseGeometry]) -> Path:
    """Write regions as a GeoJSON FeatureCollection (properties `name`, `note`)."""
    features = [
        {
            "type": "Feature",
            "properties": {"name": name, "note": NOTE},
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
