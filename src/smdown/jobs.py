"""What every workflow script does around its work: its log routed, its provenance recorded.

The workflow's facts that a provenance record needs are told here, in one place: the checkout
(scripts lie in `workflow/scripts/` of it), the rules that bring raw sources in (by their name's
prefix) and the suffix of download manifests.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from smdown.logs import route_to
from smdown.provenance import WorkflowFacts, record_job
from smdown.sources.manifest import SUFFIX as MANIFEST_SUFFIX

SOURCE_RULES = {"download_": "download", "synthesize_": "synthetic"}  # rule prefix -> source kind


def workflow_facts(smk: Any) -> WorkflowFacts:
    """The facts of the workflow that runs the script `smk` (Snakemake's `snakemake` object)."""
    return WorkflowFacts(
        repo=Path(smk.scriptdir).parents[1],
        source_rules=SOURCE_RULES,
        manifest_suffix=MANIFEST_SUFFIX,
    )


@contextlib.contextmanager
def workflow_job(smk: Any) -> Iterator[logging.Logger]:
    """Run a workflow script's body with logging routed to the job's log; when the body ends
    without an error, write the provenance of every output."""
    log = route_to(smk.log[0])
    yield log
    record_job(smk, workflow_facts(smk))
