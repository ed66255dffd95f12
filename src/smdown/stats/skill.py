"""The CMIP6DL study's evaluation of gridded fields against ERA5-Land over its test period:
the skill table (its Table 2), per-cell MAE maps (Fig. 3) and series at chosen cells (Fig. 4).

Every field is (time, lat, lon) on the reference's grid and months; the metrics themselves are
those of `smdown.stats.metrics`, which skip the pairs where either value is NaN.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from smdown.errors import InputError
from smdown.geometry import midpoint_bounds
from smdown.prepared import check_grid
from smdown.stats.metrics import mae, pearson_r, rmse, ubrmsd

FIELD_DIMS = ("time", "lat", "lon")
SKILL_COLUMNS = ("MAE", "RMSD", "ubRMSD", "r")
POINT_COLUMNS = ("point", "dataset", "time", "value", "lon", "lat")


def _check_dims(field: xr.DataArray, name: str) -> None:
    """Refuse a field that is not exactly (time, lat, lon), in any order."""
    if sorted(field.dims) != sorted(FIELD_DIMS):
        raise InputError(name, f"dims {field.dims}", "(time, lat, lon)")


def _check_pair(reference: xr.DataArray, field: xr.DataArray, name: str) -> None:
    """Refuse a field whose dims, grid or months differ from the reference's."""
    _check_dims(field, name)
    check_grid(field, reference, name)
    ours, theirs = field["time"].values, reference["time"].values
    if not np.array_equal(ours, theirs):
        raise InputError(
            name,
            f"its {ours.size} time steps differ from the reference's",
            f"the reference's {theirs.size} time steps",
        )


def _masked(field: xr.DataArray, mask: np.ndarray) -> np.ndarray:
    """The field as a float (time, lat, lon) array, NaN outside the (lat, lon) mask."""
    values = np.asarray(field.transpose(*FIELD_DIMS), dtype=np.float64)
    return np.where(mask, values, np.nan)


def spatial_correlation(reference: np.ndarray, candidate: np.ndarray) -> float:
    """Mean over the leading (time) axis of the Pearson r across each step's cells.

    The CMIP6DL study's "spatial correlation coefficient": how well each month's map is
    reproduced, whatever the seasonal cycle. Months with r undefined (fewer than 3 valid pairs,
    a constant map) are left out; NaN when none is left.
    """
    per_month = np.array(
        [pearson_r(ref, cand) for ref, cand in zip(reference, candidate, strict=True)]
    )
    finite = per_month[np.isfinite(per_month)]
    return float(finite.mean()) if finite.size else np.nan


def _skill_row(reference: np.ndarray, candidate: np.ndarray) -> dict[str, float]:
    """Table 2's scores of one candidate: pooled MAE, RMSD and ubRMSD, and the spatial r."""
    return {
        "MAE": mae(reference, candidate),
        "RMSD": rmse(reference, candidate),
        "ubRMSD": ubrmsd(reference, candidate),
        "r": spatial_correlation(reference, candidate),
    }


def skill_table(
    reference: xr.DataArray, candidates: Mapping[str, xr.DataArray], mask: xr.DataArray
) -> pd.DataFrame:
    """The CMIP6DL study's Table 2: a row per candidate (index "dataset") against `reference`.

    MAE, RMSD and ubRMSD pool every cell inside the boolean (lat, lon) `mask` and every month.
    r is the paper's spatial correlation coefficient: the Pearson r across the mask's cells of
    each month, averaged over the months (see `spatial_correlation`). Pairs where either value
    is NaN are skipped. Every field must be (time, lat, lon) on the mask's grid and the
    reference's months.
    """
    _check_dims(reference, "reference")
    inside = np.asarray(mask.transpose("lat", "lon"), dtype=bool)
    check_grid(reference, mask, "reference")
    ref = _masked(reference, inside)
    rows = {}
    for name, field in candidates.items():
        _check_pair(reference, field, name)
        rows[name] = _skill_row(ref, _masked(field, inside))
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(SKILL_COLUMNS))
    return table.rename_axis("dataset")


def mae_map(reference: xr.DataArray, candidate: xr.DataArray) -> xr.DataArray:
    """Per-cell MAE over time of `candidate` against `reference` (the study's Fig. 3), on the
    reference's (lat, lon) grid; NaN where a cell has no valid pair."""
    _check_dims(reference, "reference")
    _check_pair(reference, candidate, str(candidate.name or "candidate"))
    candidate = candidate.transpose(*reference.dims).assign_coords(
        lat=reference["lat"], lon=reference["lon"]
    )
    error = xr.apply_ufunc(
        mae,
        reference,
        candidate,
        input_core_dims=[["time"], ["time"]],
        vectorize=True,
        output_dtypes=[np.float64],
    )
    error.attrs = {
        "long_name": "mean absolute error over time",
        **({"units": reference.attrs["units"]} if "units" in reference.attrs else {}),
    }
    return error.rename("mae")


def _check_inside(field: xr.DataArray, dataset: str, point: str, lon: float, lat: float) -> None:
    """Refuse a point that lies beyond the outer cell edges of the field's grid."""
    for dim, value in (("lon", lon), ("lat", lat)):
        edges = midpoint_bounds(np.asarray(field[dim], dtype=float))
        if not edges.min() <= value <= edges.max():
            raise InputError(
                f"point {point}",
                f"{dim} {value:g} lies outside {dataset}'s grid",
                f"{dim} within [{edges.min():g}, {edges.max():g}]",
            )


def _check_one_cell(field: xr.DataArray, dataset: str, point: str, lon: float, lat: float) -> None:
    """Refuse a point as near to two cell centres as to one: "nearest" would pick by tie-break."""
    for dim, value in (("lon", lon), ("lat", lat)):
        distance = np.sort(np.abs(np.asarray(field[dim], dtype=float) - value))
        if distance.size > 1 and np.isclose(distance[0], distance[1], rtol=0, atol=1e-9):
            raise InputError(
                f"point {point}",
                f"{dim} {value:g} lies on the border of two of {dataset}'s cells",
                f"a point inside one cell (the cells' centres are its grid's {dim} values)",
            )


def _at_point(
    field: xr.DataArray, dataset: str, point: str, lon: float, lat: float
) -> pd.DataFrame:
    """The series of the field's cell nearest (lon, lat), with that cell's centre."""
    _check_dims(field, dataset)
    _check_inside(field, dataset, point, lon, lat)
    _check_one_cell(field, dataset, point, lon, lat)
    cell = field.sel(lon=lon, lat=lat, method="nearest")
    values = np.asarray(cell, dtype=np.float64)
    centre = float(cell["lon"]), float(cell["lat"])
    if not np.isfinite(values).any():
        raise InputError(
            f"point {point}",
            f"{dataset}'s nearest cell ({centre[0]:g}, {centre[1]:g}) is NaN throughout",
            "a point whose nearest cell has data",
        )
    return pd.DataFrame(
        {
            "point": point,
            "dataset": dataset,
            "time": cell["time"].values,
            "value": values,
            "lon": centre[0],
            "lat": centre[1],
        }
    )


def point_series(
    fields: Mapping[str, xr.DataArray], points: Mapping[str, tuple[float, float]]
) -> pd.DataFrame:
    """Long table (point, dataset, time, value, lon, lat) of every field at the cell nearest each
    named (lon, lat) point, for the study's Fig. 4; lon and lat are that cell's centre.

    A point outside a field's grid, on the border of two cells, or whose nearest cell is NaN
    throughout, is refused.
    """
    if not fields or not points:
        raise InputError("point_series", "no fields or no points", "at least one of each")
    frames = [
        _at_point(field, dataset, point, lon, lat)
        for point, (lon, lat) in points.items()
        for dataset, field in fields.items()
    ]
    return pd.concat(frames, ignore_index=True)[list(POINT_COLUMNS)]
