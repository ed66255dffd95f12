"""Demo check: the product's trends and percent changes vs the truth's (rule trends_vs_truth)."""

import numba

from smdown.io import atomic_path
from smdown.jobs import workflow_job
from smdown.stats.analyse import read_sm, read_truth_on_layers, region_masks, truth_comparison

with workflow_job(snakemake) as log:
    i, o, p, w = snakemake.input, snakemake.output, snakemake.params, snakemake.wildcards
    numba.set_num_threads(snakemake.threads)
    product = read_sm(i.product)
    table = truth_comparison(
        product=product,
        truth=read_truth_on_layers(truth=i.truth, product=i.product),
        base=read_sm(i.base),
        truth_base=read_truth_on_layers(truth=i.truth_base, product=i.base),
        masks=region_masks(path=i.regions, sm=product, source=i.product),
        periods={name: tuple(years) for name, years in p.periods.items()},
        alpha=p.alpha,
        change=tuple(p.change),
        reference=tuple(p.reference),
    )
    table.insert(0, "experiment", w.experiment)
    with atomic_path(o[0]) as tmp:
        table.to_csv(tmp, index=False, float_format="%.6g")
    log.info("product against truth:\n%s", table.to_string(index=False))
