"""Run the real snakemake on the tiny config in a scratch directory, once per session."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
TINY = Path(__file__).with_name("tiny.yaml")
# the second study's tiny run: its demo config with a tiny window laid over it
TINY_CMIP6DL = (
    REPO / "config" / "cmip6dl-demo.yaml",
    Path(__file__).with_name("tiny_cmip6dl.yaml"),
)
FAKE_CDS_KEY = "123456:0f1e2d3c-fake-cds-api-key"
CLUSTER = REPO / "tests" / "slurm" / "cluster.sh"


def snakemake(
    workdir: Path,
    *args: str,
    configfile: Path | tuple[Path, ...] = TINY,
    timeout: float | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """Run the repository's Snakefile in `workdir` with the given config (several are laid over
    one another in order); capture the output."""
    files = configfile if isinstance(configfile, tuple) else (configfile,)
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        "--configfile",
        *map(str, files),
        "--cores",
        "2",
        *args,
    ]
    return subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=None if env is None else {**os.environ, **env},
    )


def profile_install_command() -> str:
    """The README's one command that makes the Slurm profile known by its short name."""
    for line in (REPO / "README.md").read_text().splitlines():
        if line.startswith("mkdir -p ~/.config/snakemake"):
            return line.split("  #")[0].strip()
    raise AssertionError("README.md shows no command that installs the Slurm profile")


def install_slurm_profile(home: Path) -> dict[str, str]:
    """Run the README's install command with `home` as HOME; the env for snakemake calls."""
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "XDG_CONFIG_HOME"}
    subprocess.run(
        ["bash", "-c", profile_install_command()],
        cwd=REPO,
        check=True,
        env={**env, "HOME": str(home)},
    )
    return {"HOME": str(home)}


def job_counts(text: str) -> dict[str, int]:
    """Jobs per rule from the "Job stats" table a (dry) run prints."""
    table = text[text.index("Job stats:") :]
    counts = {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.MULTILINE)}
    counts.pop("total", None)
    return counts


def planned_after(workdir: Path, tmp_path: Path, **sections: object) -> dict[str, int]:
    """Jobs per rule (without `all`) that a dry run in `workdir` plans once the tiny config's
    top-level `sections` are replaced by the given ones."""
    config = yaml.safe_load(TINY.read_text())
    config.update(sections)
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(config, sort_keys=False))
    proc = snakemake(workdir, "-n", configfile=changed)
    assert proc.returncode == 0, proc.stderr[-3000:]
    counts = job_counts(proc.stdout)
    counts.pop("all", None)
    return counts


@pytest.fixture(scope="session", autouse=True)
def slurm_cluster():
    """None while the single-node Slurm of tests/slurm/cluster.sh runs, else why it cannot.

    Started for every workflow session, stopped at its end: with Slurm installed but its
    controller down, snakemake-executor-plugin-slurm waits about 9 s for `scontrol` each time
    snakemake starts (it probes the cluster when the plugin loads).
    """
    if os.geteuid() != 0:
        yield "the Slurm test starts slurmctld and slurmd, which needs root"
        return
    if shutil.which("slurmctld") is None or shutil.which("sbatch") is None:
        yield "Debian's slurmctld, slurmd and slurm-client are not installed (tests/setup.sh)"
        return
    try:
        proc = subprocess.run(
            ["bash", str(CLUSTER), "start"], capture_output=True, text=True, timeout=180
        )
        reason = (
            None
            if proc.returncode == 0
            else f"the Slurm cluster did not start: {proc.stderr.strip()[-1000:]}"
        )
    except subprocess.TimeoutExpired:
        reason = "the Slurm cluster did not start within 180 s"
    yield reason
    subprocess.run(["bash", str(CLUSTER), "stop"], capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def tiny_env(tmp_path_factory) -> dict[str, str]:
    """The tiny run's environment: a home of its own (the working directory lies inside it)
    and a CDS key, so tests can check that neither leaks into what the run writes."""
    return {"HOME": str(tmp_path_factory.mktemp("home")), "CDSAPI_KEY": FAKE_CDS_KEY}


@pytest.fixture(scope="session")
def tiny_run(tiny_env) -> Path:
    """A completed tiny run; its working directory holds resources/ and results/tiny/."""
    workdir = Path(tiny_env["HOME"]) / "tiny"
    workdir.mkdir()
    proc = snakemake(workdir, env=tiny_env)
    (workdir / "console.txt").write_text(proc.stdout + proc.stderr)  # what a user sees
    if proc.returncode != 0:
        pytest.fail(f"tiny workflow run failed:\n{proc.stderr[-4000:]}")
    return workdir


@pytest.fixture
def scratch_copy(tiny_run, tmp_path) -> Path:
    """A private copy of the completed tiny run, for tests that break or change something."""
    dest = tmp_path / "run"
    shutil.copytree(tiny_run, dest, symlinks=True)
    return dest
