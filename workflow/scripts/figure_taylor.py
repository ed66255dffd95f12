"""Fig. 7: Taylor diagram of one layer: every model, the ensemble mean, baselines, product."""

import xarray as xr

from smdown.io import atomic_path
from smdown.jobs import workflow_job
from smdown.plots.taylor_diagram import taylor_diagram
from smdown.product.evaluate import guard_warning, taylor_layer

with workflow_job(snakemake) as log:
    layer = int(snakemake.wildcards.layer)
    with xr.open_dataset(snakemake.input[0]) as oof:
        stats, groups = taylor_layer(oof, layer)
        first, last = (str(oof["time"].values[i])[:7] for i in (0, -1))
        warning = guard_warning(oof)
    with atomic_path(snakemake.output.table) as tmp:
        stats.to_csv(tmp, index=False, float_format="%.5g")
    title = (
        f"Fig. 7 ({snakemake.params.run}), layer {layer}: against AMSMQTP over the test folds "
        f"{first} to {last} (models: regridded surface mrsos; product: out-of-fold)"
        + (f"\nWARNING: {warning}" if warning else "")
    )
    taylor_diagram(stats, "AMSMQTP", snakemake.output.figure, title, groups=groups)
    log.info("wrote %s", snakemake.output.figure)
