"""The training rules in the tiny run: outputs, folds, partial reruns and refused configs."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import torch
import yaml

from smdown.nn.saved import load_generator
from smdown.training.loop import HISTORY_COLUMNS

from .conftest import TINY, job_counts, snakemake

pytestmark = pytest.mark.workflow
TRAINED = "results/tiny/training"


def _config(tmp_path, **changes):
    """tiny.yaml with `changes` merged into its training section, as a new config file."""
    config = yaml.safe_load(TINY.read_text())
    for stage, values in changes.items():
        config["training"][stage] = {**config["training"].get(stage, {}), **values}
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def test_pretrain_and_folds_write_weights_history_and_metrics(tiny_run):
    for job in ("pretrain", "finetune/fold0", "finetune/fold1", "finetune/fold2"):
        folder = tiny_run / TRAINED / job
        history = pd.read_csv(folder / "history.csv")
        assert list(history.columns) == list(HISTORY_COLUMNS) and len(history) == 2
        assert history[["mse", "vgg", "adv", "tv", "d_loss"]].notna().all().all()
        metrics = json.loads((folder / "test_metrics.json").read_text())
        assert set(metrics["test"]) == {"generator", "ensemble_mean"}
        generator, meta = load_generator(folder / "generator.pt")
        assert meta["models"] == ["UKESM1-0-LL", "CESM2", "MPI-ESM1-2-LR"]
        assert generator.architecture["out_channels"] == (3 if job == "pretrain" else 5)
    folds = [
        json.loads((tiny_run / TRAINED / f"finetune/fold{k}/test_metrics.json").read_text())
        for k in (0, 1, 2)
    ]
    for year, fold in zip((2011, 2012, 2013), folds, strict=True):  # whole years, in order
        assert fold["test_months"] == [f"{year}-{m:02d}" for m in range(1, 13)]
        assert fold["scheme"] == "year_blocked"
        # early stopping validates on the last training year, never on the fold's test months
        assert not set(fold["validation_months"]) & set(fold["test_months"])
        assert len(fold["validation_months"]) == 12
    assert pd.read_csv(tiny_run / TRAINED / "finetune/fold0/history.csv")["insitu"].gt(0).all()
    summary = pd.read_csv(
        tiny_run / "results/tiny/evaluation/finetune_vs_ensemble_mean.csv", dtype={"fold": str}
    )
    assert set(summary["fold"]) == {"0", "1", "2", "all"}
    assert len(summary) == 4 * 6
    for k, fold in enumerate(folds):  # tiny.yaml's guard warns: each verdict is recorded
        history = pd.read_csv(tiny_run / TRAINED / f"finetune/fold{k}/history.csv")
        best = history.loc[history["epoch"] == fold["best_epoch"]].iloc[0]
        assert fold["guard"]["val_rmse"] == pytest.approx(best["val_rmse"])
        assert fold["guard"]["passed"] == (
            best["val_rmse"] < best["val_rmse_ensemble_mean"]
            and best["val_spatial_std_ratio"] >= 0.25
        )
        verdicts = summary.loc[summary["fold"] == str(k), "guard"]
        assert (
            verdicts.eq("passed").all()
            if fold["guard"]["passed"]
            else verdicts.str.startswith("FAILED: ").all()
        )


def test_a_collapsed_pretraining_stops_the_run_before_any_product(scratch_copy, tmp_path):
    """The paper's plain head at a rate that kills its ReLUs collapses to one constant field:
    the guard stops the pretrain job with its numbers, and nothing downstream is made."""
    config = yaml.safe_load(TINY.read_text())
    config["training"].update(guard="error")
    config["training"]["network"].update(residual="none")
    config["training"]["pretrain"].update(lr_generator=0.15, epochs=6, warmup_epochs=0)
    path = tmp_path / "killing.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    product = scratch_copy / "results/tiny/product/CMIP6_UNet-Gan_historical.nc"
    product.unlink()
    proc = snakemake(scratch_copy, str(product.relative_to(scratch_copy)), configfile=path)
    assert proc.returncode != 0
    log = (scratch_copy / "results/tiny/logs/pretrain.log").read_text()
    assert "TrainingFailed: pretrain: the kept network" in log
    assert "a near-constant field" in log and "Nothing was saved from it" in log
    assert "Error in rule pretrain" in proc.stderr
    assert not product.exists()
    assert not (scratch_copy / TRAINED / "pretrain/generator.pt").exists()


def test_changed_finetune_parameter_reruns_only_the_folds(tiny_run, tmp_path):
    proc = snakemake(tiny_run, "-n", configfile=_config(tmp_path, finetune={"patience": 3}))
    assert proc.returncode == 0, proc.stderr
    counts = job_counts(proc.stdout)
    assert counts["finetune"] == 3 and counts["finetune_summary"] == 1
    assert "pretrain" not in counts and "regrid_cmip6" not in counts
    proc = snakemake(tiny_run, "-n", configfile=_config(tmp_path, loss_weights={"a2": 0.002}))
    counts = job_counts(proc.stdout)
    assert counts["pretrain"] == 1 and counts["finetune"] == 3
    assert "regrid_cmip6" not in counts and "insitu_grids" not in counts


def test_in_situ_grids_follow_the_folds(tiny_run, tmp_path):
    """Other folds refit every fold's grids; shared grids are one job that every fold uses."""
    shuffled = {"split_seed": 1, "scheme": "shuffled_months"}
    proc = snakemake(tiny_run, "-n", configfile=_config(tmp_path, finetune=shuffled))
    assert proc.returncode == 0, proc.stderr
    counts = job_counts(proc.stdout)
    assert counts["insitu_grids"] == 3 and counts["finetune"] == 3
    assert "insitu_skill" not in counts and "station_table" not in counts
    shared = {"insitu_grids": "shared"}
    proc = snakemake(tiny_run, "-n", configfile=_config(tmp_path, finetune=shared))
    assert proc.returncode == 0, proc.stderr
    counts = job_counts(proc.stdout)
    assert counts["insitu_grids"] == 1 and counts["finetune"] == 3
    assert "results/tiny/insitu/all/insitu_grids.nc" in proc.stdout


def test_lost_outputs_come_back_from_the_finished_checkpoint(scratch_copy):
    fold = scratch_copy / TRAINED / "finetune/fold1"
    before = torch.load(fold / "generator.pt", weights_only=True)["state_dict"]
    checkpoint = (fold / "checkpoint.pt").stat().st_mtime_ns
    (fold / "generator.pt").unlink()
    proc = snakemake(scratch_copy, str((fold / "generator.pt").relative_to(scratch_copy)))
    assert proc.returncode == 0, proc.stderr[-3000:]
    after = torch.load(fold / "generator.pt", weights_only=True)["state_dict"]
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert (fold / "checkpoint.pt").stat().st_mtime_ns == checkpoint  # nothing retrained
    log = (scratch_copy / "results/tiny/logs/finetune/fold1.log").read_text()
    assert "holds a finished run" in log


def test_vgg_loss_without_weights_is_refused_before_anything_runs(tmp_path):
    config = yaml.safe_load(TINY.read_text())
    config["vgg"] = {"provider": "none"}
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(config, sort_keys=False))
    proc = snakemake(tmp_path, configfile=bad)
    assert proc.returncode != 0
    assert "vgg.provider is none" in proc.stderr
    assert not (tmp_path / "results").exists()


def test_training_curves_are_drawn_from_every_jobs_history(tiny_run):
    figure = tiny_run / "results/tiny/figures/training_curves.png"
    assert figure.read_bytes()[:4] == b"\x89PNG"
    sidecar = json.loads((figure.parent / (figure.name + ".prov.json")).read_text())
    histories = sorted(entry["path"] for entry in sidecar["inputs"])
    assert histories == [f"{TRAINED}/finetune/fold{k}/history.csv" for k in range(3)] + [
        f"{TRAINED}/pretrain/history.csv"
    ]


def test_the_console_shows_progress_and_ends_with_the_summary(tiny_run):
    """What the user sees: every epoch and inference chunk as "i of N" with the time left, and
    at the end where the figures are, the report command and the scores per layer."""
    console = (tiny_run / "console.txt").read_text()
    assert "pretrain: epoch 1 of 2 (50%), about" in console
    for fold in range(3):
        assert f"finetune fold {fold}: epoch 2 of 2 (100%)" in console
    assert re.search(r"product ssp585: months \d+ of 1032 \(\d+%\)", console)
    summary = console[console.index("Run 'tiny' finished:") :]
    assert "figures in results/tiny/figures/" in summary
    assert "snakemake --report results/tiny/report.html" in summary
    assert "Out-of-fold scores against AMSMQTP" in summary
    rows = [line.split() for line in summary.splitlines() if re.match(r"^\s+[1-5]\s", line)]
    assert [int(r[0]) for r in rows] == [1, 2, 3, 4, 5]
