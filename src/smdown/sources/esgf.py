"""ESGF searches for CMIP6 `mrsos` through intake-esgf, which verifies each file's checksum."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from smdown.catalog import EXPERIMENTS, ModelEntry, model_spec

log = logging.getLogger(__name__)


def search_facets(model: ModelEntry, experiment: str) -> dict[str, str]:
    """The ESGF facets of one (model, experiment): the model's member and grid label (the
    catalog's, or the config's mapping: smdown.catalog.model_spec), Lmon mrsos."""
    spec = model_spec(model)
    return {
        "source_id": spec.name,
        "experiment_id": EXPERIMENTS[experiment].name,
        "member_id": spec.member,
        "grid_label": spec.grid_label,
        "table_id": "Lmon",
        "variable_id": "mrsos",
    }


def default_catalog() -> object:
    """An intake-esgf catalog (its searches contact the ESGF index nodes)."""
    from intake_esgf import ESGFCatalog

    return ESGFCatalog()


def fetch(
    model: ModelEntry, experiment: str, *, catalog_factory: Callable[[], object] = default_catalog
) -> list[Path]:
    """Search and download one (model, experiment); returns the local file paths.

    intake-esgf downloads into its own cache and checks every file against the checksum the
    index publishes; a search that matches no dataset raises a clear error.
    """
    facets = search_facets(model, experiment)
    catalog = catalog_factory().search(**facets)
    paths = catalog.to_path_dict(minimal_keys=False)
    files = sorted(Path(p) for group in paths.values() for p in group)
    if not files:
        raise FileNotFoundError(f"ESGF: no files for {facets}")
    log.info("ESGF %s: %d files", facets, len(files))
    return files
