"""Percent change of an SSP's period mean against the historical reference (rule percent_change).

The data of Fig. 14."""

from smdown.io import atomic_path, write_netcdf
from smdown.jobs import workflow_job
from smdown.stats.analyse import percent_change, read_sm, region_masks

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    future, base = read_sm(i.future), read_sm(i.base)
    maps, table = percent_change(
        future=future,
        base=base,
        masks=region_masks(path=i.regions, sm=future, source=i.future),
        future_years=tuple(p.change),
        base_years=tuple(p.reference),
    )
    write_netcdf(ds=maps.rename("percent_change").to_dataset(), path=o.maps)
    with atomic_path(o.table) as tmp:
        table.to_csv(tmp, index=False, float_format="%.6g")
    log.info("regional percent change:\n%s", table.to_string(index=False))
