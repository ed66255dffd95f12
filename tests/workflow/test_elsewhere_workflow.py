"""The tiny run moved to another region, through every stage to the trend figures (issue 22):
a grid across the prime meridian, a model outside the catalog, ERA5-Land as the reference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from smdown.catalog import ERA5LAND_LAYERS
from tests.workflow.conftest import TINY, snakemake

pytestmark = pytest.mark.workflow
ELSEWHERE = Path(__file__).with_name("tiny_elsewhere.yaml")
RUN = "results/tiny-elsewhere"


@pytest.fixture(scope="module")
def elsewhere_run(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("elsewhere")
    proc = snakemake(workdir, configfile=(TINY, ELSEWHERE))
    if proc.returncode != 0:
        pytest.fail(f"the tiny run elsewhere failed:\n{proc.stderr[-4000:]}")
    return workdir


def test_the_product_lies_on_the_grid_across_0_with_the_references_layers(elsewhere_run):
    with xr.open_dataset(elsewhere_run / RUN / "product/CMIP6_UNet-Gan_ssp585.nc") as product:
        np.testing.assert_allclose(product.lon, np.round(np.arange(-2.0, 3.05, 0.1), 10))
        np.testing.assert_allclose(product.lat, np.round(np.arange(43.0, 46.25, 0.1), 10))
        assert product.sizes["depth"] == len(ERA5LAND_LAYERS)
        assert "garonne (cell centres 43 N to 46.2 N, 2 W to 3 E)" in product.attrs["title"]
        assert "MyModel-1" in product.attrs["source"]
        inside = np.isfinite(product["sm"].isel(time=0, depth=0)).values
        assert inside[:, product.lon.values < 0].any() and inside[:, product.lon.values > 0].any()


def test_era5land_is_the_reference_of_three_layers(elsewhere_run):
    assert not (elsewhere_run / "resources/demo/amsmqtp").exists()  # no AMSMQTP written
    with xr.open_dataset(elsewhere_run / RUN / "prepared/amsmqtp.nc") as ref:
        assert ref.attrs["source"] == "ERA5-Land" and ref.sizes["layer"] == 3
        assert str(ref["time"].values[0])[:7] == "2011-01" and ref.sizes["time"] == 36
    with xr.open_dataset(elsewhere_run / RUN / "insitu/fold0/insitu_grids.nc") as grids:
        assert grids.sizes["layer"] == 3
    with xr.open_dataset(elsewhere_run / RUN / "product/CMIP6_UNet-Gan_historical.nc") as ds:
        np.testing.assert_allclose(ds["depth_bnds"].values, np.array(ERA5LAND_LAYERS))


def test_table_1_names_the_model_outside_the_catalog(elsewhere_run):
    table = pd.read_csv(elsewhere_run / RUN / "evaluation/table1_models.csv")
    mine = table.set_index("model").loc["MyModel-1"]
    assert (mine["institution"], mine["member"], mine["calendar"]) == ("ME", "r2i1p1f1", "360_day")


def test_the_truths_trend_signs_are_recovered(elsewhere_run):
    figures = elsewhere_run / RUN / "figures"
    for k in range(1, len(ERA5LAND_LAYERS) + 1):
        assert (figures / f"fig08_annual_trend_maps_layer{k}.png").read_bytes()[:4] == b"\x89PNG"
    assert not list(figures.glob("*layer4.png"))  # three layers, three figures each
    check = pd.read_csv(elsewhere_run / RUN / "evaluation/trends_vs_truth_ssp585.csv")
    signs = check[check["check"] == "same_sign_share"]
    assert len(signs) == len(ERA5LAND_LAYERS) and (signs["cells"] > 0).all()
    assert (signs["product"] >= 0.9).all(), signs
