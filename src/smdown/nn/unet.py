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
        nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, 3, padding=1), nn.ReLU(),
    )


def pad_to_multiple(x: Tensor, multiple: int) -> tuple[Tensor, tuple[int, int]]:
    """Pad (H, W) up to the next multiple, split between both sides; return the (top, left) pads.

    Reflection padding keeps the border free of artificial edges; it needs every pad smaller than
    the side it reflects, so a too small input falls back to replicate padding.
    """
    height, width = x.shape[-2:]
    pad_h = math.ceil(height / multiple) * multiple - height
    pad_w = math.ceil(width / multiple) * multiple - width
    top, left = pad_h // 2, pad_w // 2
    pads = (left, pad_w - left, top, pad_h - top)
    reflect_ok = pad_h - top < height and pad_w - left < width
    return F.pad(x, pads, mode="reflect" if reflect_ok else "replicate"), (top, left)


class UNetGenerator(nn.Module):
    """UNet of widths base * 2**k (k = 0..depth), max-pool down, transposed conv up, sigmoid out.

    Any H x W works: the input is padded to a multiple of 2**depth (see `pad_to_multiple`) and the
    output cropped back. At 17 -> 5 channels, base 64, depth 4 it has 31,040,069 parameters.
    """

    family = "unet_gan"

    def __init__(self, in_channels: int, out_channels: int, base_channels: int = 64,
                 depth: int = 4):
        super().__init__()
        self.architecture = {"in_channels": in_channels, "out_channels": out_channels,
                             "base_channels": base_channels, "depth": depth}
        widths = [base_channels * 2**k for k in range(depth + 1)]
        self.depth = depth
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

    def forward(self, x: Tensor) -> Tensor:
        """Map (N, in, H, W) to (N, out, H, W) with values in (0, 1)."""
        height, width = x.shape[-2:]
        x, (top, left) = pad_to_multiple(x, 2**self.depth)
        skips = []
        for level, encoder in enumerate(self.encoders):
            x = encoder(x if level == 0 else self.pool(x))
            skips.append(x)
        skips.pop()  # the bottleneck is x itself
        for upsample, decoder in zip(self.upsamplers, self.decoders, strict=True):
            x = decoder(torch.cat([skips.pop(), upsample(x)], dim=1))
        out = torch.sigmoid(self.head(x))
        return out[..., top:top + height, left:left + width]

    def start_at_mean(self, means: Tensor) -> None:
        """Set the head's bias to logit(mean) per output layer, so training starts at the target's
        mean instead of sigmoid(0) = 0.5 m3 m-3 (Adam needs many steps to move a bias that far).
        """
        with torch.no_grad():
            self.head.bias.copy_(torch.logit(means.to(self.head.bias).clamp(1e-3, 1 - 1e-3)))

    def load_pretrained_body(self, state_dict: Mapping[str, Tensor]) -> None:
        """Load every weight except the head's, so a 3-layer pretrained net seeds a 5-layer one.

        The head keeps its current values; any other missing or unexpected key raises (strict).
        """
        body = {k: v for k, v in state_dict.items() if not k.startswith("head.")}
        body.update({k: v for k, v in self.state_dict().items() if k.startswith("head.")})
        self.load_state_dict(body)
