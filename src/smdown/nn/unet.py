"""The UNet generator: CMIP6 channels in, soil-moisture layers in (0, 1) out, on the same grid."""

from __future__ import annotations

import math
from collections.abc import Mapping

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def double_conv(in_channels: int, out_channels: int) -> nn.Sequential:
    """Two 3x3 convolutions (padding 1), each followed by ReLU: the UNet's basic block."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, 3, padding=1),
        nn.ReLU(),
    )


def pad_to_multiple(
    x: Tensor, multiple: int, larger_first: bool = False
) -> tuple[Tensor, tuple[int, int]]:
    """Pad (H, W) up to the next multiple, split between both sides; return the (top, left) pads.

    An odd pad puts its larger half at the bottom and right, or with `larger_first` at the top
    and left (the authors' 71 x 151 -> 80 x 160 is (5, 4, 5, 4)). Reflection padding keeps the
    border free of artificial edges; it needs every pad smaller than the side it reflects, so a
    too small input falls back to replicate padding.
    """
    height, width = x.shape[-2:]
    pad_h = math.ceil(height / multiple) * multiple - height
    pad_w = math.ceil(width / multiple) * multiple - width
    split = math.ceil if larger_first else math.floor
    top, left = split(pad_h / 2), split(pad_w / 2)
    pads = (left, pad_w - left, top, pad_h - top)
    reflect_ok = pad_h - top < height and pad_w - left < width
    return F.pad(x, pads, mode="reflect" if reflect_ok else "replicate"), (top, left)


def _logit(values: Tensor) -> Tensor:
    """logit of soil-moisture values kept 1e-3 away from 0 and 1 (0 outside the region)."""
    return torch.logit(values.clamp(1e-3, 1 - 1e-3))


class UNetGenerator(nn.Module):
    """UNet of widths base * 2**k (k = 0..depth), max-pool down, transposed conv up, sigmoid out.

    Any H x W works: the input is padded to a multiple of 2**depth (see `pad_to_multiple`) and the
    output cropped back. At 17 -> 5 channels, base 64, depth 4 it has 31,040,069 parameters.
    Each input channel is standardised by the buffers `input_mean` and `input_std` (0 and 1, an
    exact identity, until `standardise_inputs` sets them), so the statistics travel with the
    weights and inference applies the ones training used. With `residual` the head adds to the
    logit of the inputs' mean (the ensemble mean of the models) instead of starting from
    nothing: the network learns what the ensemble mean misses, and whatever it has not learned
    (or a dead network) leaves the ensemble mean, never a constant field.
    """

    family = "unet_gan"

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        base_channels: int = 64,
        depth: int = 4,
        residual: bool = False,
        pad_larger_first: bool = False,
    ):
        super().__init__()
        self.architecture = {
            "in_channels": in_channels,
            "out_channels": out_channels,
            "base_channels": base_channels,
            "depth": depth,
            "residual": residual,
            "pad_larger_first": pad_larger_first,
        }
        widths = [base_channels * 2**k for k in range(depth + 1)]
        self.depth = depth
        self.residual = residual
        self.pad_larger_first = pad_larger_first
        self.encoders = nn.ModuleList(
            double_conv(cin, cout)
            for cin, cout in zip([in_channels, *widths[:-1]], widths, strict=True)
        )
        self.pool = nn.MaxPool2d(2)
        self.upsamplers = nn.ModuleList(
            nn.ConvTranspose2d(2 * width, width, 2, stride=2) for width in reversed(widths[:-1])
        )
        self.decoders = nn.ModuleList(
            double_conv(2 * width, width) for width in reversed(widths[:-1])
        )
        self.head = nn.Conv2d(base_channels, out_channels, 1)
        self.register_buffer("input_mean", torch.zeros(in_channels))
        self.register_buffer("input_std", torch.ones(in_channels))

    def standardise_inputs(self, mean: Tensor, std: Tensor) -> None:
        """Standardise each input channel by (x - mean) / std from now on (per-channel (C,))."""
        if (std <= 0).any() or not (torch.isfinite(mean).all() and torch.isfinite(std).all()):
            raise ValueError("input standardisation needs finite means and positive deviations")
        with torch.no_grad():
            self.input_mean.copy_(mean)
            self.input_std.copy_(std)

    def forward(self, x: Tensor) -> Tensor:
        """Map (N, in, H, W) to (N, out, H, W) with values in (0, 1)."""
        height, width = x.shape[-2:]
        raw = x
        x = (x - self.input_mean[:, None, None]) / self.input_std[:, None, None]
        x, (top, left) = pad_to_multiple(x, 2**self.depth, self.pad_larger_first)
        skips = []
        for level, encoder in enumerate(self.encoders):
            x = encoder(x if level == 0 else self.pool(x))
            skips.append(x)
        skips.pop()  # the bottleneck is x itself
        for upsample, decoder in zip(self.upsamplers, self.decoders, strict=True):
            x = decoder(torch.cat([skips.pop(), upsample(x)], dim=1))
        logits = self.head(x)[..., top : top + height, left : left + width]
        if self.residual:
            logits = logits + _logit(raw.mean(dim=1, keepdim=True))
        return torch.sigmoid(logits)

    def start_at_mean(self, means: Tensor, inputs_mean: Tensor | None = None) -> None:
        """Set the head's bias so training starts at the target's mean per output layer instead
        of sigmoid(0) = 0.5 m3 m-3 (Adam needs many steps to move a bias that far): logit(mean),
        or with `residual` logit(mean) - logit(inputs_mean), the shift from the inputs' level.
        """
        bias = _logit(means.to(self.head.bias))
        if self.residual:
            if inputs_mean is None:
                raise ValueError("a residual generator starts from the inputs' mean: give it")
            bias = bias - _logit(inputs_mean.to(bias))
        with torch.no_grad():
            self.head.bias.copy_(bias)

    def load_pretrained_body(self, state_dict: Mapping[str, Tensor]) -> None:
        """Load every weight except the head's, so a 3-layer pretrained net seeds an L-layer one;
        the input standardisation comes with the body it was learned with.

        The head keeps its current values; any other missing or unexpected key raises (strict).
        """
        body = {k: v for k, v in state_dict.items() if not k.startswith("head.")}
        body.update({k: v for k, v in self.state_dict().items() if k.startswith("head.")})
        self.load_state_dict(body)
