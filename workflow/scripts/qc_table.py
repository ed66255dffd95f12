"""The run's QC table: every source's drops, one table (rule qc_table)."""

import pandas as pd

from smdown.jobs import workflow_job
from smdown.qc import write_qc_table

with workflow_job(snakemake) as log:
    i, o = snakemake.input, snakemake.output
    table = pd.concat([pd.read_csv(part, keep_default_na=False) for part in i], ignore_index=True)
    write_qc_table(table=table, path=o[0])
    faults = table[table["kind"].isin(["value", "row"])]
    log.info(
        "%d QC rows; %d value(s) dropped as faults, %d by flag or place",
        len(table),
        int(faults["dropped"].sum()),
        int(table["dropped"].sum() - faults["dropped"].sum()),
    )
