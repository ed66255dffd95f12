"""YNet of the CMIP6DL study: layer counts, parameter count, shapes, skips and dropout."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from smdown.nn.ynet import YNet


def _count(cin: int, cout: int, k: int = 3) -> int:
    return cin * cout * k * k + cout


def test_layer_counts_are_the_studys():
    net = YNet(in_channels=25)
    extractor = [*net.encoder, *net.deconvs, *net.decoder]
    assert sum(isinstance(m, nn.Conv2d) for m in extractor) == 30
    assert sum(isinstance(m, nn.ConvTranspose2d) for m in extractor) == 15
    assert len(net.upsample_convs) == 2 and len(net.fusion) == 2


def test_parameter_count_from_the_layers():
    c, f, a = 25, 64, 1
    expected = (
        _count(c, f)
        + 14 * _count(f, f)  # encoder
        + 15 * _count(f, f)  # deconvolutions
        + 14 * _count(f, f)
        + _count(f, c)  # convolutions after them
        + 2 * _count(c, c)  # upsampling part
        + _count(2 * c + a, f)
        + _count(f, 1)
    )  # fusion
    net = YNet(in_channels=c)
    assert sum(p.numel() for p in net.parameters()) == expected == 1_658_110


def test_china_shapes_and_factor_8():
    torch.manual_seed(0)
    net = YNet(in_channels=25, features=8, pairs=3).eval()
    coarse = torch.rand(2, 25, 18, 33)  # 2 degree grid over 18-54 N, 71-137 E
    aux = torch.rand(2, 1, 18 * 8, 33 * 8)  # 0.25 degree elevation or land mask
    out = net(coarse, aux)
    assert out.shape == (2, 1, 144, 264)
    assert net.extract(coarse).shape == coarse.shape
    with pytest.raises(ValueError, match="expected"):
        net(coarse, aux[..., :-1])


def test_skip_connections_carry_the_input_and_dropout_only_in_training():
    torch.manual_seed(1)
    net = YNet(in_channels=8, features=4, pairs=2, dropout=0.5)
    for module in (*net.encoder, *net.deconvs, *net.decoder):
        for p in module.parameters():
            nn.init.zeros_(p)
    x = torch.rand(1, 8, 5, 6)
    torch.testing.assert_close(net.extract(x), x)  # zero layers: the global skip alone
    aux = torch.rand(1, 1, 40, 48)
    net.eval()
    torch.testing.assert_close(net(x, aux), net(x, aux))
    net.train()
    assert not torch.equal(net(x, aux), net(x, aux))


def test_upsampling_mode_is_used_by_both_paths_and_checked():
    step = torch.zeros(1, 1, 4, 4)
    step[..., 2:] = 1.0
    bilinear = YNet(in_channels=1, features=2, pairs=1, upsampling="bilinear")
    bicubic = YNet(in_channels=1, features=2, pairs=1)
    assert bicubic.architecture["upsampling"] == "bicubic"  # the YNet paper's, by default
    # bilinear stays within the coarse range; bicubic overshoots at the step
    fine = bilinear.upsample(step, (32, 32))
    assert fine.min() >= 0.0 and fine.max() <= 1.0
    assert bicubic.upsample(step, (32, 32)).max() > 1.0
    bicubic.load_state_dict(bilinear.state_dict())
    aux = torch.zeros(1, 1, 32, 32)
    assert not torch.allclose(bilinear.eval()(step, aux), bicubic.eval()(step, aux))
    with pytest.raises(ValueError, match="bicubic, bilinear"):
        YNet(in_channels=1, upsampling="nearest")
