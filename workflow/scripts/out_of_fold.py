"""Out-of-fold predictions of the fine-tuned folds over the fine-tuning months."""

import torch

from smdown.jobs import workflow_job
from smdown.product.run import write_out_of_fold

with workflow_job(snakemake) as log:
    torch.set_num_threads(snakemake.threads)
    p, i = snakemake.params, snakemake.input
    write_out_of_fold(
        folds=i.folds,
        n_folds=p.n_folds,
        model_files={m: i[f"model_{m}"] for m in p.models},
        models=p.models,
        amsmqtp=i.amsmqtp,
        regions=i.regions,
        path=snakemake.output[0],
        **p.quantile_mapping,
        device=p.device,
        batch_size=p.batch_size,
    )
