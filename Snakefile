# The soil-moisture downscaling workflow: Li et al. 2024 (CMIP6_UNet-Gan, study: trsr) and the
# CMIP6DL study (YNet, study: cmip6dl) as configurations of one workflow. See README.md.
import os
import sys
from pathlib import Path

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


validate(config, str(Path(workflow.basedir) / "config" / "schema.yaml"))


include: "workflow/rules/common.smk"
include: "workflow/rules/download.smk"
include: "workflow/rules/prepare.smk"
include: "workflow/rules/insitu.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/product.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/trends.smk"
include: "workflow/rules/cmip6dl.smk"


check_training_config()


rule all:
    default_target: True
    input:
        all_targets(),
