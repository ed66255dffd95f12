"""The YNet in the training loop: no discriminator, a constant rate, exact resumption, saved
weights with their static fields, and the nesting of the input grid in the target grid."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import xarray as xr

from smdown.errors import InputError
from smdown.nn import StaticFieldsYNet, UNetGenerator
from smdown.nn.saved import load_generator, save_generator
from smdown.training.baselines import EnsembleMean
from smdown.training.loop import TrainingData, TrainSettings, train
from smdown.training.run import nested_scale

SETTINGS = TrainSettings(
    epochs=3,
    batch_size=4,
    lr_generator=3e-3,
    lr_discriminator=3e-3,
    device="cpu",
    adversarial=False,
    lr_schedule="constant",
)


def make_data() -> TrainingData:
    """20 samples of 5 coarse fields on 3 x 4 and a fine target on 12 x 16 (factor 4)."""
    rng = torch.Generator().manual_seed(5)
    x = torch.rand(20, 5, 3, 4, generator=rng)
    y = (
        torch.nn.functional.interpolate(x.mean(1, keepdim=True), scale_factor=4, mode="bilinear")
        + 0.05
    )
    mask = torch.ones(12, 16, dtype=torch.bool)
    mask[:2, :3] = False
    y[..., ~mask] = math.nan
    return TrainingData(
        x=x,
        y=y,
        mask=mask,
        train=torch.arange(12),
        val=torch.arange(12, 16),
        test=torch.arange(16, 20),
    )


def make_net(upsampling: str = "bicubic") -> StaticFieldsYNet:
    torch.manual_seed(0)
    aux = torch.ones(1, 12, 16)
    aux[0, :2, :3] = 0.0
    return StaticFieldsYNet.with_fields(
        aux, in_channels=5, scale=4, features=4, pairs=2, upsampling=upsampling
    )


def fit(tmp_path, name, **kwargs):
    net = make_net()
    result = train(
        net,
        None,
        make_data(),
        SETTINGS,
        checkpoint=tmp_path / name / "ckpt.pt",
        history_csv=tmp_path / name / "history.csv",
        **kwargs,
    )
    return result, net


def test_ynet_trains_without_discriminator_at_a_constant_rate(tmp_path):
    result, net = fit(tmp_path, "a")
    history = result.history
    assert list(history["lr_g"]) == [SETTINGS.lr_generator] * 3
    assert history["lr_d"].isna().all() and history["d_loss"].isna().all()
    assert history["mse"].iloc[-1] < history["mse"].iloc[0]
    assert net(make_data().x[:2]).shape == (2, 1, 12, 16)


def test_ynet_run_resumed_from_its_checkpoint_is_bit_identical(tmp_path):
    whole, _ = fit(tmp_path, "whole")
    fit(tmp_path, "cut", stop_after_epoch=1)
    resumed, _ = fit(tmp_path, "cut")
    assert resumed.epochs_run == 3
    for key, value in whole.best_state.items():
        assert torch.equal(value, resumed.best_state[key]), key


@pytest.mark.parametrize("change", [{"dropout": 0.0}, {"upsampling": "bilinear"}])
def test_checkpoint_of_another_architecture_with_the_same_weights_is_not_resumed(tmp_path, change):
    """Dropout and upsampling have no weights: the checkpoint's fingerprint must still differ."""
    aux = make_net().aux[0]

    def other() -> StaticFieldsYNet:
        torch.manual_seed(0)
        return StaticFieldsYNet.with_fields(
            aux, in_channels=5, scale=4, features=4, pairs=2, **change
        )

    assert all(
        torch.equal(a, b)
        for a, b in zip(
            other().state_dict().values(), make_net().state_dict().values(), strict=True
        )
    )
    fit(tmp_path, "run", stop_after_epoch=1)
    result = train(
        other(),
        None,
        make_data(),
        SETTINGS,
        checkpoint=tmp_path / "run" / "ckpt.pt",
        history_csv=tmp_path / "run" / "history.csv",
    )
    fresh = train(
        other(),
        None,
        make_data(),
        SETTINGS,
        checkpoint=tmp_path / "new" / "ckpt.pt",
        history_csv=tmp_path / "new" / "history.csv",
    )
    assert result.history["mse"].tolist() == fresh.history["mse"].tolist()


def test_adversarial_settings_need_a_discriminator(tmp_path):
    with pytest.raises(ValueError, match="discriminator"):
        train(
            make_net(),
            None,
            make_data(),
            TrainSettings(epochs=1, device="cpu"),
            checkpoint=tmp_path / "c.pt",
            history_csv=tmp_path / "h.csv",
        )


@pytest.mark.parametrize("upsampling", ["bicubic", "bilinear"])
def test_saved_ynet_loads_with_its_static_fields(tmp_path, upsampling):
    net = make_net(upsampling)
    save_generator(net, tmp_path / "ynet.pt", stage="ynet")
    loaded, meta = load_generator(tmp_path / "ynet.pt")
    assert isinstance(loaded, StaticFieldsYNet) and meta == {"stage": "ynet"}
    assert torch.equal(loaded.aux, net.aux)
    assert loaded.ynet.upsampling == upsampling
    x = make_data().x[:3]
    net.eval()
    assert torch.equal(loaded(x), net(x))


def test_weights_saved_before_the_family_key_load_as_a_unet(tmp_path):
    unet = UNetGenerator(5, 2, base_channels=4, depth=1)
    path = tmp_path / "old.pt"
    torch.save(
        {"architecture": unet.architecture, "state_dict": unet.state_dict(), "meta": {}}, path
    )
    assert isinstance(load_generator(path)[0], UNetGenerator)


def test_upsampled_ensemble_mean_baseline():
    x = torch.rand(2, 5, 3, 4)
    out = EnsembleMean(1, scale=4)(x)
    assert out.shape == (2, 1, 12, 16)
    assert torch.allclose(out.mean(dim=(2, 3)), x.mean(dim=(1, 2, 3))[:, None], atol=0.02)


def grid(first: float, count: int, step: float) -> xr.DataArray:
    lat = first + step * np.arange(count)
    return xr.DataArray(
        np.zeros((count, 2 * count)),
        dims=("lat", "lon"),
        coords={"lat": lat, "lon": 70 + step * np.arange(2 * count)},
    )


def test_nested_scale_of_the_studys_grids():
    coarse = grid(19.0, 18, 2.0).assign_coords(lon=72.0 + 2.0 * np.arange(36))
    fine = grid(18.125, 144, 0.25).assign_coords(lon=71.125 + 0.25 * np.arange(288))
    assert nested_scale(coarse, fine, "models.nc") == 8


def test_grids_that_do_not_nest_are_refused():
    coarse = grid(19.0, 18, 2.0)
    shifted = grid(18.0, 144, 0.25)  # cell edges, not centres: blocks miss the coarse centres
    with pytest.raises(InputError, match="models.nc.*input_grid"):
        nested_scale(coarse, shifted, "models.nc")
    with pytest.raises(InputError, match="input_grid"):
        nested_scale(coarse, grid(18.125, 100, 0.25), "models.nc")
