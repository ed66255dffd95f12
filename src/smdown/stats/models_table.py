"""Table 1 as run: the models the run used, read from its prepared files, not from a catalogue.

Each regridded model file carries what its CMOR source files said (institution, member, grid
label, nominal resolution, calendar, native spacing; `sources.cmip6.identity`), so the table
shows what was actually downloaded and used, even where a user's files differ from the study.
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike

import pandas as pd
import xarray as xr

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


def models_table(prepared: Mapping[str, str | PathLike]) -> pd.DataFrame:
    """One row per model (in the given order) from its prepared file's attributes."""
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
        rows.append({column: attrs[key] for key, column in COLUMNS.items()})
    return pd.DataFrame(rows, columns=list(COLUMNS.values()))
