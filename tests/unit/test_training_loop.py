"""The training loop on tiny nets and synthetic data: determinism, resume, early stopping."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from smdown.nn import Discriminator, UNetGenerator
from smdown.nn.device import resolve_device
from smdown.training import loop
from smdown.training.baselines import EnsembleMean
from smdown.training.loop import (
    HISTORY_COLUMNS,
    TrainingData,
    TrainSettings,
    batch_order,
    evaluate,
    train,
    warmup_factor,
)

REPO = Path(__file__).resolve().parents[2]
N_LAYERS = 3
SETTINGS = TrainSettings(
    epochs=4, batch_size=8, lr_generator=5e-3, lr_discriminator=1e-3, device="cpu"
)


def make_data(insitu: bool = False) -> TrainingData:
    """40 samples on 12 x 20 where y = sigmoid of a fixed 1x1 mix of x; two masked corners."""
    rng = torch.Generator().manual_seed(123)
    x = torch.rand(40, 17, 12, 20, generator=rng)
    mix = torch.randn(N_LAYERS, 17, generator=rng)
    y = torch.sigmoid(torch.einsum("ck,nkhw->nchw", mix, x - 0.5))
    mask = torch.ones(12, 20, dtype=torch.bool)
    mask[:3, :5] = False
    mask[-2:, -4:] = False
    y[..., ~mask] = math.nan
    order = torch.randperm(40, generator=rng)
    data = TrainingData(x=x, y=y, mask=mask, train=order[:28], val=order[28:34], test=order[34:])
    if insitu:
        s = torch.full_like(y, math.nan)
        s[..., 5, 7] = y[..., 5, 7] + 0.05
        s[..., 8, 15] = y[..., 8, 15] - 0.05
        data = replace(data, s=s, p=torch.where(torch.isfinite(s), 0.8, math.nan))
    return data


def make_nets(seed: int = 0) -> tuple[UNetGenerator, Discriminator]:
    """A tiny generator and discriminator with weights fixed by `seed`."""
    torch.manual_seed(seed)
    return (
        UNetGenerator(17, N_LAYERS, base_channels=4, depth=2),
        Discriminator(N_LAYERS, base_channels=4),
    )


class TinyFeatures(nn.Module):
    """A frozen stand-in for VGG16Features: (N, 3, H, W) in, feature maps out."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(7)
        self.features = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.requires_grad_(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x)


def run(tmp_path, settings=SETTINGS, data=None, name="run", nets=None, **kwargs):
    """Train fresh tiny nets (or `nets`) into tmp_path/name; the result and the nets."""
    generator, discriminator = nets or make_nets()
    result = train(
        generator,
        discriminator,
        data or make_data(),
        settings,
        checkpoint=tmp_path / name / "checkpoint.pt",
        history_csv=tmp_path / name / "history.csv",
        **kwargs,
    )
    return result, generator, discriminator


def assert_same_state(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def losses(history: pd.DataFrame) -> pd.DataFrame:
    return history.drop(columns="seconds")


def test_same_seed_is_bit_identical_and_other_seed_differs(tmp_path):
    first, *_ = run(tmp_path, name="a")
    second, *_ = run(tmp_path, name="b")
    other, *_ = run(tmp_path, replace(SETTINGS, seed=1), name="c")
    assert_same_state(first.best_state, second.best_state)
    pd.testing.assert_frame_equal(losses(first.history), losses(second.history))
    assert not torch.equal(first.best_state["head.weight"], other.best_state["head.weight"])
    assert not np.array_equal(first.history["mse"], other.history["mse"])


def test_batch_order_depends_only_on_seed_and_epoch():
    indices = torch.arange(10, 30)
    first = batch_order(indices, 8, seed=0, epoch=3)
    torch.manual_seed(99)  # global RNG history must not matter
    assert all(
        torch.equal(a, b)
        for a, b in zip(first, batch_order(indices, 8, seed=0, epoch=3), strict=True)
    )
    assert [len(b) for b in first] == [8, 8, 4]
    assert torch.equal(torch.cat(first).sort().values, indices)
    assert not torch.equal(torch.cat(first), torch.cat(batch_order(indices, 8, 0, 4)))


def test_resume_after_kill_matches_uninterrupted_run(tmp_path):
    whole, g_whole, d_whole = run(tmp_path, name="whole")
    part, *_ = run(tmp_path, name="resumed", stop_after_epoch=2)
    assert part.epochs_run == 2
    assert len(pd.read_csv(tmp_path / "resumed" / "history.csv")) == 2
    torch.manual_seed(1234)  # a new process: the global RNG is elsewhere
    resumed, g_resumed, d_resumed = run(tmp_path, name="resumed")  # fresh nets, as after a kill
    assert resumed.epochs_run == whole.epochs_run == 4
    assert_same_state(resumed.best_state, whole.best_state)
    assert_same_state(g_resumed.state_dict(), g_whole.state_dict())
    assert_same_state(d_resumed.state_dict(), d_whole.state_dict())
    pd.testing.assert_frame_equal(losses(resumed.history), losses(whole.history))
    csv = pd.read_csv(tmp_path / "resumed" / "history.csv")
    assert list(csv.columns) == list(HISTORY_COLUMNS)
    assert csv["epoch"].tolist() == [1, 2, 3, 4]
    np.testing.assert_array_equal(csv["val_rmse"], whole.history["val_rmse"])


def _in_child(tmp_path, body: str) -> subprocess.CompletedProcess:
    """Run `body` in a fresh interpreter (with `run` imported), so every run compared here
    starts from the same process state (kernels chosen, threads), not the test session's."""
    code = textwrap.dedent(f"""
        import os, signal, sys
        from pathlib import Path
        import torch
        sys.path.insert(0, {str(REPO)!r})
        from smdown.training import loop
        from tests.unit.test_training_loop import run
        tmp = Path({str(tmp_path)!r})
    """) + textwrap.dedent(body)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_sigkill_mid_epoch_then_resume_matches_uninterrupted_run(tmp_path):
    """A real SIGKILL in the middle of epoch 3 (two of its four batches already stepped): the
    restarted run discards that half epoch, resumes after epoch 2 and ends bit-identical."""
    proc = _in_child(
        tmp_path,
        """
        calls, step = 0, loop._train_batch
        def dying(session, idx):
            global calls
            calls += 1
            if calls == 2 * 4 + 3:
                os.kill(os.getpid(), signal.SIGKILL)
            return step(session, idx)
        loop._train_batch = dying
        run(tmp, name="killed")
    """,
    )
    assert proc.returncode == -9, proc.stderr[-2000:]
    state = torch.load(tmp_path / "killed" / "checkpoint.pt", weights_only=True)
    assert state["epoch"] == 2
    for name in ("killed", "whole"):
        proc = _in_child(
            tmp_path,
            f"""
            result, g, d = run(tmp, name="{name}")
            torch.save({{"g": g.state_dict(), "d": d.state_dict(), "best": result.best_state}},
                       tmp / "{name}.pt")
            result.history.to_csv(tmp / "{name}.csv", index=False)
        """,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
    resumed, whole = (
        torch.load(tmp_path / f"{n}.pt", weights_only=True) for n in ("killed", "whole")
    )
    for key in ("g", "d", "best"):
        assert_same_state(resumed[key], whole[key])
    pd.testing.assert_frame_equal(
        losses(pd.read_csv(tmp_path / "killed.csv")), losses(pd.read_csv(tmp_path / "whole.csv"))
    )


def test_checkpoint_of_another_run_is_not_resumed(tmp_path, caplog):
    """A changed parameter (or input) after a kill starts afresh, not from the old optimisation."""
    run(tmp_path, name="changed", stop_after_epoch=2)
    changed = replace(SETTINGS, epochs=3, lr_generator=1e-3)
    resumed, *_ = run(tmp_path, changed, name="changed")
    fresh, *_ = run(tmp_path, changed, name="fresh")
    assert "starting afresh" in caplog.text
    assert resumed.history["epoch"].tolist() == [1, 2, 3]
    assert_same_state(resumed.best_state, fresh.best_state)
    other_data = make_data()
    other_data.y[0, 0, 6, 6] += 0.01
    again, *_ = run(tmp_path, changed, data=other_data, name="fresh", stop_after_epoch=1)
    assert again.epochs_run == 1  # the finished run of other data was not taken as this one


def test_checkpoint_holds_every_part(tmp_path):
    run(tmp_path, replace(SETTINGS, epochs=2), stop_after_epoch=1)
    state = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=True)
    assert set(state) == {
        "fingerprint",
        "epoch",
        "generator",
        "discriminator",
        "opt_generator",
        "opt_discriminator",
        "sched_generator",
        "sched_discriminator",
        "early_stopping",
        "history",
        "rng",
    }
    assert state["epoch"] == 1
    assert set(state["early_stopping"]) == {
        "best_score",
        "best_epoch",
        "best_state",
        "bad_epochs",
        "stopped",
    }
    assert set(state["rng"]) == {"python", "numpy", "torch"}  # no "cuda" on CPU
    assert [row["epoch"] for row in state["history"]] == [1]
    assert not list((tmp_path / "run").glob("*.part"))


def test_early_stopping_with_frozen_generator_and_finished_rerun(tmp_path):
    settings = replace(SETTINGS, epochs=10, patience=1, lr_generator=0.0)
    result, *_ = run(tmp_path, settings)
    assert result.stopped_early
    assert result.epochs_run == 2
    assert result.best_epoch == 1
    assert result.history["val_rmse"].nunique() == 1
    checkpoint = tmp_path / "run" / "checkpoint.pt"
    written = checkpoint.stat().st_mtime_ns
    again, *_ = run(tmp_path, settings)
    assert checkpoint.stat().st_mtime_ns == written
    assert (again.stopped_early, again.epochs_run, again.best_epoch) == (True, 2, 1)
    assert again.best_val_rmse == result.best_val_rmse
    assert_same_state(again.best_state, result.best_state)
    pd.testing.assert_frame_equal(again.history, result.history)


@pytest.mark.parametrize("adversarial", [True, False])
def test_training_lowers_validation_rmse(tmp_path, adversarial):
    data = make_data()
    generator, discriminator = make_nets()
    before = evaluate(generator, data, data.val, "cpu")["overall"]["rmse"]
    settings = replace(SETTINGS, epochs=6, lr_generator=1e-2, adversarial=adversarial)
    result, *_ = run(tmp_path, settings, data=data, nets=(generator, discriminator))
    assert result.best_val_rmse < 0.97 * before
    assert result.history["mse"].iloc[-1] < result.history["mse"].iloc[0]
    unused = result.history[["adv", "d_loss"]]
    assert unused.notna().all().all() if adversarial else unused.isna().all().all()


def test_optional_terms_follow_their_inputs(tmp_path):
    """insitu and vgg are > 0 when S/P resp. a VGG module are given, NaN (unused) otherwise."""
    one_epoch = replace(SETTINGS, epochs=1)
    full, *_ = run(
        tmp_path, one_epoch, data=make_data(insitu=True), name="full", vgg=TinyFeatures()
    )
    plain, *_ = run(tmp_path, one_epoch, name="plain")
    assert (full.history[["insitu", "vgg"]] > 0).all().all()
    assert plain.history[["insitu", "vgg"]].isna().all().all()
    for history in (full.history, plain.history):
        assert (history[["mse", "adv", "tv", "total_g", "d_loss"]] > 0).all().all()


def test_targets_outside_the_mask_never_matter(tmp_path):
    data = make_data()
    filled = replace(data, y=torch.where(data.mask, data.y, 5.0))
    settings = replace(SETTINGS, epochs=2)
    nan_run, *_ = run(tmp_path, settings, data=data, name="nan")
    filled_run, generator, _ = run(tmp_path, settings, data=filled, name="filled")
    assert_same_state(nan_run.best_state, filled_run.best_state)
    assert evaluate(generator, data, data.test, "cpu") == evaluate(
        generator, filled, data.test, "cpu"
    )


def test_evaluate_scores_masked_cells_per_layer():
    data = make_data()
    perfect = replace(data, x=data.x[:, :N_LAYERS])  # fed straight through: pred = x's layers
    target = torch.where(data.mask, perfect.x[:, :N_LAYERS] + 0.1, math.nan)
    scores = evaluate(nn.Identity(), replace(perfect, y=target), data.test, "cpu", batch_size=4)
    assert scores["overall"]["bias"] == pytest.approx(-0.1)
    assert scores["overall"]["rmse"] == pytest.approx(0.1)
    assert scores["overall"]["mae"] == pytest.approx(0.1)
    assert scores["overall"]["r"] == pytest.approx(1.0)
    assert len(scores["layers"]) == N_LAYERS
    assert all(layer["rmse"] == pytest.approx(0.1) for layer in scores["layers"])
    assert isinstance(scores["overall"]["rmse"], np.floating)


def test_evaluate_scores_the_spatial_spread_of_each_month():
    data = make_data()
    layers = data.x[:, :N_LAYERS]
    half = replace(data, x=layers * 0.5, y=torch.where(data.mask, layers, math.nan))
    scores = evaluate(nn.Identity(), half, data.test, "cpu", batch_size=4)
    cells = data.x[data.test][:, :N_LAYERS][..., data.mask].double()  # (month, layer, cell)
    expected = cells.std(dim=-1, unbiased=False).mean().item()
    assert scores["overall"]["target_spatial_std"] == pytest.approx(expected)
    assert scores["overall"]["spatial_std"] == pytest.approx(0.5 * expected)
    constant = evaluate(
        EnsembleMean(N_LAYERS), replace(half, x=torch.full_like(half.x, 0.3)), data.test, "cpu"
    )
    assert constant["overall"]["spatial_std"] == pytest.approx(0.0, abs=1e-12)


def test_history_records_the_guards_numbers(tmp_path):
    result, *_ = run(tmp_path, replace(SETTINGS, epochs=2))
    history = result.history
    data = make_data()
    mean = evaluate(EnsembleMean(N_LAYERS), data, data.val, "cpu")["overall"]["rmse"]
    assert history["val_rmse_ensemble_mean"].tolist() == pytest.approx([mean, mean])
    assert ((history["val_spatial_std_ratio"] > 0) & (history["val_spatial_std_ratio"] < 2)).all()


def test_warm_up_rises_per_step_then_holds():
    assert [warmup_factor(1, b, 4, 1) for b in range(4)] == [0.25, 0.5, 0.75, 1.0]
    assert warmup_factor(2, 0, 4, 1) == 1.0
    assert warmup_factor(2, 1, 4, 2) == pytest.approx(6 / 8)
    assert warmup_factor(1, 0, 4, 0) == 1.0


def test_warm_up_changes_training_keeps_the_epoch_rates_and_resumes_exactly(tmp_path):
    warm = replace(SETTINGS, warmup_epochs=1)
    plain, *_ = run(tmp_path, name="plain")
    whole, g_whole, _ = run(tmp_path, warm, name="whole")
    assert whole.history["lr_g"].tolist() == plain.history["lr_g"].tolist()
    assert whole.history["mse"].iloc[0] != plain.history["mse"].iloc[0]
    run(tmp_path, warm, name="resumed", stop_after_epoch=1)
    resumed, g_resumed, _ = run(tmp_path, warm, name="resumed")
    assert_same_state(g_resumed.state_dict(), g_whole.state_dict())
    pd.testing.assert_frame_equal(losses(resumed.history), losses(whole.history))


def test_standardised_inputs_are_part_of_the_run(tmp_path, caplog):
    generator, discriminator = make_nets()
    run(tmp_path, replace(SETTINGS, epochs=1), nets=(generator, discriminator), stop_after_epoch=1)
    caplog.set_level("WARNING", logger="smdown.training.loop")
    standardised, discriminator = make_nets()
    standardised.standardise_inputs(torch.full((17,), 0.5), torch.full((17,), 0.3))
    result, *_ = run(tmp_path, replace(SETTINGS, epochs=1), nets=(standardised, discriminator))
    assert "belongs to another run" in caplog.text  # the statistics are in the fingerprint
    assert result.epochs_run == 1


def test_bf16_is_cuda_only_and_channels_last_changes_only_rounding(tmp_path, caplog):
    caplog.set_level("INFO", logger="smdown.training.loop")
    settings = replace(SETTINGS, epochs=1)
    plain, *_ = run(tmp_path, settings, name="plain")
    bf16, *_ = run(tmp_path, replace(settings, bf16=True), name="bf16")
    pd.testing.assert_frame_equal(losses(plain.history), losses(bf16.history))
    assert "bf16" in caplog.text
    contiguous, *_ = run(tmp_path, replace(settings, channels_last=False), name="contiguous")
    pd.testing.assert_frame_equal(losses(plain.history), losses(contiguous.history), rtol=1e-3)
    assert resolve_device("auto") == torch.device("cuda" if torch.cuda.is_available() else "cpu")


def test_deterministic_setting_is_restored(tmp_path):
    before = (
        torch.are_deterministic_algorithms_enabled(),
        torch.utils.deterministic.fill_uninitialized_memory,
    )
    run(tmp_path, replace(SETTINGS, epochs=1))
    assert (
        torch.are_deterministic_algorithms_enabled(),
        torch.utils.deterministic.fill_uninitialized_memory,
    ) == before


def test_training_does_not_fill_new_memory(tmp_path, monkeypatch):
    """Deterministic mode stays on while torch's filling of new tensors (13 % of a paper-size
    CPU step) is off; the resume tests above show results stay bit-identical."""
    seen = []
    original = loop._run_epoch

    def spy(*args, **kwargs):
        seen.append(
            (
                torch.are_deterministic_algorithms_enabled(),
                torch.utils.deterministic.fill_uninitialized_memory,
            )
        )
        return original(*args, **kwargs)

    monkeypatch.setattr(loop, "_run_epoch", spy)
    run(tmp_path, replace(SETTINGS, epochs=1))
    assert seen == [(True, False)]
