"""Writing figures: PNG at 150 dpi, atomically, the figure closed whatever happens."""

from __future__ import annotations

from os import PathLike

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from smdown.io import atomic_path


def save_png(fig: Figure, path: str | PathLike) -> None:
    """Write `fig` to `path` as PNG through a temporary file, then close it."""
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=150, format="png")
    finally:
        plt.close(fig)
