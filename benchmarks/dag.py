"""Planning and no-op times of the workflow: `snakemake -n` for the demo, the paper and the
study elsewhere (config/example-elsewhere.yaml; target: under 10 s), and a real no-op run
(`snakemake --cores 2` with nothing to do) after the demo has completed.

The dry runs start in empty scratch directories, as on a fresh machine: the paper's plan
includes every download. The no-op run needs a working directory where the demo has finished
(the repository root after `snakemake --cores 2`, or any `--directory` it ran in).

Usage: python benchmarks/dag.py [--demo-dir DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def snakemake(workdir: Path, configfile: Path, *args: str) -> tuple[float, str]:
    """Seconds taken by one snakemake call and its output; fails loudly if snakemake does."""
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(REPO / "Snakefile"),
        "--cores",
        "2",
        "--directory",
        str(workdir),
        "--configfile",
        str(configfile),
        *args,
    ]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"snakemake {' '.join(args)} failed in {workdir}:\n{proc.stderr[-3000:]}")
    return elapsed, proc.stdout + proc.stderr


def planned_jobs(text: str) -> int:
    """The total of the "Job stats" table of a dry run (0 when there is nothing to do)."""
    total = re.search(r"^total\s+(\d+)", text, re.MULTILINE)
    return int(total.group(1)) if total else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-dir", type=Path, help="a working directory with a finished demo")
    parser.add_argument("--repeat", type=int, default=3, help="timed calls per figure (median)")
    args = parser.parse_args()
    for name in ("demo", "config", "example-elsewhere"):
        configfile = REPO / "config" / f"{name}.yaml"
        times, jobs = [], 0
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                seconds, text = snakemake(Path(tmp), configfile, "-n")
                times.append(seconds)
                jobs = planned_jobs(text)
        print(
            f"config/{name}.yaml: snakemake -n plans {jobs:4d} jobs, "
            f"median {statistics.median(times):5.2f} s of {args.repeat}"
        )
    if args.demo_dir is not None:
        configfile = REPO / "config" / "demo.yaml"
        _, text = snakemake(args.demo_dir, configfile, "-n")
        if planned_jobs(text) or "Nothing to be done" not in text:
            raise SystemExit(
                f"the demo in {args.demo_dir} is not complete: "
                f"{planned_jobs(text)} jobs still planned"
            )
        times = []
        for _ in range(args.repeat):
            seconds, text = snakemake(args.demo_dir, configfile)
            assert "Nothing to be done" in text, text[-2000:]
            times.append(seconds)
        print(
            f"no-op run after the finished demo (snakemake --cores 2, nothing to do): "
            f"median {statistics.median(times):5.2f} s of {args.repeat}"
        )


if __name__ == "__main__":
    main()
