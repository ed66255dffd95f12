"""CMIP6DL Fig. 8: the portrait diagram of regional change rates (rule figure_portrait)."""

import pandas as pd

from smdown.jobs import workflow_job
from smdown.plots.portrait_diagram import portrait_diagram

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    title = (
        f"Fig. 8 ({p.run}): change (%) of {p.product} surface soil moisture\nagainst "
        "{}-{}, north and south China east of 100 E".format(*p.reference)
    )
    portrait_diagram(table=pd.read_csv(i[0]), path=o[0], title=title, **p.style)
    log.info("wrote %s", o[0])
