"""Generator weights on disk with their architecture, so a later stage rebuilds the same net."""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from typing import Any

import torch

from smdown.errors import InputError
from smdown.io import atomic_path
from smdown.nn.unet import UNetGenerator


def save_generator(generator: UNetGenerator, path: str | PathLike,
                   state_dict: Mapping[str, torch.Tensor] | None = None,
                   **meta: Any) -> None:
    """Write {"architecture", "state_dict", "meta"} atomically (loadable with weights_only).

    Saved through a file object: given a path, torch names the archive inside after the file
    (here the random temporary name), so the same weights would not give the same bytes.
    """
    state = {k: v.detach().cpu() for k, v in (state_dict or generator.state_dict()).items()}
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        torch.save({"architecture": dict(generator.architecture), "state_dict": state,
                    "meta": dict(meta)}, fh)


def load_generator(path: str | PathLike) -> tuple[UNetGenerator, dict[str, Any]]:
    """The generator saved by `save_generator` (on CPU, eval mode) and its metadata."""
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
        generator = UNetGenerator(**saved["architecture"])
        generator.load_state_dict(saved["state_dict"])
    except (OSError, RuntimeError, KeyError, TypeError, EOFError) as exc:
        raise InputError(path, f"not a readable generator file ({exc})",
                         "a file written by smdown's pretrain or finetune rule") from exc
    return generator.eval(), saved["meta"]
