"""Rectilinear lat-lon grids with cell bounds: the 0.1 degree target and native model grids."""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike

import numpy as np
import xarray as xr

from smdown.catalog import NativeGrid
from smdown.errors import InputError

LAT_NAMES = ("lat", "latitude")
LON_NAMES = ("lon", "longitude")


@dataclass(frozen=True, eq=False)
class RectilinearGrid:
    """Cell centres and bounds (degrees) of a grid whose cells are lat x lon rectangles.

    Latitudes ascend; longitudes ascend within one 360 degree turn.
    """

    lat: np.ndarray
    lon: np.ndarray
    lat_bnds: np.ndarray  # (nlat, 2)
    lon_bnds: np.ndarray  # (nlon, 2)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.lat.size, self.lon.size)

    def coords(self) -> dict[str, xr.DataArray]:
        """CF coordinate variables (with bounds attributes) for building a Dataset on this grid."""
        return {
            "lat": xr.DataArray(
                self.lat,
                dims="lat",
                attrs={"standard_name": "latitude", "units": "degrees_north", "bounds": "lat_bnds"},
            ),
            "lon": xr.DataArray(
                self.lon,
                dims="lon",
                attrs={"standard_name": "longitude", "units": "degrees_east", "bounds": "lon_bnds"},
            ),
        }

    def bounds_vars(self) -> dict[str, xr.DataArray]:
        """`lat_bnds`/`lon_bnds` data variables matching `coords()`."""
        return {
            "lat_bnds": xr.DataArray(self.lat_bnds, dims=("lat", "bnds")),
            "lon_bnds": xr.DataArray(self.lon_bnds, dims=("lon", "bnds")),
        }

    def cell_area(self) -> np.ndarray:
        """Relative cell areas (sr): d(sin lat) * d(lon in radians), shape (nlat, nlon)."""
        dsin = np.diff(np.sin(np.deg2rad(self.lat_bnds)), axis=1)[:, 0]
        dlon = np.deg2rad(np.diff(self.lon_bnds, axis=1)[:, 0])
        return np.outer(dsin, dlon)

    def equals(self, other: RectilinearGrid, atol: float = 1e-6) -> bool:
        """True when both grids have the same centres (within `atol` degrees)."""
        return (
            self.shape == other.shape
            and np.allclose(self.lat, other.lat, atol=atol)
            and np.allclose(self.lon, other.lon, atol=atol)
        )


def midpoint_bounds(centres: np.ndarray, clip: tuple[float, float] | None = None) -> np.ndarray:
    """Bounds halfway between neighbouring centres, the outer ones mirrored; optionally clipped."""
    centres = np.asarray(centres, dtype=float)
    if centres.size == 1:
        raise ValueError("cannot infer bounds from a single centre")
    mids = 0.5 * (centres[1:] + centres[:-1])
    edges = np.concatenate([[2 * centres[0] - mids[0]], mids, [2 * centres[-1] - mids[-1]]])
    if clip is not None:
        edges = np.clip(edges, *clip)
    return np.stack([edges[:-1], edges[1:]], axis=1)


def in_turn(lon: np.ndarray, west: float) -> np.ndarray:
    """Longitudes moved by whole turns into [west, west + 360): how a 0..360 field meets a grid
    that crosses the prime meridian (-10..10), or a -180..180 one a grid past 180 east."""
    return np.round(west + np.mod(np.asarray(lon, dtype=float) - west, 360.0), 10)


def regular_grid(
    lat_min: float, lat_max: float, lon_min: float, lon_max: float, resolution: float
) -> RectilinearGrid:
    """Grid whose centres run from the min to the max (inclusive) in steps of `resolution`.

    This is the ERA5-Land layout: the 0.1 degree TRSR grid has centres 31.0..38.0, 89.0..104.0.
    """
    nlat = round((lat_max - lat_min) / resolution) + 1
    nlon = round((lon_max - lon_min) / resolution) + 1
    lat = np.round(lat_min + resolution * np.arange(nlat), 10)
    lon = np.round(lon_min + resolution * np.arange(nlon), 10)
    half = resolution / 2
    return RectilinearGrid(
        lat=lat,
        lon=lon,
        lat_bnds=np.stack([lat - half, lat + half], axis=1),
        lon_bnds=np.stack([lon - half, lon + half], axis=1),
    )


def cdo_griddes(grid: RectilinearGrid) -> str:
    """A CDO grid description (gridtype lonlat) of a regular grid, for `cdo remapcon,<file>`."""
    dlat, dlon = float(np.diff(grid.lat).mean()), float(np.diff(grid.lon).mean())
    return (
        f"gridtype = lonlat\nxsize = {grid.lon.size}\nysize = {grid.lat.size}\n"
        f"xfirst = {grid.lon[0]:g}\nxinc = {dlon:.10g}\n"
        f"yfirst = {grid.lat[0]:g}\nyinc = {dlat:.10g}\n"
    )


def gaussian_latitudes(nlat: int) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian latitudes (ascending) and their true bounds from the quadrature weights."""
    nodes, weights = np.polynomial.legendre.leggauss(nlat)
    lat = np.rad2deg(np.arcsin(nodes))
    edges_sin = np.concatenate([[-1.0], -1.0 + np.cumsum(weights)])
    edges_sin[-1] = 1.0
    edges = np.rad2deg(np.arcsin(np.clip(edges_sin, -1, 1)))
    return lat, np.stack([edges[:-1], edges[1:]], axis=1)


def native_grid(spec: NativeGrid) -> RectilinearGrid:
    """The global grid a model's CMOR files use, with the bounds those files carry."""
    if spec.lat_kind == "gaussian":
        lat, lat_bnds = gaussian_latitudes(spec.nlat)
    elif spec.lat_kind == "regular_poles":
        lat = np.linspace(-90.0, 90.0, spec.nlat)
        lat_bnds = midpoint_bounds(lat, clip=(-90.0, 90.0))
    elif spec.lat_kind == "regular_offset":
        dlat = 180.0 / spec.nlat
        lat = -90.0 + dlat / 2 + dlat * np.arange(spec.nlat)
        lat_bnds = np.stack([lat - dlat / 2, lat + dlat / 2], axis=1)
    else:
        raise ValueError(f"unknown latitude kind {spec.lat_kind!r}")
    lon = spec.lon0 + spec.dlon * np.arange(spec.nlon)
    lon_bnds = np.stack([lon - spec.dlon / 2, lon + spec.dlon / 2], axis=1)
    return RectilinearGrid(lat=lat, lon=lon, lat_bnds=lat_bnds, lon_bnds=lon_bnds)


def _find(ds: xr.Dataset, names: tuple[str, ...], source: str | PathLike, what: str) -> str:
    for name in names:
        if name in ds.variables:
            return name
    raise InputError(source, f"no {what} coordinate", f"one of {', '.join(names)}")


def _bounds_of(ds: xr.Dataset, coord: str) -> np.ndarray | None:
    name = ds[coord].attrs.get("bounds")
    for candidate in (name, f"{coord}_bnds", f"{coord}_bounds"):
        if candidate and candidate in ds.variables:
            return np.asarray(ds[candidate].values, dtype=float)
    return None


def grid_from_dataset(ds: xr.Dataset, source: str | PathLike) -> tuple[RectilinearGrid, str, str]:
    """Read a rectilinear grid (ascending order) from a dataset, using its bounds when present.

    Returns the grid and the names of the latitude and longitude dimensions. Descending
    coordinates are not reordered here: callers sort the data with `sortby` first.
    """
    lat_name = _find(ds, LAT_NAMES, source, "latitude")
    lon_name = _find(ds, LON_NAMES, source, "longitude")
    lat = np.asarray(ds[lat_name].values, dtype=float)
    lon = np.asarray(ds[lon_name].values, dtype=float)
    if lat.ndim != 1 or lon.ndim != 1:
        raise InputError(source, "latitude/longitude are not 1-D", "a rectilinear lat-lon grid")
    if np.any(np.diff(lat) <= 0) or np.any(np.diff(lon) <= 0):
        raise InputError(
            source,
            "latitude/longitude are not strictly ascending",
            "coordinates sorted ascending by the reader",
        )
    lat_bnds = _bounds_of(ds, lat_name)
    lon_bnds = _bounds_of(ds, lon_name)
    if lat_bnds is None:
        lat_bnds = midpoint_bounds(lat, clip=(-90.0, 90.0))
    if lon_bnds is None:
        lon_bnds = midpoint_bounds(lon)
    lat_bnds = np.sort(lat_bnds, axis=1)
    lon_bnds = np.sort(lon_bnds, axis=1)
    return RectilinearGrid(lat, lon, lat_bnds, lon_bnds), lat_name, lon_name
