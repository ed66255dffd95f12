"""Trend maps, regional series, their trends and period means of one experiment (rule trends)."""

import numba

from smdown.io import atomic_path, write_netcdf
from smdown.jobs import workflow_job
from smdown.stats.analyse import analyse, read_sm, region_masks

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    numba.set_num_threads(snakemake.threads)
    sm = read_sm(i.product)
    results = analyse(
        sm=sm,
        masks=region_masks(path=i.regions, sm=sm, source=i.product),
        periods={name: tuple(years) for name, years in p.periods.items()},
        alpha=p.alpha,
    )
    write_netcdf(ds=results.maps, path=o.maps)
    for table, path in (
        (results.series, o.series),
        (results.trends, o.trends),
        (results.means, o.means),
    ):
        with atomic_path(path) as tmp:
            table.to_csv(tmp, index=False, float_format="%.6g")
    log.info("wrote %s", ", ".join(map(str, o)))
