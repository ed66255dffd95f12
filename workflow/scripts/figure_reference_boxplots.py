"""Fig. 5: box plots of ERA5-Land and AMSMQTP metrics against stations per layer."""

import pandas as pd

from smdown.jobs import workflow_job
from smdown.plots.station_boxplots import reference_boxplots

with workflow_job(snakemake) as log:
    metrics = pd.read_csv(snakemake.input[0])
    title = (
        f"Fig. 5 ({snakemake.params.run}): reference datasets against in-situ monthly means, "
        f"per station and layer ({metrics['station'].nunique()} stations)"
    )
    reference_boxplots(metrics, snakemake.output[0], title)
    log.info("wrote %s", snakemake.output[0])
