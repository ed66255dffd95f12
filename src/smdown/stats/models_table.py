"""Table 1 as run: the models the run used, read from its prepared files, not from a catalogue.

Each regridded model file carries what its CMOR source files said (institution, member, grid
label, nominal resolution, calendar, native spacing; `sources.cmip6.identity`), so the table
shows what was actually downloaded and used, even where a user's files differ from the study.
Where a file leaves institution, member or grid label empty, the config's model entry (a
mapping, or the catalog's) fills them in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from os import PathLike

import pandas as pd
import xarray as xr

from smdown.catalog import ModelEntry, model_specs
from smdown.errors import InputError
from smdown.sources.cmip6 import IDENTITY

COLUMNS = {
    "source_id": "model",
    "institution_id": "institution",
    "member_id": "member",
    "source_grid": "native grid",
    "nominal_resolution": "nominal resolution",
    "grid_label": "grid label",
    "source_calendar": "calendar",
}


# the attributes the config's model entry can stand in for: attribute -> Model field
FROM_CONFIG = {"institution_id": "institution", "member_id": "member", "grid_label": "grid_label"}


def models_table(
    prepared: Mapping[str, str | PathLike], entries: Sequence[ModelEntry] | None = None
) -> pd.DataFrame:
    """One row per model (in the given order) from its prepared file's attributes; an empty
    institution, member or grid label is taken from `entries` (the config's `models` entries,
    smdown.catalog.model_specs)."""
    specs = model_specs(entries or [])
    rows = []
    for model, path in prepared.items():
        with xr.open_dataset(path) as ds:
            attrs = dict(ds.attrs)
        missing = [key for key in ("source_id", *IDENTITY) if key not in attrs]
        if missing:
            raise InputError(
                path,
                f"lacks the attributes {missing}",
                "a file of rule regrid_cmip6 (a run prepared before Table 1 existed reruns it)",
            )
        if attrs["source_id"] != model:
            raise InputError(path, f"holds model {attrs['source_id']!r}", f"model {model!r}")
        if model in specs:
            for key, field in FROM_CONFIG.items():
                attrs[key] = attrs[key] or getattr(specs[model], field)
        rows.append({column: attrs[key] for key, column in COLUMNS.items()})
    return pd.DataFrame(rows, columns=list(COLUMNS.values()))
