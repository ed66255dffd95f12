"""The CMIP6DL study's Fig. 4: monthly series of the products and ERA5-Land at four cells."""

import pandas as pd

from smdown.jobs import workflow_job
from smdown.plots.point_series import point_series_figure

with workflow_job(snakemake) as log:
    p = snakemake.params
    years = "{}-{}".format(*p.years)
    point_series_figure(
        pd.read_csv(snakemake.input.points, parse_dates=["time"]),
        snakemake.output[0],
        f"Fig. 4 ({p.run}): monthly surface soil moisture at four cells, {years}",
    )
    log.info("wrote %s", snakemake.output[0])
