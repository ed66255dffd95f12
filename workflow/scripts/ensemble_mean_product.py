"""The plain ensemble-mean baseline of one experiment (rule ensemble_mean_product).

In the product's layout."""

from pathlib import Path

from smdown.jobs import workflow_job
from smdown.product.run import run_attrs, write_ensemble_mean_product

with workflow_job(snakemake) as log:
    i, o, p, w = snakemake.input, snakemake.output, snakemake.params, snakemake.wildcards
    attrs = run_attrs(
        experiment=w.experiment,
        config=snakemake.config,
        workflow_dir=Path(snakemake.scriptdir),
        models=p.models,
        members=len(p.models),
        institution=p.institution,
        significant_digits=p.significant_digits,
    )
    write_ensemble_mean_product(
        model_files={m: i[f"model_{m}"] for m in p.models},
        models=p.models,
        regions=i.regions,
        region=p.region,
        path=o[0],
        attrs=attrs,
        chunk_months=p.chunk_months,
        layers=p.layers,
    )
