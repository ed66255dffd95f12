"""Regridding of rectilinear lat-lon fields onto the target grid: exact conservative or bilinear.

Both grids are rectilinear, so the weights factor into a latitude matrix and a longitude matrix
and a field is regridded with two small matrix products. Missing source values are left out
and the rest renormalised (CDO's "fracarea"); a target cell whose valid weight fraction is below
`min_valid_fraction` (default 0.5: at least half of it must be backed by valid data) is NaN.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import xarray as xr

from smdown.errors import InputError
from smdown.geometry import RectilinearGrid

METHODS = ("conservative", "bilinear")
BACKENDS = ("exact", "xesmf", "xarray-regrid")
DEFAULT_MIN_VALID_FRACTION = 0.5
XESMF_MISSING = (
    "backend 'xesmf' needs the xesmf package (conda-forge, esmpy); install it or use backend: exact"
)
_TOL_DEG = 1e-6  # degrees of slack when comparing cell bounds
_REL_TOL = 1e-9  # relative slack on weight sums (rounding only)


def _check_choice(value: str, allowed: tuple[str, ...], what: str) -> None:
    """Reject an unknown `method`/`backend` early, naming the allowed values."""
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; allowed: {', '.join(allowed)}")


def _overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Length of the intersection of each interval of `a` (n, 2) with each of `b` (m, 2)."""
    hi = np.minimum(a[:, None, 1], b[None, :, 1])
    lo = np.maximum(a[:, None, 0], b[None, :, 0])
    return np.clip(hi - lo, 0.0, None)


def _is_global(grid: RectilinearGrid) -> bool:
    """True when the longitude cells add up to a full turn, so the grid wraps around."""
    return bool(np.isclose(np.diff(grid.lon_bnds, axis=1).sum(), 360.0, atol=_TOL_DEG))


def _lon_overlap(dst_bnds: np.ndarray, src_bnds: np.ndarray) -> np.ndarray:
    """Longitude overlap (degrees) of dst with src cells, each src cell moved to the dst's turn.

    Each source cell is shifted by a multiple of 360 so that it starts within the turn ending
    at the target's west edge; that copy and the next turn's copy are the only ones that can
    overlap a target narrower than 360 degrees.
    """
    west = dst_bnds[:, 0].min()
    shift = 360.0 * np.floor((west - src_bnds[:, 0]) / 360.0)
    return sum(_overlap(dst_bnds, src_bnds + (shift + turn)[:, None]) for turn in (0.0, 360.0))


def conservative_weights(
    src: RectilinearGrid, dst: RectilinearGrid
) -> tuple[np.ndarray, np.ndarray]:
    """Exact first-order conservative weights (w_lat, w_lon) from the grids' own cell bounds.

    w_lat[i, j] is the overlap of dst latitude cell i with src cell j in sin(latitude), and
    w_lon[k, l] the overlap in longitude degrees, so w_lat[i, j] * w_lon[k, l] is proportional
    to the spherical area the two cells share.
    """
    sin_dst = np.sin(np.deg2rad(dst.lat_bnds))
    sin_src = np.sin(np.deg2rad(src.lat_bnds))
    return _overlap(sin_dst, sin_src), _lon_overlap(dst.lon_bnds, src.lon_bnds)


def _linear_matrix(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """1-D linear interpolation weights between ascending centres; constant beyond the ends."""
    if src.size == 1:
        return np.ones((dst.size, 1))
    j = np.clip(np.searchsorted(src, dst, side="right") - 1, 0, src.size - 2)
    t = np.clip((dst - src[j]) / (src[j + 1] - src[j]), 0.0, 1.0)
    weights = np.zeros((dst.size, src.size))
    rows = np.arange(dst.size)
    weights[rows, j] = 1.0 - t
    weights[rows, j + 1] += t
    return weights


def _lon_linear(src: RectilinearGrid, dst: RectilinearGrid) -> np.ndarray:
    """Linear interpolation weights in longitude, wrapping around when the source is global."""
    n = src.lon.size
    centres, columns = src.lon, np.arange(n)
    if _is_global(src):
        centres = np.concatenate([[src.lon[-1] - 360.0], src.lon, [src.lon[0] + 360.0]])
        columns = np.concatenate([[n - 1], columns, [0]])
    base = min(centres[0], src.lon_bnds[0, 0])
    x = base + np.mod(dst.lon - base, 360.0)
    return _linear_matrix(centres, x) @ np.eye(n)[columns]


def bilinear_weights(src: RectilinearGrid, dst: RectilinearGrid) -> tuple[np.ndarray, np.ndarray]:
    """Separable bilinear weights (w_lat, w_lon) between source cell centres, rows summing to 1.

    Target centres beyond the outermost source centres (but inside its cells) take the
    outermost value along that axis.
    """
    return _linear_matrix(src.lat, dst.lat), _lon_linear(src, dst)


WeightsFn = Callable[[RectilinearGrid, RectilinearGrid], tuple[np.ndarray, np.ndarray]]
_WEIGHTS: dict[str, WeightsFn] = {
    "conservative": conservative_weights,
    "bilinear": bilinear_weights,
}


class Regridder:
    """Weights for one (source grid, target grid, method), built once and applied to many fields."""

    def __init__(
        self,
        src: RectilinearGrid,
        dst: RectilinearGrid,
        method: str = "conservative",
        min_valid_fraction: float = DEFAULT_MIN_VALID_FRACTION,
    ):
        _check_choice(method, METHODS, "method")
        if not 0.0 <= min_valid_fraction <= 1.0:
            raise ValueError(f"min_valid_fraction must be within [0, 1], got {min_valid_fraction}")
        self.src_shape = src.shape
        self.method = method
        self.min_valid_fraction = min_valid_fraction
        self.w_lat, self.w_lon = _WEIGHTS[method](src, dst)
        self.total = np.outer(self.w_lat.sum(axis=1), self.w_lon.sum(axis=1))

    def _apply(self, x: np.ndarray) -> np.ndarray:
        """Weighted sums over source cells for every leading index: w_lat @ x @ w_lon.T."""
        return self.w_lat @ x @ self.w_lon.T

    def _valid_weight(self, valid: np.ndarray) -> np.ndarray:
        """Weight of the valid source cells behind each target cell (once if the mask is fixed)."""
        if valid.all():
            return self.total
        flat = valid.reshape(-1, *self.src_shape)
        if (flat == flat[0]).all():
            return self._apply(flat[0].astype(float))
        return self._apply(valid.astype(float))

    def __call__(self, data: np.ndarray) -> np.ndarray:
        """Regrid (..., ny_src, nx_src) to (..., ny_dst, nx_dst) in float64.

        NaN where less than `min_valid_fraction` of the target cell is backed by valid data.
        """
        x = np.asarray(data, dtype=np.float64)
        if x.shape[-2:] != self.src_shape:
            raise ValueError(
                f"data ends in shape {x.shape[-2:]}, the source grid is {self.src_shape}"
            )
        valid = np.isfinite(x)
        num = self._apply(np.where(valid, x, 0.0))
        den = np.broadcast_to(self._valid_weight(valid), num.shape)
        enough = (den > 0) & (den >= self.min_valid_fraction * self.total * (1 - _REL_TOL))
        return np.divide(num, den, out=np.full(num.shape, np.nan), where=enough)


def _span(bnds: np.ndarray) -> tuple[float, float]:
    """Lowest and highest cell bound."""
    return float(bnds.min()), float(bnds.max())


def _fmt(span: tuple[float, float]) -> str:
    """'lo..hi' with up to six significant digits, for messages."""
    return f"{span[0]:.6g}..{span[1]:.6g}"


def _lon_span_text(grid: RectilinearGrid) -> str:
    """Longitude extent for messages: 'global' or first..last bound."""
    return "global" if _is_global(grid) else _fmt((grid.lon_bnds[0, 0], grid.lon_bnds[-1, 1]))


def check_coverage(src: RectilinearGrid, dst: RectilinearGrid, source_name: str) -> None:
    """Raise InputError unless the source cells cover every target cell in lat and lon.

    Conservative weights would otherwise silently renormalise over a partial cell.
    """
    src_lat, dst_lat = _span(src.lat_bnds), _span(dst.lat_bnds)
    lat_ok = src_lat[0] <= dst_lat[0] + _TOL_DEG and src_lat[1] >= dst_lat[1] - _TOL_DEG
    widths = np.diff(dst.lon_bnds, axis=1)[:, 0]
    covered = _lon_overlap(dst.lon_bnds, src.lon_bnds).sum(axis=1)
    lon_ok = bool(np.all(covered >= widths - _TOL_DEG))
    if lat_ok and lon_ok:
        return
    dst_lon = _span(dst.lon_bnds)
    if not lat_ok:
        detail = (
            f"in latitude: source cells span {_fmt(src_lat)} degrees north, "
            f"target cells span {_fmt(dst_lat)}"
        )
    else:
        detail = (
            f"in longitude: source cells span {_lon_span_text(src)} degrees east, "
            f"target cells span {_fmt(dst_lon)}"
        )
    raise InputError(
        source_name,
        f"model grid does not cover the target domain {detail}",
        expected=f"cell bounds containing latitudes {_fmt(dst_lat)} and longitudes {_fmt(dst_lon)}",
    )


def _padded_run(hit: np.ndarray, margin: int, cyclic: bool) -> np.ndarray:
    """Indices of the run of `hit` cells widened by `margin` on each side (wrapping if cyclic)."""
    n = hit.size
    if not hit.any():
        raise ValueError("the source grid does not overlap the target")
    if not cyclic:
        idx = np.flatnonzero(hit)
        return np.arange(max(idx[0] - margin, 0), min(idx[-1] + margin, n - 1) + 1)
    if hit.all():
        return np.arange(n)
    start = np.flatnonzero(hit & ~np.roll(hit, 1))[0]
    count = min(int(hit.sum()) + 2 * margin, n)
    return (start - margin + np.arange(count)) % n


def subset_indices(
    src: RectilinearGrid, dst: RectilinearGrid, margin_cells: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Source lat and lon indices overlapping the target's extent, plus `margin_cells` each side.

    The margin is cut short only where the source grid itself ends; on a global grid the
    longitude indices wrap around (e.g. [286, 287, 0, 1, ...]).
    """
    lat_hit = _overlap(np.array([_span(dst.lat_bnds)]), src.lat_bnds)[0] > 0
    lon_hit = _lon_overlap(np.array([_span(dst.lon_bnds)]), src.lon_bnds)[0] > 0
    return (
        _padded_run(lat_hit, margin_cells, cyclic=False),
        _padded_run(lon_hit, margin_cells, cyclic=_is_global(src)),
    )


def subset_grid(src: RectilinearGrid, ilat: np.ndarray, ilon: np.ndarray) -> RectilinearGrid:
    """The source grid restricted to the given indices, longitudes unwrapped to ascend."""
    lon = src.lon[ilon]
    turns = 360.0 * np.concatenate([[0], np.cumsum(np.diff(lon) < 0)])
    return RectilinearGrid(
        lat=src.lat[ilat],
        lon=lon + turns,
        lat_bnds=src.lat_bnds[ilat],
        lon_bnds=src.lon_bnds[ilon] + turns[:, None],
    )


def _run_exact(
    x: xr.DataArray,
    src: RectilinearGrid,
    dst: RectilinearGrid,
    method: str,
    min_valid_fraction: float,
) -> np.ndarray:
    """Our own separable weights."""
    return Regridder(src, dst, method, min_valid_fraction)(x.values)


def _edges(bnds: np.ndarray) -> np.ndarray:
    """(n, 2) contiguous bounds as the n + 1 cell edges xesmf wants."""
    return np.append(bnds[:, 0], bnds[-1, 1])


def _xesmf_grid(grid: RectilinearGrid) -> dict[str, np.ndarray]:
    """The grid as xesmf's dict of centres and edges (lat, lon, lat_b, lon_b)."""
    return {
        "lat": grid.lat,
        "lon": grid.lon,
        "lat_b": _edges(grid.lat_bnds),
        "lon_b": _edges(grid.lon_bnds),
    }


def _run_xesmf(
    x: xr.DataArray,
    src: RectilinearGrid,
    dst: RectilinearGrid,
    method: str,
    min_valid_fraction: float,
) -> np.ndarray:
    """xESMF (ESMF) weights: 'conservative' over the grids' bounds, or 'bilinear'."""
    try:
        import xesmf
    except ImportError as err:
        raise ImportError(XESMF_MISSING) from err
    regridder = xesmf.Regridder(
        _xesmf_grid(src), _xesmf_grid(dst), method, periodic=False, unmapped_to_nan=True
    )
    return regridder(x.values.astype(np.float64), skipna=True, na_thres=1.0 - min_valid_fraction)


def _run_xarray_regrid(
    x: xr.DataArray,
    src: RectilinearGrid,
    dst: RectilinearGrid,
    method: str,
    min_valid_fraction: float,
) -> np.ndarray:
    """xarray-regrid's weights, for comparison with ours.

    It infers bounds from centres and applies the NaN rule axis by axis for 'conservative';
    its 'bilinear' propagates NaN (no renormalisation).
    """
    import xarray_regrid  # noqa: F401  (registers the .regrid accessor)

    field = x.astype(np.float64).assign_coords(lat=src.lat, lon=src.lon)
    target = xr.Dataset(coords={"lat": dst.lat, "lon": dst.lon})
    if method == "conservative":
        out = field.regrid.conservative(
            target, latitude_coord="lat", skipna=True, nan_threshold=1.0 - min_valid_fraction
        )
    else:
        out = field.regrid.linear(target)
    return out.transpose(..., "lat", "lon").values


_BACKENDS = {"exact": _run_exact, "xesmf": _run_xesmf, "xarray-regrid": _run_xarray_regrid}


def _on_grid(da: xr.DataArray, values: np.ndarray, dst: RectilinearGrid) -> xr.DataArray:
    """Wrap regridded values with the leading dims/coords and attrs of `da` and dst lat/lon."""
    coords = {
        name: coord
        for name, coord in da.coords.items()
        if name not in ("lat", "lon") and not {"lat", "lon"} & set(coord.dims)
    }
    coords.update(dst.coords())
    return xr.DataArray(
        values, dims=(*da.dims[:-2], "lat", "lon"), coords=coords, attrs=da.attrs, name=da.name
    )


def regrid(
    da: xr.DataArray,
    src: RectilinearGrid,
    dst: RectilinearGrid,
    *,
    method: str = "conservative",
    backend: str = "exact",
    margin_cells: int = 2,
    min_valid_fraction: float = DEFAULT_MIN_VALID_FRACTION,
    source_name: str = "",
) -> xr.DataArray:
    """Regrid `da` (dims (..., "lat", "lon") on `src`) onto `dst`, touching only nearby cells.

    Checks that the source covers the target, cuts the source to the target's extent plus
    `margin_cells`, then regrids with the chosen `method` and `backend`.
    """
    _check_choice(method, METHODS, "method")
    _check_choice(backend, BACKENDS, "backend")
    da = da.transpose(..., "lat", "lon")
    if (da.sizes["lat"], da.sizes["lon"]) != src.shape:
        raise InputError(
            source_name,
            f"data has {da.sizes['lat']} x {da.sizes['lon']} lat x lon points",
            f"{src.shape[0]} x {src.shape[1]} as its grid says",
        )
    check_coverage(src, dst, source_name)
    ilat, ilon = subset_indices(src, dst, margin_cells)
    sub = subset_grid(src, ilat, ilon)
    values = _BACKENDS[backend](da.isel(lat=ilat, lon=ilon), sub, dst, method, min_valid_fraction)
    return _on_grid(da, values, dst)
