"""Provenance of the workflow's files: which job made each one, from what, with which code.

Every job writes a sidecar `<output>.prov.json` beside each of its outputs: the rule with its
wildcards and params, the sha256 of every input and output, the workflow commit, a hash of the
config, the software versions, and the lineage of the inputs back to the raw sources (copied
from the inputs' own sidecars), so any product or figure can be traced without rerunning
anything. Sidecars are redacted (no home directory, no credentials) because they are shared
with the results. PNG figures also carry the essentials in their text chunks, which survive
when a figure is copied without its sidecar.

`config_hash` and `workflow_version` go into output metadata for auditing; they are
deliberately not rule parameters, so a new commit or an unrelated config change does not rerun
finished jobs.

Command line: `python -m smdown.provenance FILE [--depth N] [--json] [--no-verify]` prints a
file's lineage and checks every file in it against the sha256 its sidecar recorded (exit 1 when
one changed or is missing).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from os import PathLike
from pathlib import Path
from typing import Any

from smdown.errors import InputError
from smdown.io import atomic_path, sha256_of
from smdown.sources.download import redact as redact_url
from smdown.sources.manifest import SUFFIX as MANIFEST_SUFFIX

SCHEMA = "smdown.provenance/1"
SIDECAR_SUFFIX = ".prov.json"
REDACTED = "<redacted>"
SNAKEMAKE_MARKER = ".snakemake_timestamp"  # Snakemake's own file in a finished directory output
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
SOURCE_RULES = {"download_": "download", "synthesize_": "synthetic"}  # rule prefix -> source kind
MIN_SECRET_LENGTH = 6  # shorter env values ("true", "1") are settings, and would match anywhere
GIT_TIMEOUT_S = 30
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

_SECRET_ENV = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD", re.IGNORECASE)
_SECRET_WORDS = frozenset({"key", "token", "password", "passwd", "secret", "apikey"})
_NAME = re.compile(r"[A-Za-z_][\w-]*")
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")  # snake_case, camelCase, UPPER parts

PathArg = str | PathLike


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


def _cdsapirc_keys() -> list[str]:
    """The `key:` value of the CDS API config ($CDSAPI_RC or ~/.cdsapirc), and its parts.

    The old format is `UID:APIKEY`; the API key alone is hidden too.
    """
    try:
        text = Path(os.environ.get("CDSAPI_RC") or Path.home() / ".cdsapirc").read_text()
    except (OSError, ValueError, RuntimeError):  # RuntimeError: no home directory
        return []
    keys = []
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        value = value.strip()
        if sep and name.strip() == "key" and value:
            keys.append(value)
            keys.extend(part for part in value.split(":") if len(part) >= MIN_SECRET_LENGTH)
    return keys


def _default_secrets() -> list[str]:
    """Values of env vars named like a key, token, secret or password, and the CDS API key."""
    found = [
        value
        for name, value in os.environ.items()
        if _SECRET_ENV.search(name) and len(value) >= MIN_SECRET_LENGTH
    ]
    return found + _cdsapirc_keys()


def _home_pattern() -> re.Pattern | None:
    """The user's home directory as spelled by Path.home(), $HOME and resolved, longest first.

    A match must be a whole path prefix: `/home/al` does not match inside `/home/alice`.
    """
    homes = {os.environ.get("HOME", "")}
    with contextlib.suppress(OSError, RuntimeError):
        homes |= {str(Path.home()), str(Path.home().resolve())}
    homes = {home.rstrip("/") for home in homes} - {""}  # a home of "/" is not worth hiding
    if not homes:
        return None
    spelled = "|".join(re.escape(h) for h in sorted(homes, key=len, reverse=True))
    return re.compile(rf"(?<![\w.-])(?:{spelled})(?![\w.-])")


def _secret_name(name: str) -> bool:
    """Whether a dict key names a credential: a name (not a path, such as a lineage key) with a
    whole word key, token, password, secret or apikey in it."""
    return bool(_NAME.fullmatch(name)) and any(
        word.lower() in _SECRET_WORDS for word in _WORDS.findall(name)
    )


def redact(obj: Any, secrets: Iterable[str] | None = None) -> Any:
    """A JSON-ready deep copy of `obj` that is safe to share.

    Containers become dicts and lists, anything not JSON becomes its str. In every string (dict
    keys included) each secret becomes "<redacted>", URL credentials are dropped, and the home
    directory becomes "~"; a dict key that names a credential (api_key, token, password, ...;
    paths are not names) gets the value "<redacted>". `secrets` defaults to the values of env
    vars named like a key, token, secret or password (6+ characters) and the `key:` of
    ~/.cdsapirc ($CDSAPI_RC).
    """
    hidden = sorted(
        {s for s in (_default_secrets() if secrets is None else secrets) if s},
        key=len,
        reverse=True,
    )
    home = _home_pattern()

    def clean(text: str) -> str:
        for secret in hidden:
            text = text.replace(secret, REDACTED)
        text = redact_url(text)
        return home.sub("~", text) if home else text

    return _redact(obj, clean)


def _redact(obj: Any, clean: Callable[[str], str]) -> Any:
    """`redact`'s walk over `obj`, with the string cleaner built once."""
    if isinstance(obj, str):
        return clean(obj)
    if obj is None or isinstance(obj, bool | int | float):
        return obj
    if isinstance(obj, Mapping):
        return {
            clean(str(key)): REDACTED
            if _secret_name(str(key)) and value is not None
            else _redact(value, clean)
            for key, value in obj.items()
        }
    if isinstance(obj, list | tuple):
        return [_redact(value, clean) for value in obj]
    return clean(str(obj))


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


def _lineage_node(path: Path, actual: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The lineage node of one input (hashed as `actual`), and its sidecar if it has one.

    Raw sources carry a "source" key: the kind of an input without sidecar, "manifest", or the
    kind of a download_/synthesize_ job.
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
        for prefix, kind in SOURCE_RULES.items():
            if node["rule"].startswith(prefix):
                node["source"] = kind
    if path.name.endswith(MANIFEST_SUFFIX):
        node["source"] = "manifest"
        node.update(_read_manifest(path))
    return node, sidecar


def _lineage(inputs: list[tuple[Path, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Path -> node of the inputs and everything upstream of them, flat, each path once.

    The inputs' own nodes (checked against their current hashes) come first and win over the
    older copies in upstream sidecars.
    """
    lineage: dict[str, dict[str, Any]] = {}
    upstream = []
    for path, entry in inputs:
        node, sidecar = _lineage_node(path, entry["sha256"])
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
            "lineage": _lineage(inputs),
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
    repo: PathArg,
    created: datetime | None = None,
) -> dict[str, Any]:
    """The redacted, JSON-ready record of one workflow job (see `record_job` for the schema).

    `inputs` is a mapping name -> path(s), a Snakemake Namedlist or a sequence of paths; every
    input appears once, named if it has a name. `outputs` and `log` are paths (any of the same
    forms). `repo` is the workflow checkout; `created` defaults to now.
    """
    return _record(
        rule=rule,
        wildcards=wildcards,
        params=params,
        inputs=_hash_inputs(inputs),
        outputs=outputs,
        log=log,
        config=config,
        workflow=git_state(repo),
        created=_timestamp(created),
    )


def record_job(smk: Any) -> list[Path]:
    """Write the provenance of a finished job; call it last in a workflow script.

    `smk` is the `snakemake` object of a `script:` (used through its attributes rule,
    wildcards, params, input, output, log, config and scriptdir). PNG, the workflow's figure
    format, first gets the essentials in its text chunks ("smdown:rule", "smdown:wildcards",
    "smdown:workflow_commit", "smdown:workflow_dirty", "smdown:config_hash", "smdown:created",
    "smdown:provenance", "smdown:inputs"), pixels unchanged. Then every output gets a sidecar
    `<output>.prov.json`: {"schema", "file", "sha256", "rule", "wildcards", "params", "inputs",
    "outputs", "log", "created", "workflow", "config_hash", "software", "lineage", "sources"}.
    Returns the sidecar paths.
    """
    outputs = [Path(path) for _, path in _named_paths(smk.output)]
    for out in outputs:
        if not out.exists():
            raise FileNotFoundError(
                errno.ENOENT, f"output of rule {smk.rule} was not written", str(out)
            )
    repo = Path(smk.scriptdir).parents[1]
    wildcards = dict(smk.wildcards.items())
    inputs = _hash_inputs(smk.input)
    workflow = git_state(repo)
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


def _json_text(path: PathArg, checks: list[Check]) -> str:
    """The sidecar as JSON; with `checks`, a `verification` entry on the file and on each
    checked lineage node."""
    record = read_sidecar(path)
    if checks:
        root, *nodes = checks
        record["verification"] = root.as_json()
        for check in nodes:
            record["lineage"][check.path]["verification"] = check.as_json()
    return json.dumps(record, indent=2)


def _summary(checks: list[Check]) -> str:
    """`lineage verified: N files, K changed, M missing`."""
    statuses = [check.status for check in checks]
    return (
        f"lineage verified: {len(checks)} files, {statuses.count('changed')} changed, "
        f"{statuses.count('missing')} missing"
    )


def main(argv: list[str] | None = None) -> int:
    """`python -m smdown.provenance FILE [--depth N] [--json] [--no-verify]`: print a file's
    lineage, checked; exit 0, 1 when a file in it changed or is missing, 2 on an error."""
    parser = argparse.ArgumentParser(
        prog="python -m smdown.provenance",
        description="Show where a file written by the workflow came from: its lineage back to "
        "the raw sources, read from its .prov.json sidecar, with every file in it "
        "checked against its recorded sha256. Exit status: 0 all unchanged, 1 a file "
        "changed or is missing, 2 error.",
    )
    parser.add_argument("file", help="a file or directory the workflow wrote, or its sidecar")
    parser.add_argument("--depth", type=int, metavar="N", help="show at most N levels of inputs")
    parser.add_argument("--json", action="store_true", help="print the sidecar as JSON instead")
    parser.add_argument(
        "--no-verify",
        dest="verify",
        action="store_false",
        help="print the lineage as recorded, without hashing any file",
    )
    args = parser.parse_args(argv)
    if args.depth is not None and args.depth < 0:
        parser.error("--depth must be 0 or more")
    try:
        depth = None if args.json else args.depth  # --json prints the whole lineage
        checks = verify_lineage(args.file, depth) if args.verify else []
        text = (
            _json_text(args.file, checks)
            if args.json
            else lineage_tree(args.file, args.depth, checks)
        )
    except (InputError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(text)
    if not checks:
        return 0
    print(_summary(checks), file=sys.stderr if args.json else sys.stdout)
    return 1 if any(check.status != "ok" for check in checks) else 0


if __name__ == "__main__":
    raise SystemExit(main())
