"""Reader for ERA5-Land's invariant surface geopotential, as elevation (m) on the target grid.

Fig. 1 of the UNet-GAN study shows the study area's elevation. ERA5-Land's geopotential `z`
(m2 s-2, CDS dataset `reanalysis-era5-land`) divided by standard gravity is the model's
orography; the file must hold every cell centre of the target grid (a larger area is cut).
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
import xarray as xr

from smdown.errors import InputError
from smdown.sources.common import ascending, require_variable
from smdown.sources.era5land import open_cds_file

WHAT = "an ERA5-Land geopotential NetCDF (variable z in m2 s-2) covering the target grid"
STANDARD_GRAVITY = 9.80665  # m s-2, as the ECMWF converts geopotential to height
GEOPOTENTIAL_UNITS = ("m**2 s**-2", "m2 s-2", "m^2 s^-2", "m2/s2")
HIGHEST_SURFACE_M = 9000.0  # above Everest: a geopotential beyond it is not a surface's
TOLERANCE_DEG = 1e-4


def _centres(values: np.ndarray, wanted: np.ndarray, dim: str, path: Path) -> np.ndarray:
    """Indices of `wanted` centres in the file's `values`; refuses a grid that lacks any."""
    index = np.clip(np.searchsorted(values, wanted), 1, max(values.size - 1, 1))
    nearer = (
        np.where(
            np.abs(values[index - 1] - wanted) <= np.abs(values[index] - wanted), index - 1, index
        )
        if values.size > 1
        else np.zeros(wanted.size, int)
    )
    off = np.abs(values[nearer] - wanted) > TOLERANCE_DEG
    if off.any():
        raise InputError(
            path,
            f"{dim} has {values.size} values [{values.min():.4f}.."
            f"{values.max():.4f}] that miss the target centre "
            f"{wanted[off][0]:.4f}",
            f"the target grid's {wanted.size} {dim} centres "
            f"[{wanted.min():.4f}..{wanted.max():.4f}]",
        )
    return nearer


def read_elevation(path: str | PathLike, lat: np.ndarray, lon: np.ndarray) -> xr.DataArray:
    """Surface elevation (m) at the target cell centres `lat` x `lon` (ascending) from an
    ERA5-Land geopotential file (NetCDF or CDS zip).

    Refuses a file without `z`, with other units, with no finite value at the grid's cells or
    values beyond any surface, and one on another grid, naming the file.
    """
    path = Path(path)
    ds = open_cds_file(path, WHAT)
    z = require_variable(ds, "z", path, WHAT)
    units = str(z.attrs.get("units", ""))
    if units not in GEOPOTENTIAL_UNITS:
        raise InputError(path, f"z has units {units!r}", f"{WHAT}: units m**2 s**-2")
    y = "latitude" if "latitude" in ds.variables else "lat"
    x = "longitude" if "longitude" in ds.variables else "lon"
    z = ascending(z.to_dataset(), y, x)["z"]
    extra = [d for d in z.dims if d not in (y, x)]
    z = z.isel({d: 0 for d in extra}).transpose(y, x)  # invariant: any time is the field
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    rows = _centres(np.asarray(z[y], float), lat, "lat", path)
    cols = _centres(np.asarray(z[x], float), lon, "lon", path)
    height = np.asarray(z.values, dtype=np.float64)[np.ix_(rows, cols)] / STANDARD_GRAVITY
    finite = height[np.isfinite(height)]
    if finite.size == 0:
        raise InputError(path, "no finite geopotential at the target grid's cells", WHAT)
    if finite.max() > HIGHEST_SURFACE_M or finite.min() < -500.0:
        raise InputError(
            path,
            f"elevation {finite.min():.0f}..{finite.max():.0f} m",
            f"{WHAT}: a surface between -500 and {HIGHEST_SURFACE_M:.0f} m",
        )
    return xr.DataArray(
        height,
        dims=("lat", "lon"),
        coords={"lat": lat, "lon": lon},
        name="elevation",
        attrs={
            "units": "m",
            "long_name": "surface elevation (ERA5-Land geopotential / 9.80665 m s-2)",
            "source": path.name,
            "synthetic": str(z.attrs.get("synthetic", "")),
        },
    )
