"""The YNet product of one experiment (rule product_ynet)."""

from pathlib import Path

import torch

from smdown.jobs import workflow_job
from smdown.product.run import run_attrs, write_network_product

with workflow_job(snakemake) as log:
    torch.set_num_threads(snakemake.threads)
    p, i = snakemake.params, snakemake.input
    attrs = run_attrs(
        snakemake.wildcards.experiment,
        snakemake.config,
        Path(snakemake.scriptdir),
        p.models,
        1,
        p.institution,
        significant_digits=p.significant_digits,
    )
    write_network_product(
        weights=i.weights,
        model_files={m: i[f"model_{m}"] for m in p.models},
        models=p.models,
        regions=i.regions,
        path=snakemake.output[0],
        attrs=attrs,
        layers=p.layers,
        device=p.device,
        chunk_months=p.chunk_months,
        batch_size=p.batch_size,
    )
