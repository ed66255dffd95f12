"""CMIP6DL Fig. 4: monthly series at four cells (rule figure_point_series).

The products and ERA5-Land."""

import pandas as pd

from smdown.jobs import workflow_job
from smdown.plots.point_series import point_series_figure

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    years = "{}-{}".format(*p.years)
    point_series_figure(
        table=pd.read_csv(i.points, parse_dates=["time"]),
        path=o[0],
        title=f"Fig. 4 ({p.run}): monthly surface soil moisture at four cells, {years}",
    )
    log.info("wrote %s", o[0])
