"""Synthetic CMIP6 `mrsos` files laid out as CMOR writes them (Lmon, native grid and calendar).

Each model sees the truth's top layer through its own anomaly scale, bias and noise, on its
native grid cut to the cells a CDS area request around the world's box returns.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from os import PathLike
from pathlib import Path

import cftime
import numpy as np
import xarray as xr

from smdown.catalog import (
    EXPERIMENTS,
    MODELS,
    MRSOS_DEPTH_M,
    WATER_DENSITY,
    Model,
    ModelEntry,
    cmor_filename,
    model_spec,
)
from smdown.geometry import RectilinearGrid, native_grid
from smdown.io import atomic_path
from smdown.synthetic.truth import TruthWorld

TIME_UNITS = "days since 1850-01-01"
FILL = np.float32(1.0e20)
PAD_CELLS = 3  # native cells kept beyond those overlapping the target box, on each side
CHUNK_YEARS = {"CNRM-CM6-1-HR": 25}  # models whose output is split into files of N years
CREATION_DATE = "2019-06-20T12:00:00Z"
LICENSE = (
    "CMIP6 model data produced by {institution} is licensed under a Creative Commons "
    "Attribution-ShareAlike 4.0 International License (https://creativecommons.org/licenses). "
    "Consult https://pcmdi.llnl.gov/CMIP6/TermsOfUse for terms of use governing CMIP6 output, "
    "including citation requirements and proper acknowledgment. The data producers and data "
    "providers make no warranty, either express or implied, including, but not limited to, "
    "warranties of merchantability and fitness for a particular purpose. All liabilities arising "
    "from the supply of the information (including any liability arising in negligence) are "
    "excluded to the fullest extent permitted by law."
)
EXPERIMENT_TITLES = {
    "historical": "all-forcing simulation of the recent past",
    "ssp126": "update of RCP2.6 based on SSP1",
    "ssp245": "update of RCP4.5 based on SSP2",
    "ssp370": "gap-filling scenario reaching 7.0 based on SSP3",
    "ssp585": "update of RCP8.5 based on SSP5",
}


def year_chunks(model: ModelEntry, experiment: str) -> list[tuple[int, int]]:
    """(first, last) years of each file: one file, or N-year chunks for the split models."""
    exp = EXPERIMENTS[experiment]
    step = CHUNK_YEARS.get(model_spec(model).name, exp.last_year - exp.first_year + 1)
    return [
        (y, min(y + step - 1, exp.last_year))
        for y in range(exp.first_year, exp.last_year + 1, step)
    ]


def cmip6_filenames(model: ModelEntry, experiment: str) -> list[str]:
    """The file names `write_cmip6` writes for one model and experiment, in time order; `model`
    a catalog name, a config `models` mapping or a `Model` (smdown.catalog.model_spec)."""
    spec = model_spec(model)
    return [
        cmor_filename(spec, experiment, f"{a:04d}01", f"{b:04d}12")
        for a, b in year_chunks(spec, experiment)
    ]


def model_seed(name: str) -> int:
    """The number that seeds a model's view of the truth: its catalog position (the demo's
    models keep theirs), or for a model outside the catalog a number from its name."""
    if name in MODELS:
        return list(MODELS).index(name)
    return len(MODELS) + int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big")


def _index_range(bnds: np.ndarray, low: float, high: float, pad: int) -> slice:
    overlap = np.flatnonzero((bnds.max(axis=1) > low) & (bnds.min(axis=1) < high))
    return slice(max(overlap[0] - pad, 0), min(overlap[-1] + pad + 1, bnds.shape[0]))


def _wrapped_indices(bnds: np.ndarray, low: float, high: float, pad: int) -> np.ndarray:
    """Indices, in the axis's own order, of the cells of a global longitude axis overlapping
    [low, high] taken modulo 360 (a box across the axis's seam: -10..10 on a 0..360 axis holds
    cells near 350 and near 0), padded by `pad` cells each side around the turn."""
    west = bnds.min(axis=1)
    shift = 360.0 * np.floor((west - low) / 360.0)  # each cell moved to start in [low, low+360)
    hit = np.flatnonzero((west - shift < high) | (bnds.max(axis=1) - shift > low + 360.0))
    n = bnds.shape[0]
    return np.unique((hit[:, None] + np.arange(-pad, pad + 1)[None, :]) % n)


def area_subset(
    grid: RectilinearGrid, box: RectilinearGrid, pad: int = PAD_CELLS
) -> RectilinearGrid:
    """The cells of `grid` overlapping the cells of `box`, padded by `pad` cells each side;
    for a box beyond the longitudes the grid spans (across its seam, or west of 0 on a 0..360
    grid), the cells it overlaps modulo 360, in the grid's own order."""
    i = _index_range(grid.lat_bnds, box.lat_bnds.min(), box.lat_bnds.max(), pad)
    low, high = box.lon_bnds.min(), box.lon_bnds.max()
    if grid.lon_bnds.min() <= low and high <= grid.lon_bnds.max():
        j = _index_range(grid.lon_bnds, low, high, pad)
    else:
        j = _wrapped_indices(grid.lon_bnds, low, high, pad)
    return RectilinearGrid(grid.lat[i], grid.lon[j], grid.lat_bnds[i], grid.lon_bnds[j])


def seen_from(grid: RectilinearGrid, box: tuple[float, float, float, float]) -> RectilinearGrid:
    """`grid` with each longitude moved by whole turns to lie nearest the (lat_min, lat_max,
    lon_min, lon_max) box, so the truth is sampled where the cell is (350 E is -10 for a box
    across 0); `grid` itself when no cell moves."""
    centre = (box[2] + box[3]) / 2
    shift = 360.0 * np.round((grid.lon - centre) / 360.0)
    if not shift.any():
        return grid
    return RectilinearGrid(
        grid.lat, grid.lon - shift, grid.lat_bnds, grid.lon_bnds - shift[:, None]
    )


def _month_bounds(first_year: int, last_year: int, calendar: str) -> np.ndarray:
    """(month, 2) start/end of each month in TIME_UNITS of the model's calendar."""
    edges = [
        cftime.datetime(y, m, 1, calendar=calendar)
        for y in range(first_year, last_year + 1)
        for m in range(1, 13)
    ]
    edges.append(cftime.datetime(last_year + 1, 1, 1, calendar=calendar))
    num = np.asarray(cftime.date2num(edges, TIME_UNITS, calendar=calendar), dtype=np.float64)
    return np.stack([num[:-1], num[1:]], axis=1)


def _tracking_id(seed: int, filename: str) -> str:
    digest = hashlib.sha256(f"{seed}:{filename}".encode()).digest()[:16]
    return f"hdl:21.14100/{uuid.UUID(bytes=digest, version=4)}"


def _nominal_resolution(grid: RectilinearGrid) -> str:
    km = 111.0 * (np.mean(np.diff(grid.lat_bnds)) + np.mean(np.diff(grid.lon_bnds))) / 2
    for limit, label in ((72, "50 km"), (160, "100 km"), (360, "250 km")):
        if km < limit:
            return label
    return "500 km"


def _global_attrs(
    model: Model, experiment: str, grid: RectilinearGrid, seed: int, filename: str
) -> dict:
    exp = EXPERIMENTS[experiment]
    historical = experiment == "historical"
    r, i, p, f = (
        np.int32(x) for x in re.fullmatch(r"r(\d+)i(\d+)p(\d+)f(\d+)", model.member).groups()
    )
    branch = (
        0.0
        if historical
        else float(
            cftime.date2num(
                cftime.datetime(exp.first_year, 1, 1, calendar=model.calendar),
                TIME_UNITS,
                calendar=model.calendar,
            )
        )
    )
    return {
        "Conventions": "CF-1.7 CMIP-6.2",
        "activity_id": exp.activity,
        "branch_method": "standard",
        "branch_time_in_child": branch,
        "branch_time_in_parent": branch,
        "creation_date": CREATION_DATE,
        "data_specs_version": "01.00.30",
        "experiment": EXPERIMENT_TITLES[experiment],
        "experiment_id": experiment,
        "external_variables": "areacella",
        "forcing_index": f,
        "frequency": "mon",
        "further_info_url": (
            f"https://furtherinfo.es-doc.org/CMIP6.{model.institution}."
            f"{model.name}.{experiment}.none.{model.member}"
        ),
        "grid": "native atmosphere grid",
        "grid_label": model.grid_label,
        "history": (
            f"{CREATION_DATE} ; CMOR rewrote data to be consistent with CMIP6, "
            "CF-1.7 CMIP-6.2 and CF standards.; synthetic demo data written by "
            f"smdown.synthetic (seed {seed})"
        ),
        "initialization_index": i,
        "institution_id": model.institution,
        "license": LICENSE.format(institution=model.institution),
        "member_id": model.member,
        "mip_era": "CMIP6",
        "nominal_resolution": _nominal_resolution(grid),
        "parent_activity_id": "CMIP",
        "parent_experiment_id": "piControl" if historical else "historical",
        "parent_mip_era": "CMIP6",
        "parent_source_id": model.name,
        "parent_time_units": TIME_UNITS,
        "parent_variant_label": model.member,
        "physics_index": p,
        "product": "model-output",
        "realization_index": r,
        "realm": "land",
        "source_id": model.name,
        "source_type": "AOGCM",
        "sub_experiment": "none",
        "sub_experiment_id": "none",
        "table_id": "Lmon",
        "title": f"{model.name} output prepared for CMIP6",
        "tracking_id": _tracking_id(seed, filename),
        "variable_id": "mrsos",
        "variant_label": model.member,
    }


def model_values(
    world: TruthWorld, model_name: str, experiment: str, grid: RectilinearGrid, months: np.ndarray
) -> np.ndarray:
    """mrsos (time, lat, lon) in kg m-2: the model's view of the truth's top layer."""
    index = model_seed(model_name)
    params = np.random.default_rng([world.seed, 101, index])
    scale, bias, noise_std = (
        params.uniform(*world.model_scale),
        params.uniform(*world.model_bias),
        params.uniform(*world.model_noise),
    )
    noise = np.random.default_rng([world.seed, 102, index, list(EXPERIMENTS).index(experiment)])
    truth = world.cell_mean(grid, months, layer=0, experiment=experiment)
    climate = world.pattern(grid.lat[:, None], grid.lon[None, :], [0])[0]
    sm = climate + scale * (truth - climate) + bias
    sm += noise.normal(0.0, noise_std, sm.shape)
    return (np.clip(sm, 0.01, None) * WATER_DENSITY * MRSOS_DEPTH_M).astype(np.float32)


def _chunk_dataset(
    values: np.ndarray, bounds: np.ndarray, grid: RectilinearGrid, model: Model, attrs: dict
) -> xr.Dataset:
    mrsos = xr.DataArray(
        values,
        dims=("time", "lat", "lon"),
        attrs={
            "standard_name": "mass_content_of_water_in_soil_layer",
            "long_name": "Moisture in Upper Portion of Soil Column",
            "comment": "The mass of water in all phases in the upper 10cm of the soil layer.",
            "units": "kg m-2",
            "original_name": "mrsos",
            "cell_methods": "area: mean where land time: mean",
            "cell_measures": "area: areacella",
        },
    )
    time = xr.DataArray(
        bounds.mean(axis=1),
        dims="time",
        attrs={
            "bounds": "time_bnds",
            "units": TIME_UNITS,
            "calendar": model.calendar,
            "axis": "T",
            "long_name": "time",
            "standard_name": "time",
        },
    )
    lat = xr.DataArray(
        grid.lat,
        dims="lat",
        attrs={
            "bounds": "lat_bnds",
            "units": "degrees_north",
            "axis": "Y",
            "long_name": "Latitude",
            "standard_name": "latitude",
        },
    )
    lon = xr.DataArray(
        grid.lon,
        dims="lon",
        attrs={
            "bounds": "lon_bnds",
            "units": "degrees_east",
            "axis": "X",
            "long_name": "Longitude",
            "standard_name": "longitude",
        },
    )
    return xr.Dataset(
        {
            "mrsos": mrsos,
            "time_bnds": (("time", "bnds"), bounds),
            "lat_bnds": (("lat", "bnds"), grid.lat_bnds),
            "lon_bnds": (("lon", "bnds"), grid.lon_bnds),
        },
        coords={"time": time, "lat": lat, "lon": lon},
        attrs=attrs,
    )


def _encoding(ds: xr.Dataset) -> dict:
    encoding = {name: {"_FillValue": None} for name in ds.variables}
    encoding["mrsos"] = {
        "dtype": "float32",
        "_FillValue": FILL,
        "missing_value": FILL,
        "zlib": True,
        "complevel": 1,
        "shuffle": True,
    }
    encoding["time"] = {"_FillValue": None, "dtype": "float64"}
    return encoding


def write_cmip6(
    world: TruthWorld, model: ModelEntry, experiment: str, folder: str | PathLike
) -> list[Path]:
    """Write one model's `mrsos` files for one experiment into `folder`; return their paths.

    The files cover the world's target grid (`world.box` at `world.resolution`) with
    `PAD_CELLS` native cells to spare on every side, as a padded CDS area request returns, on
    the model's native longitudes (0..360 for most: a box across 0 gets the cells near 360 and
    those near 0, in that axis's order).
    Values: the truth's 0-10 cm cell means with the model's anomaly scale, bias and white noise
    (drawn from the world's `model_scale`, `model_bias` and `model_noise` ranges; by default
    0.7-1.3, +-0.05 and 0.01-0.03 m3 m-3), seeded by (world.seed, model), times 100
    (1000 kg m-3 x 0.1 m) to kg m-2. `model`: a catalog name, a config `models` mapping (its
    calendar and native grid needed) or a `Model`.
    """
    model = model_spec(model)
    if model.grid is None or model.calendar is None:
        raise ValueError(
            f"{model.name}: the synthetic provider needs its calendar and native_grid "
            "(config key models)"
        )
    model_name = model.name
    exp = EXPERIMENTS[experiment]
    grid = area_subset(native_grid(model.grid), world.target_grid())
    months = np.arange(
        f"{exp.first_year:04d}-01", f"{exp.last_year + 1:04d}-01", dtype="datetime64[M]"
    )
    values = model_values(world, model_name, experiment, seen_from(grid, world.box), months)
    years = months.astype("datetime64[Y]").astype(int) + 1970
    paths = []
    for (first, last), name in zip(
        year_chunks(model, experiment), cmip6_filenames(model, experiment), strict=True
    ):
        sel = (years >= first) & (years <= last)
        bounds = _month_bounds(first, last, model.calendar)
        attrs = _global_attrs(model, experiment, grid, world.seed, name)
        ds = _chunk_dataset(values[sel], bounds, grid, model, attrs)
        path = Path(folder) / name
        with atomic_path(path) as tmp:
            ds.to_netcdf(tmp, format="NETCDF4_CLASSIC", encoding=_encoding(ds))
        paths.append(path)
    return paths
