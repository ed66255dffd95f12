"""Fine-tune one cross-validation fold on the fine-tuning reference (rule finetune)."""

import torch

from smdown.jobs import workflow_job
from smdown.training.guard import Guard
from smdown.training.run import JobFiles, finetune, settings_from_config

with workflow_job(snakemake) as log:
    i, o, p, w = snakemake.input, snakemake.output, snakemake.params, snakemake.wildcards
    torch.set_num_threads(snakemake.threads)
    if p.get("insitu_off"):
        log.warning("%s", p.insitu_off)
    finetune(
        model_files={m: i[f"model_{m}"] for m in p.models},
        models=p.models,
        amsmqtp=i.amsmqtp,
        insitu=i.get("insitu") or None,
        regions=i.regions,
        region=p.region,
        pretrained=i.pretrained,
        fold=int(w.fold),
        folds=p.training["finetune"],
        network=p.network,
        settings=settings_from_config(training=p.training, stage="finetune"),
        vgg_path=i.get("vgg") or None,
        files=JobFiles.of(
            weights=o.weights, history=o.history, metrics=o.metrics, checkpoint=p.checkpoint
        ),
        guard=Guard.from_config(p.training),
    )
