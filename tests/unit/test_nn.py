"""The UNet-GAN networks and losses: sizes, shapes, weight loading, and losses by hand."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from smdown.errors import InputError
from smdown.nn import (
    Discriminator,
    LossWeights,
    UNetGenerator,
    VGG16Features,
    generator_loss,
    insitu_loss,
    masked_mse,
    relativistic_discriminator_loss,
    relativistic_generator_loss,
    tv_loss,
    vgg_loss,
)
from smdown.nn.saved import load_generator, save_generator
from smdown.nn.unet import pad_to_multiple
from smdown.nn.vgg import REQUIRED_KEYS
from smdown.synthetic.vgg import random_vgg16_state, write_random_vgg16

H, W = 71, 151


def n_params(module) -> int:
    return sum(p.numel() for p in module.parameters())


def region_mask() -> torch.Tensor:
    """A (H, W) region with a hole and a masked-out band, like a basin outline."""
    mask = torch.ones(H, W, dtype=torch.bool)
    mask[:10] = False
    mask[30:40, 50:70] = False
    return mask


# --- networks ---------------------------------------------------------------------------------


def test_paper_size_parameter_counts():
    assert n_params(UNetGenerator(17, 5, base_channels=64, depth=4)) == 31_040_069
    assert n_params(Discriminator(5, base_channels=64)) == 5_216_577


@pytest.mark.parametrize("depth", [2, 4])
def test_unet_keeps_the_grid(depth):
    torch.manual_seed(0)
    out = UNetGenerator(17, 5, base_channels=4, depth=depth)(torch.randn(2, 17, H, W))
    assert out.shape == (2, 5, H, W)
    assert out.min() > 0 and out.max() < 1


def test_padding_is_split_and_reflected():
    x = torch.arange(H * W, dtype=torch.float32).view(1, 1, H, W)
    padded, (top, left) = pad_to_multiple(x, 16)
    assert padded.shape == (1, 1, 80, 160) and (top, left) == (4, 4)
    torch.testing.assert_close(padded[..., top : top + H, left : left + W], x)
    torch.testing.assert_close(padded[..., top - 1, left : left + W], x[..., 1, :])  # reflected


def test_unet_small_input_falls_back_to_replicate():
    out = UNetGenerator(2, 1, base_channels=2, depth=4)(torch.randn(1, 2, 5, 7))
    assert out.shape == (1, 1, 5, 7)


def test_discriminator_gives_one_logit_per_sample():
    logits = Discriminator(5, base_channels=4)(torch.randn(2, 5, H, W))
    assert logits.shape == (2, 1)


def test_pretrained_body_loads_all_but_the_head():
    torch.manual_seed(0)
    pretrained = UNetGenerator(17, 3, base_channels=4, depth=2)
    finetune = UNetGenerator(17, 5, base_channels=4, depth=2)
    head_before = {k: v.clone() for k, v in finetune.head.state_dict().items()}
    finetune.load_pretrained_body(pretrained.state_dict())
    source = pretrained.state_dict()
    for key, value in finetune.state_dict().items():
        if key.startswith("head."):
            assert torch.equal(value, head_before[key.removeprefix("head.")])
        else:
            assert torch.equal(value, source[key])
    with pytest.raises(RuntimeError, match="Missing key"):
        finetune.load_pretrained_body({k: v for k, v in source.items() if "encoders.0" not in k})


def test_standardised_inputs_are_an_identity_until_set_and_travel_with_the_weights(tmp_path):
    torch.manual_seed(0)
    net = UNetGenerator(3, 2, base_channels=4, depth=2).eval()
    x = torch.rand(2, 3, 12, 20)
    before = net(x)
    assert torch.equal(net.input_mean, torch.zeros(3)) and torch.equal(net.input_std, torch.ones(3))
    mean, std = torch.tensor([0.2, 0.3, 0.4]), torch.tensor([0.05, 0.1, 0.2])
    net.standardise_inputs(mean, std)
    shifted = net(x * std[:, None, None] + mean[:, None, None])  # standardised: x again
    torch.testing.assert_close(shifted, before, rtol=0, atol=1e-6)
    save_generator(net, tmp_path / "g.pt")
    loaded, _ = load_generator(tmp_path / "g.pt")
    assert torch.equal(loaded.input_mean, mean) and torch.equal(loaded.input_std, std)
    with pytest.raises(ValueError, match="positive deviations"):
        net.standardise_inputs(mean, torch.tensor([0.1, 0.0, 0.1]))


def test_residual_head_adds_to_the_inputs_mean():
    torch.manual_seed(0)
    net = UNetGenerator(3, 2, base_channels=4, depth=2, residual=True).eval()
    assert net.architecture["residual"] is True
    x = 0.1 + 0.3 * torch.rand(2, 3, 12, 20)
    with torch.no_grad():
        net.head.weight.zero_()
    net.start_at_mean(torch.tensor([0.25, 0.25]), inputs_mean=torch.tensor(0.25))
    torch.testing.assert_close(net(x), x.mean(dim=1, keepdim=True).expand(-1, 2, -1, -1))
    net.start_at_mean(torch.tensor([0.2, 0.3]), inputs_mean=torch.tensor(0.25))
    assert (net(x)[:, 0] < x.mean(dim=1)).all() and (net(x)[:, 1] > x.mean(dim=1)).all()
    with pytest.raises(ValueError, match="inputs' mean"):
        net.start_at_mean(torch.tensor([0.2, 0.3]))


def random_vgg16(path, complete=True):
    """Random VGG16 feature weights plus a classifier key (ignored), as tests may not download."""
    state = {"classifier.0.bias": torch.zeros(4096), **random_vgg16_state(0)}
    if not complete:
        state = {k: v for k, v in state.items() if k in REQUIRED_KEYS[:4]}
    torch.save(state, path)
    return state


def test_vgg_loads_torchvision_keys_and_computes_by_hand(tmp_path):
    state = random_vgg16(tmp_path / "vgg16.pth")
    vgg = VGG16Features.from_state_dict_file(tmp_path / "vgg16.pth")
    assert not vgg.training
    assert not any(p.requires_grad for p in vgg.parameters())
    x = torch.rand(1, 3, 64, 64)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    manual = (x - mean) / std
    first = F.relu(
        F.conv2d(manual, state["features.0.weight"], state["features.0.bias"], padding=1)
    )
    torch.testing.assert_close(vgg.features[:2](manual), first)
    for index, layer in enumerate(vgg.features):  # the whole stack, layer by layer
        if isinstance(layer, torch.nn.MaxPool2d):
            assert index in (4, 9, 16, 23, 30)
            manual = F.max_pool2d(manual, 2)
        elif isinstance(layer, torch.nn.Conv2d):
            weight, bias = state[f"features.{index}.weight"], state[f"features.{index}.bias"]
            manual = F.relu(F.conv2d(manual, weight, bias, padding=1))
    out = vgg(x)
    assert out.shape == (1, 512, 2, 2)
    torch.testing.assert_close(out, manual)


def test_vgg_file_missing_keys_is_refused(tmp_path):
    random_vgg16(tmp_path / "part.pth", complete=False)
    with pytest.raises(InputError, match="part.pth.*VGG16 keys missing"):
        VGG16Features.from_state_dict_file(tmp_path / "part.pth")


# --- losses -----------------------------------------------------------------------------------


def test_masked_mse_ignores_cells_outside_the_region():
    pred, target = torch.zeros(1, 2, 2, 2), torch.ones(1, 2, 2, 2)
    target[0, :, 0, 0] = 3.0
    mask = torch.tensor([[True, True], [False, True]])
    # valid cells per channel: (0,0) err 3, (0,1) err 1, (1,1) err 1 -> (9 + 1 + 1) / 3
    assert masked_mse(pred, target, mask).item() == pytest.approx(11 / 3)
    target[0, :, 1, 0] = float("nan")
    assert masked_mse(pred, target, mask).item() == pytest.approx(11 / 3)
    batch_mask = mask.expand(1, 1, 2, 2)
    assert masked_mse(pred, target, batch_mask).item() == pytest.approx(11 / 3)


class RecordingVGG:
    """A stand-in for VGG16Features: records each input and returns it as the 'features'."""

    def __init__(self):
        self.calls: list[torch.Tensor] = []

    def __call__(self, x):
        self.calls.append(x.clone())
        return x


@pytest.mark.parametrize(("channels", "triplets"), [(3, [(0, 1, 2)]), (5, [(0, 1, 2), (2, 3, 4)])])
def test_vgg_loss_triplets_and_mask(channels, triplets):
    torch.manual_seed(0)
    pred, target = torch.rand(2, channels, 6, 6), torch.rand(2, channels, 6, 6)
    mask = torch.ones(6, 6, dtype=torch.bool)
    mask[:, :2] = False
    stub = RecordingVGG()
    loss = vgg_loss(stub, pred, target, mask)
    assert len(stub.calls) == len(triplets)
    for seen, triplet in zip(stub.calls, triplets, strict=True):
        assert seen.shape == (4, 3, 6, 6)
        torch.testing.assert_close(seen[:2, :, :, 2:], pred[:, list(triplet), :, 2:])
        torch.testing.assert_close(seen[2:, :, :, 2:], target[:, list(triplet), :, 2:])
        assert not seen[..., :2].any()
    by_hand = torch.stack(
        [
            ((pred[:, list(t), :, 2:] - target[:, list(t), :, 2:]) ** 2).sum() / (2 * 3 * 36)
            for t in triplets
        ]
    ).mean()
    torch.testing.assert_close(loss, by_hand)
    pred[..., :2], target[..., :2] = 5.0, float("nan")
    pred.requires_grad_()
    masked_changed = vgg_loss(RecordingVGG(), pred, target, mask)
    torch.testing.assert_close(masked_changed, loss)
    masked_changed.backward()
    assert torch.isfinite(pred.grad).all() and not pred.grad[..., :2].any()


def test_vgg_loss_refuses_other_layer_counts():
    with pytest.raises(ValueError, match="3 or 5"):
        vgg_loss(
            RecordingVGG(),
            torch.rand(1, 4, 2, 2),
            torch.rand(1, 4, 2, 2),
            torch.ones(2, 2, dtype=torch.bool),
        )


def test_relativistic_losses_by_hand():
    d_real = torch.tensor([[2.0], [0.5], [1.0]])
    d_fake = torch.tensor([[-1.0], [0.0], [0.4]])
    mean_real, mean_fake = d_real.mean(), d_fake.mean()

    def bce(logits, label):
        p = torch.sigmoid(logits)
        return -(label * torch.log(p) + (1 - label) * torch.log(1 - p)).mean()

    first = bce(d_fake - mean_real, 1.0)
    torch.testing.assert_close(relativistic_generator_loss(d_fake, d_real), first)
    torch.testing.assert_close(
        relativistic_generator_loss(d_fake, d_real, symmetric=True),
        first + bce(d_real - mean_fake, 0.0),
    )
    torch.testing.assert_close(
        relativistic_discriminator_loss(d_real, d_fake),
        bce(d_real - mean_fake, 1.0) + bce(d_fake - mean_real, 0.0),
    )


def test_insitu_loss_weights_and_nans():
    pred = torch.full((1, 2, 2, 2), 0.2, requires_grad=True)
    s_grid = torch.full((1, 2, 2, 2), float("nan"))
    p_grid = torch.zeros(1, 1, 2, 2)
    s_grid[0, :, 0, 0], p_grid[0, 0, 0, 0] = 0.4, 2.0  # station cell: 2 * 0.2^2 per channel
    s_grid[0, :, 0, 1], p_grid[0, 0, 0, 1] = 0.3, 0.0  # weight 0: contributes nothing
    s_grid[0, :, 1, 1], p_grid[0, 0, 1, 1] = 0.9, 1.0  # outside the region
    mask = torch.tensor([[True, True], [True, False]])
    loss = insitu_loss(pred, s_grid, p_grid, mask)
    assert loss.item() == pytest.approx((2 * 0.04 + 0.0) / 2)  # mean over 2 cells (x 2 channels)
    assert insitu_loss(pred, s_grid, 2 * p_grid, mask).item() == pytest.approx(2 * loss.item())
    loss.backward()
    assert torch.isfinite(pred.grad).all()
    assert insitu_loss(pred, s_grid, p_grid, torch.zeros(2, 2, dtype=torch.bool)).item() == 0


def test_tv_loss_on_a_known_field():
    field = torch.tensor([[0.0, 1.0, 3.0], [2.0, 2.0, 2.0], [4.0, 0.0, 1.0]]).view(1, 1, 3, 3)
    everywhere = torch.ones(3, 3, dtype=torch.bool)
    vertical = 4 + 1 + 1 + 4 + 4 + 1
    horizontal = 1 + 4 + 0 + 0 + 16 + 1
    assert tv_loss(field, everywhere).item() == pytest.approx(vertical + horizontal)
    corner_out = everywhere.clone()
    corner_out[2, 2] = False  # drops the pairs (1,2)-(2,2) and (2,1)-(2,2)
    assert tv_loss(field, corner_out).item() == pytest.approx(vertical + horizontal - 1 - 1)
    batch = torch.cat([field, field, field, field])
    assert tv_loss(batch, everywhere).item() == pytest.approx(vertical + horizontal)


def test_generator_loss_combines_terms():
    w = LossWeights(b1=1.0, b2=0.5, a1=2.0, a2=0.1, a3=0.01, a4=1e-3)
    terms = {
        "mse": torch.tensor(1.0),
        "vgg": torch.tensor(2.0),
        "adv": torch.tensor(3.0),
        "insitu": torch.tensor(4.0),
        "tv": torch.tensor(5.0),
    }
    expected = 2.0 * (1.0 + 0.5 * 2.0) + 0.1 * 3.0 + 0.01 * 4.0 + 1e-3 * 5.0
    assert generator_loss(terms, w).item() == pytest.approx(expected)
    pretraining = {k: terms[k] for k in ("mse", "adv", "tv")}
    assert generator_loss(pretraining, w).item() == pytest.approx(2.0 + 0.3 + 0.005)
    assert LossWeights() == LossWeights(1.0, 0.006, 1.0, 0.001, 0.01, 4e-8)
    with pytest.raises(ValueError, match="got"):
        generator_loss({"msee": torch.tensor(1.0)}, w)


def test_losses_inside_the_region_only_on_the_paper_grid():
    torch.manual_seed(0)
    mask = region_mask()
    pred, target = torch.rand(2, 5, H, W), torch.rand(2, 5, H, W)
    changed = target.clone()
    changed[..., ~mask] = torch.rand(int((~mask).sum()))
    assert masked_mse(pred, changed, mask) == masked_mse(pred, target, mask)
    tv_changed = pred.clone()
    tv_changed[..., ~mask] = 0.0
    assert tv_loss(tv_changed, mask) == tv_loss(pred, mask)


def test_saved_weights_are_the_same_bytes_whatever_the_file_name(tmp_path):
    """Fold hashes cover the pretrained file's bytes, so equal weights must give equal bytes."""
    torch.manual_seed(0)
    generator = UNetGenerator(in_channels=3, out_channels=5, base_channels=4, depth=2)
    save_generator(generator, tmp_path / "generator.pt", stage="pretrain")
    save_generator(generator, tmp_path / "other.pt", stage="pretrain")
    assert (tmp_path / "generator.pt").read_bytes() == (tmp_path / "other.pt").read_bytes()
    write_random_vgg16(tmp_path / "a.pth", seed=1)
    write_random_vgg16(tmp_path / "b.pth", seed=1)
    assert (tmp_path / "a.pth").read_bytes() == (tmp_path / "b.pth").read_bytes()


@pytest.mark.parametrize(("larger_first", "pads"), [(False, (4, 4)), (True, (5, 5))])
def test_odd_pads_put_their_larger_half_where_asked(larger_first, pads):
    x = torch.arange(71 * 151, dtype=torch.float32).view(1, 1, 71, 151)
    padded, (top, left) = pad_to_multiple(x, 16, larger_first)
    assert padded.shape[-2:] == (80, 160) and (top, left) == pads
    assert torch.equal(padded[..., top : top + 71, left : left + 151], x)


def test_the_pad_split_travels_with_the_weights(tmp_path):
    net = UNetGenerator(3, 2, base_channels=4, depth=2, pad_larger_first=True).eval()
    save_generator(net, tmp_path / "g.pt", stage="pretrain")
    loaded, _ = load_generator(tmp_path / "g.pt")
    assert loaded.pad_larger_first and loaded.architecture["pad_larger_first"]
    x = torch.rand(1, 3, 9, 11)
    assert torch.equal(loaded(x), net(x))


def _authors_tv(x: torch.Tensor) -> torch.Tensor:
    """The total variation of the authors' loss.py, written out independently: twice the
    per-sample mean of squared vertical plus horizontal differences, averaged over the batch."""
    b, c, h, w = x.shape
    vertical = ((x[:, :, 1:, :] - x[:, :, :-1, :]) ** 2).sum() / (c * (h - 1) * w)
    horizontal = ((x[:, :, :, 1:] - x[:, :, :, :-1]) ** 2).sum() / (c * h * (w - 1))
    return 2 * (vertical + horizontal) / b


def test_tv_mean_is_the_authors_total_variation():
    x = torch.rand(3, 5, 8, 10, dtype=torch.float64)
    everywhere = torch.ones(8, 10, dtype=torch.bool)
    assert torch.allclose(tv_loss(x, everywhere, "mean"), _authors_tv(x))
    sums = (((x[:, :, 1:] - x[:, :, :-1]) ** 2).sum() + ((x[..., 1:] - x[..., :-1]) ** 2).sum()) / 3
    assert torch.allclose(tv_loss(x, everywhere, "sum"), sums)
    with pytest.raises(ValueError, match="not one of"):
        tv_loss(x, everywhere, "median")


def test_raw_vgg_input_skips_the_imagenet_normalisation():
    torch.manual_seed(0)
    normalised, raw = VGG16Features(), VGG16Features(normalise=False)
    raw.load_state_dict(normalised.state_dict())
    x = torch.rand(1, 3, 32, 32)
    assert torch.equal(raw(x), raw.features(x))
    assert not torch.allclose(raw(x), normalised(x))
