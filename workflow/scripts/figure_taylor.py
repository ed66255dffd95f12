"""Fig. 7: Taylor diagram of one layer against the fine-tuning reference (rule figure_taylor).

Every model, the ensemble mean, the baselines and the product."""

import xarray as xr

from smdown.io import atomic_path
from smdown.jobs import workflow_job
from smdown.plots.taylor_diagram import taylor_diagram
from smdown.product.evaluate import guard_warning, taylor_layer

with workflow_job(snakemake) as log:
    i, o, p, w = snakemake.input, snakemake.output, snakemake.params, snakemake.wildcards
    layer = int(w.layer)
    with xr.open_dataset(i[0]) as oof:
        stats, groups = taylor_layer(oof=oof, layer=layer, reference=p.name)
        first, last = (str(oof["time"].values[end])[:7] for end in (0, -1))
        warning = guard_warning(oof)
    with atomic_path(o.table) as tmp:
        stats.to_csv(tmp, index=False, float_format="%.5g")
    title = (
        f"Fig. 7 ({p.run}), layer {layer}: against {p.name} over the test folds "
        f"{first} to {last} (models: regridded surface mrsos; product: out-of-fold)"
        + (f"\nWARNING: {warning}" if warning else "")
    )
    taylor_diagram(stats=stats, reference=p.name, path=o.figure, title=title, groups=groups)
    log.info("wrote %s", o.figure)
