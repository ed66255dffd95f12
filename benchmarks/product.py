"""Bagged inference of the product at the paper's size: throughput, peak memory, projected time.

Five fold generators at paper size (UNetGenerator 17 -> 5, base 64, depth 4, random weights) and
17 synthetic prepared model files on the 71 x 151 TRSR grid feed `write_bagged_product`, the
code the `product` rule runs (read a chunk, predict with every fold, write the CF file).

- throughput: bagged months per second (every month through all five generators) on
  --samples months already in memory, after one warm-up batch;
- streaming: whole runs of `write_bagged_product` over --months (default 120 and 360) months,
  each in its own process (inputs written beforehand by this one), with its wall time and peak
  RSS (or peak CUDA memory): the peak must not grow with the run length, so an SSP (1032
  months) peaks as these do;
- projection: the whole product (historical 780 months + 4 SSPs x 1032) at the measured rate.

Prints figures, asserts nothing. Usage: .venv/bin/python benchmarks/product.py
  [--device cuda] [--batch 16] [--samples 32] [--months 120 360] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import xarray as xr

from smdown.geometry import regular_grid
from smdown.nn.saved import save_generator
from smdown.nn.unet import UNetGenerator
from smdown.product.inference import bagged_predict, load_folds
from smdown.product.netcdf import ProductAttrs
from smdown.product.run import write_bagged_product

N_MODELS, N_LAYERS, N_FOLDS = 17, 5, 5
HISTORICAL, SSP = 780, 1032
RESULT = "RESULT "


def write_inputs(folder: Path, months: int, base: int) -> tuple[list[Path], dict, Path]:
    """Fold files, prepared model files (seeded noise in 0.05-0.45 m3 m-3) and a regions file."""
    grid = regular_grid(31.0, 38.0, 89.0, 104.0, 0.1)
    times = pd.date_range("2015-01-01", periods=months, freq="MS").values
    rng = np.random.default_rng(0)
    models = {}
    for k in range(N_MODELS):
        values = (0.05 + 0.4 * rng.random((months, *grid.shape))).astype(np.float32)
        ds = xr.Dataset(
            {"mrsos": (("time", "lat", "lon"), values), **grid.bounds_vars()},
            coords={"time": times, **grid.coords()},
        )
        models[f"M{k:02d}"] = folder / f"M{k:02d}.nc"
        ds.to_netcdf(models[f"M{k:02d}"])
    rows, cols = np.ogrid[: grid.shape[0], : grid.shape[1]]
    mask = ((rows - 35) / 30) ** 2 + ((cols - 75) / 65) ** 2 <= 1  # ~71 % of the box
    regions = folder / "regions.nc"
    xr.Dataset(
        {"mask": (("region", "lat", "lon"), mask[None].astype(np.int8))},
        coords={"region": ["TRSR"], **grid.coords()},
    ).to_netcdf(regions)
    folds = []
    for fold in range(N_FOLDS):
        torch.manual_seed(fold)
        folds.append(folder / f"fold{fold}.pt")
        save_generator(
            UNetGenerator(N_MODELS, N_LAYERS, base, 4),
            folds[-1],
            stage="finetune",
            fold=fold,
            models=list(models),
            region="TRSR",
            training_hash="bench",
        )
    return folds, models, regions


def throughput(args: argparse.Namespace, folds: list[Path]) -> dict:
    """Bagged months per second on in-memory inputs, after one warm-up batch."""
    ensemble = load_folds(folds, N_FOLDS)
    device = torch.device(args.device)
    for generator in ensemble.generators:
        generator.to(device).eval()
    x = torch.rand(args.samples, N_MODELS, 71, 151) * 0.4
    bagged_predict(ensemble, x[: args.batch], device, args.batch)
    start = time.perf_counter()
    bagged_predict(ensemble, x, device, args.batch)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    seconds = time.perf_counter() - start
    return {"months_per_s": args.samples / seconds, "seconds": seconds}


def child(args: argparse.Namespace) -> None:
    """One streaming run of write_bagged_product on the inputs in --inputs; prints RESULT."""
    if args.threads:
        torch.set_num_threads(args.threads)
    folder = Path(args.inputs)
    folds = sorted(folder.glob("fold*.pt"))
    models = {path.stem: path for path in sorted(folder.glob("M*.nc"))}
    attrs = ProductAttrs(
        experiment="ssp585",
        config_hash="bench",
        workflow_version="bench",
        models=list(models),
        folds=N_FOLDS,
    )
    start = time.perf_counter()
    write_bagged_product(
        folds,
        N_FOLDS,
        models,
        list(models),
        folder / "regions.nc",
        folder / "product.nc",
        attrs,
        device=args.device,
        chunk_months=args.chunk_months,
        batch_size=args.batch,
    )
    seconds = time.perf_counter() - start
    device = torch.device(args.device)
    print(
        RESULT
        + json.dumps(
            {
                "seconds": seconds,
                "file_mib": (folder / "product.nc").stat().st_size / 2**20,
                "rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
                "cuda_gib": (
                    torch.cuda.max_memory_allocated(device) / 2**30
                    if device.type == "cuda"
                    else None
                ),
            }
        ),
        flush=True,
    )


def spawn(args: argparse.Namespace, months: int) -> dict:
    """Write inputs of `months` months here, then run the product in a fresh process, so its
    peak memory is the run's own (not the input writing's)."""
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        write_inputs(Path(tmp), months, args.base_channels)
        cmd = [
            sys.executable,
            __file__,
            "--inputs",
            tmp,
            "--device",
            args.device,
            "--batch",
            str(args.batch),
            "--chunk-months",
            str(args.chunk_months),
        ]
        if args.threads:
            cmd += ["--threads", str(args.threads)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(RESULT)]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"the {months}-month run failed:\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][len(RESULT) :])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--batch", type=int, default=16, help="months per forward pass (16)")
    parser.add_argument("--samples", type=int, default=32, help="months for the throughput")
    parser.add_argument(
        "--months",
        type=int,
        nargs="+",
        default=[120, 360],
        help="lengths of the streaming runs (default 120 360)",
    )
    parser.add_argument("--chunk-months", type=int, default=120, help="product.chunk_months")
    parser.add_argument("--base-channels", type=int, default=64, help="generator width (64)")
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--workdir", default=tempfile.gettempdir(), help="scratch folder")
    parser.add_argument("--inputs", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inputs:
        child(args)
        return
    if args.threads:
        torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        folds, _, _ = write_inputs(Path(tmp), 1, args.base_channels)
        rate = throughput(args, folds)
    print(
        f"torch {torch.__version__}; device {args.device}; threads {torch.get_num_threads()}; "
        f"1-min load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"{N_FOLDS} generators 17 -> 5, base {args.base_channels}, depth 4 "
        f"({sum(p.numel() for p in UNetGenerator(17, 5, args.base_channels).parameters()):,} "
        f"parameters each); batch {args.batch}"
    )
    print(
        f"throughput: {rate['months_per_s']:.2f} bagged months/s "
        f"({N_FOLDS * rate['months_per_s']:.2f} generator samples/s) over {args.samples} "
        "months in memory"
    )
    print(
        f"{'months':>7} {'seconds':>8} {'months/s':>9} {'file MiB':>9} {'peak RSS GiB':>13} "
        f"{'peak CUDA GiB':>14}"
    )
    for months in args.months:
        run = spawn(args, months)
        cuda = f"{run['cuda_gib']:.2f}" if run["cuda_gib"] is not None else "-"
        print(
            f"{months:>7} {run['seconds']:>8.1f} {months / run['seconds']:>9.2f} "
            f"{run['file_mib']:>9.1f} {run['rss_gib']:>13.2f} {cuda:>14}"
        )
    total = HISTORICAL + 4 * SSP
    print(
        f"projected whole product ({HISTORICAL} + 4 x {SSP} = {total} months) at "
        f"{rate['months_per_s']:.2f} months/s: {total / rate['months_per_s'] / 3600:.2f} h "
        "of inference (file writing adds the streaming runs' overhead)"
    )


if __name__ == "__main__":
    main()
