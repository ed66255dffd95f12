"""Download manifests: which files a source delivered, with their sha256, and how it was asked.

A download whose file names are not known in advance (a CDS zip, an ESGF dataset) writes a
manifest as its rule output; later rules read the file list from it, and provenance finds the
request and the checksums there.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from os import PathLike
from pathlib import Path

from smdown.errors import InputError
from smdown.io import atomic_path, sha256_of

SUFFIX = ".manifest.json"


def write_manifest(path: str | PathLike, files: Iterable[str | PathLike], origin: Mapping) -> Path:
    """Record `files` (stored relative to the manifest) with sizes and sha256, and `origin`."""
    path = Path(path)
    entries = [
        {
            "name": os.path.relpath(Path(f).resolve(), path.parent.resolve()),
            "size": Path(f).stat().st_size,
            "sha256": sha256_of(f),
        }
        for f in sorted(map(str, files))
    ]
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps({"origin": dict(origin), "files": entries}, indent=1))
    return path


def manifest_files(path: str | PathLike, verify: bool = False) -> list[Path]:
    """The files a manifest lists; each must exist (and match its sha256 when `verify`)."""
    path = Path(path)
    try:
        entries = json.loads(path.read_text())["files"]
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(path, f"unreadable manifest ({exc})", "a download manifest") from exc
    files = []
    for entry in entries:
        f = path.parent / entry["name"]
        if not f.is_file():
            raise InputError(path, f"lists {f}, which is missing", "every listed file present")
        if verify and sha256_of(f) != entry["sha256"]:
            raise InputError(f, "sha256 differs from its manifest", entry["sha256"])
        files.append(f)
    return files


def resolve_inputs(paths: Sequence[str | PathLike]) -> list[Path]:
    """Input paths with every manifest replaced by the files it lists."""
    out: list[Path] = []
    for p in map(Path, paths):
        out.extend(manifest_files(p) if p.name.endswith(SUFFIX) else [p])
    return out


def source_location(path: str | PathLike) -> Path:
    """The folder or file a source lives in: `path` itself, or the one its ingest manifest names."""
    path = Path(path)
    if not path.name.endswith(SUFFIX):
        return path
    try:
        return Path(json.loads(path.read_text())["origin"]["path"])
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(
            path, f"manifest names no source path ({exc})", "an ingest manifest"
        ) from exc
