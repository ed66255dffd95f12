"""Fine-tune one cross-validation fold on AMSMQTP (rule finetune)."""

import torch

from smdown.jobs import workflow_job
from smdown.training.guard import Guard
from smdown.training.run import JobFiles, finetune, settings_from_config

with workflow_job(snakemake) as log:
    torch.set_num_threads(snakemake.threads)
    p, i, o = snakemake.params, snakemake.input, snakemake.output
    finetune(
        model_files={m: i[f"model_{m}"] for m in p.models},
        models=p.models,
        amsmqtp=i.amsmqtp,
        insitu=i.get("insitu") or None,
        regions=i.regions,
        region=p.region,
        pretrained=i.pretrained,
        fold=int(snakemake.wildcards.fold),
        folds=p.training["finetune"],
        network=p.network,
        settings=settings_from_config(p.training, "finetune"),
        vgg_path=i.get("vgg") or None,
        files=JobFiles.of(o.weights, o.history, o.metrics, p.checkpoint),
        guard=Guard.from_config(p.training),
    )
