"""Random VGG16 feature weights in torchvision's state-dict layout, for tests and tiny runs.

The ImageNet weights cannot be fetched everywhere (no network on test machines); random
He-scaled weights exercise the same code path. They carry no perceptual meaning: a run that
uses them says so (vgg.provider synthetic).
"""

from __future__ import annotations

from os import PathLike

import torch

from smdown.io import atomic_path
from smdown.nn.vgg import REQUIRED_KEYS


def random_vgg16_state(seed: int = 0) -> dict[str, torch.Tensor]:
    """VGG16 `features.N.weight/bias` for every conv layer, He-scaled, from `seed`."""
    gen = torch.Generator().manual_seed(seed)
    state, cin = {}, 3
    for key in REQUIRED_KEYS:
        layer = int(key.split(".")[1])
        cout = 64 if layer < 5 else 128 if layer < 10 else 256 if layer < 17 else 512
        if key.endswith("weight"):
            state[key] = torch.randn(cout, cin, 3, 3, generator=gen) * (2 / (9 * cin)) ** 0.5
        else:
            state[key], cin = 0.1 * torch.randn(cout, generator=gen), cout
    return state


def write_random_vgg16(path: str | PathLike, seed: int = 0) -> None:
    """Write `random_vgg16_state(seed)` to `path` atomically."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:  # a file object: same bytes
        torch.save(random_vgg16_state(seed), fh)  # whatever the temporary name
