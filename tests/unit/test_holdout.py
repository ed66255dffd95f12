"""The CMIP6DL evaluation's inputs on the target grid, and the YNet product's input checks."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import xarray as xr

from smdown.errors import InputError
from smdown.geometry import regular_grid
from smdown.nn import StaticFieldsYNet
from smdown.nn.saved import save_generator
from smdown.product.holdout import holdout_fields
from smdown.product.netcdf import ProductAttrs, ProductWriter
from smdown.product.run import write_network_product
from smdown.sources.calendar import month_range

FINE = regular_grid(28.125, 31.875, 100.125, 107.875, 0.25)  # 16 x 32
COARSE = regular_grid(29.0, 31.0, 101.0, 107.0, 2.0)  # 2 x 4, 8 x 8 fine cells each
TIMES = month_range(2013, 2014)
ATTRS = ProductAttrs(
    experiment="historical",
    config_hash="0",
    workflow_version="v1",
    models=("A",),
    folds=1,
    product="CMIP6DL",
    members="YNet (one network)",
)


def _mask() -> np.ndarray:
    inside = np.ones(FINE.shape, dtype=bool)
    inside[:3, :5] = False
    return inside


@pytest.fixture
def files(tmp_path):
    """Regions, prepared ERA5-Land, a one-layer product and one coarse model, all 2013-2014."""
    rng = np.random.default_rng(0)
    xr.Dataset(
        {"mask": (("region", "lat", "lon"), _mask()[None])},
        coords={"region": ["China"], **FINE.coords()},
    ).to_netcdf(tmp_path / "regions.nc")
    era5 = rng.uniform(0.1, 0.4, (TIMES.size, 3, *FINE.shape)).astype(np.float32)
    xr.Dataset(
        {"sm": (("time", "layer", "lat", "lon"), era5)},
        coords={"time": TIMES, "layer": [1, 2, 3], **FINE.coords()},
    ).to_netcdf(tmp_path / "era5land.nc")
    sm = era5[:, :1] + 0.01
    sm[..., ~_mask()] = np.nan
    with ProductWriter(
        tmp_path / "product.nc", FINE, TIMES, [(0.0, 0.07)], ATTRS, spread=False
    ) as out:
        out.write(0, sm)
    model = rng.uniform(0.1, 0.4, (TIMES.size, *COARSE.shape)).astype(np.float32)
    ds = xr.Dataset(
        {"mrsos": (("time", "lat", "lon"), model)}, coords={"time": TIMES, **COARSE.coords()}
    )
    for name, var in COARSE.bounds_vars().items():
        ds[name] = var
    ds.to_netcdf(tmp_path / "A.nc")
    return tmp_path


def test_holdout_fields_align_on_months_grid_and_region(files):
    held = holdout_fields(
        files / "era5land.nc",
        {"CMIP6DL": files / "product.nc"},
        {"A": files / "A.nc"},
        ["A"],
        files / "regions.nc",
        "China",
        (2014, 2014),
        layer=1,
    )
    inside = _mask()
    assert held.reference.shape == (12, 16, 32)
    assert str(held.reference.time.values[0])[:7] == "2014-01"
    np.testing.assert_allclose(
        held.products["CMIP6DL"].values[:, inside],
        held.reference.values[:, inside] + 0.01,
        atol=1e-6,
    )
    model = held.models["A"]
    assert model.shape == (12, 16, 32) and np.isnan(model.values[:, ~inside]).all()
    with xr.open_dataset(files / "A.nc") as ds:  # bilinear keeps the coarse cells' range
        coarse = ds["mrsos"].sel(time=slice("2014", "2014")).values
    assert (
        coarse.min() - 1e-6
        <= np.nanmin(model.values)
        <= np.nanmax(model.values)
        <= coarse.max() + 1e-6
    )


def test_test_years_outside_the_reference_are_refused_by_name(files):
    with pytest.raises(InputError, match=r"era5land\.nc: no months in the test years"):
        holdout_fields(
            files / "era5land.nc",
            {"CMIP6DL": files / "product.nc"},
            {},
            [],
            files / "regions.nc",
            "China",
            (2015, 2015),
            layer=1,
        )


def test_a_product_missing_test_months_is_refused_by_name(files, tmp_path):
    with xr.open_dataset(files / "product.nc") as ds:
        ds.isel(time=slice(0, 18)).to_netcdf(tmp_path / "short.nc")
    with pytest.raises(InputError, match=r"short\.nc.*6 test months missing \(first 2014-07\)"):
        holdout_fields(
            files / "era5land.nc",
            {"CMIP6DL": tmp_path / "short.nc"},
            {},
            [],
            files / "regions.nc",
            "China",
            (2014, 2014),
            layer=1,
        )


def test_network_product_refuses_other_models_and_writes_nothing(files):
    aux = torch.from_numpy(_mask().astype(np.float32))[None]
    net = StaticFieldsYNet.with_fields(aux, in_channels=1, scale=8, features=2, pairs=1)
    save_generator(net, files / "ynet.pt", models=["B"], region="China")
    with pytest.raises(InputError, match=r"models \['A'\].*the models \['B'\] of"):
        write_network_product(
            files / "ynet.pt",
            {"A": files / "A.nc"},
            ["A"],
            files / "regions.nc",
            files / "out.nc",
            ATTRS,
            [(0.0, 0.07)],
        )
    assert not (files / "out.nc").exists()


def test_network_product_of_a_trained_net(files):
    aux = torch.from_numpy(_mask().astype(np.float32))[None]
    torch.manual_seed(0)
    net = StaticFieldsYNet.with_fields(aux, in_channels=1, scale=8, features=2, pairs=1)
    save_generator(net, files / "ynet.pt", models=["A"], region="China")
    write_network_product(
        files / "ynet.pt",
        {"A": files / "A.nc"},
        ["A"],
        files / "regions.nc",
        files / "out.nc",
        ATTRS,
        [(0.0, 0.07)],
        device="cpu",
        chunk_months=7,
    )
    with xr.open_dataset(files / "out.nc") as ds:
        assert ds["sm"].shape == (24, 1, 16, 32) and "sm_spread" not in ds
        with xr.open_dataset(files / "A.nc") as model:
            x = torch.from_numpy(model["mrsos"].values[:, None])
        net.eval()
        with torch.no_grad():
            expected = net(x).numpy()
        inside = _mask()
        np.testing.assert_allclose(
            ds["sm"].values[..., inside], expected[..., inside], rtol=1e-5, atol=1e-6
        )
        assert np.isnan(ds["sm"].values[..., ~inside]).all()
