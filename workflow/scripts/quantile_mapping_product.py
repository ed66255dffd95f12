"""The quantile-mapped ensemble-mean baseline of one experiment (rule quantile_mapping_product).

In the product's layout."""

from pathlib import Path

from smdown.jobs import workflow_job
from smdown.product.run import run_attrs, write_quantile_mapping_product

with workflow_job(snakemake) as log:
    i, o, p, w = snakemake.input, snakemake.output, snakemake.params, snakemake.wildcards
    attrs = run_attrs(
        experiment=w.experiment,
        config=snakemake.config,
        workflow_dir=Path(snakemake.scriptdir),
        models=p.models,
        members=p.n_folds,
        institution=p.institution,
        significant_digits=p.significant_digits,
    )
    write_quantile_mapping_product(
        folds=i.folds,
        n_folds=p.n_folds,
        historical=dict(zip(p.models, i.historical, strict=True)),
        model_files={m: i[f"model_{m}"] for m in p.models},
        models=p.models,
        amsmqtp=i.amsmqtp,
        regions=i.regions,
        path=o[0],
        attrs=attrs,
        **p.quantile_mapping,
        chunk_months=p.chunk_months,
    )
