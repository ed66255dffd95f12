"""The pretrain and finetune jobs on small prepared files: outputs, folds, and bad input."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch
import xarray as xr

from smdown.errors import InputError, TrainingFailed
from smdown.nn.saved import load_generator, save_generator
from smdown.training.guard import Guard
from smdown.training.loop import TrainSettings
from smdown.training.report import fold_table
from smdown.training.run import (
    JobFiles,
    finetune,
    pretrain,
    settings_from_config,
    training_hash,
)

MODELS = ["A", "B", "C"]
MONTHS = np.arange("2000-01", "2005-01", dtype="datetime64[M]").astype("datetime64[ns]")
LAT = np.round(np.arange(31.05, 32.2, 0.1), 2)  # 12
LON = np.round(np.arange(89.05, 91.0, 0.1), 2)  # 20
NETWORK = {
    "base_channels": 4,
    "depth": 2,
    "discriminator_channels": 4,
    "head_bias": "target_mean",
    "input_norm": "standardise",
    "residual": "ensemble_mean",
    "pad_first": "smaller",
}
SPLITS = {"train": [2000, 2002], "val": [2003, 2003], "test": [2004, 2004]}
FOLDS = {
    "years": [2000, 2004],
    "n_folds": 5,
    "scheme": "year_blocked",
    "val_fraction": 0.25,
    "split_seed": 0,
    "insitu_reference": "forest",
}
# two epochs of a 4-channel network learn too little for the collapse guard, which these tests
# do not exercise (test_guard.py does): it only warns
LENIENT = Guard("warn")
SETTINGS = TrainSettings(
    epochs=2,
    batch_size=8,
    lr_generator=5e-3,
    lr_discriminator=1e-3,
    device="cpu",
    weights=replace(TrainSettings().weights, b2=0.0),
)


def _truth(n_layers: int) -> np.ndarray:
    """A smooth seasonal field per layer, damped with depth."""
    month = MONTHS.astype("datetime64[M]").astype(int) % 12
    season = 0.05 * np.sin(2 * np.pi * month / 12)[:, None, None, None]
    space = 0.2 + 0.1 * np.add.outer(np.linspace(0, 1, LAT.size), np.linspace(0, 1, LON.size))
    damping = np.linspace(1, 0.6, n_layers)[None, :, None, None]
    return (space[None, None] + season * damping).astype(np.float32)


def _write(path, name, values, lon=LON, dims=("time", "layer", "lat", "lon")):
    coords = {"time": MONTHS, "lat": LAT, "lon": lon}
    if "layer" in dims:
        coords["layer"] = np.arange(1, values.shape[1] + 1)
    xr.Dataset({name: (dims, values)}, coords=coords).to_netcdf(path)
    return path


@pytest.fixture
def prepared(tmp_path):
    """Three model files, ERA5-Land (3 layers), AMSMQTP (5), in-situ grids and a region mask."""
    mask = np.ones((LAT.size, LON.size), dtype=bool)
    mask[:3, :4] = False
    rng = np.random.default_rng(0)
    files = {"models": {}}
    for i, model in enumerate(MODELS):
        values = (
            _truth(1)[:, 0]
            + 0.02 * (i - 1)
            + 0.01 * rng.standard_normal((MONTHS.size, LAT.size, LON.size)).astype(np.float32)
        )
        values[:, ~mask] = np.nan
        files["models"][model] = _write(
            tmp_path / f"{model}.nc", "mrsos", values, dims=("time", "lat", "lon")
        )
    files["era5land"] = _write(tmp_path / "era5land.nc", "sm", _truth(3))
    files["amsmqtp"] = _write(tmp_path / "amsmqtp.nc", "sm", _truth(5))
    xr.Dataset(
        {
            "insitu_sm": (("time", "layer", "lat", "lon"), _truth(5) + 0.01),
            "insitu_prob": (
                ("time", "layer", "lat", "lon"),
                np.full((MONTHS.size, 5, LAT.size, LON.size), 0.5, np.float32),
            ),
        },
        coords={"time": MONTHS, "layer": np.arange(1, 6), "lat": LAT, "lon": LON},
    ).to_netcdf(tmp_path / "insitu.nc")
    files["insitu"] = tmp_path / "insitu.nc"
    xr.Dataset(
        {"mask": (("region", "lat", "lon"), mask[None].astype(np.int8))},
        coords={"region": ["R"], "lat": LAT, "lon": LON},
    ).to_netcdf(tmp_path / "regions.nc")
    files["regions"] = tmp_path / "regions.nc"
    return files


def _files(folder) -> JobFiles:
    return JobFiles.of(
        folder / "generator.pt",
        folder / "history.csv",
        folder / "test_metrics.json",
        folder / "checkpoint.pt",
    )


def _pretrain(prepared, out, settings=SETTINGS, vgg_path=None, **changes):
    args = dict(
        model_files=prepared["models"],
        models=MODELS,
        era5land=prepared["era5land"],
        regions=prepared["regions"],
        region="R",
        splits=SPLITS,
        network=NETWORK,
        settings=settings,
        vgg_path=vgg_path,
        files=_files(out),
        guard=LENIENT,
    )
    return pretrain(**{**args, **changes})


def _finetune(prepared, out, pretrained, fold=1, settings=SETTINGS, **changes):
    args = dict(
        model_files=prepared["models"],
        models=MODELS,
        amsmqtp=prepared["amsmqtp"],
        insitu=prepared["insitu"],
        regions=prepared["regions"],
        region="R",
        pretrained=pretrained,
        fold=fold,
        folds=FOLDS,
        network=NETWORK,
        settings=settings,
        vgg_path=None,
        files=_files(out),
        guard=LENIENT,
    )
    return finetune(**{**args, **changes})


def test_pretrain_then_finetune_one_fold(prepared, tmp_path):
    metrics = _pretrain(prepared, tmp_path / "pre")
    generator, meta = load_generator(tmp_path / "pre" / "generator.pt")
    assert generator.architecture == {
        "in_channels": 3,
        "out_channels": 3,
        "base_channels": 4,
        "depth": 2,
        "residual": True,
        "pad_larger_first": False,
    }
    assert meta["stage"] == "pretrain" and meta["splits"] == SPLITS
    assert len(pd.read_csv(tmp_path / "pre" / "history.csv")) == 2
    written = json.loads((tmp_path / "pre" / "test_metrics.json").read_text())
    assert written["test"]["generator"]["overall"]["rmse"] == pytest.approx(
        metrics["test"]["generator"]["overall"]["rmse"]
    )
    assert written["best_epoch"] == metrics["best_epoch"] and written["settings"]["epochs"] == 2
    assert len(metrics["test"]["generator"]["layers"]) == 3

    tuned = _finetune(prepared, tmp_path / "fold1", tmp_path / "pre" / "generator.pt")
    assert tuned["test_months"] == [f"2001-{m:02d}" for m in range(1, 13)]
    assert tuned["validation_months"][0] == "2004-01" and len(tuned["validation_months"]) == 12
    assert len(tuned["test"]["ensemble_mean"]["layers"]) == 5
    history = pd.read_csv(tmp_path / "fold1" / "history.csv")
    assert (history[["mse", "adv", "insitu", "tv", "d_loss"]] > 0).all().all()
    assert history["vgg"].isna().all()  # b2 = 0: no VGG network at all
    five, _ = load_generator(tmp_path / "fold1" / "generator.pt")
    body = {k: v for k, v in generator.state_dict().items() if not k.startswith("head.")}
    assert five.architecture["out_channels"] == 5
    assert five.state_dict()["encoders.0.0.weight"].shape == body["encoders.0.0.weight"].shape


def test_insitu_reference_of_the_authors_code_is_an_option(prepared, tmp_path):
    _pretrain(prepared, tmp_path / "pre")
    pretrained = tmp_path / "pre" / "generator.pt"
    forest = _finetune(prepared, tmp_path / "forest", pretrained)
    target = _finetune(
        prepared, tmp_path / "target", pretrained, folds={**FOLDS, "insitu_reference": "target"}
    )
    assert target["insitu_reference"] == "target"
    assert forest["best_val_rmse"] != target["best_val_rmse"]
    with pytest.raises(InputError, match="insitu_reference"):
        _finetune(prepared, tmp_path / "bad", pretrained, folds={**FOLDS, "insitu_reference": "x"})


def _nothing_written(folder) -> bool:
    return not folder.exists() or not any(folder.iterdir())


def test_nan_inside_the_region_is_refused_naming_the_file(prepared, tmp_path):
    with xr.open_dataset(prepared["models"]["B"]) as ds:
        values = ds["mrsos"].values.copy()
    values[7, 6, 10] = np.nan
    _write(prepared["models"]["B"], "mrsos", values, dims=("time", "lat", "lon"))
    with pytest.raises(InputError, match="1 missing values of 'mrsos' inside the region") as err:
        _pretrain(prepared, tmp_path / "out")
    assert "B.nc" in str(err.value) and "2000-08" in str(err.value)
    assert _nothing_written(tmp_path / "out")


def test_nan_in_the_target_is_refused(prepared, tmp_path):
    values = _truth(3)
    values[30, 2, 5, 5] = np.nan
    _write(prepared["era5land"], "sm", values)
    with pytest.raises(InputError, match="era5land.nc: 1 missing values of 'sm'"):
        _pretrain(prepared, tmp_path / "out")
    assert _nothing_written(tmp_path / "out")


def test_grids_that_do_not_match_are_refused(prepared, tmp_path):
    _write(prepared["amsmqtp"], "sm", _truth(5), lon=LON + 0.05)
    _pretrain(prepared, tmp_path / "pre")
    with pytest.raises(InputError, match="amsmqtp.nc: lon has 20 values") as err:
        _finetune(prepared, tmp_path / "fold", tmp_path / "pre" / "generator.pt")
    assert "target grid" in str(err.value)
    assert _nothing_written(tmp_path / "fold")


def test_missing_vgg_weights_refused_unless_b2_is_zero(prepared, tmp_path):
    with_vgg = replace(SETTINGS, weights=TrainSettings().weights)
    with pytest.raises(InputError, match="VGG16 weights file missing") as err:
        _pretrain(prepared, tmp_path / "out", with_vgg, vgg_path=tmp_path / "vgg16.pth")
    assert "vgg16.pth" in str(err.value) and "b2: 0" in str(err.value)
    assert _nothing_written(tmp_path / "out")


def test_pretrained_network_must_match_the_config(prepared, tmp_path):
    _pretrain(prepared, tmp_path / "pre")
    with pytest.raises(InputError, match="base_channels is 4"):
        _finetune(
            prepared,
            tmp_path / "fold",
            tmp_path / "pre" / "generator.pt",
            network={**NETWORK, "base_channels": 8},
        )


def test_settings_from_config():
    training = {
        "loss_weights": {"b1": 1, "b2": 0, "a1": 1, "a2": 0, "a3": 0.01, "a4": 4e-8},
        "seed": 3,
        "device": "cpu",
        "bf16": False,
        "channels_last": False,
        "adversarial_loss": "symmetric",
        "tv_reduction": "mean",
        "vgg_input": "raw",
        "finetune": {
            "epochs": 7,
            "batch_size": 4,
            "lr_generator": 1e-4,
            "lr_discriminator": 1e-6,
            "patience": 2,
            "warmup_epochs": 1,
        },
    }
    settings = settings_from_config(training, "finetune")
    assert (settings.epochs, settings.batch_size, settings.patience, settings.seed) == (7, 4, 2, 3)
    assert settings.warmup_epochs == 1
    assert not settings.adversarial  # a2 = 0: no discriminator steps
    assert settings.symmetric_adversarial
    assert settings.weights.a3 == 0.01
    assert (settings.tv_reduction, settings.vgg_input) == ("mean", "raw")


def test_finetune_years_must_be_present(prepared, tmp_path):
    _pretrain(prepared, tmp_path / "pre")
    bad = {**SPLITS, "test": [2010, 2012]}
    with pytest.raises(InputError, match="test years"):
        _pretrain(prepared, tmp_path / "other", splits=bad)
    assert torch.load(tmp_path / "pre" / "generator.pt", weights_only=True)["meta"]["region"] == "R"


def test_fold_table_pools_by_test_months():
    def fold(k, months, rmse, bias):
        scores = {"rmse": rmse, "mae": rmse, "bias": bias, "r": 0.5}
        both = {"overall": scores, "layers": [scores, scores]}
        return {
            "fold": k,
            "test_months": ["2000-01"] * months,
            "test": {"generator": both, "ensemble_mean": {**both}},
        }

    table = fold_table([fold(0, 10, 0.1, 0.0), fold(1, 30, 0.2, 0.4)])
    assert len(table) == 9 and list(table["layer"][:3]) == ["all", "1", "2"]
    pooled = table[(table["fold"] == "all") & (table["layer"] == "all")].iloc[0]
    assert pooled["months"] == 40
    assert pooled["rmse_generator"] == pytest.approx(np.sqrt((10 * 0.01 + 30 * 0.04) / 40))
    assert pooled["bias_ensemble_mean"] == pytest.approx(0.3)
    assert np.isnan(pooled["r_generator"])
    assert (table["guard"] == "passed").all()  # folds written before the guard count as passed
    warned = {**fold(1, 30, 0.2, 0.4), "guard": {"passed": False, "problems": ["p", "q"]}}
    table = fold_table([fold(0, 10, 0.1, 0.0), warned]).set_index(["fold", "layer"])["guard"]
    assert table[("0", "all")] == "passed" and table[("1", "2")] == "FAILED: p; q"
    assert table[("all", "1")] == "FAILED in folds 1"


def test_fold_without_months_to_fit_is_refused(prepared, tmp_path):
    _pretrain(prepared, tmp_path / "pre")
    with pytest.raises(InputError, match="leaves 0 months to fit"):
        _finetune(
            prepared,
            tmp_path / "fold",
            tmp_path / "pre" / "generator.pt",
            folds={**FOLDS, "years": [2003, 2004], "n_folds": 2, "val_fraction": 0.5},
        )


PLAIN = {**NETWORK, "residual": "none"}  # the paper's head: a dead network is one constant


def test_a_collapsed_pretraining_stops_and_saves_nothing(prepared, tmp_path):
    """A rate of 0.15 kills every ReLU within an epoch: the output is one constant field."""
    killing = replace(SETTINGS, lr_generator=0.15, epochs=6)
    with pytest.raises(TrainingFailed) as failure:
        _pretrain(prepared, tmp_path / "pre", settings=killing, guard=Guard("error"), network=PLAIN)
    message = str(failure.value)
    assert message.startswith("pretrain: the kept network")
    assert "of the target's (at least 0.25 expected): a near-constant field" in message
    assert not (tmp_path / "pre" / "generator.pt").exists()
    assert not (tmp_path / "pre" / "test_metrics.json").exists()
    history = pd.read_csv(tmp_path / "pre" / "history.csv")  # the epochs stay for diagnosis
    assert (history["val_spatial_std_ratio"] < 0.01).all()


def test_a_killed_residual_network_gives_back_the_ensemble_mean(prepared, tmp_path):
    killing = replace(SETTINGS, lr_generator=0.15, epochs=6)
    with pytest.raises(TrainingFailed) as failure:
        _pretrain(prepared, tmp_path / "pre", settings=killing, guard=Guard("error"))
    assert "is not below the ensemble mean's" in str(failure.value)
    assert "near-constant" not in str(failure.value)
    history = pd.read_csv(tmp_path / "pre" / "history.csv")
    assert (history["val_spatial_std_ratio"] > 0.5).all()  # the models' pattern survives


def test_a_collapsed_fold_stops_naming_it_and_warn_keeps_it_marked(prepared, tmp_path):
    _pretrain(prepared, tmp_path / "pre", network=PLAIN)
    pretrained = tmp_path / "pre" / "generator.pt"
    killing = replace(SETTINGS, lr_generator=0.15, epochs=6)
    with pytest.raises(TrainingFailed, match="^finetune fold 2: the kept network"):
        _finetune(
            prepared,
            tmp_path / "fold2",
            pretrained,
            fold=2,
            settings=killing,
            guard=Guard("error"),
            network=PLAIN,
        )
    assert not (tmp_path / "fold2" / "generator.pt").exists()
    kept = _finetune(
        prepared,
        tmp_path / "fold2",
        pretrained,
        fold=2,
        settings=killing,
        guard=Guard("warn"),
        network=PLAIN,
    )  # its finished checkpoint, judged again
    assert not kept["guard"]["passed"] and kept["epochs_run"] == killing.epochs
    _, meta = load_generator(tmp_path / "fold2" / "generator.pt")
    assert meta["guard"] == kept["guard"]
    row = fold_table([kept]).iloc[0]
    assert row["guard"].startswith("FAILED: ") and "near-constant" in row["guard"]


def test_a_fold_inherits_a_failed_pretraining(prepared, tmp_path):
    killing = replace(SETTINGS, lr_generator=0.15, epochs=6)
    _pretrain(prepared, tmp_path / "pre", settings=killing)  # warned, kept
    tuned = _finetune(
        prepared,
        tmp_path / "fold",
        tmp_path / "pre" / "generator.pt",
        settings=replace(SETTINGS, epochs=8, lr_generator=1e-2),
        guard=Guard("warn", min_spatial_std_ratio=0.0),
    )
    assert "its pretrained body" in " ".join(tuned["guard"]["problems"])


def test_inputs_are_standardised_by_the_training_months_and_kept(prepared, tmp_path):
    _pretrain(prepared, tmp_path / "pre")
    generator, meta = load_generator(tmp_path / "pre" / "generator.pt")
    assert meta["input_norm"] == "standardise"
    with (
        xr.open_dataset(prepared["models"]["B"]) as ds,
        xr.open_dataset(prepared["regions"]) as regions,
    ):
        inside = (
            ds["mrsos"]
            .sel(time=slice("2000", "2002"))
            .values[:, regions["mask"].values[0].astype(bool)]
        )
    assert generator.input_mean[1].item() == pytest.approx(float(inside.mean()), rel=1e-5)
    assert generator.input_std[1].item() == pytest.approx(float(inside.std(ddof=1)), rel=1e-4)
    _finetune(prepared, tmp_path / "fold", tmp_path / "pre" / "generator.pt")
    tuned, _ = load_generator(tmp_path / "fold" / "generator.pt")
    assert torch.equal(tuned.input_mean, generator.input_mean)  # the body's statistics
    assert torch.equal(tuned.input_std, generator.input_std)
    raw = _pretrain(prepared, tmp_path / "raw", network={**NETWORK, "input_norm": "none"})
    assert raw["input_norm"] == "none"
    with pytest.raises(InputError, match="input_norm is standardise"):
        _finetune(
            prepared,
            tmp_path / "mixed",
            tmp_path / "pre" / "generator.pt",
            network={**NETWORK, "input_norm": "none"},
        )
    with pytest.raises(InputError, match="training.network.input_norm"):
        _pretrain(prepared, tmp_path / "bad", network={**NETWORK, "input_norm": "minmax"})
    with pytest.raises(InputError, match="residual is ensemble_mean"):
        _finetune(prepared, tmp_path / "plain", tmp_path / "pre" / "generator.pt", network=PLAIN)
    with pytest.raises(InputError, match="training.network.residual"):
        _pretrain(prepared, tmp_path / "bad", network={**NETWORK, "residual": "yes"})


def test_the_folds_training_hash_covers_the_recipe_and_the_pretrained_statistics(
    prepared, tmp_path
):
    _pretrain(prepared, tmp_path / "pre")
    pretrained = tmp_path / "pre" / "generator.pt"
    base = training_hash(NETWORK, SETTINGS, FOLDS, pretrained)
    assert training_hash({**NETWORK, "input_norm": "none"}, SETTINGS, FOLDS, pretrained) != base
    assert training_hash({**NETWORK, "residual": "none"}, SETTINGS, FOLDS, pretrained) != base
    assert training_hash(NETWORK, replace(SETTINGS, warmup_epochs=1), FOLDS, pretrained) != base
    generator, meta = load_generator(pretrained)
    generator.standardise_inputs(generator.input_mean + 0.01, generator.input_std)
    save_generator(generator, tmp_path / "other.pt", **meta)  # other statistics, same weights
    assert training_hash(NETWORK, SETTINGS, FOLDS, tmp_path / "other.pt") != base


def _with_held_out(prepared, tmp_path, months: str):
    """A copy of the in-situ grids that says they were fitted without `months`."""
    grids = xr.load_dataset(prepared["insitu"])
    grids.attrs["held_out_months"] = months
    grids.to_netcdf(tmp_path / "insitu_fold.nc")
    return tmp_path / "insitu_fold.nc"


def test_per_fold_grids_must_be_blind_to_this_folds_test_months(prepared, tmp_path):
    _pretrain(prepared, tmp_path / "pre")
    pretrained = tmp_path / "pre" / "generator.pt"
    fold1 = ",".join(f"2001-{m:02d}" for m in range(1, 13))  # fold 1 of 5 over 2000-2004
    _finetune(
        prepared, tmp_path / "own", pretrained, insitu=_with_held_out(prepared, tmp_path, fold1)
    )
    other = _with_held_out(prepared, tmp_path, fold1.replace("2001", "2002"))
    with pytest.raises(InputError, match="insitu_fold.nc.*2002-01..2002-12.*2001-01..2001-12"):
        _finetune(prepared, tmp_path / "other", pretrained, insitu=other)
    assert _nothing_written(tmp_path / "other")
