"""Training sets from the prepared files: the 17-model input stack, targets, masks and splits.

Pretraining uses fixed year ranges (paper: train 1950-1999, validate 2000-2007, test
2008-2014). Fine-tuning uses k folds over 2000-2014: blocked by year by default, so a test
fold never holds the neighbouring months of a training month; the authors' shuffled single
months stay available as `scheme="shuffled_months"`. Early stopping validates on an inner split
of the training folds, never on the test fold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from os import PathLike

import numpy as np
import xarray as xr

from smdown.errors import InputError
from smdown.grid.calendar import month_range

SCHEMES = ("year_blocked", "shuffled_months")


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


def fold_indices(times: np.ndarray, n_folds: int, scheme: str, seed: int) -> list[np.ndarray]:
    """Test indices of each fold: whole years in contiguous blocks, or shuffled single months."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown fold scheme {scheme!r}; allowed: {', '.join(SCHEMES)}")
    if scheme == "shuffled_months":
        order = np.random.default_rng(seed).permutation(times.size)
        return [np.sort(part) for part in np.array_split(order, n_folds)]
    years = times.astype("datetime64[Y]").astype(int) + 1970
    unique = np.unique(years)
    if unique.size < n_folds:
        raise ValueError(f"{unique.size} years cannot make {n_folds} year-blocked folds")
    return [np.flatnonzero(np.isin(years, block)) for block in np.array_split(unique, n_folds)]


def fold_test_months(
    years: Sequence[int], n_folds: int, scheme: str, seed: int, fold: int
) -> np.ndarray:
    """The month starts that fine-tuning fold `fold` tests on (of every month of `years`).

    The same split as `fold_indices` on the prepared files' months, which hold every month of
    the fine-tuning years; the fold-aware in-situ grids leave these months out.
    """
    times = month_range(*years)
    tests = fold_indices(times, n_folds, scheme, seed)
    if not 0 <= fold < len(tests):
        raise ValueError(f"fold {fold} does not exist: folds 0..{len(tests) - 1}")
    return times[tests[fold]].astype("datetime64[M]")


def inner_split(
    train: np.ndarray, times: np.ndarray, val_fraction: float, scheme: str, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Split a fold's training indices into (fit, validate) for early stopping.

    Year-blocked folds validate on their last whole years; shuffled folds on random months.
    """
    n_val = max(1, round(val_fraction * train.size))
    if scheme == "shuffled_months":
        order = np.random.default_rng([seed, 1]).permutation(train)
        return np.sort(order[n_val:]), np.sort(order[:n_val])
    years = times[train].astype("datetime64[Y]").astype(int) + 1970
    unique = np.unique(years)
    n_years = max(1, round(val_fraction * unique.size))
    val_years = unique[-n_years:]
    is_val = np.isin(years, val_years)
    return train[~is_val], train[is_val]
