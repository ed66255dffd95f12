"""The real snakemake on the tiny config: outputs, their agreement with the truth, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from tests.workflow.conftest import snakemake

pytestmark = pytest.mark.workflow
PREP = "results/tiny/prepared"


def test_every_prepared_output_exists(tiny_run):
    for exp in ("historical", "ssp585"):
        for model in ("UKESM1-0-LL", "CESM2", "MPI-ESM1-2-LR"):
            assert (tiny_run / PREP / "cmip6" / exp / f"{model}.nc").is_file()
    for name in ("era5land.nc", "amsmqtp.nc", "regions.nc"):
        assert (tiny_run / PREP / name).is_file()
    assert (tiny_run / "resources/demo/ismn/MAQU").is_dir()
    assert (tiny_run / "resources/demo/cma_stations.csv").is_file()


def test_regridded_models_follow_the_truth(tiny_run):
    truth = xr.open_dataset(tiny_run / "resources/demo/truth/truth_historical.nc")["sm"]
    top = truth.isel(layer=0).mean(("lat", "lon"))
    for model in ("UKESM1-0-LL", "CESM2", "MPI-ESM1-2-LR"):
        ds = xr.open_dataset(tiny_run / PREP / "cmip6" / "historical" / f"{model}.nc")
        sm = ds["mrsos"]
        assert sm.shape == (780, 71, 151) and ds.attrs["source_id"] == model
        assert not np.isnan(sm.values).any() and sm.attrs["units"] == "m3 m-3"
        assert float(sm.min()) > 0.0 and float(sm.max()) < 0.8
        np.testing.assert_array_equal(sm.time.values, truth.time.values)
        r = np.corrcoef(sm.mean(("lat", "lon")).values, top.values)[0, 1]
        assert r > 0.7, f"{model}: domain-mean correlation with the truth {r:.2f}"


def test_targets_on_the_grid_and_close_to_the_truth(tiny_run):
    truth = xr.open_dataset(tiny_run / "resources/demo/truth/truth_historical.nc")["sm"]
    ams = xr.open_dataset(tiny_run / PREP / "amsmqtp.nc")["sm"]
    assert ams.dims == ("time", "layer", "lat", "lon") and ams.shape == (36, 5, 71, 151)
    assert np.all(np.diff(ams.lat) > 0)
    # Monthly means of the packed daily files equal the monthly truth up to the packing step.
    diff = ams.values - truth.sel(time=ams.time).values
    assert np.sqrt(np.mean(diff**2)) < 2e-3
    era = xr.open_dataset(tiny_run / PREP / "era5land.nc")["sm"]
    assert era.shape == (36, 3, 71, 151)
    np.testing.assert_allclose(era.layer_bottom.values, [0.07, 0.28, 1.0])
    r = np.corrcoef(
        era.isel(layer=0).values.ravel(), truth.sel(time=era.time).isel(layer=0).values.ravel()
    )[0, 1]
    assert r > 0.9


def test_region_masks(tiny_run):
    m = xr.open_dataset(tiny_run / PREP / "regions.nc")["mask"]
    assert list(m.region.values) == ["TRSR", "yangtze", "yellow", "lancang"]
    union = m.sel(region=["yangtze", "yellow", "lancang"]).max("region")
    np.testing.assert_array_equal(m.sel(region="TRSR").values, union.values)


def test_noop_rerun_plans_nothing(tiny_run):
    proc = snakemake(tiny_run, "-n")
    assert proc.returncode == 0
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_corrupt_model_file_fails_cleanly(scratch_copy):
    src = scratch_copy / "resources/demo/cmip6/mrsos_Lmon_CESM2_ssp585_r1i1p1f1_gn_201501-210012.nc"
    out = scratch_copy / PREP / "cmip6/ssp585/CESM2.nc"
    raw = src.read_bytes()
    src.write_bytes(raw[: len(raw) // 3])  # a truncated download
    proc = snakemake(scratch_copy, "--rerun-triggers", "mtime")
    assert proc.returncode != 0
    assert not out.exists()
    assert not list(out.parent.glob(".CESM2.nc.*"))  # no half-written temporary either
    log = (scratch_copy / "results/tiny/logs/regrid_cmip6/ssp585/CESM2.log").read_text()
    assert str(src.relative_to(scratch_copy)) in log and "cannot be read" in log
    # The other models of the experiment are untouched.
    assert (scratch_copy / PREP / "cmip6/ssp585/UKESM1-0-LL.nc").is_file()


def test_schema_violation_stops_before_anything_runs(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("run: bad\nregrid: {method: nearest}\n")
    proc = snakemake(tmp_path, configfile=bad)
    assert proc.returncode != 0
    assert (
        f"config key regrid.method (set in {bad}): 'nearest' is not allowed (expected one "
        "of: 'conservative', 'bilinear')"
    ) in proc.stderr
    assert len(proc.stderr.splitlines()) < 10  # the message, not the schema and the config
    assert not (tmp_path / "resources").exists() and not (tmp_path / "results").exists()


def test_misspelled_key_is_refused(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("run: bad\nregrid: {methd: bilinear}\n")
    proc = snakemake(tmp_path, configfile=bad)
    assert proc.returncode != 0
    assert "config key regrid.methd" in proc.stderr and "did you mean 'method'?" in proc.stderr


def test_insitu_stage_outputs(tiny_run):
    import pandas as pd

    stations = pd.read_parquet(tiny_run / "results/tiny/insitu/stations.parquet")
    assert list(stations.columns) == [
        "station",
        "network",
        "lat",
        "lon",
        "layer",
        "month",
        "sm",
        "n_days",
    ]
    assert set(stations["network"]) == {"CTP_SMTMN", "MAQU", "NAQU", "CMA"}
    regions = xr.open_dataset(tiny_run / PREP / "regions.nc")["mask"].sel(region="TRSR")
    assert not (tiny_run / "results/tiny/insitu/all").exists()  # per-fold grids only
    for fold in range(3):  # each fold's grids never saw its test year (one year per fold)
        grids = xr.open_dataset(tiny_run / f"results/tiny/insitu/fold{fold}/insitu_grids.nc")
        assert grids["insitu_sm"].shape == (36, 5, 71, 151)
        inside = grids["insitu_prob"].isel(time=0, layer=0).notnull()
        np.testing.assert_array_equal(inside.values, regions.values.astype(bool))
        year = 2011 + fold
        assert grids.attrs["held_out_months"] == ",".join(f"{year}-{m:02d}" for m in range(1, 13))
        assert grids.attrs["station_samples"] < len(stations)
    skill = pd.read_csv(tiny_run / "results/tiny/insitu/insitu_skill.csv")
    assert skill["forest_beats_climatology"].all()
    table = pd.read_csv(tiny_run / "results/tiny/evaluation/table_s1_reference_medians.csv")
    assert set(table["dataset"]) == {"ERA5-Land", "AMSMQTP"}
    assert (table["R"] > 0.5).all()
    png = tiny_run / "results/tiny/figures/fig05_reference_boxplots.png"
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_table1_lists_the_models_as_their_files_say(tiny_run):
    import pandas as pd
    import yaml

    from smdown.catalog import MODELS
    from tests.workflow.conftest import TINY

    models = yaml.safe_load(TINY.read_text())["models"]
    table = pd.read_csv(tiny_run / "results/tiny/evaluation/table1_models.csv")
    assert table["model"].tolist() == models
    assert table["member"].tolist() == [MODELS[m].member for m in models]
    assert table["institution"].tolist() == [MODELS[m].institution for m in models]
    # tiny.yaml's three models: regular 360_day, regular noleap, Gaussian proleptic_gregorian
    assert table["calendar"].tolist() == ["360_day", "noleap", "proleptic_gregorian"]
    assert table["native grid"].str.endswith("degrees (lat x lon)").all()


def test_fig01_draws_every_station_of_the_station_table(tiny_run):
    import pandas as pd
    from PIL import Image

    stations = pd.read_parquet(tiny_run / "results/tiny/insitu/stations.parquet")
    drawn = pd.read_csv(tiny_run / "results/tiny/figures/fig01_stations.csv")
    expected = stations.groupby(["network", "station"]).agg(
        lat=("lat", "first"), lon=("lon", "first")
    )
    drawn = drawn.astype({"station": str}).set_index(["network", "station"]).sort_index()
    expected.index = expected.index.set_levels(expected.index.levels[1].astype(str), level=1)
    assert drawn.index.equals(expected.sort_index().index)
    np.testing.assert_allclose(drawn[["lat", "lon"]], expected.sort_index()[["lat", "lon"]])
    assert drawn["in_TRSR"].any() and {"in_yangtze", "in_yellow", "in_lancang"} <= set(drawn)
    with Image.open(tiny_run / "results/tiny/figures/fig01_study_area.png") as image:
        assert image.format == "PNG"
