"""How often the demo's pretraining collapses to a constant field, and what prevents it.

Pretrains the demo network (base 8, depth 4, batch 8, the adversarial and TV terms, no VGG) on
in-memory worlds of `smdown.synthetic` on a 0.25 degree TRSR grid: ERA5-Land's three layers as
the target, the models as the synthetic CMIP6 writer draws them (each model's anomaly scale, bias
and noise) but sampled on the target grid itself, so no files and no regridding are involved.
For each recipe (the paper's raw inputs and plain head, then with standardised inputs, a
one-epoch warm-up, and the head added to the ensemble mean's logit) and learning rate it trains
several seeds and prints how many collapsed (an output whose spatial standard deviation is under
5 % of the target's on the test months), how many lost to the ensemble mean, the median test
RMSE against the ensemble mean's, and how many channels of the first encoder and the last
decoder block still vary in space after training (a ReLU channel that is zero everywhere is
dead). Prints figures, asserts nothing.
Usage: .venv/bin/python benchmarks/collapse.py [--epochs 5] [--seeds 3] [--threads 2]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from smdown.nn import Discriminator, LossWeights, UNetGenerator
from smdown.synthetic.cmip6 import model_values
from smdown.synthetic.era5land import era5_values
from smdown.synthetic.truth import TruthWorld
from smdown.training.baselines import EnsembleMean
from smdown.training.loop import TrainingData, TrainSettings, evaluate, train
from smdown.training.run import input_statistics

WORLDS = {
    "demo": {},
    "close models": dict(
        trend_scale=3.0,
        trend_pattern="dipole",
        model_bias=(-0.015, 0.015),
        model_noise=(0.003, 0.01),
        model_scale=(0.9, 1.1),
        pattern_amplitude=0.08,
        seasonal_amplitude=0.05,
    ),
}
MODEL_NAMES = [
    "UKESM1-0-LL",
    "CESM2",
    "MPI-ESM1-2-LR",
    "CanESM5-CanOE",
    "MIROC6",
    "KACE-1-0-G",
    "NorESM2-LM",
]
RATES = (5e-3, 2e-2, 5e-2)
# (inputs standardised, warm-up epochs, head added to the ensemble mean)
RECIPES = {
    "paper (raw, plain head)": (False, 0, False),
    "standardised": (True, 0, False),
    "warm-up": (False, 1, False),
    "standardised + warm-up": (True, 1, False),
    "standardised + warm-up + residual (demo)": (True, 1, True),
}
COLLAPSED = 0.05  # spatial spread ratio under which an output counts as one constant field


def world_data(seed: int, **world: object) -> TrainingData:
    """Pretraining data of one world: 1950-1999 train, 2000-2007 validate, 2008-2014 test."""
    w = TruthWorld(seed=seed, resolution=0.25, **world)
    grid = w.target_grid()
    months = np.arange("1950-01", "2015-01", dtype="datetime64[M]")
    y = era5_values(w, months, 1950, grid)
    x = np.stack(
        [model_values(w, name, "historical", grid, months) / 100.0 for name in MODEL_NAMES], axis=1
    ).astype(np.float32)
    years = months.astype("datetime64[Y]").astype(int) + 1970

    def part(first: int, last: int) -> torch.Tensor:
        return torch.from_numpy(np.flatnonzero((years >= first) & (years <= last)))

    return TrainingData(
        torch.from_numpy(x),
        torch.from_numpy(y.astype(np.float32)),
        torch.ones(y.shape[-2:], dtype=torch.bool),
        part(1950, 1999),
        part(2000, 2007),
        part(2008, 2014),
    )


def varying_channels(generator: UNetGenerator, x: torch.Tensor) -> tuple[int, int]:
    """Channels of the first encoder and the last decoder block that vary in space."""
    seen = {}
    hooks = [
        block.register_forward_hook(lambda m, i, out, key=key: seen.__setitem__(key, out))
        for key, block in (("first", generator.encoders[0]), ("last", generator.decoders[-1]))
    ]
    with torch.no_grad():
        generator(x)
    for hook in hooks:
        hook.remove()
    return tuple(int((seen[k].flatten(2).std(-1).amax(0) > 1e-6).sum()) for k in ("first", "last"))


def pretrain_once(
    data: TrainingData, lr: float, seed: int, recipe: tuple[bool, int, bool], epochs: int
) -> dict:
    """Pretrain one generator as the demo does; its test scores and live channels."""
    standardise, warmup, residual = recipe
    torch.manual_seed(seed)
    generator = UNetGenerator(data.x.shape[1], 3, 8, 4, residual=residual)
    if standardise:
        generator.standardise_inputs(*input_statistics(data))
    generator.start_at_mean(
        torch.nanmean(data.y[data.train].transpose(0, 1).flatten(1), 1),
        data.x[data.train].mean() if residual else None,
    )
    settings = TrainSettings(
        epochs=epochs,
        batch_size=8,
        lr_generator=lr,
        lr_discriminator=1e-6,
        patience=10,
        weights=LossWeights(b2=0.0),
        seed=seed,
        device="cpu",
        warmup_epochs=warmup,
    )
    with tempfile.TemporaryDirectory() as tmp:
        result = train(
            generator,
            Discriminator(3, 8),
            data,
            settings,
            checkpoint=Path(tmp) / "c.pt",
            history_csv=Path(tmp) / "h.csv",
        )
    generator.load_state_dict(result.best_state)
    test = evaluate(generator, data, data.test, "cpu")["overall"]
    first, last = varying_channels(generator, data.x[data.test[:8]])
    return {
        "rmse": test["rmse"],
        "ratio": test["spatial_std"] / test["target_spatial_std"],
        "first": first,
        "last": last,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    print(
        "world | recipe | lr | collapsed | lost to the ensemble mean | median test RMSE "
        "(ensemble mean) | varying channels of the first/last block (of 8), per seed"
    )
    for name, world in WORLDS.items():
        data = world_data(31, **world)
        baseline = evaluate(EnsembleMean(3), data, data.test, "cpu")["overall"]["rmse"]
        for (recipe, setting), lr in itertools.product(RECIPES.items(), RATES):
            runs = [
                pretrain_once(data, lr, seed, setting, args.epochs) for seed in range(args.seeds)
            ]
            collapsed = sum(run["ratio"] < COLLAPSED for run in runs)
            lost = sum(run["rmse"] >= baseline for run in runs)
            print(
                f"{name} | {recipe} | {lr:g} | {collapsed} of {len(runs)} | "
                f"{lost} of {len(runs)} | "
                f"{statistics.median(run['rmse'] for run in runs):.4f} ({baseline:.4f}) | "
                f"{'/'.join(str(r['first']) for r in runs)}; "
                f"{'/'.join(str(r['last']) for r in runs)}",
                flush=True,
            )
    print(f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
