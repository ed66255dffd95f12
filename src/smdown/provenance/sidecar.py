"""Sidecars `<file>.prov.json`: where they lie, how files and directories are hashed for
them, reading one back, and removing those whose file is gone."""

from __future__ import annotations

import errno
import hashlib
import json
import os
from collections.abc import Iterable
from os import PathLike
from pathlib import Path
from typing import Any

from smdown.errors import InputError
from smdown.io import sha256_of

SCHEMA = "smdown.provenance/1"


SIDECAR_SUFFIX = ".prov.json"


SNAKEMAKE_MARKER = ".snakemake_timestamp"  # Snakemake's own file in a finished directory output


SIDECAR_KEYS = frozenset(
    {
        "schema",
        "file",
        "sha256",
        "rule",
        "wildcards",
        "params",
        "inputs",
        "outputs",
        "created",
        "workflow",
        "lineage",
        "sources",
    }
)

PathArg = str | PathLike


def sidecar_path(path: PathArg) -> Path:
    """The sidecar `<path>.prov.json` beside a file or directory.

    It sits beside rather than inside a directory output, so it does not change that
    directory's hash, and it is found from the data file's name alone.
    """
    path = Path(path)
    return path.with_name(path.name + SIDECAR_SUFFIX)


def sha256_path(path: PathArg) -> str:
    """Hex sha256 of a file, or of a directory's content.

    A directory's hash covers the sorted lines `<relative posix path>\\0<file sha256>\\n` of every
    file under it, sidecars and Snakemake's `.snakemake_timestamp` marker (written into a
    directory output after its job) excluded, so it changes when any file is added, removed,
    renamed or modified, and not when provenance or Snakemake's bookkeeping is written.
    """
    path = Path(path)
    if path.is_dir():
        lines = []
        for root, _dirs, files in os.walk(path):
            for name in files:
                if not name.endswith(SIDECAR_SUFFIX) and name != SNAKEMAKE_MARKER:
                    file = Path(root, name)
                    lines.append(f"{file.relative_to(path).as_posix()}\0{sha256_of(file)}\n")
        return hashlib.sha256("".join(sorted(lines)).encode()).hexdigest()
    if not path.is_file():
        raise FileNotFoundError(errno.ENOENT, "no such file or directory", str(path))
    return sha256_of(path)


def remove_orphan_sidecars(folders: Iterable[PathArg]) -> list[Path]:
    """Delete the sidecars below `folders` whose file no longer exists (Snakemake removed the
    outputs of a job that failed or is rerun, not their sidecars); returns what was deleted."""
    removed = []
    for folder in map(Path, folders):
        if not folder.is_dir():
            continue
        for sidecar in folder.rglob(f"*{SIDECAR_SUFFIX}"):
            data = sidecar.with_name(sidecar.name[: -len(SIDECAR_SUFFIX)])
            if not data.exists():
                sidecar.unlink(missing_ok=True)
                removed.append(sidecar)
    return sorted(removed)


def read_sidecar(path: PathArg) -> dict[str, Any]:
    """The sidecar of a data file (or the sidecar given itself), parsed and checked."""
    path = Path(path)
    sidecar = path if path.name.endswith(SIDECAR_SUFFIX) else sidecar_path(path)
    expected = f"a provenance sidecar {sidecar.name} written by the smdown workflow"
    try:
        record = json.loads(sidecar.read_text())
    except FileNotFoundError as exc:
        raise InputError(
            path, f"has no provenance sidecar ({sidecar} not found)", expected
        ) from exc
    except (OSError, ValueError) as exc:
        raise InputError(
            path, f"unreadable provenance sidecar {sidecar} ({exc})", expected
        ) from exc
    if not isinstance(record, dict) or record.get("schema") != SCHEMA:
        raise InputError(path, f"{sidecar} is not a {SCHEMA} record", expected)
    if missing := sorted(SIDECAR_KEYS - record.keys()):
        raise InputError(path, f"{sidecar} lacks {', '.join(missing)}", expected)
    return record
