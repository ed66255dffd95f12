"""Percent change of an SSP's period mean against the historical reference (Fig. 14's data)."""

from smdown.io import atomic_path, write_netcdf
from smdown.jobs import workflow_job
from smdown.stats.analyse import percent_change, read_sm, region_masks

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    future, base = read_sm(i.future), read_sm(i.base)
    maps, table = percent_change(
        future, base, region_masks(i.regions, future, i.future), tuple(p.change), tuple(p.reference)
    )
    write_netcdf(maps.rename("percent_change").to_dataset(), o.maps)
    with atomic_path(o.table) as tmp:
        table.to_csv(tmp, index=False, float_format="%.6g")
    log.info("regional percent change:\n%s", table.to_string(index=False))
