"""Are two runs' outputs the same data? The check that a restructuring changed no result.

`run` makes a run of one config from a given commit (a git worktree of it, or the working tree)
in a new directory; `compare` holds two such runs file by file, by their data: NetCDF variables
and coordinates (values, dtypes, dimensions; attributes are left out because provenance and
history name the commit and the time), CSV and TSV cells (but a training history's `seconds`,
the wall time of an epoch), PNG pixels, torch weights' tensors,
Parquet tables, other files byte for byte. Logs, benchmarks (times) and provenance sidecars
are not outputs and are skipped. It prints one line per differing file and a count, and exits 1
when anything differs.

Usage:
  python benchmarks/identical.py run --config tiny [--rev COMMIT] --out DIR
  python benchmarks/identical.py compare DIR_BEFORE DIR_AFTER
Configs: demo (the Snakefile's default), tiny and tiny_cmip6dl (the workflow tests' runs).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
CONFIGS = {  # config files relative to a tree, laid over the Snakefile's default in order
    "demo": (),
    "tiny": ("tests/workflow/tiny.yaml",),
    "tiny_cmip6dl": ("config/cmip6dl-demo.yaml", "tests/workflow/tiny_cmip6dl.yaml"),
}
SKIPPED_PARTS = {"logs", "benchmarks", ".snakemake"}
SKIPPED_SUFFIXES = (".prov.json", ".log", ".unfinished")
TIMING_COLUMNS = ["seconds"]  # wall times in tables of results (the training histories)


def tree_at(rev: str | None, scratch: Path) -> Path:
    """The repository as of `rev` (a detached worktree), or the working tree for None."""
    if rev is None:
        return REPO
    tree = scratch / f"tree-{rev}"
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), rev],
        check=True,
        capture_output=True,
    )
    return tree


def run(config: str, rev: str | None, out: Path, cores: int) -> None:
    """Run `config` from `rev` in the new directory `out` (a fake home and CDS key, as the
    workflow tests do)."""
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as scratch:
        tree = tree_at(rev, Path(scratch))
        files = [str(tree / f) for f in CONFIGS[config]]
        cmd = [
            sys.executable,
            "-m",
            "snakemake",
            "-s",
            str(tree / "Snakefile"),
            "--directory",
            str(out),
            "--cores",
            str(cores),
            *(["--configfile", *files] if files else []),
        ]
        env = {**os.environ, "HOME": str(out), "CDSAPI_KEY": "123456:0f1e2d3c-fake-cds-api-key"}
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if rev is not None:
            subprocess.run(
                ["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], check=True
            )
    (out / "console.txt").write_text(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        raise SystemExit(f"the {config} run failed; see {out / 'console.txt'}")


def outputs(run_dir: Path) -> set[Path]:
    """The run's output files (results/ and resources/), relative to the run."""
    found = set()
    for top in ("results", "resources"):
        for path in (run_dir / top).rglob("*"):
            rel = path.relative_to(run_dir)
            if (
                path.is_file()
                and not SKIPPED_PARTS & set(rel.parts)
                and not rel.name.endswith(SKIPPED_SUFFIXES)
            ):
                found.add(rel)
    return found


def same_netcdf(a: Path, b: Path) -> str | None:
    with xr.open_dataset(a, decode_times=False) as x, xr.open_dataset(b, decode_times=False) as y:
        if set(x.variables) != set(y.variables):
            return f"variables {sorted(set(x.variables) ^ set(y.variables))} in one only"
        for name in x.variables:
            u, v = x[name].variable, y[name].variable
            if u.dims != v.dims or u.dtype != v.dtype:
                return f"{name}: {u.dims} {u.dtype} vs {v.dims} {v.dtype}"
            if not np.array_equal(u.values, v.values, equal_nan=u.dtype.kind in "fc"):
                return f"{name}: values differ"
    return None


def same_table(a: Path, b: Path) -> str | None:
    sep = "\t" if a.suffix == ".tsv" else ","
    x, y = (
        pd.read_csv(p, sep=sep, dtype=str).drop(columns=TIMING_COLUMNS, errors="ignore")
        for p in (a, b)
    )
    return None if x.equals(y) else "cells differ"


def same_png(a: Path, b: Path) -> str | None:
    x, y = np.asarray(Image.open(a).convert("RGBA")), np.asarray(Image.open(b).convert("RGBA"))
    return None if x.shape == y.shape and np.array_equal(x, y) else "pixels differ"


def same_weights(a: Path, b: Path) -> str | None:
    import torch

    x, y = (torch.load(p, map_location="cpu", weights_only=True) for p in (a, b))
    flat = {k: v for k, v in x.items() if torch.is_tensor(v)} if isinstance(x, dict) else {}
    other = {k: v for k, v in y.items() if torch.is_tensor(v)} if isinstance(y, dict) else {}
    if flat.keys() != other.keys() or not all(torch.equal(flat[k], other[k]) for k in flat):
        return "tensors differ"
    return None


def same_parquet(a: Path, b: Path) -> str | None:
    return None if pd.read_parquet(a).equals(pd.read_parquet(b)) else "rows differ"


def same_bytes(a: Path, b: Path) -> str | None:
    return None if a.read_bytes() == b.read_bytes() else "bytes differ"


COMPARERS: dict[str, Callable[[Path, Path], str | None]] = {
    ".nc": same_netcdf,
    ".csv": same_table,
    ".tsv": same_table,
    ".png": same_png,
    ".pt": same_weights,
    ".pth": same_weights,
    ".parquet": same_parquet,
}


def compare(before: Path, after: Path) -> int:
    """Print every difference between two runs' outputs; the number of differing files."""
    a, b = outputs(before), outputs(after)
    problems = [f"{p}: only in {before}" for p in sorted(a - b)]
    problems += [f"{p}: only in {after}" for p in sorted(b - a)]
    kinds: dict[str, int] = {}
    for rel in sorted(a & b):
        kinds[rel.suffix] = kinds.get(rel.suffix, 0) + 1
        why = COMPARERS.get(rel.suffix, same_bytes)(before / rel, after / rel)
        if why:
            problems.append(f"{rel}: {why}")
    print("\n".join(problems))
    counted = ", ".join(f"{n} {kind or 'without suffix'}" for kind, n in sorted(kinds.items()))
    print(f"{len(a & b)} files in both ({counted}); {len(problems)} differ or are missing")
    return len(problems)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="verb", required=True)
    make = sub.add_parser("run")
    make.add_argument("--config", choices=sorted(CONFIGS), required=True)
    make.add_argument("--rev", help="a commit (default: the working tree)")
    make.add_argument("--out", type=Path, required=True)
    make.add_argument("--cores", type=int, default=2)
    check = sub.add_parser("compare")
    check.add_argument("before", type=Path)
    check.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.verb == "run":
        run(args.config, args.rev, args.out, args.cores)
    else:
        sys.exit(1 if compare(args.before, args.after) else 0)


if __name__ == "__main__":
    main()
