"""What a run records about itself: a hash of its config and the workflow's version.

These go into output metadata for auditing; they are deliberately not rule parameters, so a
new commit or an unrelated config change does not rerun finished jobs.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Mapping
from os import PathLike
from typing import Any


def config_hash(config: Mapping[str, Any]) -> str:
    """SHA-256 (first 16 hex digits) of the config as canonical JSON (sorted keys)."""
    text = json.dumps(config, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def workflow_version(repo: str | PathLike) -> str:
    """`git describe --always --dirty --tags` of the workflow checkout, or "unknown" outside git."""
    try:
        proc = subprocess.run(["git", "-C", str(repo), "describe", "--always", "--dirty", "--tags"],
                              capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return proc.stdout.strip() if proc.returncode == 0 and proc.stdout.strip() else "unknown"
