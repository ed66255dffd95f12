"""The resumable training loop: Adam, cosine decay, early stopping, atomic checkpoints.

It trains the UNet-GAN (generator and discriminator) and, without a discriminator, the YNet.

The whole training set lives on the device as tensors and batches are indexed from it. Every
epoch ends with a checkpoint (nets, optimisers, schedulers, early-stopping state, history, RNG
states), so a killed job resumed from it ends bit-identical to an uninterrupted one: the batch
order of an epoch depends only on (seed, epoch), never on RNG history.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import Tensor, nn
from torch.optim.lr_scheduler import CosineAnnealingLR, LambdaLR, LRScheduler

from smdown.io import atomic_path
from smdown.nn import (
    LossWeights,
    generator_loss,
    insitu_loss,
    masked_mse,
    relativistic_discriminator_loss,
    relativistic_generator_loss,
    tv_loss,
    vgg_loss,
)
from smdown.nn.device import resolve_device
from smdown.progress import Progress
from smdown.training.baselines import EnsembleMean

log = logging.getLogger(__name__)

LOSS_COLUMNS = ("mse", "vgg", "adv", "insitu", "tv", "total_g", "d_loss")
HISTORY_COLUMNS = (
    "epoch",
    *LOSS_COLUMNS,
    "val_rmse",
    "val_rmse_ensemble_mean",
    "val_spatial_std_ratio",
    "lr_g",
    "lr_d",
    "seconds",
)
LR_SCHEDULES = ("cosine", "constant")
# what `evaluate` scores: the spatial spreads are means over months of each month's standard
# deviation over the region's cells (the collapse guard compares the two)
SCORES = ("rmse", "mae", "bias", "r", "spatial_std", "target_spatial_std")


@dataclass
class TrainSettings:
    """Optimisation settings of the paper; device "auto" picks CUDA when available.

    `lr_schedule` "cosine" decays the rates over `epochs` (UNet-GAN); "constant" keeps them
    (the CMIP6DL study's Adam at 1e-4). `warmup_epochs` > 0 raises both rates linearly per
    step from near 0 over that many first epochs (the authors' scripts have the option, at 0).
    `tv_reduction` and `vgg_input` select how eq. 10 is reduced and what VGG sees (see
    `losses.tv_loss` and `VGG16Features`).
    """

    epochs: int = 200
    batch_size: int = 100
    lr_generator: float = 5e-4
    lr_discriminator: float = 1e-6
    patience: int = 10
    weights: LossWeights = field(default_factory=LossWeights)
    seed: int = 0
    device: str = "auto"
    bf16: bool = False
    channels_last: bool = True
    adversarial: bool = True
    symmetric_adversarial: bool = False
    lr_schedule: str = "cosine"
    warmup_epochs: int = 0
    tv_reduction: str = "sum"
    vgg_input: str = "imagenet"


@dataclass
class TrainingData:
    """Inputs x (N, 17, H, W), targets y (N, C, H, W), region mask (H, W) and split indices.

    y may be NaN outside the mask; s and p (N, C, H, W), the gridded in-situ values and their
    weights for eq. 9, may be NaN where there is no observation.
    """

    x: Tensor
    y: Tensor
    mask: Tensor
    train: Tensor
    val: Tensor
    test: Tensor
    s: Tensor | None = None
    p: Tensor | None = None

    def to(self, device: torch.device) -> TrainingData:
        """The fields moved to `device` once, so batches are indexed there without copies."""
        moved = {f.name: getattr(self, f.name) for f in fields(self)}
        return replace(self, **{k: None if v is None else v.to(device) for k, v in moved.items()})


@dataclass
class TrainResult:
    """Best generator weights (CPU), their epoch and validation RMSE, and the run's history."""

    best_state: dict[str, Tensor]
    best_epoch: int
    best_val_rmse: float
    epochs_run: int
    stopped_early: bool
    history: pd.DataFrame


@dataclass
class EarlyStopping:
    """Best validation RMSE so far, its epoch and generator weights, and epochs since then."""

    patience: int
    best_score: float = math.inf
    best_epoch: int = 0
    best_state: dict[str, Tensor] = field(default_factory=dict)
    bad_epochs: int = 0
    stopped: bool = False

    def update(self, score: float, epoch: int, generator: nn.Module) -> None:
        """Keep the generator if `score` improves, else count a bad epoch and maybe stop."""
        if score < self.best_score:
            self.best_score, self.best_epoch = score, epoch
            self.best_state = cpu_state(generator)
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1
            self.stopped = self.bad_epochs >= self.patience

    def state(self) -> dict:
        """Everything but the patience (which comes from the settings), for the checkpoint."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "patience"}


@dataclass
class _Session:
    """The nets, optimisers and schedulers of one run, with the data on its device.

    Without a discriminator (no adversarial loss) its optimiser and scheduler are None too.
    """

    generator: nn.Module
    discriminator: nn.Module | None
    vgg: nn.Module | None
    opt_g: torch.optim.Adam
    opt_d: torch.optim.Adam | None
    sched_g: LRScheduler
    sched_d: LRScheduler | None
    data: TrainingData
    settings: TrainSettings
    device: torch.device
    baseline_val_rmse: float

    def autocast(self) -> torch.autocast:
        """bf16 autocast on CUDA when asked for, a disabled one otherwise."""
        enabled = self.settings.bf16 and self.device.type == "cuda"
        return torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=enabled)

    def layout(self, batch: Tensor) -> Tensor:
        """A network input in the memory format the nets use."""
        if self.settings.channels_last:
            return batch.contiguous(memory_format=torch.channels_last)
        return batch


def cpu_state(module: nn.Module) -> dict[str, Tensor]:
    """A detached CPU copy of the module's state dict, safe from later updates."""
    return {k: v.detach().to("cpu", copy=True) for k, v in module.state_dict().items()}


def fingerprint(data: TrainingData, settings: TrainSettings, *modules: nn.Module | None) -> str:
    """SHA-256 of the settings, every data tensor, and the architecture and starting weights of
    `modules`.

    A checkpoint only resumes a run with the same fingerprint: a changed parameter, input or
    pretrained body starts afresh instead of continuing someone else's optimisation. The
    architecture counts because some of it (a dropout rate, an upsampling mode) has no weights.
    """
    digest = hashlib.sha256(json.dumps(asdict(settings), sort_keys=True, default=str).encode())
    for module in modules:
        architecture = getattr(module, "architecture", None)
        digest.update(
            json.dumps([type(module).__name__, architecture], sort_keys=True, default=str).encode()
        )

    def add(name: str, tensor: Tensor) -> None:
        digest.update(f"{name}:{tensor.dtype}:{tuple(tensor.shape)}".encode())
        digest.update(tensor.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy().data)

    for f in fields(data):
        value = getattr(data, f.name)
        if value is not None:
            add(f.name, value)
    for i, module in enumerate(modules):
        for name, tensor in ({} if module is None else module.state_dict()).items():
            add(f"{i}.{name}", tensor)
    return digest.hexdigest()


def batch_order(indices: Tensor, batch_size: int, seed: int, epoch: int) -> tuple[Tensor, ...]:
    """The epoch's shuffled batches of `indices`, drawn from a generator seeded by (seed, epoch)."""
    key = int(np.random.SeedSequence([seed, epoch]).generate_state(1, np.uint64)[0]) >> 1
    rng = torch.Generator().manual_seed(key)
    return indices.cpu()[torch.randperm(len(indices), generator=rng)].split(batch_size)


def seed_everything(seed: int) -> None:
    """Seed python's, numpy's and torch's global generators (CUDA's too)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def rng_state(cuda: bool) -> dict:
    """The global RNG states, numpy's key as a tensor so the checkpoint loads weights-only."""
    _, key, pos, has_gauss, gauss = np.random.get_state()
    state = {
        "python": random.getstate(),
        "torch": torch.get_rng_state(),
        "numpy": {
            "key": torch.from_numpy(key.astype(np.int64)),
            "pos": pos,
            "has_gauss": has_gauss,
            "gauss": gauss,
        },
    }
    if cuda:
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    """Restore what `rng_state` saved."""
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    numpy = state["numpy"]
    np.random.set_state(
        (
            "MT19937",
            numpy["key"].numpy().astype(np.uint32),
            numpy["pos"],
            numpy["has_gauss"],
            numpy["gauss"],
        )
    )
    torch.set_rng_state(state["torch"])
    if "cuda" in state:
        torch.cuda.set_rng_state_all(state["cuda"])


@contextlib.contextmanager
def _deterministic(device: torch.device) -> Iterator[None]:
    """Deterministic algorithms on CPU for the block, the previous settings restored after.

    Not on CUDA, where max-pool and adaptive-pool backward have no deterministic kernel. Torch's
    filling of every new tensor's memory (which deterministic mode turns on, to hide reads of
    uninitialised memory) stays off: no kernel used here reads memory it did not write, it
    cost 13 % of a paper-size CPU step, and the bit-identical resume test guards the claim.
    """
    if device.type != "cpu":
        yield
        return
    previous = (
        torch.are_deterministic_algorithms_enabled(),
        torch.is_deterministic_algorithms_warn_only_enabled(),
        torch.utils.deterministic.fill_uninitialized_memory,
    )
    torch.use_deterministic_algorithms(True)
    torch.utils.deterministic.fill_uninitialized_memory = False
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(previous[0], warn_only=previous[1])
        torch.utils.deterministic.fill_uninitialized_memory = previous[2]


def _masked(values: Tensor, mask: Tensor) -> Tensor:
    """The field with cells outside the mask set to 0, as the discriminator sees it."""
    return torch.where(mask, values, 0.0)


def _discriminate(s: _Session, values: Tensor) -> Tensor:
    """Discriminator logits of a masked field, in float32."""
    with s.autocast():
        return s.discriminator(s.layout(_masked(values, s.data.mask))).float()


def _discriminator_step(s: _Session, fake: Tensor, real: Tensor) -> Tensor:
    """One Adam step of D on eq. 3; `fake` must be detached."""
    loss = relativistic_discriminator_loss(_discriminate(s, real), _discriminate(s, fake))
    s.opt_d.zero_grad(set_to_none=True)
    loss.backward()
    s.opt_d.step()
    return loss.detach()


def _adversarial_term(s: _Session, fake: Tensor, real: Tensor) -> Tensor:
    """Eq. 8 with D frozen, so the generator step computes no discriminator gradients."""
    s.discriminator.requires_grad_(False)
    try:
        with torch.no_grad():
            d_real = _discriminate(s, real)
        return relativistic_generator_loss(
            _discriminate(s, fake), d_real, symmetric=s.settings.symmetric_adversarial
        )
    finally:
        s.discriminator.requires_grad_(True)


def _generator_terms(s: _Session, fake: Tensor, real: Tensor, idx: Tensor) -> dict[str, Tensor]:
    """The generator's loss terms for one batch: those whose inputs (VGG, S/P, D) exist."""
    mask = s.data.mask
    terms = {"mse": masked_mse(fake, real, mask)}
    if s.vgg is not None:
        with s.autocast():
            terms["vgg"] = vgg_loss(s.vgg, fake, real, mask).float()
    if s.settings.adversarial:
        terms["adv"] = _adversarial_term(s, fake, real)
    if s.data.s is not None and s.data.p is not None:
        terms["insitu"] = insitu_loss(fake, s.data.s[idx], s.data.p[idx], mask)
    terms["tv"] = tv_loss(fake, mask, s.settings.tv_reduction)
    return terms


def _train_batch(s: _Session, idx: Tensor) -> dict[str, Tensor]:
    """A D step (when adversarial), then a G step; the detached losses by history column."""
    real = s.data.y[idx]
    with s.autocast():
        fake = s.generator(s.layout(s.data.x[idx])).float()
    losses = {}
    if s.settings.adversarial:
        losses["d_loss"] = _discriminator_step(s, fake.detach(), real)
    terms = _generator_terms(s, fake, real, idx)
    total = generator_loss(terms, s.settings.weights)
    s.opt_g.zero_grad(set_to_none=True)
    total.backward()
    s.opt_g.step()
    return {**{k: v.detach() for k, v in terms.items()}, "total_g": total.detach(), **losses}


def warmup_factor(epoch: int, batch: int, batches: int, warmup_epochs: int) -> float:
    """The rate's factor at a batch (0-based) of an epoch (1-based): rising linearly per step to
    1 over the first `warmup_epochs` epochs, 1 after (and always 1 without warm-up)."""
    steps = warmup_epochs * batches
    step = (epoch - 1) * batches + batch
    return 1.0 if step >= steps else (step + 1) / steps


@contextlib.contextmanager
def _warming_up(s: _Session) -> Iterator[Callable[[int, int, int], None]]:
    """A setter of both optimisers' rates to their epoch rate times the warm-up factor; the epoch
    rates are restored on exit, so the epoch schedulers continue from them unchanged."""
    optimisers = [opt for opt in (s.opt_g, s.opt_d) if opt is not None]
    rates = [[group["lr"] for group in opt.param_groups] for opt in optimisers]

    def set_step(epoch: int, batch: int, batches: int) -> None:
        factor = warmup_factor(epoch, batch, batches, s.settings.warmup_epochs)
        for opt, lrs in zip(optimisers, rates, strict=True):
            for group, lr in zip(opt.param_groups, lrs, strict=True):
                group["lr"] = lr * factor

    try:
        yield set_step
    finally:
        for opt, lrs in zip(optimisers, rates, strict=True):
            for group, lr in zip(opt.param_groups, lrs, strict=True):
                group["lr"] = lr


def _train_epoch(s: _Session, epoch: int) -> dict[str, float]:
    """One pass over the shuffled train batches: each loss's sample-weighted mean (NaN: unused)."""
    s.generator.train()
    if s.discriminator is not None:
        s.discriminator.train()
    sums: dict[str, Tensor] = {}
    batches = batch_order(s.data.train, s.settings.batch_size, s.settings.seed, epoch)
    with _warming_up(s) as set_step:
        for i, idx in enumerate(batches):
            set_step(epoch, i, len(batches))
            losses = _train_batch(s, idx.to(s.device))
            for name, value in losses.items():
                sums[name] = sums.get(name, 0.0) + value * len(idx)
    means = {name: (value / len(s.data.train)).item() for name, value in sums.items()}
    return {name: means.get(name, math.nan) for name in LOSS_COLUMNS}


def _run_epoch(s: _Session, stopping: EarlyStopping, epoch: int) -> dict[str, float]:
    """Train one epoch, step the schedulers, validate, update early stopping; the history row."""
    start = time.perf_counter()
    lr_g = s.opt_g.param_groups[0]["lr"]
    lr_d = math.nan if s.opt_d is None else s.opt_d.param_groups[0]["lr"]
    losses = _train_epoch(s, epoch)
    s.sched_g.step()
    if s.settings.adversarial:  # an idle D keeps its rate (and torch's step-order warning away)
        s.sched_d.step()
    val = evaluate(s.generator, s.data, s.data.val, s.device, s.settings.batch_size)["overall"]
    val_rmse = float(val["rmse"])
    stopping.update(val_rmse, epoch, s.generator)
    row = {
        "epoch": epoch,
        **losses,
        "val_rmse": val_rmse,
        "val_rmse_ensemble_mean": s.baseline_val_rmse,
        "val_spatial_std_ratio": float(val["spatial_std"] / val["target_spatial_std"]),
        "lr_g": lr_g,
        "lr_d": lr_d,
        "seconds": time.perf_counter() - start,
    }
    return row


def _epoch_detail(row: dict, stopping: EarlyStopping) -> str:
    """What one epoch gave, for its progress line."""
    return (
        f"total_g {row['total_g']:.5g} d_loss {row['d_loss']:.5g} val_rmse "
        f"{row['val_rmse']:.5g} (ensemble mean {row['val_rmse_ensemble_mean']:.5g}; best "
        f"{stopping.best_score:.5g} at {stopping.best_epoch}), spatial spread "
        f"{row['val_spatial_std_ratio']:.3g} of the target's"
    )


def _constant(epoch: int) -> float:
    """The factor of a constant learning rate (a named function, so schedulers pickle)."""
    return 1.0


def _scheduler(optimiser: torch.optim.Adam, settings: TrainSettings) -> LRScheduler:
    """The learning-rate schedule the settings name."""
    if settings.lr_schedule not in LR_SCHEDULES:
        raise ValueError(
            f"unknown lr_schedule {settings.lr_schedule!r}; allowed: {', '.join(LR_SCHEDULES)}"
        )
    if settings.lr_schedule == "constant":
        return LambdaLR(optimiser, _constant)
    return CosineAnnealingLR(optimiser, T_max=settings.epochs)


def _session(
    generator: nn.Module,
    discriminator: nn.Module | None,
    vgg: nn.Module | None,
    data: TrainingData,
    settings: TrainSettings,
    device: torch.device,
) -> _Session:
    """Move nets and data to the device and build the Adam optimisers and their schedulers."""
    if settings.bf16 and device.type != "cuda":
        log.info("bf16 autocast is CUDA-only; training in float32 on %s", device)
    if settings.adversarial and discriminator is None:
        raise ValueError("an adversarial loss needs a discriminator")
    memory_format = torch.channels_last if settings.channels_last else torch.preserve_format
    generator.to(device, memory_format=memory_format)
    opt_g = torch.optim.Adam(generator.parameters(), lr=settings.lr_generator)
    opt_d = None
    if discriminator is not None:
        discriminator.to(device, memory_format=memory_format)
        opt_d = torch.optim.Adam(discriminator.parameters(), lr=settings.lr_discriminator)
    if vgg is not None:
        vgg.to(device, memory_format=memory_format)
    data = data.to(device)
    return _Session(
        generator,
        discriminator,
        vgg,
        opt_g,
        opt_d,
        _scheduler(opt_g, settings),
        None if opt_d is None else _scheduler(opt_d, settings),
        data,
        settings,
        device,
        _baseline_val_rmse(data, device, settings),
    )


def _baseline_val_rmse(data: TrainingData, device: torch.device, settings: TrainSettings) -> float:
    """The plain ensemble mean's masked RMSE on the validation months (the guard's bar); the
    mean is interpolated bilinearly when the targets are k times finer than the inputs."""
    baseline = EnsembleMean(data.y.shape[1], data.y.shape[-1] // data.x.shape[-1])
    return float(evaluate(baseline, data, data.val, device, settings.batch_size)["overall"]["rmse"])


def _state(module: nn.Module | torch.optim.Optimizer | LRScheduler | None) -> dict | None:
    """The state dict of a part of the session, None for an absent one."""
    return None if module is None else module.state_dict()


def _checkpoint_state(
    s: _Session, stopping: EarlyStopping, history: list[dict], epoch: int, key: str
) -> dict:
    """Everything a resumed run needs to continue bit-identically after `epoch`."""
    return {
        "fingerprint": key,
        "epoch": epoch,
        "generator": s.generator.state_dict(),
        "discriminator": _state(s.discriminator),
        "opt_generator": s.opt_g.state_dict(),
        "opt_discriminator": _state(s.opt_d),
        "sched_generator": s.sched_g.state_dict(),
        "sched_discriminator": _state(s.sched_d),
        "early_stopping": stopping.state(),
        "history": history,
        "rng": rng_state(cuda=s.device.type == "cuda"),
    }


def _restore(s: _Session, state: dict) -> None:
    """Load nets, optimisers, schedulers and RNG states of a checkpoint into the session."""
    s.generator.load_state_dict(state["generator"])
    s.opt_g.load_state_dict(state["opt_generator"])
    s.sched_g.load_state_dict(state["sched_generator"])
    if s.discriminator is not None:
        s.discriminator.load_state_dict(state["discriminator"])
        s.opt_d.load_state_dict(state["opt_discriminator"])
        s.sched_d.load_state_dict(state["sched_discriminator"])
    set_rng_state(state["rng"])


def _write_history(state: dict, history_csv: Path) -> None:
    """Rewrite the history CSV of a checkpoint state atomically."""
    with atomic_path(history_csv) as tmp:
        pd.DataFrame(state["history"], columns=HISTORY_COLUMNS).to_csv(tmp, index=False)


def _write(state: dict, checkpoint: Path, history_csv: Path) -> None:
    """Rewrite the history CSV, then the checkpoint, each atomically.

    In this order a kill in between leaves the CSV one epoch ahead, and the resumed run redoes
    that epoch and rewrites the CSV, so every epoch appears exactly once.
    """
    _write_history(state, history_csv)
    with atomic_path(checkpoint) as tmp, open(tmp, "wb") as fh:  # a file object: same bytes
        torch.save(state, fh)  # whatever the temporary name


def _result(state: dict, settings: TrainSettings) -> TrainResult:
    """The TrainResult of a checkpoint state."""
    stopping = EarlyStopping(settings.patience, **state["early_stopping"])
    return TrainResult(
        best_state=stopping.best_state,
        best_epoch=stopping.best_epoch,
        best_val_rmse=stopping.best_score,
        epochs_run=state["epoch"],
        stopped_early=stopping.stopped,
        history=pd.DataFrame(state["history"], columns=HISTORY_COLUMNS),
    )


def _load_checkpoint(checkpoint: Path, key: str) -> dict | None:
    """The checkpoint's state if it exists and belongs to this run (same fingerprint), else None."""
    if not checkpoint.exists():
        return None
    state = torch.load(checkpoint, map_location="cpu", weights_only=True)
    if state.get("fingerprint") != key:
        log.warning(
            "%s belongs to another run (settings, data, architecture or starting "
            "weights differ); starting afresh",
            checkpoint,
        )
        return None
    return state


def train(
    generator: nn.Module,
    discriminator: nn.Module | None,
    data: TrainingData,
    settings: TrainSettings,
    *,
    checkpoint: Path,
    history_csv: Path,
    vgg: nn.Module | None = None,
    stop_after_epoch: int | None = None,
    label: str = "training",
) -> TrainResult:
    """Train G (and D when adversarial) with early stopping, resuming from `checkpoint` if present.

    `discriminator` may be None when the settings have no adversarial loss (the YNet).

    Only a checkpoint of the same run (see `fingerprint`) is resumed; a finished one (early
    stopped or all epochs done) returns at once. The checkpoint and history CSV are rewritten
    after every epoch; `stop_after_epoch=k` returns after epoch k's. The generator is left on
    the device, holding its last (not its best) weights. Each epoch logs a progress line
    ("`label`: epoch i of N", the time left, the losses) to the log and the console.
    """
    checkpoint, history_csv = Path(checkpoint), Path(history_csv)
    device = resolve_device(settings.device)
    key = fingerprint(data, settings, generator, discriminator, vgg)
    state = _load_checkpoint(checkpoint, key)
    if state is not None and (
        state["early_stopping"]["stopped"] or state["epoch"] >= settings.epochs
    ):
        log.info(
            "%s holds a finished run (%d epochs); nothing to train", checkpoint, state["epoch"]
        )
        _write_history(state, history_csv)  # Snakemake removes a job's old outputs before it
        generator.to(device)
        return _result(state, settings)
    s = _session(generator, discriminator, vgg, data, settings, device)
    if state is None:
        seed_everything(settings.seed)
        stopping = EarlyStopping(settings.patience, best_state=cpu_state(generator))
        history, first = [], 1
    else:
        _restore(s, state)
        stopping = EarlyStopping(settings.patience, **state["early_stopping"])
        history, first = state["history"], state["epoch"] + 1
        log.info("resuming %s after epoch %d", checkpoint, state["epoch"])
    progress = Progress(f"{label}: epoch", settings.epochs, start=first - 1)
    with _deterministic(device):
        for epoch in range(first, settings.epochs + 1):
            history.append(_run_epoch(s, stopping, epoch))
            progress.update(epoch, _epoch_detail(history[-1], stopping))
            state = _checkpoint_state(s, stopping, history, epoch, key)
            _write(state, checkpoint, history_csv)
            if stopping.stopped:
                progress.note(
                    f"{label}: stopped early after epoch {epoch} of "
                    f"{settings.epochs} (no better validation RMSE for "
                    f"{settings.patience} epochs)"
                )
            if stopping.stopped or epoch == stop_after_epoch:
                break
    return _result(state, settings)


def _moments(pred: Tensor, target: Tensor, valid: Tensor) -> Tensor:
    """Per layer (C, 12) float64 sums over valid cells: n, e, |e|, e^2, y, p, y^2, p^2, y*p;
    then, over the months with at least two valid cells, their count and the sums of each
    month's spatial standard deviation of p and of y."""
    pred = torch.where(valid, pred.double(), 0.0)
    target = torch.where(valid, target.double(), 0.0)
    error = pred - target
    parts = (
        valid.double(),
        error,
        error.abs(),
        error**2,
        target,
        pred,
        target**2,
        pred**2,
        target * pred,
    )
    sums = [part.sum(dim=(0, 2, 3)) for part in parts]
    n = parts[0].sum(dim=(2, 3))  # (N, C) cells per month and layer
    spread = n >= 2
    stds = [_spatial_std(field, n) for field in (pred, target)]
    sums += [
        spread.double().sum(dim=0),
        *(torch.where(spread, std, 0.0).sum(dim=0) for std in stds),
    ]
    return torch.stack(sums, dim=1)


def _spatial_std(field: Tensor, n: Tensor) -> Tensor:
    """(N, C) standard deviation over the cells of each month and layer (ddof 0); `field` is 0
    outside the valid cells, `n` counts them."""
    count = n.clamp(min=1)
    mean = field.sum(dim=(2, 3)) / count
    return (field.pow(2).sum(dim=(2, 3)) / count - mean**2).clamp(min=0).sqrt()


def _scores(sums: np.ndarray) -> dict[str, np.float64]:
    """RMSE, MAE, bias (prediction - target), Pearson R, and the mean over months of the spatial
    standard deviation of prediction and target, from one row of `_moments`."""
    n, e, abs_e, e2, y, p, y2, p2, yp, months, std_p, std_y = sums
    if n == 0:
        return {name: np.float64(np.nan) for name in SCORES}
    cov = yp / n - (y / n) * (p / n)
    var = (y2 / n - (y / n) ** 2) * (p2 / n - (p / n) ** 2)
    r = cov / np.sqrt(var) if n >= 3 and var > 0 else np.nan
    spread = (std_p / months, std_y / months) if months else (np.nan, np.nan)
    return {
        "rmse": np.sqrt(e2 / n),
        "mae": abs_e / n,
        "bias": e / n,
        "r": np.float64(r),
        "spatial_std": np.float64(spread[0]),
        "target_spatial_std": np.float64(spread[1]),
    }


def evaluate(
    generator: nn.Module,
    data: TrainingData,
    indices: Tensor,
    device: str | torch.device,
    batch_size: int = 100,
) -> dict:
    """Masked RMSE, MAE, bias, R and spatial spread (`SCORES`) of G on `indices`:
    {"overall": {...}, "layers": [{...}]}.

    Only cells inside the mask with a finite target count; batches are moved to `device` (where
    the generator must be) and reduced to float64 sums, so memory stays one batch.
    """
    device = torch.device(device)
    generator.eval()
    mask = data.mask.to(device)
    sums = torch.zeros(data.y.shape[1], 12, dtype=torch.float64, device=device)
    with torch.no_grad():
        for idx in indices.split(batch_size):
            target = data.y[idx.to(data.y.device)].to(device)
            pred = generator(data.x[idx.to(data.x.device)].to(device)).float()
            sums += _moments(pred, target, mask & torch.isfinite(target))
    sums = sums.cpu().numpy()
    return {"overall": _scores(sums.sum(axis=0)), "layers": [_scores(row) for row in sums]}
