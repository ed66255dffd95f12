"""Demo check: the product and the ensemble mean against the synthetic truth, per layer."""

from smdown.io import atomic_path
from smdown.jobs import workflow_job
from smdown.prepared import load_mask
from smdown.product.evaluate import scores_against_truth

with workflow_job(snakemake) as log:
    i = snakemake.input
    mask = load_mask(i.regions, snakemake.params.region).values
    products = {
        "CMIP6_UNet-Gan": i.product,
        "ensemble_mean": i.ensemble_mean,
        "quantile_mapping": i.quantile_mapping,
    }
    table = scores_against_truth(i.truth, products, mask)
    table.insert(0, "experiment", snakemake.wildcards.experiment)
    with atomic_path(snakemake.output[0]) as tmp:
        table.to_csv(tmp, index=False, float_format="%.5g")
    log.info("against the truth:\n%s", table.to_string(index=False))
