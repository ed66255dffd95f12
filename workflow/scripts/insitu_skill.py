"""The in-situ regressor's skill on stations left out, beside climatology (rule insitu_skill)."""

import pandas as pd

from smdown.insitu.forest import ForestOptions, leave_stations_out_skill
from smdown.io import atomic_path
from smdown.jobs import workflow_job

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    table = pd.read_parquet(i[0])
    skill = leave_stations_out_skill(
        table=table,
        options=ForestOptions(**p.forest, n_jobs=snakemake.threads),
        n_folds=p.folds,
        layers=p.layers,
    )
    with atomic_path(o[0]) as tmp:
        skill.to_csv(tmp, index=False)
    log.info("skill:\n%s", skill.to_string())
