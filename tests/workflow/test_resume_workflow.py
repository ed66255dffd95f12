"""A run interrupted during fine-tuning resumes with the same command, to the same weights.

The user's command is repeated as it was: no `--rerun-incomplete` (profiles/default sets it).
Interrupted by Ctrl-C (SIGINT to the whole process group, as a terminal sends it) or by the
job's process being killed (SIGKILL), the fold resumes from its last per-epoch checkpoint and
ends bit-identical to a run that was never interrupted; its log keeps the lines of the
interrupted attempt.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
import yaml

from .conftest import REPO, TINY, snakemake

pytestmark = pytest.mark.workflow
FOLD = Path("results/tiny/training/finetune/fold1")
LOG = Path("results/tiny/logs/finetune/fold1.log")
EPOCHS = 6  # an interruption after epoch 2 and a kill after epoch 4 both land mid-way


@pytest.fixture(scope="module")
def longer(tmp_path_factory) -> Path:
    """tiny.yaml with fine-tuning long enough to be interrupted."""
    config = yaml.safe_load(TINY.read_text())
    config["training"]["finetune"] = {
        **config["training"]["finetune"],
        "epochs": EPOCHS,
        "patience": EPOCHS,
    }
    path = tmp_path_factory.mktemp("resume") / "longer.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def reference(tiny_run, longer, tmp_path_factory) -> dict[str, torch.Tensor]:
    """Fold 1's weights from a fine-tuning that was never interrupted."""
    workdir = tmp_path_factory.mktemp("uninterrupted") / "run"
    shutil.copytree(tiny_run, workdir, symlinks=True)
    proc = snakemake(workdir, str(FOLD / "generator.pt"), configfile=longer)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return _weights(workdir)


def _weights(workdir: Path) -> dict[str, torch.Tensor]:
    return torch.load(workdir / FOLD / "generator.pt", weights_only=True)["state_dict"]


def _epochs_done(workdir: Path) -> int:
    """The last epoch in the fold's checkpoint (0 before the first one is written)."""
    try:
        return int(torch.load(workdir / FOLD / "checkpoint.pt", weights_only=True)["epoch"])
    except (FileNotFoundError, RuntimeError, EOFError, KeyError):
        return 0


def _start(workdir: Path, config: Path) -> subprocess.Popen:
    """The user's command, in a session of its own (its process group gets the signals)."""
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        "--configfile",
        str(config),
        "--cores",
        "2",
        str(FOLD / "generator.pt"),
    ]
    return subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=_interruptible,
    )


def _interruptible() -> None:
    """Ctrl-C's default action in the run's processes: a test session started in the
    background (as CI may be) ignores SIGINT, and every child would inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _job_pid(session: int) -> int | None:
    """The fine-tuning job's Python process in the process group `session`."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if os.getpgid(int(proc.name)) != session:
                continue
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (ProcessLookupError, FileNotFoundError, PermissionError):
            continue
        tokens = cmdline.split()  # python3 .snakemake/scripts/tmpXXXX.finetune.py (not bash -c)
        if (
            len(tokens) > 1
            and "python" in Path(tokens[0]).name
            and tokens[1].endswith("finetune.py")
        ):
            return int(proc.name)
    return None


def _interrupt_after(workdir: Path, config: Path, epochs: int, how: str) -> None:
    """Start the run and interrupt it once the fold has checkpointed `epochs` epochs."""
    proc = _start(workdir, config)
    while _epochs_done(workdir) < epochs:
        assert proc.poll() is None, (
            f"the run ended before it could be interrupted:\n{proc.stdout.read()[-3000:]}"
        )
        time.sleep(0.2)
    if how == "SIGINT":
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in a terminal
    else:
        os.kill(_job_pid(proc.pid), signal.SIGKILL)  # the job's process killed
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode != 0, out[-3000:]
    assert not (workdir / FOLD / "generator.pt").exists()


def test_an_interrupted_fold_resumes_with_the_same_command(scratch_copy, longer, reference):
    (scratch_copy / FOLD / "checkpoint.pt").unlink()
    _interrupt_after(scratch_copy, longer, 2, "SIGINT")
    first = _epochs_done(scratch_copy)
    _interrupt_after(scratch_copy, longer, first + 2, "SIGKILL")
    second = _epochs_done(scratch_copy)
    assert 2 <= first < second < EPOCHS

    proc = snakemake(scratch_copy, str(FOLD / "generator.pt"), configfile=longer)
    assert proc.returncode == 0, proc.stderr[-3000:]

    after = _weights(scratch_copy)
    assert after.keys() == reference.keys()
    assert all(torch.equal(after[k], reference[k]) for k in reference)
    log = (scratch_copy / LOG).read_text()
    assert log.count("resumed at") == 2  # both interrupted attempts' lines kept, in order
    assert (
        log.index("epoch 1 of")
        < log.index(f"after epoch {first}")
        < log.index(f"after epoch {second}")
        < log.index(f"epoch {EPOCHS} of")
    )
    assert not (scratch_copy / LOG).with_name(LOG.name + ".unfinished").exists()
    sidecars = list((scratch_copy / "results").rglob("*.prov.json"))
    assert all(s.with_name(s.name.removesuffix(".prov.json")).exists() for s in sidecars)
