"""The discriminator: a VGG-style conv stack that scores a soil-moisture field as real or fake."""

from __future__ import annotations

from torch import Tensor, nn

# (width multiple of base_channels, stride) of the conv + BatchNorm + LeakyReLU blocks
BLOCKS = ((1, 2), (2, 1), (2, 2), (4, 1), (4, 2), (8, 1), (8, 2))


class Discriminator(nn.Module):
    """Conv3x3 + LeakyReLU, seven conv + BatchNorm + LeakyReLU blocks, pooling, two linear layers.

    Returns one logit per sample (no sigmoid: the relativistic losses take logits). The caller
    sets masked-out cells of the input to 0 so that only the region is judged. At 5 input
    channels and base 64 it has 5,216,577 parameters.
    """

    def __init__(self, in_channels: int, base_channels: int = 64):
        super().__init__()
        layers: list[nn.Module] = [
            nn.Conv2d(in_channels, base_channels, 3, padding=1),
            nn.LeakyReLU(0.2),
        ]
        width = base_channels
        for multiple, stride in BLOCKS:
            out = base_channels * multiple
            layers += [
                nn.Conv2d(width, out, 3, stride=stride, padding=1),
                nn.BatchNorm2d(out),
                nn.LeakyReLU(0.2),
            ]
            width = out
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(width, 2 * width),
            nn.LeakyReLU(0.2),
            nn.Linear(2 * width, 1),
        )

    def forward(self, x: Tensor) -> Tensor:
        """Map (N, in, H, W) to (N, 1) logits."""
        return self.classifier(self.features(x))
