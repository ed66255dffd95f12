"""Out-of-fold scores per predictor and layer against AMSMQTP, beside the paper's R2 and R."""

import xarray as xr

from smdown.io import atomic_path
from smdown.jobs import workflow_job
from smdown.product.evaluate import oof_scores

with workflow_job(snakemake) as log:
    with xr.open_dataset(snakemake.input[0]) as oof:
        scores = oof_scores(oof)
    with atomic_path(snakemake.output[0]) as tmp:
        scores.to_csv(tmp, index=False, float_format="%.5g")
    log.info("out-of-fold scores:\n%s", scores.to_string(index=False))
