"""The demo from scratch: total wall time, time per stage and disk use (goal: <= 600 s, <= 1 GB).

Runs `snakemake --cores 2` with the demo config in a new temporary directory, as a user's first
run on a fresh clone (no file of an earlier run). Per stage (rule) it prints the jobs, the sum
of their wall times (from Snakemake's job records in .snakemake/metadata) and their largest
peak RSS (from the rules' benchmark files); then the disk use of results/ and resources/ and the
demo's headline scores (the product against the ensemble mean per layer).

Usage: python benchmarks/demo.py [--keep DIR] [--cores N]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
GOAL_S, GOAL_BYTES = 600.0, 1e9


def disk_bytes(folder: Path) -> int:
    """Bytes of the regular files under `folder` (0 when it does not exist)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def jobs_by_rule(workdir: Path) -> dict[str, list[float]]:
    """Wall seconds of every finished job, by rule, from Snakemake's per-output records (one
    per output file: a job's records share its job_hash and end time)."""
    spans: dict[tuple[str, int], tuple[float, float]] = {}
    for record in (workdir / ".snakemake" / "metadata").iterdir():
        meta = json.loads(record.read_text())
        if meta.get("starttime") and meta.get("endtime"):
            key = (meta["rule"], meta["job_hash"])
            start = min(meta["starttime"], spans.get(key, (math.inf, 0.0))[0])
            spans[key] = (start, meta["endtime"])
    rules: dict[str, list[float]] = defaultdict(list)
    for (rule, _), (start, end) in spans.items():
        rules[rule].append(end - start)
    return rules


def peak_rss_by_rule(workdir: Path) -> dict[str, float]:
    """Largest benchmark max_rss (MB) per rule; a job's benchmark file is found through its log,
    which every rule keeps under the same wildcards (logs/<x>.log <-> benchmarks/<x>.tsv)."""
    peaks: dict[str, float] = defaultdict(float)
    for record in (workdir / ".snakemake" / "metadata").iterdir():
        meta = json.loads(record.read_text())
        for log in meta.get("log") or []:
            bench = Path(str(log).replace("/logs/", "/benchmarks/", 1)).with_suffix(".tsv")
            if (workdir / bench).is_file():
                rss = pd.read_csv(workdir / bench, sep="\t")["max_rss"].max()
                peaks[meta["rule"]] = max(peaks[meta["rule"]], float(rss))
    return peaks


def headline(workdir: Path) -> str:
    """The product against the ensemble mean per layer, from the demo's truth comparison."""
    files = sorted((workdir / "results/demo/evaluation").glob("product_vs_truth_*.csv"))
    if not files:
        return "no product_vs_truth table"
    table = pd.concat([pd.read_csv(f) for f in files])
    return table.to_string(index=False, max_rows=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="run in this (new) directory and keep it")
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "snakemake",
            "-s",
            str(REPO / "Snakefile"),
            "--directory",
            str(workdir),
            "--cores",
            str(args.cores),
        ]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        (workdir / "demo_console.txt").write_text(proc.stdout + proc.stderr)
        if proc.returncode != 0:
            raise SystemExit(f"the demo failed after {wall:.0f} s:\n{proc.stderr[-3000:]}")
        rules, peaks = jobs_by_rule(workdir), peak_rss_by_rule(workdir)
        print(f"{'stage (rule)':32s} {'jobs':>5s} {'sum s':>8s} {'max s':>7s} {'peak MB':>8s}")
        for rule, times in sorted(rules.items(), key=lambda kv: -sum(kv[1])):
            print(
                f"{rule:32s} {len(times):5d} {sum(times):8.1f} {max(times):7.1f} "
                f"{peaks.get(rule, float('nan')):8.0f}"
            )
        job_s = sum(sum(t) for t in rules.values())
        results, resources = disk_bytes(workdir / "results"), disk_bytes(workdir / "resources")
        print(f"\njobs: {sum(map(len, rules.values()))}, their wall times summed {job_s:.0f} s")
        print(f"total wall time: {wall:.0f} s (goal <= {GOAL_S:.0f} s) on {args.cores} cores")
        print(
            f"disk: results/ {results / 1e9:.2f} GB, resources/ {resources / 1e9:.2f} GB, "
            f"together {(results + resources) / 1e9:.2f} GB (goal <= {GOAL_BYTES / 1e9:.0f} GB)"
        )
        print(f"\n{headline(workdir)}")


if __name__ == "__main__":
    main()
