"""The in-situ regressor's skill on stations left out, beside climatology (rule insitu_skill)."""

import pandas as pd

from smdown.insitu.forest import ForestOptions, leave_stations_out_skill
from smdown.io import atomic_path
from smdown.logs import route_to
from smdown.provenance import record_job

log = route_to(snakemake.log[0])
p = snakemake.params
table = pd.read_parquet(snakemake.input[0])
skill = leave_stations_out_skill(
    table, ForestOptions(**p.forest, n_jobs=snakemake.threads), n_folds=p.folds
)
with atomic_path(snakemake.output[0]) as tmp:
    skill.to_csv(tmp, index=False)
log.info("skill:\n%s", skill.to_string())
record_job(snakemake)
