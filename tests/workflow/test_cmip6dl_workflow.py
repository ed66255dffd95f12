"""The second study (CMIP6DL) as a configuration of the same workflow, run for real on a tiny
window of its demo: YNet, products, Table 2, Figs. 3-8, and what a change reruns."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml
from PIL import Image

from smdown.nn import StaticFieldsYNet
from smdown.nn.saved import load_generator
from smdown.stats.portrait import TIME_SCALES
from smdown.synthetic import write_china_regions
from tests.workflow.conftest import REPO, TINY_CMIP6DL, job_counts, snakemake

pytestmark = pytest.mark.workflow
STUDY = REPO / "config" / "cmip6dl.yaml"
RESULTS = Path("results/tiny-cmip6dl")
FIGURES = [
    "fig03_mae_maps",
    "fig04_point_series",
    "fig05_taylor",
    "fig06_ssmi_annual_trend_maps",
    "fig07_ssmi_seasonal_trend_maps",
    "fig08_portrait",
]


@pytest.fixture(scope="module")
def dl_run(tmp_path_factory) -> Path:
    """A completed tiny CMIP6DL run; its working directory."""
    workdir = tmp_path_factory.mktemp("cmip6dl")
    proc = snakemake(workdir, configfile=TINY_CMIP6DL)
    if proc.returncode != 0:
        pytest.fail(f"tiny CMIP6DL run failed:\n{proc.stderr[-4000:]}")
    return workdir


def test_table1_holds_the_studys_models_as_run(dl_run):
    models = (
        yaml.safe_load(TINY_CMIP6DL[1].read_text()).get("models")
        or yaml.safe_load(TINY_CMIP6DL[0].read_text())["models"]
    )
    table = pd.read_csv(dl_run / RESULTS / "evaluation" / "table1_models.csv")
    assert table["model"].tolist() == models
    assert table["member"].str.fullmatch(r"r\d+i\d+p\d+f\d+").all()


def test_every_figure_of_the_study_is_drawn(dl_run):
    for name in FIGURES:
        path = dl_run / RESULTS / "figures" / f"{name}.png"
        with Image.open(path) as image:
            assert image.format == "PNG" and min(image.size) > 300, name
        assert path.with_name(path.name + ".prov.json").is_file(), name


def test_ynet_learns_the_target_grid_with_the_land_sea_mask_as_static_field(dl_run):
    net, meta = load_generator(dl_run / RESULTS / "training/ynet/generator.pt")
    assert isinstance(net, StaticFieldsYNet)
    assert net.architecture["scale"] == 8 and net.architecture["in_channels"] == 3
    assert net.architecture["upsampling"] == "bilinear"  # the demo's
    assert meta["models"] == ["UKESM1-0-LL", "CESM2", "MPI-ESM1-2-LR"]
    with xr.open_dataset(dl_run / RESULTS / "prepared/era5land.nc") as ds:
        land = np.isfinite(ds["sm"].isel(layer=0)).all("time").values.astype(np.float32)
    assert net.aux.shape[-2:] == land.shape
    np.testing.assert_array_equal(net.aux[0, 0].numpy(), land)


def test_products_are_one_layer_on_the_target_grid(dl_run):
    with xr.open_dataset(dl_run / RESULTS / "prepared/regions.nc") as ds:
        inside = ds["mask"].sel(region="China").values.astype(bool)
    for name, spread in (("CMIP6DL", False), ("ensemble_mean", True)):
        with xr.open_dataset(dl_run / RESULTS / f"product/{name}_historical.nc") as ds:
            assert ds["sm"].shape == (780, 1, 32, 64), name
            assert ("sm_spread" in ds) == spread, name
            np.testing.assert_array_equal(ds["depth_bnds"].values, [[0.0, 0.07]])
            sm = ds["sm"].isel(time=slice(0, 12)).values
            assert np.isfinite(sm[..., inside]).all() and np.isnan(sm[..., ~inside]).all()
            assert ds.attrs["title"].startswith(f"{'CMIP6DL' if not spread else 'ensemble'}")
    guard = json.loads((dl_run / RESULTS / "training/ynet/test_metrics.json").read_text())["guard"]
    with xr.open_dataset(dl_run / RESULTS / "product/CMIP6DL_historical.nc") as ds:
        warning = ds.attrs.get("guard_warning", "")  # tiny_cmip6dl.yaml's guard warns
    assert (warning == "") == guard["passed"]
    assert all(problem in warning for problem in guard["problems"])


def test_table2_agrees_with_the_training_jobs_own_test_scores(dl_run):
    """Two implementations of the baseline: torch's bilinear upsampling in the training job,
    the regridder's bilinear weights in the evaluation; both over the test year 2014."""
    table = pd.read_csv(dl_run / RESULTS / "evaluation/table2_skill.csv", index_col="dataset")
    assert list(table.index) == ["CMIP6DL", "ensemble mean"]
    assert list(table.columns) == ["MAE", "RMSD", "ubRMSD", "r"]
    metrics = json.loads((dl_run / RESULTS / "training/ynet/test_metrics.json").read_text())
    for row, key in (("CMIP6DL", "generator"), ("ensemble mean", "ensemble_mean")):
        scores = metrics["test"][key]["overall"]
        assert table.loc[row, "RMSD"] == pytest.approx(scores["rmse"], rel=1e-4)
        assert table.loc[row, "MAE"] == pytest.approx(scores["mae"], rel=1e-4)


def test_taylor_statistics_hold_every_model_and_both_products(dl_run):
    stats = pd.read_csv(dl_run / RESULTS / "evaluation/taylor_statistics.csv")
    assert list(stats["name"]) == [
        "ERA5-Land",
        "UKESM1-0-LL",
        "CESM2",
        "MPI-ESM1-2-LR",
        "CMIP6DL",
        "ensemble mean",
    ]
    assert (stats["n"].iloc[1:] == stats["n"].iloc[1]).all()


def test_ssmi_trends_and_portrait_table(dl_run):
    with xr.open_dataset(dl_run / RESULTS / "trends/ssmi_trend_maps_ssp585.nc") as ds:
        assert list(ds["period"].values) == ["2015-2100"]
        assert set(ds["season"].values) == {"DJF", "MAM", "JJA", "SON", "Y"}
        assert ds["slope"].attrs["units"] == "yr-1"
        assert np.isfinite(ds["slope"].sel(season="Y").values).any()
    table = pd.read_csv(dl_run / RESULTS / "trends/portrait_change.csv")
    assert len(table) == len(TIME_SCALES) * 2 * 1 * 3  # scales x regions x SSPs x periods
    assert set(table["region"]) == {"north", "south"}


def test_a_portrait_colour_change_redraws_only_fig8(dl_run, tmp_path):
    overlay = tmp_path / "cmap.yaml"
    overlay.write_text(yaml.safe_dump({"plots": {"portrait": {"cmap": "RdBu"}}}))
    proc = snakemake(dl_run, "-n", configfile=(*TINY_CMIP6DL, overlay))
    assert proc.returncode == 0, proc.stderr[-3000:]
    counts = job_counts(proc.stdout)
    counts.pop("all", None)
    assert counts == {"figure_portrait": 1}


def test_a_study_with_the_wrong_network_is_refused_before_anything_runs(tmp_path):
    overlay = tmp_path / "wrong.yaml"
    overlay.write_text(yaml.safe_dump({"training": {"model": "unet_gan"}}))
    proc = snakemake(tmp_path, "-n", configfile=(*TINY_CMIP6DL, overlay))
    assert proc.returncode != 0
    assert "study cmip6dl needs training.model: ynet" in proc.stdout + proc.stderr


def test_the_study_config_plans_its_downloads_and_no_trsr_stage(tmp_path):
    """config/cmip6dl.yaml on a fresh machine, once the user's China outline is in place."""
    missing = snakemake(tmp_path, "-n", configfile=STUDY)
    assert missing.returncode != 0
    assert "resources/regions/china.geojson" in missing.stdout + missing.stderr
    write_china_regions(tmp_path / "resources/regions/china.geojson")
    proc = snakemake(tmp_path, "-n", configfile=STUDY)
    assert proc.returncode == 0, proc.stderr[-3000:]
    counts = job_counts(proc.stdout)
    assert counts["download_cmip6"] == counts["regrid_cmip6"] == 125  # 25 models x 5
    assert counts["download_era5land"] == 3
    assert counts["train_ynet"] == 1 and counts["product_ynet"] == 5
    assert not {"pretrain", "finetune", "product", "insitu_grids", "vgg16_weights"} & set(counts)


def test_fig2_draws_the_ynets_loss_curves(dl_run):
    figure = dl_run / RESULTS / "figures" / "fig02_loss_curves.png"
    assert Image.open(figure).size[0] > 500
    sidecar = json.loads((figure.parent / (figure.name + ".prov.json")).read_text())
    assert [entry["path"] for entry in sidecar["inputs"]] == [
        str(RESULTS / "training" / "ynet" / "history.csv")
    ]
