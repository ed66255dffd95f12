"""Time `snakemake -n` (DAG planning) for the demo and the paper configs; print the figures.

The paper's sources are user-supplied ("local") until the download rules land, so its dry run
is planned over empty placeholder files with the real names: a dry run reads no data.
Usage: python benchmarks/dag.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from smdown.synthetic import cmip6_filenames

REPO = Path(__file__).resolve().parents[1]


def dry_run(workdir: Path, configfile: Path) -> tuple[float, int]:
    """Seconds taken by `snakemake -n` and the number of jobs it planned."""
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-n", "--cores", "2",
           "--directory", str(workdir), "--configfile", str(configfile)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"dry run failed for {configfile}:\n{proc.stderr[-3000:]}")
    total = re.search(r"^total\s+(\d+)", proc.stdout + proc.stderr, re.MULTILINE)
    return elapsed, int(total.group(1)) if total else 0


def paper_placeholders(workdir: Path) -> None:
    """Empty files where config/config.yaml expects the user's sources."""
    cfg = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    src = cfg["sources"]
    names = [f"{src['cmip6']['path']}/{n}" for m in cfg["models"] for e in cfg["experiments"]
             for n in cmip6_filenames(m, e)]
    era = src["era5land"]
    names += [f"{era['path']}/era5land_{a}-{b}.nc" for a, b in era["chunks"]]
    names += [f"{src['amsmqtp']['path']}/AMSMQTP_{y}.nc"
              for y in range(src["amsmqtp"]["first_year"], src["amsmqtp"]["last_year"] + 1)]
    names += list(cfg["regions"]["netcdf"].values())
    for name in names:
        (workdir / name).parent.mkdir(parents=True, exist_ok=True)
        (workdir / name).touch()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo"
        demo.mkdir()
        seconds, jobs = dry_run(demo, REPO / "config" / "demo.yaml")
        print(f"demo  config: snakemake -n planned {jobs:4d} jobs in {seconds:5.2f} s")
        paper = Path(tmp) / "paper"
        paper.mkdir()
        paper_placeholders(paper)
        seconds, jobs = dry_run(paper, REPO / "config" / "config.yaml")
        print(f"paper config: snakemake -n planned {jobs:4d} jobs in {seconds:5.2f} s "
              "(sources as empty placeholders)")


if __name__ == "__main__":
    main()
