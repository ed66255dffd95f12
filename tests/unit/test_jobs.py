"""A workflow script's frame (smdown.jobs): its log routed, its provenance recorded on success
with the workflow's facts, nothing recorded when its body fails. Each job runs in its own
process, as Snakemake runs a script (the log routing reconfigures the process's logging)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from smdown.jobs import SOURCE_RULES, workflow_facts
from smdown.sources.manifest import SUFFIX as MANIFEST_SUFFIX

SCRIPT = """
import sys
from pathlib import Path
from types import SimpleNamespace
from snakemake.iocontainers import Namedlist
from smdown.jobs import workflow_job

work, rule, inputs, output, fail = Path(sys.argv[1]), *sys.argv[2:6]
smk = SimpleNamespace(
    rule=rule, input=Namedlist([str(work / p) for p in inputs.split(",") if p]),
    output=Namedlist([str(work / output)]), params=Namedlist(), wildcards=Namedlist(),
    log=Namedlist([str(work / "logs" / f"{rule}.log")]), config={"run": "t"},
    scriptdir=str(work / "workflow" / "scripts"),
)
with workflow_job(smk) as log:
    Path(smk.output[0]).write_text(rule)
    log.info("made %s", smk.output[0])
    if fail == "fail":
        raise RuntimeError("broken on purpose")
"""


def run_job(work: Path, rule: str, output: str, inputs: str = "", fail: bool = False):
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, str(work), rule, inputs, output, "fail" if fail else ""],
        capture_output=True,
        text=True,
        cwd=work,
    )


def test_a_job_logs_and_records_its_outputs_with_the_workflows_facts(tmp_path):
    (tmp_path / "workflow" / "scripts").mkdir(parents=True)
    assert run_job(tmp_path, "synthesize_truth", "truth.txt").returncode == 0
    made = run_job(tmp_path, "regrid", "regridded.txt", inputs="truth.txt")
    assert made.returncode == 0, made.stderr
    assert "made" in (tmp_path / "logs" / "regrid.log").read_text()
    record = json.loads((tmp_path / "regridded.txt.prov.json").read_text())
    assert record["rule"] == "regrid" and record["file"].endswith("regridded.txt")
    # the facts said which rules bring raw sources in: the truth is one
    assert record["lineage"]["truth.txt"]["source"] == "synthetic"
    assert record["sources"] == ["truth.txt"]


def test_a_failed_job_records_nothing_and_logs_why(tmp_path):
    (tmp_path / "workflow" / "scripts").mkdir(parents=True)
    failed = run_job(tmp_path, "regrid", "regridded.txt", fail=True)
    assert failed.returncode != 0
    assert not (tmp_path / "regridded.txt.prov.json").exists()
    assert "broken on purpose" in (tmp_path / "logs" / "regrid.log").read_text()


def test_the_facts_are_the_checkout_the_source_rules_and_the_manifest_suffix(tmp_path):
    class Job:
        scriptdir = str(tmp_path / "checkout" / "workflow" / "scripts")

    facts = workflow_facts(Job())
    assert facts.repo == tmp_path / "checkout"
    assert facts.source_rules == SOURCE_RULES and facts.manifest_suffix == MANIFEST_SUFFIX
    assert {"download_", "synthesize_"} == set(SOURCE_RULES)
