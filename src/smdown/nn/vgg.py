"""VGG16's convolutional part (torchvision's `features` layout) for the perceptual loss (eq. 6)."""

from __future__ import annotations

from os import PathLike

import torch
from torch import Tensor, nn

from smdown.errors import InputError

# torchvision's VGG16 configuration "D": conv widths, "M" for a 2x2 max-pool
VGG16_LAYOUT = (
    64,
    64,
    "M",
    128,
    128,
    "M",
    256,
    256,
    256,
    "M",
    512,
    512,
    512,
    "M",
    512,
    512,
    512,
    "M",
)

VGG16_CONV = (0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28)  # conv layers of features[0:31]
REQUIRED_KEYS = tuple(f"features.{i}.{p}" for i in VGG16_CONV for p in ("weight", "bias"))


def check_vgg16_state_dict(path: str | PathLike) -> None:
    """Refuse a file that is not a VGG16 state dict with every `features` conv layer."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise InputError(
            path,
            f"cannot be loaded by torch ({exc})",
            "a VGG16 state dict such as vgg16-397923af.pth",
        ) from exc
    missing = [k for k in REQUIRED_KEYS if k not in state]
    if missing:
        raise InputError(
            path,
            f"{len(missing)} VGG16 keys missing (e.g. {missing[0]})",
            "torchvision's VGG16 layout, keys features.N.weight/bias",
        )
    if tuple(state["features.0.weight"].shape) != (64, 3, 3, 3):
        raise InputError(path, "features.0.weight has the wrong shape", "(64, 3, 3, 3)")


IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def vgg16_features() -> nn.Sequential:
    """torchvision's `vgg16().features` (31 modules) in plain torch, indices matching its keys."""
    layers: list[nn.Module] = []
    channels = 3
    for item in VGG16_LAYOUT:
        if item == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(channels, item, 3, padding=1), nn.ReLU()]
            channels = item
    return nn.Sequential(*layers)


class VGG16Features(nn.Module):
    """Run VGG16 `features[0:31]` on a (N, 3, H, W) triplet, ImageNet-normalised first.

    Soil-moisture values in [0, 1] (m3/m3) are treated like image intensities in [0, 1], so the
    ImageNet mean and std the weights were trained with apply unchanged; `normalise=False`
    feeds the fields raw, as the authors' code (for which their b2 = 0.006 was tuned).
    """

    def __init__(self, normalise: bool = True):
        super().__init__()
        self.normalise = normalise
        self.features = vgg16_features()
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        """Feature maps (N, 512, H // 32, W // 32) of a triplet with values in [0, 1]."""
        return self.features((x - self.mean) / self.std if self.normalise else x)

    @classmethod
    def from_state_dict_file(cls, path: str | PathLike, normalise: bool = True) -> VGG16Features:
        """Load the `features.*` keys of a VGG16 state dict file, frozen and in eval mode.

        The file is checked by `check_vgg16_state_dict` (InputError naming it when keys are
        missing), then read again for the weights: a one-off cost at training start.
        """
        check_vgg16_state_dict(path)
        state = torch.load(path, map_location="cpu", weights_only=True)
        model = cls(normalise)
        features = {k: v for k, v in state.items() if k.startswith("features.")}
        try:
            model.load_state_dict(features)
        except RuntimeError as exc:
            raise InputError(
                path,
                f"does not fit VGG16's features ({exc})",
                "torchvision's VGG16 layout, keys features.N.weight/bias",
            ) from exc
        return model.requires_grad_(False).eval()
