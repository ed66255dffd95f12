"""Progress lines: "i of N" with the time left, in the job's log and on the console."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from smdown.progress import Progress, duration


def test_durations_read_naturally():
    assert [duration(s) for s in (42, 89.4, 210, 5399, 7200)] == [
        "42 s",
        "89 s",
        "3.5 min",
        "90.0 min",
        "2.0 h",
    ]


def test_time_left_follows_the_rate_of_this_attempt(monkeypatch):
    clock = iter([100.0, 160.0, 400.0, 700.0, 710.0])
    monkeypatch.setattr("smdown.progress.time.monotonic", lambda: next(clock))
    progress = Progress("finetune fold 1: epoch", 30, start=10)  # resumed after epoch 10
    assert progress.message(12) == (
        "finetune fold 1: epoch 12 of 30 (40%), about 9.0 min left"
    )  # 2 epochs in 60 s: 18 more take 540 s
    assert progress.message(30, "val_rmse 0.01") == (
        "finetune fold 1: epoch 30 of 30 (100%), 5.0 min in this attempt; val_rmse 0.01"
    )
    download = Progress("download vgg.pth:", 0, "MB", scale=1e6, precision=1)
    assert download.message(2_500_000) == "download vgg.pth: 2.5 MB"  # no length announced


STEP = textwrap.dedent("""
    import sys
    from smdown.logs import route_to
    from smdown.progress import Progress
    log = route_to(sys.argv[1])
    log.info("a line for the log only")
    Progress("product ssp126: months", 1032).update(120)
""")


def test_progress_reaches_the_log_and_the_console_other_lines_only_the_log(tmp_path):
    log = tmp_path / "job.log"
    proc = subprocess.run(
        [sys.executable, "-c", STEP, str(log)], capture_output=True, text=True, check=True
    )
    assert "product ssp126: months 120 of 1032 (12%)" in proc.stderr
    assert "a line for the log only" not in proc.stderr + proc.stdout
    text = log.read_text()
    assert "a line for the log only" in text and "months 120 of 1032" in text


@pytest.mark.parametrize("total", [0, 10])
def test_an_empty_or_finished_progress_has_no_time_left(total):
    assert "left" not in Progress("x", total).message(total)
