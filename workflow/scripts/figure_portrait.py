"""The CMIP6DL study's Fig. 8: the portrait diagram of regional change rates."""

import pandas as pd

from smdown.jobs import workflow_job
from smdown.plots.portrait_diagram import portrait_diagram

with workflow_job(snakemake) as log:
    p = snakemake.params
    title = (
        f"Fig. 8 ({p.run}): change (%) of {p.product} surface soil moisture\nagainst "
        "{}-{}, north and south China east of 100 E".format(*p.reference)
    )
    portrait_diagram(pd.read_csv(snakemake.input[0]), snakemake.output[0], title, **p.style)
    log.info("wrote %s", snakemake.output[0])
