"""The bagged CMIP6_UNet-Gan product of one experiment (rule product)."""

from pathlib import Path

import torch

from smdown.jobs import workflow_job
from smdown.product.run import run_attrs, write_bagged_product

with workflow_job(snakemake) as log:
    i, o, p, w = snakemake.input, snakemake.output, snakemake.params, snakemake.wildcards
    torch.set_num_threads(snakemake.threads)
    attrs = run_attrs(
        experiment=w.experiment,
        config=snakemake.config,
        workflow_dir=Path(snakemake.scriptdir),
        models=p.models,
        members=p.n_folds,
        institution=p.institution,
        significant_digits=p.significant_digits,
    )
    write_bagged_product(
        folds=i.folds,
        n_folds=p.n_folds,
        model_files={m: i[f"model_{m}"] for m in p.models},
        models=p.models,
        regions=i.regions,
        path=o[0],
        attrs=attrs,
        device=p.device,
        chunk_months=p.chunk_months,
        batch_size=p.batch_size,
        layers=p.layers,
    )
