"""Where the networks run: the configured device name made a torch device."""

from __future__ import annotations

import torch


def resolve_device(name: str) -> torch.device:
    """ "auto" is CUDA when available, else CPU; any other name is taken as given."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)
