"""The prepared files read back and checked: masks, targets and the CMIP6 input stack.

Training, inference and the statistics read the analysis-ready files through these functions,
so every stage refuses the same things: another grid, missing months, NaN inside the region.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from os import PathLike

import numpy as np
import xarray as xr

from smdown.errors import InputError


def load_mask(regions: str | PathLike, region: str) -> xr.DataArray:
    """The boolean (lat, lon) mask of `region` from a prepared regions file, with coordinates."""
    with xr.open_dataset(regions) as ds:
        if region not in ds["region"].values:
            raise InputError(
                regions,
                f"no region {region!r}",
                f"one of {', '.join(map(str, ds['region'].values))}",
            )
        return ds["mask"].sel(region=region, drop=True).load().astype(bool)


def check_grid(da: xr.DataArray, mask: xr.DataArray, path: str | PathLike) -> None:
    """Refuse a field whose lat/lon differ from the mask's (the prepared target grid)."""
    for dim in ("lat", "lon"):
        ours, theirs = da[dim].values, mask[dim].values
        if ours.shape != theirs.shape or not np.allclose(ours, theirs, rtol=0, atol=1e-6):
            raise InputError(
                path,
                f"{dim} has {ours.size} values [{ours.min():.4f}..{ours.max():.4f}]",
                f"the target grid's {theirs.size} values [{theirs.min():.4f}..{theirs.max():.4f}]",
            )


def require_finite(da: xr.DataArray, mask: xr.DataArray, path: str | PathLike) -> None:
    """Refuse NaN anywhere inside the region: the losses would silently skip those cells."""
    bad = (~np.isfinite(da.values)) & mask.values
    if bad.any():
        where = np.argwhere(bad)[0]
        first = {
            dim: da[dim].values[i]
            for dim, i in zip(da.dims, where, strict=True)
            if dim in da.coords
        }
        at = ", ".join(f"{dim} {str(v)[:7] if dim == 'time' else v}" for dim, v in first.items())
        raise InputError(
            path,
            f"{int(bad.sum())} missing values of {da.name!r} inside the region (first at {at})",
            "finite values in every cell of the region mask",
        )


class ModelStack:
    """The prepared CMIP6 files of one experiment, opened lazily and checked once, read by months.

    Every file must hold `mrsos` on one shared time axis (and, given `mask`, on its grid); each
    read refuses NaN inside the region and turns NaN outside it into `fill` (0: the networks
    see finite input everywhere; NaN keeps missing cells missing). Reading by month ranges
    keeps inference memory independent of the length of the run.
    """

    def __init__(
        self,
        paths: Mapping[str, str | PathLike],
        models: Sequence[str],
        mask: xr.DataArray | None = None,
        fill: float = 0.0,
    ):
        self.paths = {model: paths[model] for model in models}
        self.mask = mask
        self.fill = fill
        self._fields: list[xr.DataArray] = []
        try:
            for path in self.paths.values():
                self._fields.append(self._open(path))
        except BaseException:
            self.close()
            raise
        self.times = self._fields[0].time.values
        for model, field in zip(models, self._fields, strict=True):
            if not np.array_equal(field.time.values, self.times):
                self.close()
                raise InputError(
                    self.paths[model],
                    "time axis differs from the other models'",
                    f"the months of {self.paths[models[0]]}",
                )

    def _open(self, path: str | PathLike) -> xr.DataArray:
        ds = xr.open_dataset(path, cache=False)  # reads stay chunk-sized, nothing accumulates
        if "mrsos" not in ds:
            ds.close()
            raise InputError(path, "no variable 'mrsos'", "a prepared CMIP6 file")
        field = ds["mrsos"].transpose("time", "lat", "lon")
        if self.mask is not None:
            try:
                check_grid(field, self.mask, path)
            except InputError:
                ds.close()
                raise
        return field

    @property
    def coords(self) -> dict[str, np.ndarray]:
        """The lat and lon values shared by every file."""
        return {dim: self._fields[0][dim].values for dim in ("lat", "lon")}

    def read(self, months: slice | np.ndarray) -> np.ndarray:
        """x(time, model, lat, lon) as float32 for the selected months (indices or a slice)."""
        parts = []
        for path, field in zip(self.paths.values(), self._fields, strict=True):
            part = field.isel(time=months).load()
            if self.mask is not None:
                require_finite(part, self.mask, path)
            parts.append(np.nan_to_num(part.values.astype(np.float32), nan=self.fill))
        return np.stack(parts, axis=1)

    def close(self) -> None:
        """Close every opened file."""
        for field in self._fields:
            field.close()

    def __enter__(self) -> ModelStack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def stack_models(
    paths: Mapping[str, str | PathLike], models: Sequence[str], mask: xr.DataArray | None = None
) -> xr.DataArray:
    """Every month of the prepared CMIP6 files as `x(time, model, lat, lon)` in `models` order.

    The checks and NaN handling are `ModelStack`'s.
    """
    with ModelStack(paths, models, mask) as stack:
        values = stack.read(slice(None))
        return xr.DataArray(
            values,
            dims=("time", "model", "lat", "lon"),
            coords={"time": stack.times, "model": list(models), **stack.coords},
        )


def load_target(
    path: str | PathLike,
    times: np.ndarray,
    mask: xr.DataArray,
    variable: str = "sm",
    finite: bool = True,
) -> np.ndarray:
    """A prepared (time, layer, lat, lon) field at `times` as float32, NaN outside the mask.

    With `finite`, NaN inside the mask is refused (targets); without it, kept (optional grids).
    """
    with xr.open_dataset(path) as ds:
        if variable not in ds:
            raise InputError(path, f"no variable {variable!r}", "a prepared target file")
        da = ds[variable]
        missing = np.setdiff1d(times, da.time.values)
        if missing.size:
            raise InputError(
                path,
                f"{missing.size} training months missing (first {str(missing[0])[:7]})",
                "every month of the training years",
            )
        da = da.sel(time=times).transpose("time", "layer", "lat", "lon").load()
    check_grid(da, mask, path)
    if finite:
        require_finite(da, mask, path)
    values = da.values.astype(np.float32)
    values[..., ~mask.values] = np.nan
    return values


def land_cells(
    path: str | PathLike, layer: int, mask: xr.DataArray, variable: str = "sm"
) -> xr.DataArray:
    """The boolean (lat, lon) cells where the prepared target's `layer` (1-based) has a value in
    every month: ERA5-Land's own land-sea mask, since it is NaN over the sea."""
    with xr.open_dataset(path) as ds:
        if variable not in ds:
            raise InputError(path, f"no variable {variable!r}", "a prepared target file")
        da = ds[variable]
        if not 1 <= layer <= da.sizes.get("layer", 0):
            raise InputError(path, f"{da.sizes.get('layer', 0)} layers", f"a layer {layer}")
        land = np.isfinite(da.isel(layer=layer - 1)).all("time").load()
    check_grid(land, mask, path)
    return land.drop_vars([c for c in land.coords if c not in ("lat", "lon")])


def year_indices(times: np.ndarray, first: int, last: int) -> np.ndarray:
    """Indices of the months whose year lies in [first, last]."""
    years = times.astype("datetime64[Y]").astype(int) + 1970
    return np.flatnonzero((years >= first) & (years <= last))


# Where each kind of file keeps its layers' depth bounds (m): prepared targets and in-situ
# grids, the synthetic truth, a product (CF bounds).
_BOUNDS_VARIABLES = (("layer_top", "layer_bottom"), ("depth_top", "depth_bottom"))


def layer_bounds_of(ds: xr.Dataset, source: str | PathLike) -> tuple[tuple[float, float], ...]:
    """The (top, bottom) depth bounds in metres of a file's layers, in file order: a prepared
    target's `layer_top`/`layer_bottom`, the truth's `depth_top`/`depth_bottom` or a
    product's `depth_bnds`."""
    for top, bottom in _BOUNDS_VARIABLES:
        if top in ds.variables and bottom in ds.variables:
            pairs = zip(ds[top].values, ds[bottom].values, strict=True)
            return tuple((float(t), float(b)) for t, b in pairs)
    if "depth_bnds" in ds.variables:
        return tuple((float(t), float(b)) for t, b in ds["depth_bnds"].values)
    raise InputError(
        source,
        "no layer depth bounds",
        "layer_top/layer_bottom, depth_top/depth_bottom or depth_bnds",
    )
