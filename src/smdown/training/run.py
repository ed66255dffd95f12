"""What the `pretrain`, `finetune` and `train_ynet` rules do: check and assemble the data,
build, train, save.

Pretraining: ERA5-Land's 3 layers as target over fixed year ranges. Fine-tuning: the
reference's layers (AMSMQTP's 5 in the paper, any count L) on one fold of the fine-tuning years,
every generator weight but the 1x1 head from pretraining, a fresh discriminator, and the in-situ
loss (eq. 9) against the random-forest grids.
The YNet (CMIP6DL study): coarse model fields to ERA5-Land's top layer on the finer target grid,
masked MSE only, over fixed year ranges like pretraining.
Every input is checked (grid, months, NaN inside the region, VGG weights) before training starts.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import torch
import xarray as xr

from smdown.errors import InputError
from smdown.io import atomic_path
from smdown.nn import Discriminator, LossWeights, StaticFieldsYNet, UNetGenerator, VGG16Features
from smdown.nn.device import resolve_device
from smdown.nn.saved import load_generator, save_generator
from smdown.prepared import land_cells, load_mask, load_target, stack_models, year_indices
from smdown.training.baselines import EnsembleMean
from smdown.training.folds import fold_indices, inner_split
from smdown.training.guard import Guard
from smdown.training.loop import (
    TrainingData,
    TrainResult,
    TrainSettings,
    evaluate,
    train,
)

log = logging.getLogger(__name__)

INSITU_REFERENCES = ("forest", "target")
HEAD_BIAS = ("target_mean", "default")
INPUT_NORMS = ("standardise", "none")
RESIDUALS = {True: "ensemble_mean", False: "none"}  # the generator's flag by config value
DEFAULT_GUARD = Guard()


@dataclass(frozen=True)
class JobFiles:
    """The files one training job writes: weights, per-epoch history, test metrics, checkpoint."""

    weights: Path
    history: Path
    metrics: Path
    checkpoint: Path

    @classmethod
    def of(
        cls,
        weights: str | PathLike,
        history: str | PathLike,
        metrics: str | PathLike,
        checkpoint: str | PathLike,
    ) -> JobFiles:
        """JobFiles from four paths (as the rules name them)."""
        return cls(Path(weights), Path(history), Path(metrics), Path(checkpoint))


def settings_from_config(training: Mapping[str, Any], stage: str) -> TrainSettings:
    """TrainSettings of `stage` ("pretrain" or "finetune") from the config's `training` section.

    The adversarial game runs only when its weight a2 is not 0 (no idle discriminator steps).
    """
    part = training[stage]
    weights = LossWeights(**training["loss_weights"])
    return TrainSettings(
        epochs=part["epochs"],
        batch_size=part["batch_size"],
        lr_generator=part["lr_generator"],
        lr_discriminator=part["lr_discriminator"],
        patience=part["patience"],
        weights=weights,
        seed=training["seed"],
        device=training["device"],
        bf16=training["bf16"],
        channels_last=training["channels_last"],
        adversarial=weights.a2 != 0,
        symmetric_adversarial=training["adversarial_loss"] == "symmetric",
        warmup_epochs=part["warmup_epochs"],
        tv_reduction=training["tv_reduction"],
        vgg_input=training["vgg_input"],
    )


def load_vgg(
    path: str | PathLike | None, b2: float, vgg_input: str = "imagenet"
) -> VGG16Features | None:
    """The frozen VGG16 features of the perceptual loss, or None when its weight b2 is 0;
    `vgg_input` "raw" feeds the fields as they are (the authors), "imagenet" normalised."""
    if b2 == 0:
        return None
    if path is None or not Path(path).is_file():
        raise InputError(
            path or "vgg.path",
            f"VGG16 weights file missing while the perceptual loss weight b2 is {b2}",
            "the file from the vgg16_weights rule (vgg.provider url or local), "
            "or loss_weights.b2: 0",
        )
    return VGG16Features.from_state_dict_file(path, normalise=vgg_input == "imagenet")


def _scores(
    generator: torch.nn.Module, data: TrainingData, device: torch.device, scale: int
) -> dict:
    """Test metrics of the generator and, on the same months, of the plain ensemble mean
    (interpolated bilinearly to the target grid when the inputs are `scale` times coarser)."""
    baseline = EnsembleMean(data.y.shape[1], scale)
    return {
        "generator": evaluate(generator, data, data.test, device),
        "ensemble_mean": evaluate(baseline, data, data.test, device),
    }


def _finish(
    result: TrainResult,
    generator: torch.nn.Module,
    data: TrainingData,
    settings: TrainSettings,
    files: JobFiles,
    meta: Mapping[str, Any],
    guard: Guard,
    job: str,
    scale: int = 1,
    inherited: Sequence[str] = (),
) -> dict:
    """Judge the best epoch by the collapse guard (adding `inherited` problems, those of a
    pretrained body), then save the best weights with their metadata and the verdict, and
    write the test metrics JSON; return them. A failed verdict under "error" saves nothing."""
    verdict = guard.verdict(result.history, result.best_epoch)
    verdict["problems"] += list(inherited)
    verdict["passed"] = not verdict["problems"]
    guard.enforce(verdict, job)
    meta = {**meta, "guard": verdict}
    generator.load_state_dict(result.best_state)
    save_generator(generator, files.weights, result.best_state, **meta)
    metrics = {
        **meta,
        "best_epoch": result.best_epoch,
        "best_val_rmse": result.best_val_rmse,
        "epochs_run": result.epochs_run,
        "stopped_early": result.stopped_early,
        "settings": asdict(settings),
        "test": _scores(generator, data, resolve_device(settings.device), scale),
    }
    with atomic_path(files.metrics) as tmp:
        tmp.write_text(json.dumps(metrics, indent=1, default=float))
    test = metrics["test"]
    log.info(
        "test RMSE: generator %.4f, ensemble mean %.4f (best epoch %d of %d)",
        test["generator"]["overall"]["rmse"],
        test["ensemble_mean"]["overall"]["rmse"],
        result.best_epoch,
        result.epochs_run,
    )
    return metrics


def input_statistics(data: TrainingData) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel mean and standard deviation of the inputs over the training months and the
    region's cells (float64 sums, one channel at a time, so no copy of the whole stack)."""
    rows = [
        data.x[data.train, channel][:, data.mask].double() for channel in range(data.x.shape[1])
    ]
    return (
        torch.stack([row.mean() for row in rows]).float(),
        torch.stack([row.std() for row in rows]).float(),
    )


def _residual(value: str) -> bool:
    """Whether the generator adds to the ensemble mean (`training.network.residual`)."""
    flags = {name: flag for flag, name in RESIDUALS.items()}
    if value not in flags:
        raise InputError(
            "training.network.residual", f"unknown value {value!r}", " or ".join(flags)
        )
    return flags[value]


def _standardise(generator: UNetGenerator, data: TrainingData, input_norm: str) -> None:
    """Standardise the generator's inputs by the training months' statistics, or not."""
    if input_norm not in INPUT_NORMS:
        raise InputError(
            "training.network.input_norm", f"unknown value {input_norm!r}", " or ".join(INPUT_NORMS)
        )
    if input_norm == "standardise":
        mean, std = input_statistics(data)
        if (std <= 0).any():
            raise InputError(
                "training.network.input_norm",
                "an input model is constant over the training months and the region",
                "models that vary",
            )
        generator.standardise_inputs(mean, std)
        log.info(
            "inputs standardised per model: means %s, deviations %s",
            np.round(mean.numpy(), 4).tolist(),
            np.round(std.numpy(), 4).tolist(),
        )


def _start(generator: UNetGenerator, data: TrainingData, head_bias: str) -> None:
    """Optionally start the head at the training targets' per-layer mean inside the region."""
    if head_bias not in HEAD_BIAS:
        raise InputError(
            "training.network.head_bias", f"unknown value {head_bias!r}", " or ".join(HEAD_BIAS)
        )
    if head_bias == "target_mean":
        y = data.y[data.train]
        inputs = data.x[data.train].mean(dim=1)[:, data.mask] if generator.residual else None
        generator.start_at_mean(
            torch.nanmean(y.transpose(0, 1).flatten(1), dim=1),
            None if inputs is None else inputs.mean(),
        )


def training_hash(
    network: Mapping[str, Any],
    settings: TrainSettings,
    folds: Mapping[str, Any],
    pretrained: str | PathLike,
) -> str:
    """SHA-256 of what every fold of one ensemble shares: network, settings, fold scheme and the
    pretrained weights; the product refuses folds whose hashes differ."""
    digest = hashlib.sha256(
        json.dumps(
            {"network": dict(network), "settings": asdict(settings), "folds": dict(folds)},
            sort_keys=True,
            default=str,
        ).encode()
    )
    digest.update(Path(pretrained).read_bytes())
    return digest.hexdigest()


def _indices(values: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.asarray(values, dtype=np.int64))


def _months(times: np.ndarray, indices: np.ndarray) -> list[str]:
    return [str(t)[:7] for t in times[indices]]


def pretrain(
    model_files: Mapping[str, str | PathLike],
    models: Sequence[str],
    era5land: str | PathLike,
    regions: str | PathLike,
    region: str,
    splits: Mapping[str, Sequence[int]],
    network: Mapping[str, int],
    settings: TrainSettings,
    vgg_path: str | PathLike | None,
    files: JobFiles,
    guard: Guard = DEFAULT_GUARD,
) -> dict:
    """Train the generator on ERA5-Land's 3 layers; `splits` holds train/val/test year ranges.

    With `network["input_norm"]` "standardise" the inputs are standardised per model by the
    training months' statistics, which the saved generator keeps for fine-tuning and inference.
    """
    vgg = load_vgg(vgg_path, settings.weights.b2, settings.vgg_input)
    mask = load_mask(regions, region)
    x = split_months(stack_models(model_files, models, mask), splits, "training.pretrain")
    data = _year_split_data(x, load_target(era5land, x.time.values, mask), mask, splits)
    n_layers = data.y.shape[1]
    torch.manual_seed(settings.seed)
    generator = UNetGenerator(
        len(models),
        n_layers,
        network["base_channels"],
        network["depth"],
        residual=_residual(network["residual"]),
        pad_larger_first=network["pad_first"] == "larger",
    )
    _standardise(generator, data, network["input_norm"])
    _start(generator, data, network["head_bias"])
    discriminator = Discriminator(n_layers, network["discriminator_channels"])
    result = train(
        generator,
        discriminator,
        data,
        settings,
        checkpoint=files.checkpoint,
        history_csv=files.history,
        vgg=vgg,
        label="pretrain",
    )
    meta = {
        "stage": "pretrain",
        "models": list(models),
        "region": region,
        "input_norm": network["input_norm"],
        "splits": {k: list(v) for k, v in splits.items()},
    }
    return _finish(result, generator, data, settings, files, meta, guard, "pretrain")


def split_months(x: xr.DataArray, splits: Mapping[str, Sequence[int]], key: str) -> xr.DataArray:
    """The months of `x` in the train, val or test years; refuses a split without months."""
    for name in ("train", "val", "test"):
        if year_indices(x.time.values, *splits[name]).size == 0:
            raise InputError(
                key,
                f"no months of the CMIP6 inputs fall in the {name} years {list(splits[name])}",
                f"years within {_months(x.time.values, np.array([0, -1]))}",
            )
    return x.isel(
        time=np.unique(
            np.concatenate(
                [year_indices(x.time.values, *splits[name]) for name in ("train", "val", "test")]
            )
        )
    )


def _year_split_data(
    x: xr.DataArray, y: np.ndarray, mask: xr.DataArray, splits: Mapping[str, Sequence[int]]
) -> TrainingData:
    """Training data whose train/val/test parts are the months of the splits' year ranges."""
    times = x.time.values
    parts = {name: year_indices(times, *splits[name]) for name in ("train", "val", "test")}
    return TrainingData(
        x=torch.from_numpy(x.values.astype(np.float32)),
        y=torch.from_numpy(y),
        mask=torch.from_numpy(mask.values),
        **{name: _indices(part) for name, part in parts.items()},
    )


def nested_scale(coarse: xr.DataArray, mask: xr.DataArray, source: str | PathLike) -> int:
    """The factor by which the target grid (the mask's) refines the input grid; refuses grids
    that do not nest (every input cell exactly `scale` x `scale` target cells)."""
    factors = {dim: mask[dim].size / coarse[dim].size for dim in ("lat", "lon")}
    scale = int(round(factors["lat"]))
    nests = scale >= 1 and all(f == scale for f in factors.values())
    for dim in ("lat", "lon"):
        if nests:
            blocks = mask[dim].values.reshape(-1, scale).mean(axis=1)
            nests = bool(np.allclose(blocks, coarse[dim].values, rtol=0, atol=1e-6))
    if not nests:
        raise InputError(
            source,
            f"a {coarse['lat'].size} x {coarse['lon'].size} input grid",
            f"an input grid whose cells each hold k x k cells of the "
            f"{mask['lat'].size} x {mask['lon'].size} target grid (input_grid)",
        )
    return scale


def ynet_settings(training: Mapping[str, Any]) -> TrainSettings:
    """TrainSettings of the YNet from the config's `training` section: the masked MSE alone,
    no discriminator, Adam at one rate, its own schedule."""
    part = training["ynet"]
    return TrainSettings(
        epochs=part["epochs"],
        batch_size=part["batch_size"],
        lr_generator=part["lr"],
        lr_discriminator=part["lr"],
        patience=part["patience"],
        weights=LossWeights(b1=1.0, b2=0.0, a1=1.0, a2=0.0, a3=0.0, a4=0.0),
        seed=training["seed"],
        device=training["device"],
        bf16=training["bf16"],
        channels_last=training["channels_last"],
        adversarial=False,
        lr_schedule=part["lr_schedule"],
    )


STATIC_FIELDS = ("land_sea", "region")


def static_field(
    kind: str, era5land: str | PathLike, layer: int, mask: xr.DataArray
) -> xr.DataArray:
    """The YNet's static auxiliary field: ERA5-Land's land-sea mask (`land_sea`: the study's
    "land mask") or the region's outline (`region`, whose land borders carry no physics)."""
    if kind == "land_sea":
        return land_cells(era5land, layer, mask)
    if kind == "region":
        return mask
    raise InputError(
        "training.ynet.static_field", f"unknown value {kind!r}", " or ".join(STATIC_FIELDS)
    )


def train_ynet(
    model_files: Mapping[str, str | PathLike],
    models: Sequence[str],
    era5land: str | PathLike,
    regions: str | PathLike,
    region: str,
    ynet: Mapping[str, Any],
    settings: TrainSettings,
    files: JobFiles,
    guard: Guard = DEFAULT_GUARD,
) -> dict:
    """Train the YNet from the coarse model fields to ERA5-Land's layer on the target grid, the
    region mask being the loss mask. `ynet` is the config's `training.ynet` (network, static
    field, target layer and year splits)."""
    splits = {k: ynet[f"{k}_years"] for k in ("train", "val", "test")}
    target_layer = ynet["target_layer"]
    mask = load_mask(regions, region)
    x = stack_models(model_files, models)
    scale = nested_scale(x, mask, model_files[models[0]])
    x = split_months(x, splits, "training.ynet")
    y = load_target(era5land, x.time.values, mask)
    if not 1 <= target_layer <= y.shape[1]:
        raise InputError(
            era5land, f"{y.shape[1]} layers", f"layer training.ynet.target_layer = {target_layer}"
        )
    data = _year_split_data(x, y[:, target_layer - 1 : target_layer], mask, splits)
    aux = static_field(ynet["static_field"], era5land, target_layer, mask)
    torch.manual_seed(settings.seed)
    generator = StaticFieldsYNet.with_fields(
        torch.from_numpy(aux.values.astype(np.float32))[None],
        in_channels=len(models),
        out_channels=1,
        scale=scale,
        features=ynet["features"],
        pairs=ynet["pairs"],
        dropout=ynet["dropout"],
        upsampling=ynet["upsampling"],
    )
    result = train(
        generator,
        None,
        data,
        settings,
        checkpoint=files.checkpoint,
        history_csv=files.history,
        label="YNet",
    )
    meta = {
        "stage": "ynet",
        "models": list(models),
        "region": region,
        "target_layer": target_layer,
        "splits": {k: list(v) for k, v in splits.items()},
    }
    return _finish(result, generator, data, settings, files, meta, guard, "train_ynet", scale)


def _insitu(
    path: str | PathLike | None,
    times: np.ndarray,
    mask: xr.DataArray,
    y: np.ndarray,
    reference: str,
    test: np.ndarray,
) -> tuple[torch.Tensor | None, torch.Tensor | None]:
    """S and P for eq. 9: the forest grid S (paper) or the target itself (authors' code).

    Grids fitted without some months (per-fold grids) must have left out exactly this fold's
    test months: grids of another fold would train on this fold's test years.
    """
    if path is None:
        return None, None
    if reference not in INSITU_REFERENCES:
        raise InputError(
            "training.finetune.insitu_reference",
            f"unknown value {reference!r}",
            " or ".join(INSITU_REFERENCES),
        )
    with xr.open_dataset(path) as ds:
        held_out = ds.attrs.get("held_out_months", "")
    expected = _months(times, test)
    if held_out and held_out.split(",") != expected:
        raise InputError(
            path,
            f"grids fitted without months {held_out[:7]}..{held_out[-7:]}",
            f"the grids of this fold, fitted without its test months {expected[0]}..{expected[-1]}",
        )
    p = load_target(path, times, mask, "insitu_prob")
    s = load_target(path, times, mask, "insitu_sm") if reference == "forest" else y
    return torch.from_numpy(s), torch.from_numpy(p)


def finetune(
    model_files: Mapping[str, str | PathLike],
    models: Sequence[str],
    amsmqtp: str | PathLike,
    insitu: str | PathLike | None,
    regions: str | PathLike,
    region: str,
    pretrained: str | PathLike,
    fold: int,
    folds: Mapping[str, Any],
    network: Mapping[str, Any],
    settings: TrainSettings,
    vgg_path: str | PathLike | None,
    files: JobFiles,
    guard: Guard = DEFAULT_GUARD,
) -> dict:
    """Fine-tune fold `fold` on the reference's L layers (`amsmqtp`, the prepared file: AMSMQTP's
    5 in the paper), early stopping on an inner validation split.

    `folds` holds years, n_folds, scheme, val_fraction, split_seed and insitu_reference; the
    generator is the pretrained one (its body) with a fresh L-layer head.
    """
    vgg = load_vgg(vgg_path, settings.weights.b2, settings.vgg_input)
    body, body_meta = load_generator(pretrained)
    built = {
        **body.architecture,
        "input_norm": body_meta.get("input_norm", "none"),
        "residual": RESIDUALS[body.architecture.get("residual", False)],
    }
    for key in ("base_channels", "depth", "input_norm", "residual"):
        if built[key] != network[key]:
            raise InputError(
                pretrained,
                f"{key} is {built[key]}",
                f"training.network.{key} = {network[key]} (pretrain again)",
            )
    mask = load_mask(regions, region)
    x = stack_models(model_files, models, mask)
    x = x.isel(time=year_indices(x.time.values, *folds["years"]))
    times = x.time.values
    y = load_target(amsmqtp, times, mask)
    tests = fold_indices(times, folds["n_folds"], folds["scheme"], folds["split_seed"])
    if not 0 <= fold < len(tests):
        raise InputError(
            "training.finetune.n_folds", f"fold {fold} does not exist", f"0..{len(tests) - 1}"
        )
    test = tests[fold]
    fit, val = inner_split(
        np.setdiff1d(np.arange(times.size), test),
        times,
        folds["val_fraction"],
        folds["scheme"],
        folds["split_seed"],
    )
    if fit.size == 0 or val.size == 0:
        raise InputError(
            "training.finetune",
            f"fold {fold} leaves {fit.size} months to fit and {val.size} to validate",
            "more years, fewer folds or another val_fraction, so both are non-empty",
        )
    s, p = _insitu(insitu, times, mask, y, folds["insitu_reference"], test)
    if p is not None and p.shape[1] != y.shape[1]:
        raise InputError(
            insitu, f"{p.shape[1]} layers", f"the reference's {y.shape[1]} ({amsmqtp})"
        )
    data = TrainingData(
        x=torch.from_numpy(x.values.astype(np.float32)),
        y=torch.from_numpy(y),
        mask=torch.from_numpy(mask.values),
        train=_indices(fit),
        val=_indices(val),
        test=_indices(test),
        s=s,
        p=p,
    )
    architecture = dict(body.architecture, out_channels=y.shape[1])
    torch.manual_seed(settings.seed + 1 + fold)
    generator = UNetGenerator(**architecture)
    generator.load_pretrained_body(body.state_dict())
    _start(generator, data, network["head_bias"])
    discriminator = Discriminator(y.shape[1], network["discriminator_channels"])
    result = train(
        generator,
        discriminator,
        data,
        settings,
        checkpoint=files.checkpoint,
        history_csv=files.history,
        vgg=vgg,
        label=f"finetune fold {fold}",
    )
    meta = {
        "stage": "finetune",
        "fold": fold,
        "models": list(models),
        "region": region,
        "training_hash": training_hash(network, settings, folds, pretrained),
        "scheme": folds["scheme"],
        "insitu_reference": folds["insitu_reference"],
        "test_months": _months(times, test),
        "validation_months": _months(times, val),
    }
    inherited = (
        []
        if body_meta.get("guard", {}).get("passed", True)
        else [f"its pretrained body ({pretrained}) failed the guard"]
    )
    return _finish(
        result,
        generator,
        data,
        settings,
        files,
        meta,
        guard,
        f"finetune fold {fold}",
        inherited=inherited,
    )
