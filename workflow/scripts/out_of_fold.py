"""The fine-tuned folds' out-of-fold predictions over the fine-tuning months (rule out_of_fold)."""

import torch

from smdown.jobs import workflow_job
from smdown.product.run import write_out_of_fold

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    torch.set_num_threads(snakemake.threads)
    write_out_of_fold(
        folds=i.folds,
        n_folds=p.n_folds,
        model_files={m: i[f"model_{m}"] for m in p.models},
        models=p.models,
        amsmqtp=i.amsmqtp,
        regions=i.regions,
        path=o[0],
        **p.quantile_mapping,
        device=p.device,
        batch_size=p.batch_size,
    )
