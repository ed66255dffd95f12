"""Sen's slope and Mann-Kendall test of the SSMI of one SSP's product (rule ssmi_trends)."""

import numba

from smdown.io import write_netcdf
from smdown.jobs import workflow_job
from smdown.stats.analyse import read_sm
from smdown.stats.ssmi import ssmi
from smdown.stats.trends import seasonal_stack, trend_maps

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    numba.set_num_threads(snakemake.threads)
    base = tuple(p.base)
    index = ssmi(sm=read_sm(i.product), base=base)
    maps = trend_maps(
        seasonal=seasonal_stack(index), periods={"{}-{}".format(*base): base}, alpha=p.alpha
    )
    maps["slope"].attrs.update(units="yr-1", long_name="Sen's slope of the seasonal mean SSMI")
    write_netcdf(ds=maps, path=o[0])
    log.info("wrote %s", o[0])
