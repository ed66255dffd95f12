"""YNet (Liu, Ganguly and Dy 2020) as the CMIP6DL study describes it (its section 2.4.1): fusion
and downscaling of many models' coarse fields in one network.

Three parts:
- a feature extractor, RED-Net-like: `pairs` convolutions, then `pairs` deconvolutions each
  followed by a convolution (the study's 30 convolutional and 15 deconvolutional layers),
  with symmetric skip connections every second layer and a global one from the input;
- an upsampling part: interpolation by `scale` and two convolutions keeping the input's
  channel depth (against checkerboard artefacts);
- a fusion part: the upsampled features, the static auxiliary fields (elevation, land mask)
  and the interpolated input, concatenated, through two convolutions.
Dropout acts on the fusion part's input during training. What the study does not give is our
choice: the widths `features` (64, the YNet paper's), the skip spacing and the interpolation
`upsampling` (bicubic by default; bilinear because on smooth, noisy fields bicubic's overshoot
adds small-scale noise that the fusion part's two 3x3 convolutions cannot smooth away).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

UPSAMPLING_MODES = ("bicubic", "bilinear")


def _conv(cin: int, cout: int) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, kernel_size=3, padding=1)


class YNet(nn.Module):
    """Coarse model fields (N, in_channels, h, w) and static fields (N, aux_channels, h*scale,
    w*scale) to the fine field (N, out_channels, h*scale, w*scale)."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int = 1,
        aux_channels: int = 1,
        scale: int = 8,
        features: int = 64,
        pairs: int = 15,
        dropout: float = 0.1,
        upsampling: str = "bicubic",
    ) -> None:
        super().__init__()
        if pairs < 1 or scale < 1:
            raise ValueError(f"YNet needs pairs >= 1 and scale >= 1, got {pairs} and {scale}")
        if upsampling not in UPSAMPLING_MODES:
            raise ValueError(
                f"YNet upsampling {upsampling!r}, expected one of {', '.join(UPSAMPLING_MODES)}"
            )
        self.architecture = {
            "in_channels": in_channels,
            "out_channels": out_channels,
            "aux_channels": aux_channels,
            "scale": scale,
            "features": features,
            "pairs": pairs,
            "dropout": dropout,
            "upsampling": upsampling,
        }
        self.scale = scale
        self.upsampling = upsampling
        self.encoder = nn.ModuleList(
            [_conv(in_channels, features)] + [_conv(features, features) for _ in range(pairs - 1)]
        )
        self.deconvs = nn.ModuleList(
            nn.ConvTranspose2d(features, features, kernel_size=3, padding=1) for _ in range(pairs)
        )
        self.decoder = nn.ModuleList(
            [_conv(features, features) for _ in range(pairs - 1)] + [_conv(features, in_channels)]
        )
        self.upsample_convs = nn.ModuleList(
            [_conv(in_channels, in_channels), _conv(in_channels, in_channels)]
        )
        self.dropout = nn.Dropout2d(dropout)
        self.fusion = nn.ModuleList(
            [_conv(2 * in_channels + aux_channels, features), _conv(features, out_channels)]
        )

    def extract(self, x: Tensor) -> Tensor:
        """The feature extractor: the cleaned coarse fields, same shape as `x`."""
        skips = []
        h = x
        for i, conv in enumerate(self.encoder):
            h = F.relu(conv(h))
            if i % 2 == 1:  # every second layer feeds its mirror in the decoder
                skips.append(h)
        for i, (deconv, conv) in enumerate(zip(self.deconvs, self.decoder, strict=True)):
            mirror = len(self.encoder) - 1 - i
            h = F.relu(deconv(h))
            if mirror % 2 == 1 and skips:
                h = h + skips.pop()
            h = conv(h)
            if i < len(self.decoder) - 1:
                h = F.relu(h)
        return F.relu(h + x)

    def upsample(self, x: Tensor, size: tuple[int, int]) -> Tensor:
        """`x` interpolated to `size` by the net's `upsampling` mode (cell-centred corners)."""
        return F.interpolate(x, size=size, mode=self.upsampling, align_corners=False)

    def forward(self, x: Tensor, aux: Tensor) -> Tensor:
        size = (x.shape[-2] * self.scale, x.shape[-1] * self.scale)
        if aux.shape[-2:] != size:
            raise ValueError(f"auxiliary fields of {tuple(aux.shape[-2:])}, expected {size}")
        h = self.upsample(self.extract(x), size)
        for conv in self.upsample_convs:
            h = F.relu(conv(h))
        coarse = self.upsample(x, size)
        h = self.dropout(torch.cat([h, aux, coarse], dim=1))
        return self.fusion[1](F.relu(self.fusion[0](h)))


class StaticFieldsYNet(nn.Module):
    """A YNet carrying its static auxiliary fields (e.g. the land mask) as a buffer, so it maps
    coarse inputs alone to the fine field like any generator of the training loop, and the
    fields travel with its saved weights."""

    family = "ynet"

    def __init__(
        self,
        in_channels: int,
        out_channels: int = 1,
        aux_channels: int = 1,
        scale: int = 8,
        features: int = 64,
        pairs: int = 15,
        dropout: float = 0.1,
        upsampling: str = "bicubic",
        *,
        height: int,
        width: int,
    ) -> None:
        super().__init__()
        self.ynet = YNet(
            in_channels, out_channels, aux_channels, scale, features, pairs, dropout, upsampling
        )
        self.architecture = {**self.ynet.architecture, "height": height, "width": width}
        self.register_buffer("aux", torch.zeros(1, aux_channels, height, width))

    @classmethod
    def with_fields(cls, aux: Tensor, **architecture: int | float | str) -> StaticFieldsYNet:
        """A fresh net whose static fields are `aux` (aux_channels, height, width)."""
        net = cls(
            aux_channels=aux.shape[0], height=aux.shape[1], width=aux.shape[2], **architecture
        )
        net.aux.copy_(aux[None])
        return net

    def forward(self, x: Tensor) -> Tensor:
        return self.ynet(x, self.aux.expand(x.shape[0], -1, -1, -1))
