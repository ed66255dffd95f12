# The soil-moisture downscaling workflow: Li et al. 2024 (CMIP6_UNet-Gan, study: trsr) and the
# CMIP6DL study (YNet, study: cmip6dl) as configurations of one workflow. See README.md.
import os
import sys
from pathlib import Path

from snakemake.common.configfile import load_configfile
from snakemake.utils import min_version, validate

# The library in src/ is importable by the workflow and by every job, also in conda envs.
_SRC = str(Path(workflow.basedir) / "src")
sys.path.insert(0, _SRC)
os.environ.update(
    PYTHONPATH=os.pathsep.join(p for p in (_SRC, os.environ.get("PYTHONPATH")) if p)
)

min_version("9.0")


report: "workflow/report/workflow.rst"


configfile: str(Path(workflow.basedir) / "config" / "demo.yaml")


# The config checked before anything runs, its error in a few lines (key, file, what is allowed)
from smdown.configuration import ConfigError, check_config
from smdown.preflight import preflight, report as preflight_report
from smdown.provenance import remove_orphan_sidecars
from smdown.summary import run_summary

try:
    check_config(
        config,
        load_configfile(str(Path(workflow.basedir) / "config" / "schema.yaml")),
        [
            Path(workflow.basedir) / "config" / "demo.yaml",
            *workflow.overwrite_configfiles,
        ],
    )
except ConfigError as exc:
    raise WorkflowError(str(exc)) from None
validate(config, str(Path(workflow.basedir) / "config" / "schema.yaml"))


include: "workflow/rules/settings.smk"
include: "workflow/rules/paths.smk"
include: "workflow/rules/inputs.smk"
include: "workflow/rules/targets.smk"
include: "workflow/rules/download.smk"
include: "workflow/rules/prepare.smk"
include: "workflow/rules/insitu.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/product.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/trends.smk"
include: "workflow/rules/cmip6dl.smk"


check_training_config()


# What the config needs that is not there (credentials, registration-only data, outlines),
# listed before any job runs; `snakemake check` fails on it. Jobs do not repeat it.
if workflow.is_main_process:
    PREFLIGHT = preflight(config)
    if PREFLIGHT:
        print(preflight_report(PREFLIGHT), file=sys.stderr)


localrules:
    check,


rule check:
    log:
        f"{LOGS}/check.log",
    conda:
        "envs/prepare.yaml"
    script:
        "workflow/scripts/check.py"


# No sidecar outlives its output: Snakemake removes the outputs of a failed or rerun job, not
# the .prov.json beside them.
onstart:
    remove_orphan_sidecars(sidecar_folders())


onerror:
    remove_orphan_sidecars(sidecar_folders())


# The last lines of a finished run: where the figures are, the report, the main scores.
onsuccess:
    print(run_summary(RUN, STUDY, [str(f) for f in workflow.overwrite_configfiles]))


rule all:
    default_target: True
    input:
        all_targets(),
