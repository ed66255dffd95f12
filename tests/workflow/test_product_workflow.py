"""The product and evaluation rules in the tiny run: CF files, out-of-fold file, scores, figures,
the truth check, and the product's refusal of folds from another config."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
import xarray as xr

from tests.conftest import cf_failures

from .conftest import snakemake

pytestmark = pytest.mark.workflow
RUN = "results/tiny"
MODELS = ["UKESM1-0-LL", "CESM2", "MPI-ESM1-2-LR"]


@pytest.mark.parametrize("name", ["CMIP6_UNet-Gan", "ensemble_mean", "quantile_mapping"])
def test_products_are_cf_files_of_every_month(tiny_run, name, offline):
    for experiment, months in (("historical", 780), ("ssp585", 1032)):
        path = tiny_run / RUN / f"product/{name}_{experiment}.nc"
        with xr.open_dataset(path) as ds:
            assert ds["sm"].dims == ("time", "depth", "lat", "lon")
            assert ds["sm"].shape == (months, 5, 71, 151)
            assert ds.attrs["models"] == ", ".join(MODELS)
            assert ds.attrs["experiment"] == experiment
            assert len(ds.attrs["config_hash"]) == 16 and ds.attrs["workflow_version"]
            sm, spread = ds["sm"].isel(time=slice(0, 24)).values, ds["sm_spread"][:24].values
        inside = np.isfinite(sm[0, 0])
        assert 0 < inside.sum() < inside.size  # NaN outside the region
        assert (sm[:, :, inside] > 0).all() and (sm[:, :, inside] < 1).all()
        assert (spread[:, :, inside] >= 0).all()
    assert not cf_failures(path)


def test_ensemble_mean_product_is_the_models_mean(tiny_run):
    files = [tiny_run / RUN / f"prepared/cmip6/ssp585/{m}.nc" for m in MODELS]
    mean = np.mean([xr.open_dataset(f)["mrsos"][:12].values for f in files], axis=0)
    with xr.open_dataset(tiny_run / RUN / "product/ensemble_mean_ssp585.nc") as ds:
        sm = ds["sm"][:12].values
    inside = np.isfinite(sm[0, 0])
    for layer in range(5):
        np.testing.assert_allclose(sm[:, layer][:, inside], mean[:, inside], atol=1e-6)


def test_out_of_fold_file_scores_and_figures(tiny_run):
    with xr.open_dataset(tiny_run / RUN / "evaluation/out_of_fold.nc") as oof:
        months = [str(t)[:7] for t in oof["time"].values]
        assert months == [f"{y}-{m:02d}" for y in (2011, 2012, 2013) for m in range(1, 13)]
        assert oof["fold"].values.tolist() == [0] * 12 + [1] * 12 + [2] * 12
        assert oof["mrsos"].sizes["model"] == 3
        target = oof["amsmqtp"].values
        for name in ("unet_gan", "ensemble_mean", "quantile_mapping"):
            assert np.array_equal(np.isfinite(target), np.isfinite(oof[name].values)), name
    scores = pd.read_csv(tiny_run / RUN / "evaluation/out_of_fold_scores.csv")
    assert set(scores["predictor"]) == {"CMIP6_UNet-Gan", "ensemble_mean", "quantile_mapping"}
    assert list(scores.columns[:3]) == ["predictor", "layer", "n"]
    assert scores[["R2", "R", "RMSE", "MAE", "ubRMSD", "bias"]].notna().all().all()
    assert scores.loc[scores["layer"] == 1, "paper_R2"].eq(0.819).all()
    for figure in [
        "fig06_out_of_fold_scatter.png",
        *(f"fig07_taylor_layer{k}.png" for k in range(1, 6)),
    ]:
        assert (tiny_run / RUN / "figures" / figure).read_bytes()[:4] == b"\x89PNG"
    taylor = pd.read_csv(tiny_run / RUN / "evaluation/taylor_layer3.csv")
    assert list(taylor["name"]) == [
        "AMSMQTP",
        *MODELS,
        "CMIP6_UNet-Gan",
        "ensemble_mean",
        "quantile_mapping",
    ]


def test_every_evaluation_table_carries_the_guards_verdict_on_the_folds(tiny_run):
    """The tiny run's guard warns (tiny.yaml): what its folds made says whether they passed."""
    folds = pd.read_csv(
        tiny_run / RUN / "evaluation/finetune_vs_ensemble_mean.csv", dtype={"fold": str}
    )
    failed = sorted(set(folds.loc[folds["guard"].str.startswith("FAILED:"), "fold"]))
    with xr.open_dataset(tiny_run / RUN / "evaluation/out_of_fold.nc") as oof:
        warning = oof.attrs["guard_warning"]
    with xr.open_dataset(tiny_run / RUN / "product/CMIP6_UNet-Gan_ssp585.nc") as product:
        assert product.attrs.get("guard_warning", "") == warning
    assert [f"fold {k}:" in warning for k in "012"] == [k in failed for k in "012"]
    verdict = f"FAILED: {warning}" if failed else "passed"
    tables = [
        pd.read_csv(tiny_run / RUN / f"evaluation/{name}.csv", keep_default_na=False)
        for name in ("out_of_fold_scores", "taylor_layer1", "product_vs_truth_ssp585")
    ]
    for table in tables:
        name = "predictor" if "predictor" in table else "name"
        assert table.loc[table[name] == "CMIP6_UNet-Gan", "guard"].eq(verdict).all()
        assert table.loc[table[name] != "CMIP6_UNet-Gan", "guard"].eq("").all()


def test_truth_check_reports_every_layer(tiny_run):
    table = pd.read_csv(tiny_run / RUN / "evaluation/product_vs_truth_ssp585.csv")
    assert set(table["predictor"]) == {"CMIP6_UNet-Gan", "ensemble_mean", "quantile_mapping"}
    assert sorted(table["layer"].unique()) == [1, 2, 3, 4, 5]
    assert "CMIP6_UNet-Gan_beats_ensemble_mean" in table.columns


def test_product_refuses_folds_of_another_config(scratch_copy):
    """A fold retrained under another config beside the others stops the product job."""
    fold = scratch_copy / RUN / "training/finetune/fold1/generator.pt"
    saved = torch.load(fold, weights_only=True)
    saved["meta"]["training_hash"] = "another config"
    torch.save(saved, fold)
    product = scratch_copy / RUN / "product/CMIP6_UNet-Gan_ssp585.nc"
    product.unlink()
    proc = snakemake(scratch_copy, str(product.relative_to(scratch_copy)))
    assert proc.returncode != 0
    assert "folds trained with different configs" in proc.stderr + _log(scratch_copy)
    assert not product.exists() and not list(product.parent.glob("*.part"))


def _log(workdir) -> str:
    return (workdir / RUN / "logs/product/CMIP6_UNet-Gan_ssp585.log").read_text()
