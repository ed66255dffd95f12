"""The record of one workflow job: what it read and wrote (hashed), with which code and
config, and the lineage of its inputs back to the raw sources, written as a sidecar beside each
output and, for PNG figures, into their text chunks.

The record knows nothing of the workflow's layout: the caller tells it the facts
(`WorkflowFacts`: the checkout, which rules make raw sources, how manifests are named).
`config_hash` and `workflow_version` go into output metadata for auditing; they are
deliberately not rule parameters, so a new commit or an unrelated config change does not rerun
finished jobs.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import platform
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from os import PathLike
from pathlib import Path
from typing import Any

from smdown.errors import InputError
from smdown.io import atomic_path
from smdown.provenance.redaction import redact
from smdown.provenance.sidecar import SCHEMA, PathArg, read_sidecar, sha256_path, sidecar_path

DISTRIBUTIONS = (
    "smdown",
    "snakemake",
    "numpy",
    "pandas",
    "xarray",
    "netCDF4",
    "scipy",
    "torch",
    "scikit-learn",
    "numba",
    "matplotlib",
    "cartopy",
    "pillow",
    "pymannkendall",
)


GIT_TIMEOUT_S = 30


@dataclass(frozen=True)
class WorkflowFacts:
    """What a record needs to know of the workflow, told by its caller."""

    repo: Path  # the workflow checkout, whose git state is recorded
    source_rules: Mapping[str, str] = field(default_factory=dict)  # rule prefix -> source kind
    manifest_suffix: str | None = None  # inputs whose name ends so are download manifests


def config_hash(config: Mapping[str, Any]) -> str:
    """SHA-256 (first 16 hex digits) of the config as canonical JSON (sorted keys)."""
    text = json.dumps(config, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def workflow_version(repo: str | PathLike) -> str:
    """`git describe --always --dirty --tags` of the workflow checkout, or "unknown" outside git."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(repo), "describe", "--always", "--dirty", "--tags"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return proc.stdout.strip() if proc.returncode == 0 and proc.stdout.strip() else "unknown"


def _git(repo: PathArg, *args: str) -> str | None:
    """Stdout of a git command in `repo`, or None when git is missing, fails or hangs."""
    try:
        proc = subprocess.run(
            ["git", "--no-optional-locks", "-C", str(repo), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def git_state(repo: PathArg) -> dict[str, Any]:
    """The workflow checkout's HEAD commit, whether tracked files differ from it, and its describe.

    Untracked files do not make it dirty (results and caches live in the checkout). Unknown
    parts are "unknown" (commit) or None (dirty); this never raises, so a copy of the workflow
    outside git still runs.
    """
    head = _git(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    status = _git(repo, "status", "--porcelain", "--untracked-files=no")
    return {
        "commit": head.strip() if head and head.strip() else "unknown",
        "dirty": None if status is None else bool(status.strip()),
        "describe": workflow_version(repo),
    }


def software_versions() -> dict[str, str]:
    """Python, the platform (no host name) and the versions of the installed key packages."""
    versions = {"python": platform.python_version(), "platform": platform.platform()}
    for dist in DISTRIBUTIONS:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[dist] = metadata.version(dist)
    return versions


def _display(path: PathArg) -> str:
    """A path as recorded: relative ones as given, absolute ones inside the cwd made relative."""
    path = Path(path)
    if path.is_absolute():
        cwd = Path.cwd()
        for base in (cwd, cwd.resolve()):
            if path.is_relative_to(base):
                return path.relative_to(base).as_posix()
    return path.as_posix()


def _kind(path: Path) -> str:
    """'directory' or 'file'."""
    return "directory" if path.is_dir() else "file"


def _flat(value: Any) -> list[str]:
    """One path, or a list of them, as strings."""
    if isinstance(value, str | PathLike):
        return [os.fspath(value)]
    return [os.fspath(v) for v in value]


def _named_paths(paths: Any) -> list[tuple[str | None, str]]:
    """Every path of a mapping, a Snakemake Namedlist or a plain sequence once, with its name.

    A Namedlist iterates over all paths and gives only the named ones through `.items()`, so
    names are looked up by path; a path with two names keeps the first.
    """
    if isinstance(paths, str | PathLike):
        return [(None, os.fspath(paths))]
    named = list(paths.items()) if hasattr(paths, "items") else []
    every = (
        [p for _, value in named for p in _flat(value)]
        if isinstance(paths, Mapping)
        else [p for value in paths for p in _flat(value)]
    )
    names: dict[str, str] = {}
    for name, value in named:
        for path in _flat(value):
            names.setdefault(path, name)
    return [(names.get(path), path) for path in dict.fromkeys(every)]


def _hash_inputs(inputs: Any) -> list[tuple[Path, dict[str, Any]]]:
    """(path on disk, record entry) of every input: its name, recorded path, sha256 and kind."""
    return [
        (
            Path(path),
            {
                "name": name,
                "path": _display(path),
                "sha256": sha256_path(path),
                "kind": _kind(Path(path)),
            },
        )
        for name, path in _named_paths(inputs)
    ]


def _read_manifest(path: Path) -> dict[str, Any]:
    """A download manifest's origin (the request) and its file list."""
    try:
        data = json.loads(path.read_text())
        files = [{k: entry[k] for k in ("name", "size", "sha256")} for entry in data["files"]]
        return {"origin": data["origin"], "files": files}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(
            path, f"unreadable manifest ({exc})", "a download manifest with origin and files"
        ) from exc


def _lineage_node(
    path: Path, actual: str, facts: WorkflowFacts
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The lineage node of one input (hashed as `actual`), and its sidecar if it has one.

    Raw sources carry a "source" key: the kind of an input without sidecar, "manifest", or the
    kind of a job whose rule is one of `facts.source_rules`.
    """
    sidecar = read_sidecar(path) if sidecar_path(path).is_file() else None
    if sidecar is None:
        node: dict[str, Any] = {"source": _kind(path), "sha256": actual}
    else:
        node = {
            "rule": sidecar["rule"],
            "wildcards": sidecar["wildcards"],
            "params": sidecar["params"],
            "sha256": sidecar["sha256"],
            "inputs": [entry["path"] for entry in sidecar["inputs"]],
            "created": sidecar["created"],
            "workflow": sidecar["workflow"]["commit"],
        }
        if sidecar["sha256"] != actual:
            node["stale"] = True  # the file changed after its sidecar was written
        for prefix, kind in facts.source_rules.items():
            if node["rule"].startswith(prefix):
                node["source"] = kind
    if facts.manifest_suffix and path.name.endswith(facts.manifest_suffix):
        node["source"] = "manifest"
        node.update(_read_manifest(path))
    return node, sidecar


def _lineage(
    inputs: list[tuple[Path, dict[str, Any]]], facts: WorkflowFacts
) -> dict[str, dict[str, Any]]:
    """Path -> node of the inputs and everything upstream of them, flat, each path once.

    The inputs' own nodes (checked against their current hashes) come first and win over the
    older copies in upstream sidecars.
    """
    lineage: dict[str, dict[str, Any]] = {}
    upstream = []
    for path, entry in inputs:
        node, sidecar = _lineage_node(path, entry["sha256"], facts)
        lineage.setdefault(entry["path"], node)
        if sidecar is not None:
            upstream.append(sidecar["lineage"])
    for earlier in upstream:
        for key, node in earlier.items():
            lineage.setdefault(key, node)
    return lineage


def _timestamp(created: datetime | None) -> str:
    """ISO-8601 UTC to the second; now by default, a naive time taken as UTC."""
    moment = created or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _record(
    *,
    rule: str,
    wildcards: Mapping,
    params: Mapping,
    inputs: list[tuple[Path, dict[str, Any]]],
    outputs: Any,
    log: Any,
    config: Mapping[str, Any],
    facts: WorkflowFacts,
    workflow: dict[str, Any],
    created: str,
) -> dict[str, Any]:
    """`job_record` from inputs already hashed and the workflow state already read."""
    out_paths = [Path(path) for _, path in _named_paths(outputs)]
    record = redact(
        {
            "schema": SCHEMA,
            "rule": rule,
            "wildcards": dict(wildcards),
            "params": dict(params),
            "inputs": [entry for _, entry in inputs],
            "outputs": [
                {"path": _display(path), "sha256": sha256_path(path), "kind": _kind(path)}
                for path in out_paths
            ],
            "log": [_display(path) for _, path in _named_paths(log)],
            "created": created,
            "workflow": workflow,
            "config_hash": config_hash(config),
            "software": software_versions(),
            "lineage": _lineage(inputs, facts),
            "sources": [],
        }
    )
    record["sources"] = sorted(path for path, node in record["lineage"].items() if "source" in node)
    return record


def job_record(
    *,
    rule: str,
    wildcards: Mapping,
    params: Mapping,
    inputs: Any,
    outputs: Any,
    log: Any,
    config: Mapping[str, Any],
    facts: WorkflowFacts,
    created: datetime | None = None,
) -> dict[str, Any]:
    """The redacted, JSON-ready record of one workflow job (see `record_job` for the schema).

    `inputs` is a mapping name -> path(s), a Snakemake Namedlist or a sequence of paths; every
    input appears once, named if it has a name. `outputs` and `log` are paths (any of the same
    forms). `facts` tell the workflow's checkout and raw-source rules; `created` defaults to now.
    """
    return _record(
        rule=rule,
        wildcards=wildcards,
        params=params,
        inputs=_hash_inputs(inputs),
        outputs=outputs,
        log=log,
        config=config,
        facts=facts,
        workflow=git_state(facts.repo),
        created=_timestamp(created),
    )


def record_job(smk: Any, facts: WorkflowFacts) -> list[Path]:
    """Write the provenance of a finished job; call it last in a workflow script.

    `smk` is the `snakemake` object of a `script:` (used through its attributes rule,
    wildcards, params, input, output, log and config); `facts` are the workflow's. PNG, the
    workflow's figure format, first gets the essentials in its text chunks ("smdown:rule",
    "smdown:wildcards", "smdown:workflow_commit", "smdown:workflow_dirty",
    "smdown:config_hash", "smdown:created", "smdown:provenance", "smdown:inputs"), pixels
    unchanged. Then every output gets a sidecar `<output>.prov.json`: {"schema", "file",
    "sha256", "rule", "wildcards", "params", "inputs", "outputs", "log", "created",
    "workflow", "config_hash", "software", "lineage", "sources"}. Returns the sidecar paths.
    """
    outputs = [Path(path) for _, path in _named_paths(smk.output)]
    for out in outputs:
        if not out.exists():
            raise FileNotFoundError(
                errno.ENOENT, f"output of rule {smk.rule} was not written", str(out)
            )
    wildcards = dict(smk.wildcards.items())
    inputs = _hash_inputs(smk.input)
    workflow = git_state(facts.repo)
    created = _timestamp(None)
    essentials = redact(
        {  # JSON values redacted before dumping, where dict keys are still seen
            "smdown:rule": smk.rule,
            "smdown:wildcards": json.dumps(redact(wildcards)),
            "smdown:workflow_commit": workflow["commit"],
            "smdown:workflow_dirty": json.dumps(workflow["dirty"]),
            "smdown:config_hash": config_hash(smk.config),
            "smdown:created": created,
            "smdown:inputs": json.dumps(
                redact([{"path": e["path"], "sha256": e["sha256"]} for _, e in inputs])
            ),
        }
    )
    for out in outputs:
        if out.suffix.lower() == ".png":
            _embed_png(out, {**essentials, "smdown:provenance": sidecar_path(out).name})
    record = _record(
        rule=smk.rule,
        wildcards=wildcards,
        params=dict(smk.params.items()),
        inputs=inputs,
        outputs=outputs,
        log=smk.log,
        config=smk.config,
        facts=facts,
        workflow=workflow,
        created=created,
    )
    written = []
    for out, entry in zip(outputs, record["outputs"], strict=True):
        sidecar = {"schema": record["schema"], "file": entry["path"], "sha256": entry["sha256"]}
        sidecar.update((key, value) for key, value in record.items() if key != "schema")
        target = sidecar_path(out)
        with atomic_path(target) as tmp:
            tmp.write_text(json.dumps(sidecar, indent=1) + "\n")
        written.append(target)
    return written


def _embed_png(path: Path, text: Mapping[str, str]) -> None:
    """Rewrite a PNG with `text` in its text chunks, keeping its pixels and other chunks' text."""
    from PIL import Image, PngImagePlugin

    with Image.open(path) as image:
        image.load()
        info = PngImagePlugin.PngInfo()
        for key, value in image.text.items():
            if key not in text:
                info.add_text(key, value)
        for key, value in text.items():
            info.add_itxt(key, value)
        kept = {
            key: image.info[key]
            for key in ("dpi", "icc_profile", "transparency", "exif")
            if key in image.info
        }
        with atomic_path(path) as tmp:
            image.save(tmp, format="PNG", pnginfo=info, **kept)
