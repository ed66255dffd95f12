"""Time `snakemake -n` (DAG planning) for the demo and the paper configs; print the figures.

Both run in empty scratch directories, as on a fresh machine: the paper's plan includes every
download. Usage: python benchmarks/dag.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def dry_run(workdir: Path, configfile: Path) -> tuple[float, int]:
    """Seconds taken by `snakemake -n` and the number of jobs it planned."""
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-n", "--cores", "2",
           "--directory", str(workdir), "--configfile", str(configfile)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"dry run failed for {configfile}:\n{proc.stderr[-3000:]}")
    total = re.search(r"^total\s+(\d+)", proc.stdout + proc.stderr, re.MULTILINE)
    return elapsed, int(total.group(1)) if total else 0


def main() -> None:
    for name in ("demo", "config"):
        with tempfile.TemporaryDirectory() as tmp:
            seconds, jobs = dry_run(Path(tmp), REPO / "config" / f"{name}.yaml")
            print(f"config/{name}.yaml: snakemake -n planned {jobs:4d} jobs in {seconds:5.2f} s")


if __name__ == "__main__":
    main()
