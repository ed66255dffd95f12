"""The plain ensemble-mean baseline of one experiment, in the product's layout."""

from pathlib import Path

from smdown.jobs import workflow_job
from smdown.product.run import run_attrs, write_ensemble_mean_product

with workflow_job(snakemake) as log:
    p, i = snakemake.params, snakemake.input
    attrs = run_attrs(
        snakemake.wildcards.experiment,
        snakemake.config,
        Path(snakemake.scriptdir),
        p.models,
        len(p.models),
        p.institution,
        significant_digits=p.significant_digits,
    )
    write_ensemble_mean_product(
        model_files={m: i[f"model_{m}"] for m in p.models},
        models=p.models,
        regions=i.regions,
        region=p.region,
        path=snakemake.output[0],
        attrs=attrs,
        chunk_months=p.chunk_months,
        layers=p.layers,
    )
