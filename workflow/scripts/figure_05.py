"""Fig. 5: box plots of ERA5-Land and AMSMQTP metrics against stations per layer."""

import pandas as pd

from smdown.logs import route_to
from smdown.plots.station_boxplots import reference_boxplots
from smdown.provenance import record_job

log = route_to(snakemake.log[0])
metrics = pd.read_csv(snakemake.input[0])
title = (
    f"Fig. 5 ({snakemake.params.run}): reference datasets against in-situ monthly means, "
    f"per station and layer ({metrics['station'].nunique()} stations)"
)
reference_boxplots(metrics, snakemake.output[0], title)
log.info("wrote %s", snakemake.output[0])
record_job(snakemake)
