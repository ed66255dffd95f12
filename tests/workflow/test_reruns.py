"""Partial reruns after a complete tiny run: only what a change touches is planned again.

(The no-op run, a new fine-tuning parameter and a new significance level are tested beside
their stages: test_prepare_workflow, test_train_workflow, test_trends_workflow.)
"""

from __future__ import annotations

import re

import pytest
import xarray as xr

from .conftest import job_counts, planned_after, snakemake

pytestmark = pytest.mark.workflow


def _planned(text: str, rule: str) -> list[str]:
    """The wildcards line of every planned job of `rule` in a dry run's output."""
    blocks = re.findall(rf"^rule {rule}:\n((?:    .*\n)+)", text, re.MULTILINE)
    return [m[1] for block in blocks if (m := re.search(r"wildcards: (.*)", block))]


def test_replacing_one_models_input_reruns_only_that_models_regridding(scratch_copy):
    folder = scratch_copy / "resources/demo/cmip6"
    files = sorted(folder.rglob("mrsos_Lmon_CESM2_historical_*.nc"))
    assert files
    with xr.open_dataset(files[0]) as ds:
        changed = ds.load()
    changed["mrsos"] = changed["mrsos"] * 1.01
    replacement = files[0].with_suffix(".new")
    changed.to_netcdf(replacement)
    replacement.replace(files[0])

    proc = snakemake(scratch_copy, "-n")
    assert proc.returncode == 0, proc.stderr[-3000:]
    counts = job_counts(proc.stdout)
    assert counts["regrid_cmip6"] == 1
    [wildcards] = _planned(proc.stdout, "regrid_cmip6")
    assert sorted(wildcards.split(", ")) == ["experiment=historical", "model=CESM2"]
    assert not any(rule.startswith("synthesize") for rule in counts)
    # what depends on the model: training, the products and everything after them
    assert {"pretrain", "finetune", "product", "trends", "figure_percent_change"} <= set(counts)


def test_a_plotting_option_redraws_only_that_figure(tiny_run, tmp_path):
    assert planned_after(tiny_run, tmp_path, plots={"percent_change": {"cmap": "RdBu"}}) == {
        "figure_percent_change": 5
    }
