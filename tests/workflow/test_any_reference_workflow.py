"""ERA5-Land as the fine-tuning reference through the real workflow (issue 22, item 3): no
AMSMQTP file is written, the reference is ERA5-Land's prepared years, and the product follows
its three layers."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
import yaml

from smdown.catalog import ERA5LAND_LAYERS
from tests.workflow.conftest import TINY, snakemake

pytestmark = pytest.mark.workflow


def test_era5land_as_reference_gives_a_three_layer_product(tmp_path):
    config = yaml.safe_load(TINY.read_text())
    config["run"] = "era5ref"
    config["sources"]["amsmqtp"] = {"provider": "era5land", "first_year": 2012, "last_year": 2014}
    config["insitu"]["period"] = [2012, 2014]  # inside ERA5-Land's tiny years
    config["training"]["finetune"]["years"] = [2012, 2014]
    path = tmp_path / "era5ref.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    product = "results/era5ref/product/CMIP6_UNet-Gan_historical.nc"
    proc = snakemake(tmp_path, product, configfile=path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not (tmp_path / "resources/demo/amsmqtp").exists()
    with xr.open_dataset(tmp_path / "results/era5ref/prepared/amsmqtp.nc") as ref:
        assert ref.attrs["source"] == "ERA5-Land" and ref.sizes["layer"] == 3
        assert str(ref["time"].values[0])[:7] == "2012-01" and ref.sizes["time"] == 36
    with xr.open_dataset(tmp_path / "results/era5ref/insitu/fold0/insitu_grids.nc") as grids:
        assert grids.sizes["layer"] == 3
    with xr.open_dataset(tmp_path / product) as ds:
        assert ds["sm"].sizes["depth"] == 3
        np.testing.assert_allclose(ds["depth_bnds"].values, np.array(ERA5LAND_LAYERS))
