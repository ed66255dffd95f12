"""A file's lineage read back from its sidecar: the tree of what it was made from, and every
file in it checked against the sha256 recorded when it was used."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smdown.provenance.sidecar import SIDECAR_SUFFIX, PathArg, read_sidecar, sha256_path


def _origin_summary(origin: Any) -> str:
    """Scalar fields of a manifest's origin, nested ones dotted one level: `provider=cds ...`."""
    if not isinstance(origin, Mapping):
        return str(origin)
    parts = []
    for key, value in origin.items():
        if isinstance(value, Mapping):
            parts += [
                f"{key}.{k}={v}" for k, v in value.items() if isinstance(v, str | int | float)
            ]
        elif isinstance(value, str | int | float):
            parts.append(f"{key}={value}")
    return " ".join(parts)


def _label(path: str, node: Mapping[str, Any]) -> str:
    """One tree line: path, what made it, short hash, STALE when the file had changed after its
    sidecar was written by the time a later job read it (as recorded then)."""
    if not node:
        what = "[not in the recorded lineage]"
    elif "origin" in node:
        what = f"[download manifest: {_origin_summary(node['origin'])}]"
    elif "rule" in node:
        wildcards = node.get("wildcards") or {}
        what = "[" + " ".join([node["rule"], *(f"{k}={v}" for k, v in wildcards.items())]) + "]"
    else:
        what = "[source]"
    parts = [path, what]
    if node.get("sha256"):
        parts.append(f"sha256:{node['sha256'][:12]}")
    if node.get("stale"):
        parts.append("STALE")
    return "  ".join(parts)


def _data_path(path: PathArg) -> Path:
    """The data file of a path given as the file or as its sidecar."""
    path = Path(path)
    if path.name.endswith(SIDECAR_SUFFIX):
        return path.with_name(path.name[: -len(SIDECAR_SUFFIX)])
    return path


@dataclass(frozen=True)
class Check:
    """One file of a lineage against its recorded sha256; `actual` is None when it is gone."""

    path: str  # as recorded in the sidecar
    recorded: str
    actual: str | None

    @property
    def status(self) -> str:
        """Whether the file is "ok" (unchanged), "changed" or "missing"."""
        if self.actual is None:
            return "missing"
        return "ok" if self.actual == self.recorded else "changed"

    @property
    def mark(self) -> str:
        """The tree's mark: none when unchanged, CHANGED with both short hashes, or MISSING."""
        if self.actual is None:
            return "MISSING"
        if self.actual != self.recorded:
            return f"CHANGED (recorded {self.recorded[:12]}, now {self.actual[:12]})"
        return ""

    def as_json(self) -> dict[str, str | None]:
        """The `verification` entry of `--json`: status, recorded and actual sha256."""
        return {"status": self.status, "recorded": self.recorded, "actual": self.actual}


def _workdir(data: Path, recorded: str) -> Path:
    """The directory the workflow ran in: `data` less its recorded relative path, else the cwd.

    Recorded paths are relative to that directory, so the lineage of a file given from
    elsewhere (an absolute path, another cwd) is still found.
    """
    rel = Path(recorded)
    full = data.absolute().parts
    if rel.parts and not rel.is_absolute() and full[-len(rel.parts) :] == rel.parts:
        return Path(*full[: -len(rel.parts)])
    return Path.cwd()


def _current_sha256(path: Path, cache: dict[Path, str | None]) -> str | None:
    """sha256 of a file or directory as it is now, None when it is gone; each path hashed once."""
    key = path.absolute()
    if key not in cache:
        cache[key] = sha256_path(key) if key.exists() else None
    return cache[key]


def _shown_paths(record: Mapping[str, Any], max_depth: int | None) -> list[str]:
    """The recorded paths `lineage_tree` shows down to `max_depth` levels, nearest first, once."""
    lineage = record["lineage"]
    seen = {record["file"]}
    level = [entry["path"] for entry in record["inputs"]]
    found: list[str] = []
    depth = 1
    while level and (max_depth is None or depth <= max_depth):
        level = [key for key in dict.fromkeys(level) if key not in seen]
        seen.update(level)
        found += level
        level = [child for key in level for child in lineage.get(key, {}).get("inputs") or []]
        depth += 1
    return found


def verify_lineage(path: PathArg, max_depth: int | None = None) -> list[Check]:
    """Every file of a lineage, as `lineage_tree` shows it, checked against its recorded sha256.

    The file itself comes first, then the lineage's files nearest first, each once (nodes
    without a recorded sha256 are skipped). Recorded paths are found as the workflow wrote them:
    relative ones from the directory it ran in (see `_workdir`), `~` as the home directory. Each
    distinct file is hashed once.
    """
    record = read_sidecar(path)
    data = _data_path(path)
    base = _workdir(data, record["file"])
    hashes: dict[Path, str | None] = {}
    checks = [Check(record["file"], record["sha256"], _current_sha256(data, hashes))]
    for key in _shown_paths(record, max_depth):
        recorded = record["lineage"].get(key, {}).get("sha256")
        if recorded:
            on_disk = base / Path(key).expanduser()
            checks.append(Check(key, recorded, _current_sha256(on_disk, hashes)))
    return checks


def lineage_tree(path: PathArg, max_depth: int | None = None, checks: Iterable[Check] = ()) -> str:
    """A file's lineage as a text tree, from its sidecar: the file, then its inputs, recursively.

    A node already shown in full is referenced again as `<path>  (see above)`; `max_depth`
    limits how many levels of inputs are shown (0: the file alone). A node with a `checks`
    entry (see `verify_lineage`) ends with its mark, CHANGED or MISSING; nothing is hashed here.
    """
    record = read_sidecar(path)
    marks = {check.path: check.mark for check in checks}
    root = {**record, "inputs": [entry["path"] for entry in record["inputs"]]}  # as a node
    lineage = record["lineage"]

    def label(key: str, node: Mapping[str, Any]) -> str:
        """`_label` of a node, with its verification mark if it has one."""
        return "  ".join(part for part in (_label(key, node), marks.get(key)) if part)

    lines = [label(record["file"], root)]
    shown = {record["file"]}

    def add(node: Mapping[str, Any], prefix: str, depth: int) -> bool:
        """Lines for the inputs of `node`; False when they lie beyond max_depth."""
        inputs = node.get("inputs") or []
        if inputs and max_depth is not None and depth > max_depth:
            lines[-1] += f"  ({len(inputs)} input{'' if len(inputs) == 1 else 's'} not shown)"
            return False
        for i, child in enumerate(inputs):
            last = i == len(inputs) - 1
            branch = "└── " if last else "├── "
            if child in shown:
                lines.append(f"{prefix}{branch}{child}  (see above)")
                continue
            lines.append(prefix + branch + label(child, lineage.get(child, {})))
            shown.add(child)  # before descending, so even a cyclic record ends
            if not add(lineage.get(child, {}), prefix + ("    " if last else "│   "), depth + 1):
                shown.discard(child)  # cut by max_depth: a later, shallower mention expands it
        return True

    add(root, "", 1)
    return "\n".join(lines)


def json_text(path: PathArg, checks: list[Check]) -> str:
    """The sidecar as JSON; with `checks`, a `verification` entry on the file and on each
    checked lineage node."""
    record = read_sidecar(path)
    if checks:
        root, *nodes = checks
        record["verification"] = root.as_json()
        for check in nodes:
            record["lineage"][check.path]["verification"] = check.as_json()
    return json.dumps(record, indent=2)


def summary_line(checks: list[Check]) -> str:
    """`lineage verified: N files, K changed, M missing`."""
    statuses = [check.status for check in checks]
    return (
        f"lineage verified: {len(checks)} files, {statuses.count('changed')} changed, "
        f"{statuses.count('missing')} missing"
    )
