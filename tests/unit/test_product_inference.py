"""Bagged inference: loading the folds (and refusing gaps or mixed configs), mean and spread,
streaming by month chunks, and out-of-fold predictions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
import xarray as xr

from smdown.errors import InputError
from smdown.nn.saved import save_generator
from smdown.nn.unet import UNetGenerator
from smdown.prepared import ModelStack
from smdown.product.evaluate import PRODUCT, oof_scores, taylor_layer
from smdown.product.inference import (
    bagged_chunks,
    bagged_predict,
    fold_of_months,
    load_folds,
    out_of_fold,
)

MODELS = ["A", "B"]
LAT = np.round(np.arange(31.05, 31.9, 0.1), 2)  # 9
LON = np.round(np.arange(89.05, 90.5, 0.1), 2)  # 15
TIMES = pd.date_range("2000-01-01", periods=10, freq="MS").values
CPU = torch.device("cpu")


def _fold(path, fold, **meta):
    torch.manual_seed(fold)
    generator = UNetGenerator(len(MODELS), 3, base_channels=2, depth=1)
    record = {
        "stage": "finetune",
        "fold": fold,
        "models": MODELS,
        "region": "R",
        "training_hash": "h",
        **meta,
    }
    save_generator(generator, path, **record)
    return generator


@pytest.fixture
def folds(tmp_path):
    paths = [tmp_path / f"fold{k}.pt" for k in range(3)]
    nets = [_fold(p, k) for k, p in enumerate(paths)]
    return paths, nets


@pytest.fixture
def stack_files(tmp_path):
    rng = np.random.default_rng(0)
    paths = {}
    for model in MODELS:
        values = rng.random((TIMES.size, LAT.size, LON.size)).astype(np.float32) * 0.4
        values[:, 0, 0] = np.nan  # outside the region
        ds = xr.Dataset(
            {"mrsos": (("time", "lat", "lon"), values)},
            coords={"time": TIMES, "lat": LAT, "lon": LON},
        )
        paths[model] = tmp_path / f"{model}.nc"
        ds.to_netcdf(paths[model])
    mask = xr.DataArray(
        np.ones((LAT.size, LON.size), bool), coords={"lat": LAT, "lon": LON}, dims=("lat", "lon")
    )
    mask[0, 0] = False
    return paths, mask


def test_bagged_mean_and_spread_are_the_folds_mean_and_std(folds, stack_files):
    paths, nets = folds
    ensemble = load_folds(paths, 3)
    x = torch.rand(4, 2, LAT.size, LON.size)
    mean, spread = bagged_predict(ensemble, x, CPU, batch_size=3)
    with torch.no_grad():
        preds = torch.stack([net.eval()(x) for net in nets]).double().numpy()
    np.testing.assert_allclose(mean, preds.mean(axis=0), atol=1e-7)
    np.testing.assert_allclose(spread, preds.std(axis=0), atol=1e-6)
    assert mean.dtype == np.float32 and mean.shape == (4, 3, LAT.size, LON.size)


def test_chunks_cover_every_month_once_and_mask_outside(folds, stack_files):
    paths, _ = folds
    files, mask = stack_files
    ensemble = load_folds(paths, 3)
    with ModelStack(files, MODELS, mask) as stack:
        whole_x = torch.from_numpy(stack.read(slice(None)))
        chunks = list(bagged_chunks(ensemble, stack, mask.values, CPU, chunk_months=4))
    assert [start for start, _, _ in chunks] == [0, 4, 8]
    mean = np.concatenate([m for _, m, _ in chunks])
    expected, _ = bagged_predict(ensemble, whole_x, CPU, batch_size=16)
    expected[..., 0, 0] = np.nan
    np.testing.assert_allclose(mean, expected, atol=1e-7)
    assert np.isnan(mean[..., 0, 0]).all() and np.isfinite(mean[..., 1:, :]).all()


def test_out_of_fold_uses_the_generator_that_held_each_month_out(tmp_path, stack_files):
    files, mask = stack_files
    months = [str(t)[:7] for t in TIMES]
    tests = [months[0:4], months[4:7], months[7:10]]
    paths = [tmp_path / f"f{k}.pt" for k in range(3)]
    nets = [_fold(p, k, test_months=tests[k]) for k, p in enumerate(paths)]
    ensemble = load_folds(paths, 3)
    owner = fold_of_months(ensemble, months)
    assert owner.tolist() == [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
    with ModelStack(files, MODELS, mask) as stack:
        x = stack.read(slice(None))
    oof = out_of_fold(ensemble, x, owner, mask.values, CPU, batch_size=2)
    with torch.no_grad():
        for k, (first, last) in enumerate([(0, 4), (4, 7), (7, 10)]):
            expected = nets[k].eval()(torch.from_numpy(x[first:last])).numpy()
            expected[..., 0, 0] = np.nan
            np.testing.assert_allclose(oof[first:last], expected, atol=1e-7)
    with pytest.raises(InputError, match="no test fold"):
        fold_of_months(ensemble, [*months, "2001-01"])
    _fold(paths[2], 2, test_months=tests[1])
    with pytest.raises(InputError, match="shared with another fold"):
        fold_of_months(load_folds(paths, 3), months)


def test_a_missing_fold_is_named(folds):
    paths, _ = folds
    with pytest.raises(InputError, match=r"missing \[1\]"):
        load_folds([paths[0], paths[2]], 3)


def test_folds_of_different_configs_are_refused(folds, tmp_path):
    paths, _ = folds
    _fold(paths[1], 1, training_hash="other")
    with pytest.raises(InputError, match="different configs"):
        load_folds(paths, 3)


def test_a_pretrained_file_is_not_a_fold(folds, tmp_path):
    paths, _ = folds
    _fold(paths[2], 2, stage="pretrain")
    with pytest.raises(InputError, match="finetune fold generator"):
        load_folds(paths, 3)


def test_inputs_must_be_the_models_the_folds_learned(folds):
    ensemble = load_folds(folds[0], 3)
    ensemble.check_models(MODELS, "x")
    with pytest.raises(InputError, match=r"missing \['B'\]"):
        ensemble.check_models(["A", "C"], "historical inputs")
    with pytest.raises(InputError, match="other order"):
        ensemble.check_models(["B", "A"], "historical inputs")


def test_folds_that_failed_the_guard_are_named_in_every_product_note(tmp_path):
    failed = {
        "passed": False,
        "problems": ["validation RMSE 0.03 is not below the ensemble mean's 0.02"],
    }
    paths = [tmp_path / f"fold{k}.pt" for k in range(3)]
    for k, path in enumerate(paths):
        _fold(path, k, guard=failed if k == 1 else {"passed": True, "problems": []})
    warning = load_folds(paths, 3).guard_warning
    assert warning.startswith("made from fine-tuned folds that failed the collapse guard")
    assert "fold 1: validation RMSE 0.03 is not below" in warning and "fold 0" not in warning
    _fold(paths[1], 1)  # files written before the guard existed count as passed
    assert load_folds(paths, 3).guard_warning == ""


def test_evaluation_tables_mark_the_product_of_warned_folds():
    rng = np.random.default_rng(1)
    layers = ("time", "layer", "lat", "lon")
    reference = rng.random((6, 2, 3, 4))
    oof = xr.Dataset(
        {
            "amsmqtp": (layers, reference),
            "unet_gan": (layers, reference + 0.01),
            "ensemble_mean": (layers, reference + 0.05),
            "mrsos": (("time", "model", "lat", "lon"), reference[:, :1] + 0.05),
        },
        coords={"model": ["A"], "layer": [1, 2]},
        attrs={"guard_warning": ""},
    )
    scores = oof_scores(oof)
    assert scores.loc[scores["predictor"] == PRODUCT, "guard"].eq("passed").all()
    assert scores.loc[scores["predictor"] != PRODUCT, "guard"].eq("").all()
    oof.attrs["guard_warning"] = "made from fine-tuned folds that failed the collapse guard"
    scores = oof_scores(oof)
    assert (
        scores.loc[scores["predictor"] == PRODUCT, "guard"]
        .str.startswith("FAILED: made from fine-tuned folds")
        .all()
    )
    stats, _ = taylor_layer(oof, 1)
    assert stats.set_index("name").loc[PRODUCT, "guard"].startswith("FAILED")
    assert stats.set_index("name").loc["A", "guard"] == ""
