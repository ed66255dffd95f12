"""The CMIP6DL study's evaluation fields: ERA5-Land's layer, the products and every model on the
target grid over the test years, inside the region (Table 2, Figs. 3-5).

The models enter on the target grid as the study compares them: each interpolated bilinearly
from the input grid ("we resample 25 ESMs to 0.25 degree").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from os import PathLike

import numpy as np
import xarray as xr

from smdown.errors import InputError
from smdown.geometry import grid_from_dataset
from smdown.grid.regrid import regrid
from smdown.prepared import check_grid, load_mask, year_indices
from smdown.stats.analyse import read_sm


@dataclass
class Holdout:
    """Reference, products and models (time, lat, lon) over the test months, NaN outside the
    region mask (lat, lon)."""

    reference: xr.DataArray
    products: dict[str, xr.DataArray]
    models: dict[str, xr.DataArray]
    mask: xr.DataArray


def _months(da: xr.DataArray, years: Sequence[int], source: str | PathLike) -> xr.DataArray:
    """The field's months of `years` with month-start times, so every source aligns."""
    da = da.isel(time=year_indices(da.time.values, *years))
    if da.sizes["time"] == 0:
        raise InputError(source, "no months in the test years", f"months of {list(years)}")
    return da.assign_coords(time=da.time.values.astype("datetime64[M]").astype("datetime64[ns]"))


def _aligned(
    da: xr.DataArray, reference: xr.DataArray, mask: xr.DataArray, source: str | PathLike
) -> xr.DataArray:
    """`da` on the reference's months and grid, NaN outside the mask."""
    check_grid(da, mask, source)
    missing = np.setdiff1d(reference.time.values, da.time.values)
    if missing.size:
        raise InputError(
            source,
            f"{missing.size} test months missing (first {str(missing[0])[:7]})",
            "every month of the test years",
        )
    da = da.sel(time=reference.time.values).assign_coords(lat=mask.lat, lon=mask.lon)
    return da.where(mask)


def _model_on_target(
    path: str | PathLike, mask: xr.DataArray, years: Sequence[int]
) -> xr.DataArray:
    """A prepared model's mrsos of the test years, interpolated bilinearly to the mask's grid."""
    with xr.open_dataset(path) as ds:
        src, _, _ = grid_from_dataset(ds, path)
        field = _months(ds["mrsos"].load(), years, path)
    dst = grid_from_dataset(mask.to_dataset(name="mask"), "the regions file")[0]
    return regrid(field, src, dst, method="bilinear", source_name=str(path))


def holdout_fields(
    era5land: str | PathLike,
    products: Mapping[str, str | PathLike],
    model_files: Mapping[str, str | PathLike],
    models: Sequence[str],
    regions: str | PathLike,
    region: str,
    years: Sequence[int],
    layer: int,
) -> Holdout:
    """ERA5-Land's `layer` (1-based) and the first layer of each product and every model over
    the test `years`, aligned on months, grid and region."""
    mask = load_mask(regions, region)
    reference = _months(read_sm(era5land).isel(depth=layer - 1), years, era5land)
    check_grid(reference, mask, era5land)
    reference = reference.assign_coords(lat=mask.lat, lon=mask.lon).where(mask)
    fields = {
        name: _aligned(_months(read_sm(path).isel(depth=0), years, path), reference, mask, path)
        for name, path in products.items()
    }
    on_target = {
        m: _aligned(_model_on_target(model_files[m], mask, years), reference, mask, model_files[m])
        for m in models
    }
    return Holdout(reference, fields, on_target, mask)
