"""Fig. 5: box plots of ERA5-Land and the fine-tuning reference against stations (rule
figure_reference_boxplots).

Their metrics per station and layer."""

import pandas as pd

from smdown.jobs import workflow_job
from smdown.plots.station_boxplots import reference_boxplots

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    metrics = pd.read_csv(i[0])
    title = (
        f"Fig. 5 ({p.run}): reference datasets against in-situ monthly means, "
        f"per station and layer ({metrics['station'].nunique()} stations)"
    )
    reference_boxplots(metrics=metrics, path=o[0], title=title, layers=p.layers)
    log.info("wrote %s", o[0])
