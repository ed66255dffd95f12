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


# The config (smdown.configuration): the schema's defaults, under the keys that follow from the
# study, under the config files: the --configfiles, or without any the demo. Each file is a
# short overlay that says only what differs.
_CONFIG_DIR = Path(workflow.basedir) / "config"
if not workflow.overwrite_configfiles:

    configfile: str(_CONFIG_DIR / "demo.yaml")


# The study's keys derived, then the config checked before anything runs, its error in a few
# lines (key, file, what is allowed)
from smdown.configuration import (
    ConfigError,
    check_config,
    config_files,
    derive_study_keys,
    normalise_models,
    station_notes,
)
from smdown.preflight import preflight, report as preflight_report
from smdown.provenance import remove_orphan_sidecars
from smdown.summary import run_summary

_SCHEMA = load_configfile(str(_CONFIG_DIR / "schema.yaml"))
_FILES = config_files(workflow.overwrite_configfiles, _CONFIG_DIR)
try:
    derive_study_keys(config, _SCHEMA, _FILES)
    check_config(config, _SCHEMA, _FILES)
except ConfigError as exc:
    raise WorkflowError(str(exc)) from None
validate(config, str(_CONFIG_DIR / "schema.yaml"))
# `models` as the names every rule reads; entries given as mappings kept under model_specs
normalise_models(config)


include: "workflow/rules/settings.smk"
include: "workflow/rules/paths.smk"
include: "workflow/rules/inputs.smk"
include: "workflow/rules/targets.smk"
# the stages every study shares
include: "workflow/rules/download.smk"
include: "workflow/rules/prepare.smk"
include: "workflow/rules/baselines.smk"
# the UNet-GAN study (Li et al. 2024)
include: "workflow/rules/trsr/insitu.smk"
include: "workflow/rules/trsr/train.smk"
include: "workflow/rules/trsr/product.smk"
include: "workflow/rules/trsr/evaluate.smk"
include: "workflow/rules/trsr/trends.smk"
# the CMIP6DL study
include: "workflow/rules/cmip6dl/ynet.smk"
include: "workflow/rules/cmip6dl/evaluate.smk"
include: "workflow/rules/cmip6dl/trends.smk"


check_training_config()


# What the config needs that is not there (credentials, registration-only data, outlines),
# listed before any job runs; `snakemake check` fails on it. Jobs do not repeat it.
if workflow.is_main_process:
    PREFLIGHT = preflight(config)
    if PREFLIGHT:
        print(preflight_report(PREFLIGHT), file=sys.stderr)
    # a run without some station source says what it does instead and what it leaves out
    for _line in station_notes(config):
        print(_line, file=sys.stderr)


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
    print(
        run_summary(
            RUN,
            STUDY,
            [str(f) for f in workflow.overwrite_configfiles],
            REFERENCE_NAME,
        )
    )


rule all:
    default_target: True
    input:
        all_targets(),
