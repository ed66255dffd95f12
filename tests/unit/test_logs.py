"""A step's log keeps the lines of an interrupted attempt when the step runs again."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from smdown.logs import unfinished_path

STEP = textwrap.dedent("""
    import os, signal, sys
    from smdown.logs import route_to
    log = route_to(sys.argv[1])
    log.info("attempt %s starts", sys.argv[2])
    if sys.argv[2] == "raise":
        raise RuntimeError("boom")
    if sys.argv[2] == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if sys.argv[2] == "interrupt":
        raise KeyboardInterrupt
    log.info("attempt %s ends", sys.argv[2])
""")


def _step(log: Path, attempt: str) -> int:
    return subprocess.run(
        [sys.executable, "-c", STEP, str(log), attempt], capture_output=True, text=True
    ).returncode


def _fresh_log(log: Path) -> None:
    """What Snakemake does before it runs a job again: delete its log."""
    log.unlink(missing_ok=True)


def test_a_finished_step_leaves_only_its_log(tmp_path):
    log = tmp_path / "step.log"
    assert _step(log, "one") == 0
    assert "attempt one ends" in log.read_text()
    assert not unfinished_path(log).exists()


def test_interrupted_attempts_come_first_in_the_resumed_log(tmp_path):
    log = tmp_path / "step.log"
    assert _step(log, "kill") == -signal.SIGKILL
    _fresh_log(log)
    assert _step(log, "interrupt") != 0
    _fresh_log(log)
    assert _step(log, "two") == 0
    lines = log.read_text().splitlines()
    text = "\n".join(lines)
    assert (
        text.index("attempt kill starts")
        < text.index("attempt interrupt starts")
        < text.index("attempt two starts")
    )
    assert sum("resumed at" in line for line in lines) == 2
    assert "KeyboardInterrupt" in text
    assert not unfinished_path(log).exists()


def test_a_failed_attempt_keeps_its_record_for_the_next(tmp_path):
    log = tmp_path / "step.log"
    assert _step(log, "raise") != 0
    assert "RuntimeError: boom" in unfinished_path(log).read_text()
    _fresh_log(log)
    assert _step(log, "three") == 0
    assert "RuntimeError: boom" in log.read_text()
