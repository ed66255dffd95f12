"""Bagged inference: the mean and spread of the fold generators, streamed over months.

The product of the paper ("bagging") is the mean of the k fine-tuned fold generators; their
standard deviation (ddof=0: the k members are the whole ensemble, not a sample) is kept as the
spread. Inputs are read `chunk_months` at a time through `ModelStack`, so memory does not grow
with the length of the run.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np
import torch

from smdown.errors import InputError
from smdown.nn.saved import load_generator
from smdown.nn.unet import UNetGenerator
from smdown.prepared import ModelStack
from smdown.progress import Progress

# generator metadata that every fold of one ensemble must share
SHARED_META = ("models", "region", "training_hash")


@dataclass(frozen=True)
class FoldEnsemble:
    """The fine-tuned fold generators (fold order), their input models, region and config hash."""

    generators: tuple[UNetGenerator, ...]
    models: tuple[str, ...]
    region: str
    training_hash: str
    paths: tuple[Path, ...]
    test_months: tuple[tuple[str, ...], ...]  # per fold, "YYYY-MM"
    guard_failures: tuple[str, ...] = ()  # "fold k: problems" of folds kept under guard: warn

    @property
    def guard_warning(self) -> str:
        """What every output made from these folds must say when some failed the collapse
        guard (trained with training.guard: warn); empty when all passed."""
        if not self.guard_failures:
            return ""
        return (
            "made from fine-tuned folds that failed the collapse guard "
            f"(training.guard: warn): {'; '.join(self.guard_failures)}"
        )

    @property
    def n_layers(self) -> int:
        return self.generators[0].architecture["out_channels"]

    def check_models(self, models: Sequence[str], source: str) -> None:
        """Refuse inputs whose model list (or order) differs from the one the folds learned."""
        if tuple(models) != self.models:
            missing = sorted(set(self.models) - set(models))
            extra = sorted(set(models) - set(self.models))
            problem = (
                f"models {list(models)} differ from training's"
                + (f" (missing {missing})" if missing else "")
                + (f" (not trained on {extra})" if extra else "")
                + ("" if missing or extra else " (other order)")
            )
            raise InputError(source, problem, f"the fold generators' models {list(self.models)}")


def load_folds(paths: Sequence[str | PathLike], n_folds: int) -> FoldEnsemble:
    """Load the finetune generators of folds 0..n_folds-1, refusing gaps and mixed configs.

    Every file must come from a finetune job, the folds must be exactly 0..n_folds-1 once each,
    and architecture, models, region and training-config hash must agree across them.
    """
    loaded = [(Path(path), *load_generator(path)) for path in paths]
    by_fold: dict[int, tuple[Path, UNetGenerator, dict]] = {}
    for path, generator, meta in loaded:
        if meta.get("stage") != "finetune" or "fold" not in meta:
            raise InputError(path, f"stage {meta.get('stage')!r}", "a finetune fold generator")
        if meta["fold"] in by_fold:
            raise InputError(
                path,
                f"fold {meta['fold']} again (also {by_fold[meta['fold']][0]})",
                "each fold once",
            )
        by_fold[meta["fold"]] = (path, generator, meta)
    missing = sorted(set(range(n_folds)) - set(by_fold))
    if missing or len(by_fold) != n_folds:
        raise InputError(
            paths[0] if paths else "training.finetune.n_folds",
            f"folds {sorted(by_fold)} given, missing {missing}",
            f"the {n_folds} folds 0..{n_folds - 1}",
        )
    folds = [by_fold[k] for k in range(n_folds)]
    first_path, first, first_meta = folds[0]
    for path, generator, meta in folds[1:]:
        if generator.architecture != first.architecture:
            raise InputError(
                path,
                f"architecture {generator.architecture}",
                f"{first.architecture} as in {first_path}",
            )
        for key in SHARED_META:
            if meta.get(key) != first_meta.get(key):
                raise InputError(
                    path,
                    f"{key} is {meta.get(key)!r}",
                    f"{first_meta.get(key)!r} as in {first_path} (folds trained "
                    "with different configs: retrain them together)",
                )
    return FoldEnsemble(
        generators=tuple(g for _, g, _ in folds),
        models=tuple(first_meta["models"]),
        region=first_meta["region"],
        training_hash=first_meta["training_hash"],
        paths=tuple(p for p, _, _ in folds),
        test_months=tuple(tuple(m.get("test_months", ())) for _, _, m in folds),
        guard_failures=tuple(
            f"fold {m['fold']}: {', '.join(m['guard']['problems'])}"
            for _, _, m in folds
            if not m.get("guard", {}).get("passed", True)
        ),
    )


def bagged_predict(
    ensemble: FoldEnsemble, x: torch.Tensor, device: torch.device, batch_size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and ddof-0 standard deviation over the folds of G_k(x), as float32 numpy arrays.

    Accumulated in float64 per batch (sum and sum of squares over folds), so memory holds one
    batch per fold at a time.
    """
    means, spreads = [], []
    with torch.no_grad():
        for batch in x.split(batch_size):
            batch = batch.to(device).contiguous(memory_format=torch.channels_last)
            total = square = None
            for generator in ensemble.generators:
                pred = generator(batch).double()
                total = pred if total is None else total + pred
                square = pred**2 if square is None else square + pred**2
            k = len(ensemble.generators)
            mean = total / k
            var = (square / k - mean**2).clamp_min(0.0)
            means.append(mean.float().cpu().numpy())
            spreads.append(var.sqrt().float().cpu().numpy())
    return np.concatenate(means), np.concatenate(spreads)


def bagged_chunks(
    ensemble: FoldEnsemble,
    stack: ModelStack,
    mask: np.ndarray,
    device: torch.device,
    chunk_months: int = 120,
    batch_size: int = 16,
    label: str = "inference",
) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Yield (first month index, mean, spread) for consecutive chunks of the stack's months.

    Values outside the region `mask` (lat, lon) are NaN. Each chunk logs "`label`: months i of
    N" with the time left, to the log and the console.
    """
    progress = Progress(f"{label}: months", stack.times.size)
    for generator in ensemble.generators:  # channels-last: mkldnn's faster convolutions
        generator.to(device, memory_format=torch.channels_last).eval()
    outside = ~np.asarray(mask, dtype=bool)
    for start in range(0, stack.times.size, chunk_months):
        x = torch.from_numpy(stack.read(slice(start, start + chunk_months)))
        mean, spread = bagged_predict(ensemble, x, device, batch_size)
        mean[..., outside] = np.nan
        spread[..., outside] = np.nan
        progress.update(start + len(x))
        yield start, mean, spread


def prediction_chunks(
    generator: torch.nn.Module,
    stack: ModelStack,
    mask: np.ndarray,
    device: torch.device,
    chunk_months: int = 120,
    batch_size: int = 16,
    label: str = "inference",
) -> Iterator[tuple[int, np.ndarray, None]]:
    """Yield (first month index, G(x), None) of one generator (the YNet) per chunk of months:
    one network has no spread. Values outside the region `mask` (lat, lon) are NaN. Progress
    as in `bagged_chunks`."""
    progress = Progress(f"{label}: months", stack.times.size)
    generator.to(device, memory_format=torch.channels_last).eval()
    outside = ~np.asarray(mask, dtype=bool)
    with torch.no_grad():
        for start in range(0, stack.times.size, chunk_months):
            x = torch.from_numpy(stack.read(slice(start, start + chunk_months)))
            sm = np.concatenate(
                [
                    generator(batch.to(device).contiguous(memory_format=torch.channels_last))
                    .float()
                    .cpu()
                    .numpy()
                    for batch in x.split(batch_size)
                ]
            )
            sm[..., outside] = np.nan
            progress.update(start + len(x))
            yield start, sm, None


def fold_of_months(ensemble: FoldEnsemble, months: Sequence[str]) -> np.ndarray:
    """The fold whose test set holds each "YYYY-MM" month; every month in exactly one fold."""
    labels = np.array([str(t)[:7] for t in months])
    owner = np.full(labels.size, -1)
    for k, tested in enumerate(ensemble.test_months):
        hit = np.isin(labels, list(tested))
        if (owner[hit] >= 0).any():
            raise InputError(
                ensemble.paths[k], "test months shared with another fold", "disjoint test folds"
            )
        owner[hit] = k
    if (owner < 0).any():
        raise InputError(
            ensemble.paths[0],
            f"month {labels[owner < 0][0]} is in no test fold",
            "folds covering every fine-tuning month",
        )
    return owner


def out_of_fold(
    ensemble: FoldEnsemble,
    x: np.ndarray,
    owner: np.ndarray,
    mask: np.ndarray,
    device: torch.device,
    batch_size: int = 16,
) -> np.ndarray:
    """Each month of x (time, model, lat, lon) predicted by the generator of fold `owner[t]`.

    Returns (time, layer, lat, lon) float32, NaN outside `mask`.
    """
    out = np.empty((x.shape[0], ensemble.n_layers, *x.shape[2:]), dtype=np.float32)
    with torch.no_grad():
        for k, generator in enumerate(ensemble.generators):
            generator.to(device).eval()
            index = np.flatnonzero(owner == k)
            for part in np.array_split(index, max(1, -(-index.size // batch_size))):
                if part.size:
                    batch = torch.from_numpy(x[part]).to(device)
                    out[part] = generator(batch).float().cpu().numpy()
    out[..., ~np.asarray(mask, dtype=bool)] = np.nan
    return out
