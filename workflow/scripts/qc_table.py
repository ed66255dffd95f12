"""The run's QC table: every source's drops, one table (rule qc_table)."""

import pandas as pd

from smdown.jobs import workflow_job
from smdown.qc import write_qc_table

with workflow_job(snakemake) as log:
    table = pd.concat(
        [pd.read_csv(part, keep_default_na=False) for part in snakemake.input], ignore_index=True
    )
    write_qc_table(table, snakemake.output[0])
    faults = table[table["kind"].isin(["value", "row"])]
    log.info(
        "%d QC rows; %d value(s) dropped as faults, %d by flag or place",
        len(table),
        int(faults["dropped"].sum()),
        int(table["dropped"].sum() - faults["dropped"].sum()),
    )
