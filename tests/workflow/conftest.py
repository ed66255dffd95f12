"""Run the real snakemake on the tiny config in a scratch directory, once per session."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TINY = Path(__file__).with_name("tiny.yaml")


def snakemake(workdir: Path, *args: str, configfile: Path = TINY) -> subprocess.CompletedProcess:
    """Run the repository's Snakefile in `workdir` with the given config; capture the output."""
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--directory",
           str(workdir), "--configfile", str(configfile), "--cores", "2", *args]
    return subprocess.run(cmd, capture_output=True, text=True)


def job_counts(text: str) -> dict[str, int]:
    """Jobs per rule from the "Job stats" table a (dry) run prints."""
    table = text[text.index("Job stats:"):]
    counts = {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.MULTILINE)}
    counts.pop("total", None)
    return counts


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Path:
    """A completed tiny run; its working directory holds resources/ and results/tiny/."""
    workdir = tmp_path_factory.mktemp("tiny")
    proc = snakemake(workdir)
    if proc.returncode != 0:
        pytest.fail(f"tiny workflow run failed:\n{proc.stderr[-4000:]}")
    return workdir


@pytest.fixture
def scratch_copy(tiny_run, tmp_path) -> Path:
    """A private copy of the completed tiny run, for tests that break or change something."""
    dest = tmp_path / "run"
    shutil.copytree(tiny_run, dest, symlinks=True)
    return dest
