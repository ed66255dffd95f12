"""Every shipped config plans exactly the jobs recorded in tests/workflow/plans/.

A restructuring of rules, paths or configs must not change what runs: each job is held by its
outputs and inputs (and its rule, through RENAMED for a rule that only changed its name). When
a change is meant to add or alter jobs, rewrite the records and say so in the commit:
    .venv/bin/python -m tests.workflow.test_job_plans --write
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from tests.workflow.conftest import REPO, TINY, TINY_CMIP6DL, snakemake

pytestmark = pytest.mark.workflow
PLANS = Path(__file__).with_name("plans")
CONFIGS: dict[str, tuple[Path, ...]] = {
    "demo": (REPO / "config" / "demo.yaml",),
    "paper": (REPO / "config" / "config.yaml",),
    "cmip6dl": (REPO / "config" / "cmip6dl.yaml",),
    "cmip6dl-demo": (REPO / "config" / "cmip6dl-demo.yaml",),
    "tiny": (TINY,),
    "tiny_cmip6dl": TINY_CMIP6DL,
}
RENAMED = {  # old rule name -> new, for rules renamed since the records (issue 21)
    "figure_01": "figure_study_area",
    "figure_05": "figure_reference_boxplots",
    "figure_06": "figure_out_of_fold_scatter",
    "figure_07": "figure_taylor",
    "figure_14": "figure_percent_change",
    "figure_02": "figure_loss_curves",
}


def planned_jobs(workdir: Path, configfile: tuple[Path, ...]) -> list[dict]:
    """The jobs a dry run in the empty `workdir` plans: rule, outputs and inputs of each."""
    outline = workdir / "resources" / "regions" / "china.geojson"  # CMIP6DL's user outline
    outline.parent.mkdir(parents=True, exist_ok=True)
    outline.write_text("{}")
    proc = snakemake(workdir, "-n", configfile=configfile)
    assert proc.returncode == 0, proc.stderr[-3000:]
    jobs = []
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", proc.stdout)[1:]:
        job = {"rule": re.match(r"(?:local)?rule (\w+):", block)[1]}
        for key in ("input", "output"):
            found = re.search(rf"^    {key}: (.*)$", block, re.MULTILINE)
            job[key] = sorted(found[1].split(", ")) if found else []
        jobs.append(job)
    return sorted(jobs, key=lambda j: (j["output"], j["rule"]))


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_the_config_plans_the_recorded_jobs(name, tmp_path):
    recorded = json.loads((PLANS / f"{name}.json").read_text())
    for job in recorded:
        job["rule"] = RENAMED.get(job["rule"], job["rule"])
    planned = planned_jobs(tmp_path, CONFIGS[name])
    missing = [j for j in recorded if j not in planned]
    extra = [j for j in planned if j not in recorded]
    assert not missing and not extra, (
        f"{name}: {len(missing)} recorded job(s) not planned, e.g. {missing[:2]}; "
        f"{len(extra)} planned job(s) not recorded, e.g. {extra[:2]}"
    )


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    import tempfile

    PLANS.mkdir(exist_ok=True)
    for name, files in CONFIGS.items():
        with tempfile.TemporaryDirectory() as scratch:
            jobs = planned_jobs(Path(scratch), files)
        (PLANS / f"{name}.json").write_text(json.dumps(jobs, indent=1) + "\n")
        print(f"{name}: {len(jobs)} jobs")
