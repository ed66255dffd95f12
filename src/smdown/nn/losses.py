"""Generator and discriminator losses of the paper (eq. 3, 5, 6, 8, 9, 10), inside the region.

Every masked loss takes `mask`, a bool tensor (H, W) or (N, 1, H, W) marking the valid cells;
cells outside it never contribute (target NaNs there are harmless). A loss with no valid cell
is 0, so a batch without e.g. in-situ observations adds nothing instead of NaN.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor


def _mask_like(mask: Tensor, x: Tensor) -> Tensor:
    """The mask as bool, broadcast to x's (N, C, H, W)."""
    if mask.dim() not in (2, 4):
        raise ValueError(f"mask must be (H, W) or (N, 1, H, W), got {tuple(mask.shape)}")
    return mask.to(device=x.device, dtype=torch.bool).expand_as(x)


def _mean(values: Tensor) -> Tensor:
    """Mean of the selected values, 0 (still in the graph) when none is selected."""
    return values.mean() if values.numel() else values.sum()


def masked_mse(pred: Tensor, target: Tensor, mask: Tensor) -> Tensor:
    """Eq. 5: mean squared error over valid cells and all channels."""
    valid = _mask_like(mask, pred)
    return _mean((pred[valid] - target[valid]) ** 2)


def layer_triplets(n_channels: int) -> tuple[tuple[int, int, int], ...]:
    """Channel triplets fed to VGG: (0, 1, 2) for 3 layers, also (2, 3, 4) for 5 (overlapping)."""
    if n_channels == 3:
        return ((0, 1, 2),)
    if n_channels == 5:
        return ((0, 1, 2), (2, 3, 4))
    raise ValueError(f"the perceptual loss needs 3 or 5 layers, got {n_channels}")


def vgg_loss(vgg: Callable[[Tensor], Tensor], pred: Tensor, target: Tensor, mask: Tensor) -> Tensor:
    """Eq. 6: MSE between VGG feature maps of each layer triplet, averaged over triplets.

    Masked-out cells of both pred and target are set to 0 before VGG, so outside the region the
    two images agree and only the region drives the loss; the feature-map MSE itself is a plain
    mean (features mix neighbouring cells, so there is no cell-wise mask at that level).
    Pred and target go through VGG as one batch, one call per triplet.
    """
    valid = _mask_like(mask, pred)
    pred = torch.where(valid, pred, 0.0)
    target = torch.where(valid, target, 0.0)
    losses = []
    for triplet in layer_triplets(pred.shape[1]):
        index = list(triplet)
        features = vgg(torch.cat([pred[:, index], target[:, index]]))
        pred_features, target_features = features.chunk(2)
        losses.append(F.mse_loss(pred_features, target_features))
    return torch.stack(losses).mean()


def relativistic_generator_loss(d_fake: Tensor, d_real: Tensor, symmetric: bool = False) -> Tensor:
    """Eq. 8: BCE-with-logits(d_fake - mean(d_real), 1), the term the paper writes.

    `symmetric=True` adds RaGAN's second term BCE-with-logits(d_real - mean(d_fake), 0)
    (Jolicoeur-Martineau 2018, as in ESRGAN but summed like eq. 3 rather than halved);
    off by default because eq. 8 shows only the first term.
    """
    fake_vs_real = d_fake - d_real.mean()
    loss = F.binary_cross_entropy_with_logits(fake_vs_real, torch.ones_like(fake_vs_real))
    if symmetric:
        real_vs_fake = d_real - d_fake.mean()
        loss = loss + F.binary_cross_entropy_with_logits(
            real_vs_fake, torch.zeros_like(real_vs_fake)
        )
    return loss


def relativistic_discriminator_loss(d_real: Tensor, d_fake: Tensor) -> Tensor:
    """Eq. 3: BCE-with-logits(d_real - mean(d_fake), 1) + BCE-with-logits(d_fake - mean(d_real), 0).

    Detach the generator output (d_fake computed from `fake.detach()`) when training D.
    """
    real_vs_fake = d_real - d_fake.mean()
    fake_vs_real = d_fake - d_real.mean()
    return F.binary_cross_entropy_with_logits(
        real_vs_fake, torch.ones_like(real_vs_fake)
    ) + F.binary_cross_entropy_with_logits(fake_vs_real, torch.zeros_like(fake_vs_real))


def insitu_loss(pred: Tensor, s_grid: Tensor, p_grid: Tensor, mask: Tensor) -> Tensor:
    """Eq. 9: mean of P * (S - G)^2 over valid cells and channels, G the prediction.

    S (gridded in-situ values) and P (their weights) broadcast to pred's shape; a cell where
    either is NaN counts as invalid. Values are selected before arithmetic so NaNs never reach
    the gradient.
    """
    pred, s_grid, p_grid = torch.broadcast_tensors(pred, s_grid, p_grid)
    valid = _mask_like(mask, pred) & torch.isfinite(s_grid) & torch.isfinite(p_grid)
    return _mean(p_grid[valid] * (s_grid[valid] - pred[valid]) ** 2)


TV_REDUCTIONS = ("sum", "mean")


def tv_loss(pred: Tensor, mask: Tensor, reduction: str = "sum") -> Tensor:
    """Eq. 10: squared differences of vertical and horizontal neighbours, both valid.

    "sum": over cell pairs and channels as eq. 10 writes it, divided by the batch size so it
    does not grow with the batch; "mean": twice the mean over vertical plus horizontal pairs,
    as the authors' code (whose coefficient 2e-8 times that 2 is the paper's a4 = 4e-8).
    """
    if reduction not in TV_REDUCTIONS:
        raise ValueError(f"tv reduction {reduction!r} is not one of {TV_REDUCTIONS}")
    valid = _mask_like(mask, pred)
    vertical = valid[..., 1:, :] & valid[..., :-1, :]
    horizontal = valid[..., :, 1:] & valid[..., :, :-1]
    d_vertical = (pred[..., 1:, :] - pred[..., :-1, :])[vertical]
    d_horizontal = (pred[..., :, 1:] - pred[..., :, :-1])[horizontal]
    if reduction == "mean":
        return 2 * (_mean(d_vertical**2) + _mean(d_horizontal**2))
    return ((d_vertical**2).sum() + (d_horizontal**2).sum()) / pred.shape[0]


@dataclass(frozen=True)
class LossWeights:
    """Generator loss weights: a1 * (b1 * MSE + b2 * VGG) + a2 * adv + a3 * insitu + a4 * TV."""

    b1: float = 1.0
    b2: float = 0.006
    a1: float = 1.0
    a2: float = 0.001
    a3: float = 0.01
    a4: float = 4e-8


def generator_loss(terms: dict[str, Tensor], w: LossWeights) -> Tensor:
    """Weighted sum of the terms named mse, vgg, adv, insitu, tv; a missing term counts as 0."""
    weights = {"mse": w.a1 * w.b1, "vgg": w.a1 * w.b2, "adv": w.a2, "insitu": w.a3, "tv": w.a4}
    unknown = set(terms) - set(weights)
    if unknown or not terms:
        raise ValueError(
            f"loss terms must be a non-empty subset of {sorted(weights)}, got {sorted(terms)}"
        )
    return torch.stack([weights[name] * value for name, value in terms.items()]).sum()
