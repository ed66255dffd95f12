"""VGG16 ImageNet weights for the perceptual loss: fetched with torch.hub or taken from a file.

Only `features.*` (the convolutional part, torchvision's layout) is used by the loss; the
standard state dict `vgg16-397923af.pth` is checked for those keys (`smdown.nn.vgg`, which
knows the network's layout) before it is accepted.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from os import PathLike
from pathlib import Path

from smdown.errors import InputError
from smdown.io import atomic_path
from smdown.nn.vgg import check_vgg16_state_dict

VGG16_URL = "https://download.pytorch.org/models/vgg16-397923af.pth"


def fetch_vgg16(dest: str | PathLike, url: str = VGG16_URL) -> Path:
    """Download with `torch.hub.load_state_dict_from_url(check_hash=True)` and move to `dest`.

    check_hash verifies the SHA256 prefix in the file name (397923af); the file is checked for
    the VGG16 keys, then renamed into place, so a failure leaves nothing at `dest`.
    """
    import torch

    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".hub-") as tmp:
        torch.hub.load_state_dict_from_url(
            url,
            model_dir=tmp,
            map_location="cpu",
            progress=False,
            check_hash=True,
            weights_only=True,
        )
        fetched = Path(tmp) / os.path.basename(url.split("?", 1)[0])
        check_vgg16_state_dict(fetched)
        os.replace(fetched, dest)
    return dest


def take_local_vgg16(source: str | PathLike, dest: str | PathLike) -> Path:
    """Check a user-supplied weights file and copy it to `dest`."""
    source = Path(source)
    if not source.is_file():
        raise InputError(
            source,
            "VGG16 weights file not found",
            f"vgg16-397923af.pth (from {VGG16_URL}) or perceptual weight b2 = 0",
        )
    check_vgg16_state_dict(source)
    with atomic_path(dest) as tmp:
        shutil.copyfile(source, tmp)
    return Path(dest)
