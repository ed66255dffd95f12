"""The demo's training recipe on synthetic worlds it was not tuned on (`VARIED_WORLDS`).

For each world the real workflow runs in its own scratch directory: `config/demo.yaml` with the
world's overlay (its models and `synthetic` section) and a reduced size that keeps the whole
benchmark near 30 minutes on 2 cores: the TRSR box at 0.2 instead of 0.1 degree, the
historical experiment only (the evaluation needs no scenario), AMSMQTP to 2014. The training
settings are the demo's (with --recipe previous, the demo's before it learned to generalise),
except that the collapse guard warns instead of stopping the run, so every world reports.
Prints, per world: the pretrained generator's and the ensemble mean's test RMSE and r
(ERA5-Land, 2008-2014), the guard's verdicts, and the out-of-fold RMSE and r per layer of the
product, the ensemble mean and the quantile-mapped baseline against AMSMQTP. Asserts nothing;
the figures are in docs/benchmarks.md.
Usage: .venv/bin/python benchmarks/worlds.py [--worlds NAME ...] [--recipe previous] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

from smdown.synthetic.worlds import VARIED_WORLDS

REPO = Path(__file__).resolve().parents[1]
REDUCED = {
    "grid": {
        "lat_min": 31.1,
        "lat_max": 37.9,
        "lon_min": 89.1,
        "lon_max": 103.9,
        "resolution": 0.2,
    },  # 35 x 75 cells of 2 x 2 AMSMQTP cells, within its extent
    "experiments": ["historical"],
    "sources": {"amsmqtp": {"last_year": 2014}},
    "training": {"guard": "warn"},
}
PREDICTORS = ("CMIP6_UNet-Gan", "ensemble_mean", "quantile_mapping")
# the demo's recipe, and the one it had before it learned to generalise (raw inputs, no warm-up,
# the plain head), for a side-by-side run
RECIPES = {
    "demo": {},
    "previous": {
        "network": {"input_norm": "none", "residual": "none"},
        "pretrain": {"warmup_epochs": 0},
        "finetune": {"warmup_epochs": 0},
    },
}


def overlay(name: str, recipe: str = "demo") -> dict:
    """The config laid over `config/demo.yaml` for one world and training recipe."""
    training = {**REDUCED["training"], **RECIPES[recipe]}
    return {"run": name, **REDUCED, "training": training, **VARIED_WORLDS[name].overlay()}


def run_world(name: str, workdir: Path, recipe: str) -> float:
    """Run the workflow up to the evaluation tables for one world; its seconds."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "world.yaml"
    config.write_text(yaml.safe_dump(overlay(name, recipe), sort_keys=False))
    results = f"results/{name}"
    targets = [
        f"{results}/training/pretrain/test_metrics.json",
        f"{results}/evaluation/finetune_vs_ensemble_mean.csv",
        f"{results}/evaluation/out_of_fold_scores.csv",
    ]
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        *targets,
        "-s",
        str(REPO / "Snakefile"),
        "--cores",
        "2",
        "--directory",
        str(workdir),
        "--configfile",
        str(REPO / "config" / "demo.yaml"),  # the overlay varies the demo, not the defaults
        str(config),
    ]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"world {name} failed in {workdir}:\n{proc.stderr[-4000:]}")
    return time.perf_counter() - start


def pretraining_row(name: str, workdir: Path) -> dict:
    """Test RMSE and r of the pretrained generator and of the ensemble mean, and its guard."""
    metrics = json.loads(
        (workdir / f"results/{name}/training/pretrain/test_metrics.json").read_text()
    )
    test = metrics["test"]
    return {
        "world": name,
        **{
            f"{k}_{who}": test[who]["overall"][k]
            for who in ("generator", "ensemble_mean")
            for k in ("rmse", "r")
        },
        "guard": "passed" if metrics["guard"]["passed"] else "FAILED",
    }


def layer_rows(name: str, workdir: Path) -> pd.DataFrame:
    """Out-of-fold RMSE and R per layer and predictor, and the folds' guard verdict."""
    scores = pd.read_csv(workdir / f"results/{name}/evaluation/out_of_fold_scores.csv")
    wide = scores.pivot(index="layer", columns="predictor", values=["RMSE", "R"])
    out = pd.DataFrame(
        {f"{metric}_{who}": wide[(metric, who)] for who in PREDICTORS for metric in ("RMSE", "R")}
    )
    folds = pd.read_csv(workdir / f"results/{name}/evaluation/finetune_vs_ensemble_mean.csv")
    out.insert(0, "folds' guard", folds.loc[folds["fold"] == "all", "guard"].iloc[0])
    out.insert(0, "world", name)
    return out.reset_index()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--worlds", nargs="+", default=list(VARIED_WORLDS), choices=list(VARIED_WORLDS)
    )
    parser.add_argument(
        "--recipe",
        choices=list(RECIPES),
        default="demo",
        help="the training recipe (previous: the demo's before it generalised)",
    )
    parser.add_argument("--keep", type=Path, help="run in DIR/<world> and keep the results")
    args = parser.parse_args()
    scratch = tempfile.TemporaryDirectory() if args.keep is None else None
    root = Path(scratch.name) if scratch else args.keep
    pretraining, layers = [], []
    for name in args.worlds:
        seconds = run_world(name, root / name, args.recipe)
        print(f"{name}: {VARIED_WORLDS[name].note}; {seconds:.0f} s", flush=True)
        pretraining.append(pretraining_row(name, root / name))
        layers.append(layer_rows(name, root / name))
    pd.set_option("display.width", 200)
    print("\nPretraining, test months 2008-2014 against ERA5-Land (overall):")
    print(pd.DataFrame(pretraining).to_string(index=False, float_format="%.4f"))
    print("\nOut-of-fold against AMSMQTP 2000-2014, per layer:")
    print(pd.concat(layers).to_string(index=False, float_format="%.4f"))
    if scratch:
        scratch.cleanup()


if __name__ == "__main__":
    main()
