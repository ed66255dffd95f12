"""Trend maps, regional series, their trends and period means of one experiment."""

import numba

from smdown.io import atomic_path, write_netcdf
from smdown.jobs import workflow_job
from smdown.stats.analyse import analyse, read_sm, region_masks

with workflow_job(snakemake) as log:
    numba.set_num_threads(snakemake.threads)
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    sm = read_sm(i.product)
    results = analyse(
        sm,
        region_masks(i.regions, sm, i.product),
        {name: tuple(years) for name, years in p.periods.items()},
        p.alpha,
    )
    write_netcdf(results.maps, o.maps)
    for table, path in (
        (results.series, o.series),
        (results.trends, o.trends),
        (results.means, o.means),
    ):
        with atomic_path(path) as tmp:
            table.to_csv(tmp, index=False, float_format="%.6g")
    log.info("wrote %s", ", ".join(map(str, o)))
