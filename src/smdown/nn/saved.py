"""Generator weights on disk with their architecture and family, so a later stage rebuilds the
same net: the UNet-GAN's generator or the CMIP6DL study's YNet."""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from typing import Any

import torch

from smdown.errors import InputError
from smdown.io import atomic_path
from smdown.nn.unet import UNetGenerator
from smdown.nn.ynet import StaticFieldsYNet

# what a saved file's "family" names; files without one predate the YNet and hold a UNet
FAMILIES: dict[str, type[torch.nn.Module]] = {"unet_gan": UNetGenerator, "ynet": StaticFieldsYNet}


def save_generator(
    generator: torch.nn.Module,
    path: str | PathLike,
    state_dict: Mapping[str, torch.Tensor] | None = None,
    **meta: Any,
) -> None:
    """Write {"family", "architecture", "state_dict", "meta"} atomically (weights_only loadable).

    Saved through a file object: given a path, torch names the archive inside after the file
    (here the random temporary name), so the same weights would not give the same bytes.
    """
    state = {k: v.detach().cpu() for k, v in (state_dict or generator.state_dict()).items()}
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        torch.save(
            {
                "family": generator.family,
                "architecture": dict(generator.architecture),
                "state_dict": state,
                "meta": dict(meta),
            },
            fh,
        )


def load_generator(path: str | PathLike) -> tuple[torch.nn.Module, dict[str, Any]]:
    """The generator saved by `save_generator` (on CPU, eval mode) and its metadata."""
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
        generator = FAMILIES[saved.get("family", "unet_gan")](**saved["architecture"])
        generator.load_state_dict(saved["state_dict"])
    except (OSError, RuntimeError, KeyError, TypeError, EOFError) as exc:
        raise InputError(
            path,
            f"not a readable generator file ({exc})",
            "a file written by smdown's pretrain, finetune or train_ynet rule",
        ) from exc
    return generator.eval(), saved["meta"]
