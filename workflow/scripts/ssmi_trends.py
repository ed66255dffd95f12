"""Sen's slope and Mann-Kendall test of the SSMI of one SSP's product (rule ssmi_trends)."""

import numba

from smdown.io import write_netcdf
from smdown.jobs import workflow_job
from smdown.stats.analyse import read_sm
from smdown.stats.ssmi import ssmi
from smdown.stats.trends import seasonal_stack, trend_maps

with workflow_job(snakemake) as log:
    numba.set_num_threads(snakemake.threads)
    p = snakemake.params
    base = tuple(p.base)
    index = ssmi(read_sm(snakemake.input.product), base=base)
    maps = trend_maps(seasonal_stack(index), {"{}-{}".format(*base): base}, p.alpha)
    maps["slope"].attrs.update(units="yr-1", long_name="Sen's slope of the seasonal mean SSMI")
    write_netcdf(maps, snakemake.output[0])
    log.info("wrote %s", snakemake.output[0])
