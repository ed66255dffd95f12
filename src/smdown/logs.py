"""Route a workflow step's logging (and warnings) to its log file."""

from __future__ import annotations

import logging
import sys
from os import PathLike


def route_to(path: str | PathLike) -> logging.Logger:
    """Send logging, warnings and uncaught exceptions of this process to `path`."""
    logging.basicConfig(filename=str(path), level=logging.INFO, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.captureWarnings(True)
    logger = logging.getLogger("smdown")

    def _log_uncaught(kind, value, tb):
        logger.error("failed: %s", value, exc_info=(kind, value, tb))
        sys.__excepthook__(kind, value, tb)

    sys.excepthook = _log_uncaught
    return logger
