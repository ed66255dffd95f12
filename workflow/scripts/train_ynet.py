"""Train the YNet from the models on the input grid to ERA5-Land's layer (rule train_ynet)."""

import torch

from smdown.jobs import workflow_job
from smdown.training.guard import Guard
from smdown.training.run import JobFiles, train_ynet, ynet_settings

with workflow_job(snakemake) as log:
    torch.set_num_threads(snakemake.threads)
    p, i, o = snakemake.params, snakemake.input, snakemake.output
    train_ynet(
        {m: i[f"model_{m}"] for m in p.models},
        p.models,
        i.era5land,
        i.regions,
        p.region,
        p.training["ynet"],
        ynet_settings(p.training),
        JobFiles.of(o.weights, o.history, o.metrics, p.checkpoint),
        guard=Guard.from_config(p.training),
    )
