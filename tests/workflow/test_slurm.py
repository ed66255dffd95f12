"""The tiny config through `snakemake --profile slurm` on a real single-node Slurm.

tests/slurm/cluster.sh starts slurmctld, slurmd and munged (as root) with a GPU generic
resource, so the profile's GPU requests are scheduled as on a cluster. The run uses the
profile as shipped plus the overrides this site needs (no accounting: no account, squeue for
status); its partitions `cpu` and `gpu` are the profile's. The profile is found by its short
name, after the README's install command ran with a scratch HOME. Skipped, with the reason,
where the cluster cannot start.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from PIL import Image

from .conftest import install_slurm_profile, snakemake

pytestmark = pytest.mark.workflow
SITE = [
    "--slurm-no-account",
    "--slurm-status-command",
    "squeue",
    "--slurm-init-seconds-before-status-checks",
    "2",
    "--slurm-keep-successful-logs",
]
GPU_RULES = {"pretrain", "finetune", "product"}
SKIPPED = {"logs", "benchmarks"}


def _announced_jobs(text: str) -> tuple[list[str], list[str]]:
    """Rule names of the jobs Snakemake started as cluster jobs and as local jobs."""
    remote = re.findall(r"^rule (\w+):$", text, re.MULTILINE)
    local = re.findall(r"^localrule (\w+):$", text, re.MULTILINE)
    return remote, local


def _slurm_jobs(ids: list[str]) -> dict[str, dict[str, str]]:
    """State, partition, GPU request and comment of the given Slurm jobs (kept by MinJobAge)."""
    out = subprocess.run(
        ["scontrol", "-o", "show", "job"], capture_output=True, text=True, check=True
    ).stdout
    jobs = {}
    for line in out.splitlines():
        fields = dict(re.findall(r"(\w+)=(\S*)", line))
        if fields.get("JobId") in ids:
            jobs[fields["JobId"]] = {
                "state": fields["JobState"],
                "partition": fields["Partition"],
                "gpus": fields.get("TresPerJob", "") + fields.get("TresPerNode", ""),
                "comment": fields.get("Comment", ""),
            }
    return jobs


def _compared_files(root: Path) -> list[Path]:
    """Every output and synthetic source of a run, without logs, benchmarks and sidecars."""
    files = []
    for base in ("results/tiny", "resources"):
        for path in sorted((root / base).rglob("*")):
            rel = path.relative_to(root)
            if (
                path.is_file()
                and not SKIPPED & set(rel.parts)
                and not path.name.endswith(".prov.json")
            ):
                files.append(rel)
    return files


def _same(a: Path, b: Path) -> None:
    """Equal content: data and coordinates of NetCDF, cells of tables, pixels of PNGs, tensors
    of weights; run times (`seconds`) and creation stamps are the only fields left out."""
    suffix = a.suffix
    if suffix == ".nc":
        with xr.open_dataset(a) as x, xr.open_dataset(b) as y:
            xr.testing.assert_equal(x, y)
    elif suffix == ".csv":
        x, y = pd.read_csv(a), pd.read_csv(b)
        pd.testing.assert_frame_equal(
            x.drop(columns="seconds", errors="ignore"), y.drop(columns="seconds", errors="ignore")
        )
    elif suffix == ".parquet":
        pd.testing.assert_frame_equal(pd.read_parquet(a), pd.read_parquet(b))
    elif suffix == ".png":
        with Image.open(a) as x, Image.open(b) as y:
            np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
    elif suffix in (".pt", ".pth"):
        import torch

        _same_tensors(torch.load(a, weights_only=False), torch.load(b, weights_only=False))
    elif suffix == ".json":
        assert _without_times(json.loads(a.read_text())) == _without_times(
            json.loads(b.read_text())
        )
    else:
        assert a.read_bytes() == b.read_bytes()


def _same_tensors(x, y) -> None:
    """Equal saved objects: tensors bit for bit, containers item by item, other values by ==
    (NaN equal to NaN); run times and creation stamps left out."""
    import torch

    if isinstance(x, torch.Tensor):
        assert torch.equal(x, y)
    elif isinstance(x, dict):
        assert x.keys() == y.keys()
        for key in x:
            if key not in ("created", "seconds"):
                _same_tensors(x[key], y[key])
    elif isinstance(x, list | tuple):
        assert len(x) == len(y)
        for u, v in zip(x, y, strict=True):
            _same_tensors(u, v)
    else:
        assert x == y or (x != x and y != y), (x, y)


def _without_times(obj):
    if isinstance(obj, dict):
        return {k: _without_times(v) for k, v in obj.items() if k not in ("created", "seconds")}
    return obj


def test_the_tiny_run_on_slurm_equals_the_local_run(slurm_cluster, tiny_run, tmp_path):
    if slurm_cluster is not None:
        pytest.skip(slurm_cluster)
    workdir = tmp_path / "slurm"
    workdir.mkdir()
    env = install_slurm_profile(tmp_path / "home")
    proc = snakemake(workdir, "--profile", "slurm", *SITE, timeout=2400, env=env)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]

    remote, local = _announced_jobs(log)
    ids = re.findall(r"has been submitted with SLURM jobid (\d+)", log)
    assert remote and len(ids) == len(remote)
    assert set(local) <= {"all", "vgg16_weights"}
    jobs = _slurm_jobs(ids)
    assert set(jobs) == set(ids)
    assert {j["state"] for j in jobs.values()} == {"COMPLETED"}
    per_rule = Counter()
    for job in jobs.values():
        rule = re.match(r"rule_(\w+?)(_wildcards_|$)", job["comment"])[1]
        per_rule[rule] += 1
        if rule in GPU_RULES:
            assert job["partition"] == "gpu" and "gpu:1" in job["gpus"], job
        else:
            assert job["partition"] == "cpu", job
    assert per_rule == Counter(remote)

    expected = _compared_files(tiny_run)
    assert expected and _compared_files(workdir) == expected
    for rel in expected:
        try:
            _same(tiny_run / rel, workdir / rel)
        except AssertionError as exc:
            raise AssertionError(f"{rel} differs between the Slurm and the local run") from exc
