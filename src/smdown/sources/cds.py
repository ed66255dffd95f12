"""Requests to the Copernicus Climate Data Store (CDS): ERA5-Land monthly means and its invariant
geopotential, and CMIP6 mrsos.

Requests are plain dictionaries built here and tested exactly; `retrieve` is the only place that
talks to the CDS, through a `cdsapi.Client` created lazily (constructing one already contacts the
network), with retries and atomic writes. Credentials stay inside cdsapi: nothing here logs them.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from smdown.catalog import EXPERIMENTS, ModelEntry, model_spec
from smdown.geometry import native_grid
from smdown.io import atomic_path

ERA5LAND_DATASET = "reanalysis-era5-land-monthly-means"
GEOPOTENTIAL_DATASET = "reanalysis-era5-land"  # the invariant fields are in the hourly dataset
CMIP6_DATASET = "projections-cmip6"
ERA5LAND_VARIABLES = tuple(f"volumetric_soil_water_layer_{i}" for i in (1, 2, 3))
CMIP6_VARIABLE = "moisture_in_upper_portion_of_soil_column"
MONTHS = tuple(f"{m:02d}" for m in range(1, 13))
# The native spacing assumed for a model whose grid is not known (outside the catalog, no
# native_grid in its config mapping) when widening its request: coarser than every catalog
# model (CanESM5's 2.8 degrees), so the margin is never short; a wider box costs little.
FALLBACK_SPACING_DEG = 3.0
CREDENTIALS_HELP = (
    "CDS credentials not found: write them to ~/.cdsapirc (lines 'url: ...' and 'key: ...') or "
    "set the environment variables CDSAPI_URL and CDSAPI_KEY; an account and an accepted "
    "licence for the dataset are needed (https://cds.climate.copernicus.eu)"
)
log = logging.getLogger(__name__)


class CredentialsError(RuntimeError):
    """No CDS credentials where cdsapi looks for them."""


def _years(first: int, last: int) -> list[str]:
    return [str(y) for y in range(first, last + 1)]


def era5land_request(
    first_year: int, last_year: int, area: Sequence[float], resolution: float | None = None
) -> dict:
    """The request for one ERA5-Land chunk: monthly means of swvl1..3 over `area` (N, W, S, E),
    on the native grid or, given `resolution`, interpolated by the CDS (its `grid` key)."""
    grid = {} if resolution is None else {"grid": [float(resolution), float(resolution)]}
    return {
        "product_type": ["monthly_averaged_reanalysis"],
        "variable": list(ERA5LAND_VARIABLES),
        "year": _years(first_year, last_year),
        "month": list(MONTHS),
        "time": ["00:00"],
        "data_format": "netcdf",
        "download_format": "unarchived",
        "area": [float(a) for a in area],
        **grid,
    }


def geopotential_request(area: Sequence[float], resolution: float | None = None) -> dict:
    """The request for ERA5-Land's surface geopotential over `area` (N, W, S, E): an invariant
    field, so one hour of one day (2000-01-01 00:00) holds it."""
    grid = {} if resolution is None else {"grid": [float(resolution), float(resolution)]}
    return {
        "variable": ["geopotential"],
        "year": ["2000"],
        "month": ["01"],
        "day": ["01"],
        "time": ["00:00"],
        "data_format": "netcdf",
        "download_format": "unarchived",
        "area": [float(a) for a in area],
        **grid,
    }


def padded_area(model: ModelEntry, area: Sequence[float], cells: int) -> list[float]:
    """`area` (N, W, S, E) widened by `cells` of the model's native grid, rounded outward.

    The regridder needs source cells around the domain (its margin); asking for exactly the
    domain would clip the edge cells of coarse models. A model outside the catalog whose config
    mapping gives no `native_grid` is widened by `cells` of `FALLBACK_SPACING_DEG`.
    """
    spec = model_spec(model)
    if spec.grid is None:
        dlat = dlon = FALLBACK_SPACING_DEG
    else:
        grid = native_grid(spec.grid)
        dlat = float(abs(grid.lat_bnds[:, 1] - grid.lat_bnds[:, 0]).max())
        dlon = spec.grid.dlon
    north, west, south, east = area
    return [
        min(90.0, math.ceil(north + cells * dlat)),
        math.floor(west - cells * dlon),
        max(-90.0, math.floor(south - cells * dlat)),
        math.ceil(east + cells * dlon),
    ]


def cmip6_request(
    model: ModelEntry, experiment: str, area: Sequence[float], pad_cells: int
) -> dict:
    """The `projections-cmip6` request for one model's monthly mrsos in one experiment; `model`
    a catalog name, a config `models` mapping or a `Model` (smdown.catalog.model_spec)."""
    exp = EXPERIMENTS[experiment]
    return {
        "temporal_resolution": "monthly",
        "experiment": exp.cds_id,
        "variable": CMIP6_VARIABLE,
        "model": model_spec(model).cds_id,
        "year": _years(exp.first_year, exp.last_year),
        "month": list(MONTHS),
        "area": padded_area(model, area, pad_cells),
    }


def credentials_available(env: Mapping[str, str] | None = None, home: Path | None = None) -> bool:
    """True when cdsapi will find credentials: CDSAPI_URL and CDSAPI_KEY, or ~/.cdsapirc."""
    env = os.environ if env is None else env
    if env.get("CDSAPI_URL") and env.get("CDSAPI_KEY"):
        return True
    rc = env.get("CDSAPI_RC") or str((home or Path.home()) / ".cdsapirc")
    return Path(rc).is_file()


def default_client() -> object:
    """A quiet `cdsapi.Client` (this call already contacts the CDS)."""
    import cdsapi

    return cdsapi.Client(quiet=True, progress=False)


def retrieve(
    dataset: str,
    request: Mapping,
    target: str | os.PathLike,
    *,
    client_factory: Callable[[], object] = default_client,
    env: Mapping[str, str] | None = None,
) -> Path:
    """Retrieve `request` from `dataset` into `target`, atomically (no half file on failure).

    Raises CredentialsError before any network use when no credentials are configured.
    """
    if not credentials_available(env):
        raise CredentialsError(CREDENTIALS_HELP)
    target = Path(target)
    log.info("CDS %s -> %s: %s", dataset, target.name, dict(request))
    with atomic_path(target) as tmp:
        client_factory().retrieve(dataset, dict(request), str(tmp))
    return target
