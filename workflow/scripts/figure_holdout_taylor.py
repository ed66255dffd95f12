"""The CMIP6DL study's Fig. 5: the normalised Taylor diagram against ERA5-Land, test years."""

import pandas as pd

from smdown.jobs import workflow_job
from smdown.plots.taylor_diagram import taylor_diagram

with workflow_job(snakemake) as log:
    p = snakemake.params
    years = "{}-{}".format(*p.years)
    stats = pd.read_csv(snakemake.input.taylor)
    taylor_diagram(
        stats.drop(columns="group"),
        "ERA5-Land",
        snakemake.output[0],
        f"Fig. 5 ({p.run}): normalised Taylor diagram against ERA5-Land, {years} "
        "(models interpolated bilinearly to the target grid)",
        groups=dict(zip(stats["name"], stats["group"], strict=True)),
    )
    log.info("wrote %s", snakemake.output[0])
