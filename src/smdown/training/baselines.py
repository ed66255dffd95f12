"""The plain baseline the trained generator has to beat: the multi-model ensemble mean."""

from __future__ import annotations

from torch import Tensor, nn


class EnsembleMean(nn.Module):
    """The mean over the input models, repeated for each output layer (no learning, no depth)."""

    def __init__(self, n_layers: int):
        super().__init__()
        self.n_layers = n_layers

    def forward(self, x: Tensor) -> Tensor:
        """(N, models, H, W) -> (N, n_layers, H, W), every layer the models' mean."""
        return x.mean(dim=1, keepdim=True).expand(-1, self.n_layers, -1, -1)
