"""CMIP6DL Fig. 5: Taylor diagram against ERA5-Land, test years (rule figure_holdout_taylor)."""

import pandas as pd

from smdown.jobs import workflow_job
from smdown.plots.taylor_diagram import taylor_diagram

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    years = "{}-{}".format(*p.years)
    stats = pd.read_csv(i.taylor)
    taylor_diagram(
        stats=stats.drop(columns="group"),
        reference="ERA5-Land",
        path=o[0],
        title=f"Fig. 5 ({p.run}): normalised Taylor diagram against ERA5-Land, {years} "
        "(models interpolated bilinearly to the target grid)",
        groups=dict(zip(stats["name"], stats["group"], strict=True)),
    )
    log.info("wrote %s", o[0])
