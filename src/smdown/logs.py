"""Route a workflow step's logging (and warnings) to its log file, keeping interrupted attempts;
progress lines (`smdown.progress`) go to the console too.

Snakemake deletes a job's log before it runs the job again, so the lines of an attempt that was
interrupted (Ctrl-C, SIGTERM, a killed process) would be lost when the job resumes from its
checkpoint. Each attempt therefore also appends to `<log>.unfinished`, which is removed when the
step ends without an error; a new attempt that finds it copies it to the top of its log first.
"""

from __future__ import annotations

import atexit
import logging
import shutil
import sys
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path

UNFINISHED_SUFFIX = ".unfinished"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def unfinished_path(path: str | PathLike) -> Path:
    """The record of a step's attempts that did not finish, beside its log."""
    path = Path(path)
    return path.with_name(path.name + UNFINISHED_SUFFIX)


def route_to(path: str | PathLike) -> logging.Logger:
    """Send logging, warnings and uncaught exceptions of this process to `path`; lines of
    earlier attempts that did not finish come first, under a line saying so."""
    path, unfinished = Path(path), unfinished_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if unfinished.exists():
        shutil.copyfile(unfinished, path)
        with path.open("a") as log, unfinished.open("a") as record:
            line = (
                f"---- resumed at {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC: the lines "
                "above are from an attempt that did not finish ----\n"
            )
            log.write(line)
            record.write(line)
    handlers = [logging.FileHandler(path), logging.FileHandler(unfinished)]
    logging.basicConfig(level=logging.INFO, force=True, format=FORMAT, handlers=handlers)
    logging.captureWarnings(True)
    console = logging.StreamHandler(sys.stderr)  # progress also where Snakemake shows the job
    console.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    progress = logging.getLogger("smdown.progress")
    for old in list(progress.handlers):
        progress.removeHandler(old)
    progress.addHandler(console)
    logger = logging.getLogger("smdown")
    failed = []

    def _log_uncaught(kind, value, tb):
        failed.append(kind)
        logger.error("failed: %s", value, exc_info=(kind, value, tb))
        sys.__excepthook__(kind, value, tb)

    def _finish() -> None:
        """Forget the attempt record when the step ended without an error."""
        if not failed:
            logging.getLogger().removeHandler(handlers[1])
            handlers[1].close()
            unfinished.unlink(missing_ok=True)

    sys.excepthook = _log_uncaught
    atexit.register(_finish)
    return logger
