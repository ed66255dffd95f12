"""Out-of-fold scores per predictor and layer against the fine-tuning reference (rule
evaluation_scores).

The table puts the paper's R2 and R beside them."""

import xarray as xr

from smdown.io import atomic_path
from smdown.jobs import workflow_job
from smdown.product.evaluate import oof_scores

with workflow_job(snakemake) as log:
    i, o = snakemake.input, snakemake.output
    with xr.open_dataset(i[0]) as oof:
        scores = oof_scores(oof)
    with atomic_path(o[0]) as tmp:
        scores.to_csv(tmp, index=False, float_format="%.5g")
    log.info("out-of-fold scores:\n%s", scores.to_string(index=False))
