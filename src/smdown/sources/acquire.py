"""Acquisition steps of the workflow: download or ingest one source item and write its manifest.

Each function is what one rule does; the workflow scripts only pass config values in.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping, Sequence
from os import PathLike
from pathlib import Path

from smdown.catalog import ModelEntry, model_spec
from smdown.sources import cds, esgf, ingest
from smdown.sources.download import fetch_url, normalise_download, with_retries
from smdown.sources.manifest import write_manifest

RETRYABLE = (OSError, RuntimeError, ConnectionError, TimeoutError)


def cmip6_from_cds(
    model: ModelEntry,
    experiment: str,
    folder: str | PathLike,
    manifest: str | PathLike,
    *,
    area: Sequence[float],
    pad_cells: int,
    retries: int,
    backoff_s: float,
    client_factory: Callable[[], object] = cds.default_client,
) -> Path:
    """Retrieve one (model, experiment) from the CDS, unpack its NetCDF files, write a manifest.

    `model`: a catalog name, a config `models` mapping or a `Model` (smdown.catalog.model_spec).
    """
    if not cds.credentials_available():
        raise cds.CredentialsError(cds.CREDENTIALS_HELP)
    request = cds.cmip6_request(model, experiment, area, pad_cells)
    model = model_spec(model).name
    target = Path(folder) / model / experiment
    archive = target / "retrieved.download"
    with_retries(
        lambda: cds.retrieve(cds.CMIP6_DATASET, request, archive, client_factory=client_factory),
        retries=retries,
        backoff_s=backoff_s,
        retry_on=RETRYABLE,
        what=f"CDS {cds.CMIP6_DATASET} {model} {experiment}",
    )
    files = normalise_download(archive, target)
    if files == [archive]:  # a bare NetCDF rather than the usual zip
        files = [archive.rename(target / f"mrsos_{model}_{experiment}.nc")]
    return write_manifest(
        manifest, files, {"provider": "cds", "dataset": cds.CMIP6_DATASET, "request": request}
    )


def cmip6_from_esgf(
    model: ModelEntry,
    experiment: str,
    folder: str | PathLike,
    manifest: str | PathLike,
    *,
    retries: int,
    backoff_s: float,
    catalog_factory: Callable[[], object] = esgf.default_catalog,
) -> Path:
    """Fetch one (model, experiment) through intake-esgf and copy the files beside the manifest.

    `model`: as for `cmip6_from_cds`.
    """
    spec = model_spec(model)
    facets = esgf.search_facets(spec, experiment)
    cached = with_retries(
        lambda: esgf.fetch(spec, experiment, catalog_factory=catalog_factory),
        retries=retries,
        backoff_s=backoff_s,
        retry_on=RETRYABLE,
        what=f"ESGF {facets}",
    )
    target = Path(folder) / spec.name / experiment
    target.mkdir(parents=True, exist_ok=True)
    files = [Path(shutil.copy2(f, target / f.name)) for f in cached]
    return write_manifest(manifest, files, {"provider": "esgf", "facets": facets})


def _cds_file(
    dataset: str,
    request: Mapping,
    target: str | PathLike,
    manifest: str | PathLike,
    *,
    retries: int,
    backoff_s: float,
    what: str,
    client_factory: Callable[[], object],
) -> Path:
    """Retrieve one CDS request into `target` (kept as delivered) with retries; its manifest."""
    if not cds.credentials_available():
        raise cds.CredentialsError(cds.CREDENTIALS_HELP)
    with_retries(
        lambda: cds.retrieve(dataset, request, target, client_factory=client_factory),
        retries=retries,
        backoff_s=backoff_s,
        retry_on=RETRYABLE,
        what=f"CDS {dataset} {what}",
    )
    return write_manifest(
        manifest, [target], {"provider": "cds", "dataset": dataset, "request": request}
    )


def era5land_from_cds(
    first_year: int,
    last_year: int,
    target: str | PathLike,
    manifest: str | PathLike,
    *,
    area: Sequence[float],
    retries: int,
    backoff_s: float,
    resolution: float | None = None,
    client_factory: Callable[[], object] = cds.default_client,
) -> Path:
    """Retrieve one ERA5-Land chunk (kept as delivered, zipped or not) and write its manifest."""
    return _cds_file(
        cds.ERA5LAND_DATASET,
        cds.era5land_request(first_year, last_year, area, resolution),
        target,
        manifest,
        retries=retries,
        backoff_s=backoff_s,
        what=f"{first_year}-{last_year}",
        client_factory=client_factory,
    )


def geopotential_from_cds(
    target: str | PathLike,
    manifest: str | PathLike,
    *,
    area: Sequence[float],
    retries: int,
    backoff_s: float,
    resolution: float | None = None,
    client_factory: Callable[[], object] = cds.default_client,
) -> Path:
    """Retrieve ERA5-Land's invariant geopotential (Fig. 1's elevation) and write its manifest."""
    return _cds_file(
        cds.GEOPOTENTIAL_DATASET,
        cds.geopotential_request(area, resolution),
        target,
        manifest,
        retries=retries,
        backoff_s=backoff_s,
        what="geopotential",
        client_factory=client_factory,
    )


def from_url(
    url: str,
    sha256: str,
    target: str | PathLike,
    *,
    retries: int,
    backoff_s: float,
    timeout_s: float,
) -> Path:
    """A checked download by URL (skipped when the verified file is already there)."""
    return fetch_url(
        url, target, sha256=sha256, retries=retries, backoff_s=backoff_s, timeout_s=timeout_s
    )


def ingest_source(name: str, manifest: str | PathLike, options: Mapping) -> Path:
    """Check a user-supplied source (amsmqtp, ismn or cma) and list its files in a manifest."""
    if name == "amsmqtp":
        files = ingest.check_amsmqtp(options["path"], options["pattern"])
    elif name == "ismn":
        files = ingest.check_ismn(options["path"], options["networks"])
    elif name == "cma":
        files = ingest.check_cma(options["path"])
    else:
        raise ValueError(f"unknown source {name!r}")
    return write_manifest(
        manifest, files, {"provider": "local", "source": name, "path": str(options["path"])}
    )
