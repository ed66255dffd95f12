"""Fig. 6: density scatter of the out-of-fold predictions against AMSMQTP, every layer."""

import pandas as pd
import xarray as xr

from smdown.jobs import workflow_job
from smdown.plots.evaluation_scatter import layer_scatter
from smdown.product.evaluate import PRODUCT, guard_warning

with workflow_job(snakemake) as log:
    scores = pd.read_csv(snakemake.input.scores)
    scores = scores[scores["predictor"] == PRODUCT].reset_index(drop=True)
    with xr.open_dataset(snakemake.input.oof) as oof:
        obs = [oof["amsmqtp"].isel(layer=k).values for k in range(oof.sizes["layer"])]
        pred = [oof["unet_gan"].isel(layer=k).values for k in range(oof.sizes["layer"])]
        first, last = (str(oof["time"].values[i])[:7] for i in (0, -1))
        warning = guard_warning(oof)
    title = (
        f"Fig. 6 ({snakemake.params.run}): out-of-fold {PRODUCT} predictions against AMSMQTP, "
        f"{first} to {last}, every region cell and month (5-fold cross-validation)"
        + (f"\nWARNING: {warning}" if warning else "")
    )
    layer_scatter(obs, pred, scores, snakemake.output[0], title)
    log.info("wrote %s", snakemake.output[0])
