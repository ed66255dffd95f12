"""Finding one (model, experiment, member)'s CMOR files anywhere below a folder (`provider: local`).

Users keep CMIP6 files flat, in the `<model>/<experiment>/` folders our downloads write, or in
ESGF's DRS tree; the file name alone says what a file holds, so one recursive walk finds them all.
Two versions of the same data and overlapping periods are refused here, before any file is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from os import PathLike
from pathlib import Path

from smdown.errors import InputError

# The part of a CMOR name after `<variable>_<table>_<model>_<experiment>_<member>_`.
_TAIL = re.compile(r"(g[^_]*)_(\d{4}(?:0[1-9]|1[0-2]))-(\d{4}(?:0[1-9]|1[0-2]))\.nc")

LAYOUTS = (
    "the files flat in the folder, in <model>/<experiment>/ folders (as the cds and esgf "
    "providers write them), or in ESGF's tree <source_id>/<experiment_id>/<member_id>/"
    "<table>/<variable>/<grid_label>/<version>/ at any depth"
)


@dataclass(frozen=True)
class CmorFile:
    """One CMOR file and what its name says: grid label and first and last month (YYYYMM)."""

    path: Path
    grid_label: str
    start: str
    end: str


def find_cmor_files(
    folder: str | PathLike,
    model: str,
    experiment: str,
    member: str,
    variable: str = "mrsos",
    table: str = "Lmon",
) -> list[Path]:
    """The CMOR files of one (model, experiment, member) anywhere below `folder`, by period start.

    Refuses (InputError) when none is found, a name's period cannot be parsed, the same file or
    two grid labels turn up (two versions of the data), or two files' periods overlap.
    """
    folder = Path(folder)
    prefix = f"{variable}_{table}_{model}_{experiment}_{member}_"
    pattern = f"{prefix}<grid_label>_<YYYYMM>-<YYYYMM>.nc"
    found = [_parse(p, prefix, pattern) for p in folder.rglob("*.nc") if p.name.startswith(prefix)]
    if not found:
        raise _nothing_found(folder, pattern)
    _refuse_duplicates(found)
    _refuse_mixed_grids(found)
    files = sorted(found, key=lambda f: (f.start, f.end, f.path.name))
    _refuse_overlaps(files)
    return [f.path for f in files]


def _parse(path: Path, prefix: str, pattern: str) -> CmorFile:
    """Grid label and period of a file whose name starts with the CMOR prefix we look for."""
    match = _TAIL.fullmatch(path.name[len(prefix) :])
    if not match:
        raise InputError(
            path,
            "cannot read the grid label and period from the file name",
            f"a name {pattern}, such as {prefix}gn_185001-201412.nc",
        )
    grid_label, start, end = match.groups()
    if end < start:
        raise InputError(
            path,
            f"the period ends ({end}) before it starts ({start})",
            f"a name {pattern} with the first month before the last",
        )
    return CmorFile(path, grid_label, start, end)


def _refuse_duplicates(files: list[CmorFile]) -> None:
    """The same file name in two places is two versions of one file (say two DRS versions)."""
    seen: dict[str, Path] = {}
    for f in sorted(files, key=lambda f: str(f.path)):
        if f.path.name in seen:
            raise InputError(
                seen[f.path.name],
                f"the same file is also at {f.path}: two versions",
                "one version of each file; keep one of the two and remove the other",
            )
        seen[f.path.name] = f.path


def _refuse_mixed_grids(files: list[CmorFile]) -> None:
    """Two grid labels for one (model, experiment, member) are two versions of its data."""
    first: dict[str, Path] = {}
    for f in sorted(files, key=lambda f: (f.start, str(f.path))):
        first.setdefault(f.grid_label, f.path)
    if len(first) > 1:
        (a, path_a), (b, path_b) = list(first.items())[:2]
        raise InputError(
            path_a,
            f"grid label {a!r} here but {b!r} in {path_b}: two versions of the data",
            "files of one grid label; keep one version and remove the other",
        )


def _refuse_overlaps(files: list[CmorFile]) -> None:
    """Files sorted by period start must each end before the next one starts."""
    for a, b in pairwise(files):
        if b.start <= a.end:
            raise InputError(
                b.path,
                f"its period {b.start}-{b.end} overlaps {a.start}-{a.end} of {a.path}",
                "files whose periods do not overlap; remove one",
            )


def _nothing_found(folder: Path, pattern: str) -> InputError:
    """The error for a search that found nothing: where, for what, and which layouts work."""
    where = "searched recursively" if folder.is_dir() else "the folder does not exist"
    return InputError(
        folder, f"no file named {pattern} anywhere below this folder ({where})", LAYOUTS
    )
