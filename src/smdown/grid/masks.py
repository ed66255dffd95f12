"""Region masks on the target grid, from vector polygons (GeoJSON) or mask NetCDF files.

Mask NetCDFs are georeferenced by their `lat`/`lon` coordinate variables only: the authors'
published basin masks carry a stale GeoTransform in their `crs` variable that must be ignored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path

import numpy as np
import shapely
import xarray as xr
from shapely.geometry import shape

from smdown.errors import InputError
from smdown.geometry import RectilinearGrid, in_turn
from smdown.io import open_netcdf


def masks_dataset(masks: Mapping[str, np.ndarray], grid: RectilinearGrid) -> xr.Dataset:
    """Stack boolean (lat, lon) masks into `mask(region, lat, lon)` (int8, 1 inside) on `grid`."""
    names = list(masks)
    data = np.stack([np.asarray(masks[n], dtype=np.int8) for n in names])
    return xr.Dataset(
        {
            "mask": (
                ("region", "lat", "lon"),
                data,
                {
                    "long_name": "region membership (1 inside, 0 outside)",
                    "flag_values": np.array([0, 1], np.int8),
                    "flag_meanings": "outside inside",
                },
            )
        },
        coords={"region": names, **grid.coords()},
    )


def with_union(masks: dict[str, np.ndarray], union: str | None) -> dict[str, np.ndarray]:
    """Add the union of all masks under `union` (first), unless absent or already there."""
    if not union or union in masks:
        return masks
    return {union: np.logical_or.reduce(list(masks.values())), **masks}


def rasterize_geojson(
    path: str | PathLike, grid: RectilinearGrid, name_property: str = "name"
) -> dict[str, np.ndarray]:
    """Masks of the cells whose centres fall inside each feature's polygon, by feature name.

    A centre on a boundary counts as inside, so polygons sharing a border leave no gap there.
    """
    path = Path(path)
    what = f"a GeoJSON FeatureCollection of polygons with a {name_property!r} property"
    try:
        features = json.loads(path.read_text())["features"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(path, f"cannot be read as GeoJSON ({exc})", what) from exc
    lon2, lat2 = np.meshgrid(grid.lon, grid.lat)
    masks = {}
    for i, feature in enumerate(features):
        name = (feature.get("properties") or {}).get(name_property)
        if not name:
            raise InputError(path, f"feature {i} has no {name_property!r} property", what)
        geom = shape(feature["geometry"])
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise InputError(path, f"feature {name!r} is a {geom.geom_type}", what)
        # the outline's longitudes may run -180..180 or 0..360, whichever the grid's do
        masks[name] = np.logical_or.reduce(
            [shapely.intersects_xy(geom, lon2 + turn, lat2) for turn in (-360.0, 0.0, 360.0)]
        )
    return masks


def read_mask_netcdf(
    path: str | PathLike, grid: RectilinearGrid, variable: str | None = None
) -> np.ndarray:
    """A mask NetCDF (1 inside; 0 or missing outside) matched to `grid` by coordinates; any
    other value (a -9999 left undecoded, a category code) is refused."""
    what = "a mask NetCDF with one 2-D variable on lat/lon coordinates"
    ds = open_netcdf(path, what=what)
    lat = next((n for n in ("lat", "latitude") if n in ds.variables), None)
    lon = next((n for n in ("lon", "longitude") if n in ds.variables), None)
    if lat is None or lon is None:
        raise InputError(path, "no lat/lon coordinate variables", what)
    candidates = [v for v in ds.data_vars if set(ds[v].dims) == {ds[lat].dims[0], ds[lon].dims[0]}]
    name = variable or (candidates[0] if len(candidates) == 1 else None)
    if name is None or name not in ds.data_vars:
        raise InputError(path, f"cannot choose the mask variable among {candidates}", what)
    da = ds[name].rename({ds[lat].dims[0]: "lat", ds[lon].dims[0]: "lon"})
    lons = in_turn(ds[lon].values, float(grid.lon_bnds[0, 0]))  # 0..360 or -180..180
    da = da.assign_coords(lat=ds[lat].values.astype(float), lon=lons)
    da = da.sortby("lat").sortby("lon").transpose("lat", "lon")
    try:
        matched = da.sel(lat=grid.lat, lon=grid.lon, method="nearest", tolerance=1e-4)
    except KeyError as exc:
        raise InputError(
            path,
            "mask coordinates do not match the target grid",
            f"{grid.shape[0]} x {grid.shape[1]} cells at the target centres",
        ) from exc
    values = matched.values
    inside = np.isfinite(values) & (values != 0)
    odd = np.unique(values[inside & (values != 1)])
    if odd.size:
        shown = ", ".join(f"{v:g}" for v in odd[:5])
        raise InputError(
            path,
            f"mask values {shown} (a sentinel or a category, not a mask)",
            "1 inside the region, 0 or missing outside",
        )
    return inside


def read_region_masks(
    grid: RectilinearGrid,
    *,
    geojson: str | PathLike | None = None,
    netcdf: Mapping[str, str | PathLike] | None = None,
    regions: Sequence[str] | None = None,
    union: str | None = None,
) -> xr.Dataset:
    """Region masks from one GeoJSON or a mapping name -> mask NetCDF, plus their union.

    `regions` selects and orders the regions; every one must exist and cover at least one cell.
    """
    if (geojson is None) == (netcdf is None):
        raise ValueError("give exactly one of geojson= or netcdf=")
    source = str(geojson) if geojson is not None else ", ".join(map(str, netcdf.values()))
    if geojson is not None:
        masks = rasterize_geojson(geojson, grid)
    else:
        masks = {name: read_mask_netcdf(p, grid) for name, p in netcdf.items()}
    masks = with_union(masks, union)
    if regions:
        missing = [r for r in regions if r not in masks]
        if missing:
            raise InputError(
                source,
                f"regions {missing} not found (have {sorted(masks)})",
                "every region named in the config (regions.names: set it to your outlines' names)",
            )
        masks = {r: masks[r] for r in regions}
    for name, m in masks.items():
        if not m.any():
            raise InputError(
                source,
                f"region {name!r} covers no cell of the target grid",
                "a region inside the target domain",
            )
    return masks_dataset(masks, grid)


def cells_per_region(masks: xr.Dataset) -> dict[str, int]:
    """Number of target cells inside each region of a `masks_dataset`."""
    counts = masks["mask"].sum(("lat", "lon")).values.tolist()
    return dict(zip(masks.region.values.tolist(), counts, strict=True))
