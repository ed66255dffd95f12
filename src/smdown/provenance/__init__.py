"""Provenance of the workflow's files: which job made each one, from what, with which code.

Every job writes a sidecar `<output>.prov.json` beside each of its outputs (`record`): the rule
with its wildcards and params, the sha256 of every input and output, the workflow commit, a
hash of the config, the software versions, and the lineage of the inputs back to the raw
sources, so any product or figure can be traced without rerunning anything. Sidecars are
redacted (`redaction`: no home directory, no credentials) because they are shared with the
results. `lineage` reads a file's lineage back and checks it; `python -m smdown.provenance
FILE` prints it (`__main__`).
"""

from smdown.provenance.lineage import Check, lineage_tree, verify_lineage
from smdown.provenance.record import (
    DISTRIBUTIONS,
    WorkflowFacts,
    config_hash,
    git_state,
    job_record,
    record_job,
    software_versions,
    workflow_version,
)
from smdown.provenance.redaction import redact
from smdown.provenance.sidecar import (
    SCHEMA,
    read_sidecar,
    remove_orphan_sidecars,
    sha256_path,
    sidecar_path,
)

__all__ = [
    "DISTRIBUTIONS",
    "SCHEMA",
    "Check",
    "WorkflowFacts",
    "config_hash",
    "git_state",
    "job_record",
    "lineage_tree",
    "read_sidecar",
    "record_job",
    "redact",
    "remove_orphan_sidecars",
    "sha256_path",
    "sidecar_path",
    "software_versions",
    "verify_lineage",
    "workflow_version",
]
