"""Demo region outlines: rough hand-drawn source regions of the Yangtze, Yellow and Lancang.

Drawn from general geographic knowledge only (not from any published mask) and labelled as
approximate in the file. The three basins share their borders, so TRSR is their exact union.
"""

from __future__ import annotations

import json
from os import PathLike
from pathlib import Path

from shapely.geometry import Polygon, mapping
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
        (90.0, 33.2), (91.5, 32.6), (93.0, 32.5), *_YANGTZE_LANCANG,
        *_YANGTZE_YELLOW[1:], (94.5, 35.9), (92.5, 36.0), (90.5, 35.8), (89.5, 35.0),
        (89.6, 34.0),
    ],
    "yellow": [
        _TRIPLE, (99.0, 32.6), (100.5, 32.5), (101.8, 32.8), (102.8, 33.3), (103.0, 34.2),
        (102.4, 35.0), (101.0, 35.6), (99.5, 36.0), (98.0, 35.9), *_YANGTZE_YELLOW[::-1][:-1],
    ],
    "lancang": [
        _YANGTZE_LANCANG[0], (93.6, 32.3), (94.3, 31.8), (95.2, 31.5), (96.2, 31.6),
        (97.0, 31.9), (97.5, 32.4), *_YANGTZE_LANCANG[::-1][:-1],
    ],
}


def demo_regions() -> dict[str, Polygon]:
    """The three basin polygons and TRSR, their union, oriented counter-clockwise."""
    basins = {name: orient(Polygon(points), 1.0) for name, points in OUTLINES.items()}
    return {"TRSR": orient(unary_union(list(basins.values())), 1.0), **basins}


def write_demo_regions(path: str | PathLike) -> Path:
    """Write the demo regions as a GeoJSON FeatureCollection (properties `name`, `note`)."""
    features = [
        {"type": "Feature", "properties": {"name": name, "note": NOTE},
         "geometry": mapping(polygon)}
        for name, polygon in demo_regions().items()
    ]
    collection = {"type": "FeatureCollection", "features": features}
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(collection, indent=1))
    return path
