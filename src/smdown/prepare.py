"""Analysis-ready inputs on the target grid: regridded models, ERA5-Land and the fine-tuning
reference (AMSMQTP in the paper) as targets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from os import PathLike

import numpy as np
import xarray as xr

from smdown import __version__
from smdown.catalog import AMSMQTP_LAYERS, EXPERIMENTS
from smdown.errors import InputError
from smdown.geometry import RectilinearGrid, grid_from_dataset, in_turn, regular_grid
from smdown.grid.regrid import regrid
from smdown.qc import QCLog
from smdown.sources.amsmqtp import read_amsmqtp_monthly
from smdown.sources.calendar import check_complete
from smdown.sources.cmip6 import IDENTITY, read_mrsos
from smdown.sources.era5land import read_era5land
from smdown.sources.manifest import resolve_inputs


def target_grid(grid_config: Mapping[str, float]) -> RectilinearGrid:
    """The target grid described by the config's `grid` section."""
    return regular_grid(
        grid_config["lat_min"],
        grid_config["lat_max"],
        grid_config["lon_min"],
        grid_config["lon_max"],
        grid_config["resolution"],
    )


def _grid_dataset(
    variables: dict[str, xr.DataArray], grid: RectilinearGrid, attrs: dict
) -> xr.Dataset:
    ds = xr.Dataset(variables).assign_coords(grid.coords())
    for name, var in grid.bounds_vars().items():
        ds[name] = var
    ds.attrs = {"Conventions": "CF-1.8", "smdown_version": __version__, **attrs}
    return ds


def on_target(
    da: xr.DataArray, dst: RectilinearGrid, source: str | PathLike, **regrid_options
) -> xr.DataArray:
    """Select `dst` from a field already on its cell centres (in whichever turn its longitudes
    run: 0..360 or -180..180); regrid conservatively otherwise."""
    lon = in_turn(da.lon.values, float(dst.lon_bnds[0, 0]))
    if not np.array_equal(lon, da.lon.values):
        da = da.assign_coords(lon=lon).sortby("lon")
    try:
        return da.sel(lat=dst.lat, lon=dst.lon, method="nearest", tolerance=1e-4)
    except KeyError:
        ds = da.to_dataset(name="v")
        src, _, _ = grid_from_dataset(ds, source)
        return regrid(da, src, dst, source_name=str(source), **regrid_options)


def prepare_cmip6(
    paths: Sequence[str | PathLike],
    model: str,
    experiment: str,
    dst: RectilinearGrid,
    *,
    method: str = "conservative",
    backend: str = "exact",
    margin_cells: int = 2,
    min_valid_fraction: float = 0.5,
    qc: QCLog | None = None,
) -> xr.Dataset:
    """One model's experiment regridded to `dst` as `mrsos(time, lat, lon)` in m3 m-3.

    `paths` are CMOR files or download manifests listing them; `qc` records what quality
    control drops from them.
    """
    exp = EXPERIMENTS[experiment]
    paths = resolve_inputs(paths)
    data, src = read_mrsos(paths, exp.first_year, exp.last_year, model=model, qc=qc)
    label = paths[0] if len(paths) == 1 else f"{model} {experiment} files"
    out = regrid(
        data,
        src,
        dst,
        method=method,
        backend=backend,
        margin_cells=margin_cells,
        min_valid_fraction=min_valid_fraction,
        source_name=str(label),
    )
    out = out.astype(np.float32).assign_attrs(
        standard_name="volume_fraction_of_condensed_water_in_soil",
        long_name="volumetric soil moisture, top 10 cm (from mrsos / 100)",
        units="m3 m-3",
    )
    return _grid_dataset(
        {"mrsos": out},
        dst,
        {
            "source_id": model,
            "experiment_id": experiment,
            "regrid_method": method,
            "regrid_backend": backend,
            "regrid_margin_cells": margin_cells,
            "regrid_min_valid_fraction": min_valid_fraction,
            "source_files": " ".join(sorted(str(p).rsplit("/", 1)[-1] for p in paths)),
            **{key: data.attrs[key] for key in IDENTITY},
        },
    )


def _layered(
    da: xr.DataArray, dst: RectilinearGrid, name: str, source: str, attrs: dict
) -> xr.Dataset:
    da = on_target(da, dst, source).astype(np.float32)
    da = da.assign_attrs(
        units="m3 m-3",
        standard_name="volume_fraction_of_condensed_water_in_soil",
        long_name=f"volumetric soil moisture ({name})",
    )
    return _grid_dataset({"sm": da}, dst, {"source": name, **attrs})


def prepare_era5land(
    paths: Sequence[str | PathLike],
    dst: RectilinearGrid,
    first_year: int,
    last_year: int,
    qc: QCLog | None = None,
) -> xr.Dataset:
    """ERA5-Land swvl1..3 as `sm(time, layer, lat, lon)` on `dst` (the pretraining target)."""
    paths = resolve_inputs(paths)
    da = read_era5land(paths, first_year, last_year, qc)
    return _layered(da, dst, "ERA5-Land", str(paths[0]), {"years": f"{first_year}-{last_year}"})


def prepare_amsmqtp(
    paths: Sequence[str | PathLike],
    dst: RectilinearGrid,
    first_year: int,
    last_year: int,
    variable: str = "SM",
    dims: Mapping[str, str] | None = None,
    qc: QCLog | None = None,
    layers: Sequence[Sequence[float]] = AMSMQTP_LAYERS,
    name: str = "AMSMQTP",
) -> xr.Dataset:
    """The fine-tuning reference's monthly means as `sm(time, layer, lat, lon)` on `dst`, its
    `layers` (depth bounds, m) as `layer_top`/`layer_bottom`; `name` goes into the attributes."""
    paths = resolve_inputs(paths)
    da = read_amsmqtp_monthly(
        paths, first_year, last_year, variable=variable, dims=dims, qc=qc, layers=layers
    )
    return _layered(da, dst, name, str(paths[0]), {"years": f"{first_year}-{last_year}"})


def reference_from_era5land(
    era5land: str | PathLike, first_year: int, last_year: int, name: str = "ERA5-Land"
) -> xr.Dataset:
    """The prepared ERA5-Land file's reference years as the fine-tuning reference (provider
    era5land): the same `sm` on its three layers, `name` in the attributes."""
    with xr.open_dataset(era5land) as ds:
        years = ds["time"].dt.year
        if not (years.min() <= first_year and last_year <= years.max()):
            raise InputError(
                era5land,
                f"years {int(years.min())}-{int(years.max())}",
                f"the reference years {first_year}-{last_year} (sources.amsmqtp.first_year.."
                "last_year inside sources.era5land's)",
            )
        out = ds.sel(time=slice(f"{first_year}-01-01", f"{last_year}-12-31")).load()
    for var in out.variables.values():  # the source file's chunking does not fit fewer months
        var.encoding = {}
    check_complete(out["time"].values, first_year, last_year, era5land)
    out["sm"].attrs["long_name"] = f"volumetric soil moisture ({name})"
    out.attrs.update(source=name, years=f"{first_year}-{last_year}")
    return out


def prepare_reference(
    paths: Sequence[str | PathLike],
    dst: RectilinearGrid,
    first_year: int,
    last_year: int,
    *,
    provider: str,
    name: str,
    layers: Sequence[Sequence[float]],
    variable: str = "SM",
    dims: Mapping[str, str] | None = None,
    qc: QCLog | None = None,
) -> xr.Dataset:
    """The fine-tuning reference as configured (`sources.amsmqtp`): the prepared ERA5-Land file
    `paths[0]` with provider era5land, else the reference's own files (`prepare_amsmqtp`)."""
    if provider == "era5land":
        return reference_from_era5land(paths[0], first_year, last_year, name)
    return prepare_amsmqtp(
        paths, dst, first_year, last_year, variable, dims, qc, layers=layers, name=name
    )
