"""The plain baseline the trained generator has to beat: the multi-model ensemble mean."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn


class EnsembleMean(nn.Module):
    """The mean over the input models, repeated for each output layer (no learning, no depth);
    with `scale` > 1 interpolated bilinearly to the finer grid (the YNet's comparison)."""

    def __init__(self, n_layers: int, scale: int = 1):
        super().__init__()
        self.n_layers = n_layers
        self.scale = scale

    def forward(self, x: Tensor) -> Tensor:
        """(N, models, h, w) -> (N, n_layers, h * scale, w * scale), every layer the mean."""
        mean = x.mean(dim=1, keepdim=True)
        if self.scale > 1:
            mean = F.interpolate(
                mean, scale_factor=self.scale, mode="bilinear", align_corners=False
            )
        return mean.expand(-1, self.n_layers, -1, -1)
