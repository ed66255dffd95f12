"""Pretrain the generator on ERA5-Land (rule pretrain)."""

import torch

from smdown.jobs import workflow_job
from smdown.training.guard import Guard
from smdown.training.run import JobFiles, pretrain, settings_from_config

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    torch.set_num_threads(snakemake.threads)
    stage = p.training["pretrain"]
    pretrain(
        model_files={m: i[f"model_{m}"] for m in p.models},
        models=p.models,
        era5land=i.era5land,
        regions=i.regions,
        region=p.region,
        splits={k: stage[f"{k}_years"] for k in ("train", "val", "test")},
        network=p.network,
        settings=settings_from_config(training=p.training, stage="pretrain"),
        vgg_path=i.get("vgg") or None,
        files=JobFiles.of(
            weights=o.weights, history=o.history, metrics=o.metrics, checkpoint=p.checkpoint
        ),
        guard=Guard.from_config(p.training),
    )
