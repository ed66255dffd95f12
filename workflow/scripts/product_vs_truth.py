"""Demo check: the products against the synthetic truth, per layer (rule product_vs_truth)."""

from smdown.io import atomic_path
from smdown.jobs import workflow_job
from smdown.prepared import load_mask
from smdown.product.evaluate import scores_against_truth

with workflow_job(snakemake) as log:
    i, o, p, w = snakemake.input, snakemake.output, snakemake.params, snakemake.wildcards
    mask = load_mask(regions=i.regions, region=p.region).values
    products = {
        "CMIP6_UNet-Gan": i.product,
        "ensemble_mean": i.ensemble_mean,
        "quantile_mapping": i.quantile_mapping,
    }
    table = scores_against_truth(truth=i.truth, products=products, mask=mask)
    table.insert(0, "experiment", w.experiment)
    with atomic_path(o[0]) as tmp:
        table.to_csv(tmp, index=False, float_format="%.5g")
    log.info("against the truth:\n%s", table.to_string(index=False))
