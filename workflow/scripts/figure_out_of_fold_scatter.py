"""Fig. 6: out-of-fold scatter against the fine-tuning reference, every layer (rule
figure_out_of_fold_scatter).

Density scatter of the product's out-of-fold predictions."""

import pandas as pd
import xarray as xr

from smdown.jobs import workflow_job
from smdown.plots.evaluation_scatter import layer_scatter
from smdown.product.evaluate import PRODUCT, guard_warning

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    scores = pd.read_csv(i.scores)
    scores = scores[scores["predictor"] == PRODUCT].reset_index(drop=True)
    with xr.open_dataset(i.oof) as oof:
        obs = [oof["amsmqtp"].isel(layer=k).values for k in range(oof.sizes["layer"])]
        pred = [oof["unet_gan"].isel(layer=k).values for k in range(oof.sizes["layer"])]
        first, last = (str(oof["time"].values[end])[:7] for end in (0, -1))
        warning = guard_warning(oof)
    title = (
        f"Fig. 6 ({p.run}): out-of-fold {PRODUCT} predictions against {p.name}, "
        f"{first} to {last}, every region cell and month ({p.n_folds}-fold cross-validation)"
        + (f"\nWARNING: {warning}" if warning else "")
    )
    layer_scatter(
        obs=obs,
        pred=pred,
        scores=scores,
        path=o[0],
        title=title,
        layers=p.layers,
        reference=p.name,
    )
    log.info("wrote %s", o[0])
