"""Train the YNet from the models on the input grid to ERA5-Land's layer (rule train_ynet)."""

import torch

from smdown.jobs import workflow_job
from smdown.training.guard import Guard
from smdown.training.run import JobFiles, train_ynet, ynet_settings

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    torch.set_num_threads(snakemake.threads)
    train_ynet(
        model_files={m: i[f"model_{m}"] for m in p.models},
        models=p.models,
        era5land=i.era5land,
        regions=i.regions,
        region=p.region,
        ynet=p.training["ynet"],
        settings=ynet_settings(p.training),
        files=JobFiles.of(
            weights=o.weights, history=o.history, metrics=o.metrics, checkpoint=p.checkpoint
        ),
        guard=Guard.from_config(p.training),
    )
