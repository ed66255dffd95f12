"""Samples per second and peak memory of one UNet-GAN training step at the paper's size.

One step = one discriminator step (eq. 3) and one generator step with every loss (MSE, VGG,
adversarial, in-situ, TV) on a batch of x (B, 17, 71, 151) -> y (B, 5, 71, 151), with the
UNetGenerator (base 64, depth 4, ~31.0 M parameters), the Discriminator (~5.2 M), VGG16 features
(random weights) and Adam, on N seeded synthetic samples masked to the TRSR (union of the shared
basin masks; a synthetic ellipse when they are absent). Two ways feed the same step:

- ours: the training set resident on the device as tensors, batches indexed from it
  (`smdown.training.loop._session` and `_train_batch`, under the loop's determinism setting);
- authors: the study authors' way, NumPy float32 arrays served sample by sample through a
  `DataLoader` (shuffle, num_workers=0) and copied to the device every batch; the step is
  written out here with the same losses, networks, optimisers and call order as ours.

Each way runs in its own subprocess (1 warm-up step, then --steps timed ones) so that its peak
RSS (or, on CUDA, peak allocated GPU memory) is its own; s/step is the median of the timed
steps. On CPU a third run, ours_filled, times our step with the memory filling that
deterministic mode turns on by default (`torch.utils.deterministic.fill_uninitialized_memory`),
which the loop turns off: the cost before and after. Prints figures (and the load average, as
other jobs skew CPU times), asserts nothing.
Usage: .venv/bin/python benchmarks/train.py [--device cuda --batch 100] [--no-vgg]
       [--steps 3] [--base-channels 64] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset

from smdown.grid.masks import read_mask_netcdf
from smdown.nn import (
    Discriminator,
    LossWeights,
    UNetGenerator,
    VGG16Features,
    generator_loss,
    insitu_loss,
    masked_mse,
    relativistic_discriminator_loss,
    relativistic_generator_loss,
    tv_loss,
    vgg_loss,
)
from smdown.synthetic.truth import target_grid
from smdown.training.loop import (
    TrainingData,
    TrainSettings,
    _deterministic,
    _session,
    _train_batch,
    batch_order,
)

# the study authors' TRSR basin masks where present (SMDOWN_TRSR_MASKS: their folder)
MASKS = Path(
    os.environ.get(
        "SMDOWN_TRSR_MASKS", Path(__file__).resolve().parents[1] / ".cache" / "trsr_masks"
    )
)
BASINS = ("yangtze", "yellow", "lancang")
IN_CHANNELS, OUT_CHANNELS = 17, 5
MIN_SAMPLES = 64
RESULT = "RESULT "  # prefix of the JSON line a subprocess reports on stdout


def region_mask() -> tuple[np.ndarray, str]:
    """The TRSR union from the shared basin masks, else an ellipse inside the 71 x 151 box."""
    grid = target_grid()
    paths = [MASKS / f"{b}_0.1.nc" for b in BASINS]
    if all(p.exists() for p in paths):
        return np.logical_or.reduce([read_mask_netcdf(p, grid) for p in paths]), "TRSR union"
    rows, cols = np.ogrid[: grid.shape[0], : grid.shape[1]]
    v, u = (
        (rows - grid.shape[0] / 2) / (0.4 * grid.shape[0]),
        (cols - grid.shape[1] / 2) / (0.4 * grid.shape[1]),
    )
    return u**2 + v**2 <= 1.0, f"synthetic ellipse ({MASKS} absent)"


def synthetic_arrays(n: int, mask: np.ndarray, seed: int = 0) -> dict[str, np.ndarray]:
    """Seeded float32 x (n, 17, H, W), y, s, p (n, 5, H, W); y, s, p NaN outside the mask."""
    rng = np.random.default_rng(seed)
    shape = (n, OUT_CHANNELS, *mask.shape)
    arrays = {"x": rng.random((n, IN_CHANNELS, *mask.shape), dtype=np.float32) * 0.5}
    for name, scale in (("y", 0.5), ("s", 0.5), ("p", 1.0)):
        values = rng.random(shape, dtype=np.float32) * scale
        values[:, :, ~mask] = np.nan
        arrays[name] = values
    return arrays


def networks(base: int, with_vgg: bool) -> tuple[nn.Module, nn.Module, nn.Module | None]:
    """Generator, discriminator and frozen VGG16 features (random weights), seeded alike."""
    torch.manual_seed(0)
    generator = UNetGenerator(IN_CHANNELS, OUT_CHANNELS, base_channels=base, depth=4)
    discriminator = Discriminator(OUT_CHANNELS, base_channels=base)
    vgg = VGG16Features().requires_grad_(False).eval() if with_vgg else None
    return generator, discriminator, vgg


def synchronize(device: torch.device) -> None:
    """Wait for queued CUDA work so wall times are the step's own."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(step: Callable[[], None], steps: int, device: torch.device) -> list[float]:
    """Seconds of each of 1 + `steps` calls of `step` (the first is the warm-up)."""
    seconds = []
    for _ in range(1 + steps):
        synchronize(device)
        start = time.perf_counter()
        step()
        synchronize(device)
        seconds.append(time.perf_counter() - start)
    return seconds


def run_ours(
    arrays: dict[str, np.ndarray],
    mask: np.ndarray,
    nets: tuple,
    batch: int,
    steps: int,
    device: torch.device,
    fill: bool = False,
) -> list[float]:
    """Our loop's step: the set resident as tensors, batches indexed by a LongTensor; with
    `fill`, new tensors' memory filled as plain deterministic mode does (the loop before)."""
    tensors = {k: torch.from_numpy(v) for k, v in arrays.items()}
    n = len(arrays["x"])
    empty = torch.zeros(0, dtype=torch.long)
    data = TrainingData(
        tensors["x"],
        tensors["y"],
        torch.from_numpy(mask),
        torch.arange(n),
        empty,
        empty,
        s=tensors["s"],
        p=tensors["p"],
    )
    session = _session(*nets, data, TrainSettings(batch_size=batch, device=str(device)), device)
    order = iter(batch_order(session.data.train, batch, seed=0, epoch=1))
    with _deterministic(device):
        torch.utils.deterministic.fill_uninitialized_memory = fill
        return timed(lambda: _train_batch(session, next(order).to(device)), steps, device)


class NumpyDataset(Dataset):
    """TensorDataset over NumPy arrays: sample i is the tuple of each array's row i."""

    def __init__(self, *arrays: np.ndarray):
        self.arrays = arrays

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index: int) -> tuple[np.ndarray, ...]:
        return tuple(a[index] for a in self.arrays)


def authors_step(
    generator: nn.Module,
    discriminator: nn.Module,
    vgg: nn.Module | None,
    opt_g: torch.optim.Optimizer,
    opt_d: torch.optim.Optimizer,
    batch: list[Tensor],
    mask: np.ndarray,
    device: torch.device,
) -> None:
    """A D step, then a G step, as `_train_batch` computes them, on a batch copied to device."""
    x, y, s, p = (t.to(device) for t in batch)
    region = torch.from_numpy(mask).to(device)
    fake = generator(x)
    d_real = discriminator(torch.where(region, y, 0.0))
    d_fake = discriminator(torch.where(region, fake.detach(), 0.0))
    d_loss = relativistic_discriminator_loss(d_real, d_fake)
    opt_d.zero_grad(set_to_none=True)
    d_loss.backward()
    opt_d.step()
    terms = {"mse": masked_mse(fake, y, region)}
    if vgg is not None:
        terms["vgg"] = vgg_loss(vgg, fake, y, region)
    discriminator.requires_grad_(False)
    with torch.no_grad():
        d_real = discriminator(torch.where(region, y, 0.0))
    terms["adv"] = relativistic_generator_loss(
        discriminator(torch.where(region, fake, 0.0)), d_real
    )
    discriminator.requires_grad_(True)
    terms["insitu"] = insitu_loss(fake, s, p, region)
    terms["tv"] = tv_loss(fake, region)
    total = generator_loss(terms, LossWeights())
    opt_g.zero_grad(set_to_none=True)
    total.backward()
    opt_g.step()


def run_authors(
    arrays: dict[str, np.ndarray],
    mask: np.ndarray,
    nets: tuple,
    batch: int,
    steps: int,
    device: torch.device,
) -> list[float]:
    """The authors' way: NumPy arrays through a shuffling DataLoader, `.to(device)` per batch."""
    generator, discriminator, vgg = nets
    generator.to(device)
    discriminator.to(device)
    if vgg is not None:
        vgg.to(device)
    settings = TrainSettings()
    opt_g = torch.optim.Adam(generator.parameters(), lr=settings.lr_generator)
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=settings.lr_discriminator)
    dataset = NumpyDataset(*(arrays[k] for k in ("x", "y", "s", "p")))
    loader = iter(
        DataLoader(
            dataset,
            batch_size=batch,
            shuffle=True,
            num_workers=0,
            generator=torch.Generator().manual_seed(0),
        )
    )
    return timed(
        lambda: authors_step(
            generator, discriminator, vgg, opt_g, opt_d, next(loader), mask, device
        ),
        steps,
        device,
    )


def child(args: argparse.Namespace) -> None:
    """Time one way and print its figures as one JSON line prefixed by RESULT."""
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    mask, mask_name = region_mask()
    n = max(MIN_SAMPLES, args.batch * (1 + args.steps))
    arrays = synthetic_arrays(n, mask)
    nets = networks(args.base_channels, args.vgg)
    counts = [sum(p.numel() for p in net.parameters()) if net is not None else 0 for net in nets]
    if args.only == "authors":
        seconds = run_authors(arrays, mask, nets, args.batch, args.steps, device)
    else:
        seconds = run_ours(
            arrays, mask, nets, args.batch, args.steps, device, fill=args.only == "ours_filled"
        )
    cuda_gib = torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else None
    print(
        RESULT
        + json.dumps(
            {
                "way": args.only,
                "seconds": seconds,
                "samples": n,
                "mask": mask_name,
                "cells": int(mask.sum()),
                "params": counts,
                "threads": torch.get_num_threads(),
                "rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                / 2**20,  # KiB on Linux
                "cuda_gib": cuda_gib,
            }
        ),
        flush=True,
    )


def spawn(args: argparse.Namespace, way: str) -> dict:
    """Re-run this script for one way in a fresh process; its RESULT figures."""
    cmd = [
        sys.executable,
        __file__,
        "--batch",
        str(args.batch),
        "--steps",
        str(args.steps),
        "--device",
        args.device,
        "--vgg" if args.vgg else "--no-vgg",
        "--base-channels",
        str(args.base_channels),
        "--only",
        way,
    ]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    load = os.getloadavg()[0]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(RESULT)]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"the {way} run failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return {**json.loads(lines[-1][len(RESULT) :]), "load": load}


def report(args: argparse.Namespace, results: list[dict]) -> None:
    """Print the setup, the table of both ways and the ratios ours / authors."""
    first = results[0]
    g, d, v = first["params"]
    memory = "peak CUDA GiB" if args.device.startswith("cuda") else "peak RSS GiB"
    print(f"torch {torch.__version__}; device {args.device}; threads {first['threads']}")
    vgg = f"VGG16 features {v / 1e6:.2f} M (random weights)" if args.vgg else "no VGG"
    print(f"generator {g / 1e6:.2f} M params; discriminator {d / 1e6:.2f} M; {vgg}")
    print(
        f"data: {first['samples']} synthetic samples, x ({IN_CHANNELS}, 71, 151), "
        f"y/S/P ({OUT_CHANNELS}, 71, 151); mask {first['mask']}, {first['cells']} cells"
    )
    print(
        f"one step = D step + G step (mse, {'vgg, ' if args.vgg else ''}adv, insitu, tv); "
        f"1 warm-up + {args.steps} timed steps (s/step: their median)"
    )
    print(
        "1-min load average before each run: "
        + ", ".join(f"{r['way']} {r['load']:.2f}" for r in results)
    )
    print(f"{'way':<8} {'batch':>5} {'samples/s':>10} {'s/step':>8} {memory:>14} {'warm-up s':>10}")
    rows = {}
    for r in results:
        per_step = float(np.median(r["seconds"][1:]))
        peak = r["cuda_gib"] if r["cuda_gib"] is not None else r["rss_gib"]
        rows[r["way"]] = (args.batch / per_step, peak)
        print(
            f"{r['way']:<8} {args.batch:>5} {args.batch / per_step:>10.2f} {per_step:>8.2f} "
            f"{peak:>14.2f} {r['seconds'][0]:>10.2f}"
        )
    (ours_rate, ours_peak), (their_rate, their_peak) = rows["ours"], rows["authors"]
    print(
        f"ratio ours / authors: samples/s {ours_rate / their_rate:.2f}, "
        f"peak memory {ours_peak / their_peak:.2f}"
    )
    if "ours_filled" in rows:
        print(
            f"deterministic mode's memory filling: ours with it {rows['ours_filled'][0]:.2f} "
            f"samples/s, without {ours_rate:.2f} ({ours_rate / rows['ours_filled'][0]:.2f}x)"
        )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=8, help="samples per step (default 8)")
    parser.add_argument("--steps", type=int, default=3, help="timed steps after 1 warm-up")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument(
        "--vgg",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="include the VGG perceptual loss (random weights; default on)",
    )
    parser.add_argument("--base-channels", type=int, default=64, help="UNet and D width (64)")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's)"
    )
    parser.add_argument(
        "--fill-cost",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time ours with deterministic mode's memory filling (CPU)",
    )
    parser.add_argument(
        "--only", choices=("ours", "ours_filled", "authors"), help=argparse.SUPPRESS
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.only:
        child(args)
        return
    ways = ["ours", "authors"] + (
        ["ours_filled"] if args.fill_cost and args.device == "cpu" else []
    )
    report(args, [spawn(args, way) for way in ways])


if __name__ == "__main__":
    main()
