"""Percent change of north and south China per time scale, SSP and period (rule portrait_table).

The data of Fig. 8."""

from smdown.io import atomic_path
from smdown.jobs import workflow_job
from smdown.prepared import check_grid, load_mask
from smdown.stats.analyse import read_sm
from smdown.stats.portrait import north_south_masks, portrait_table

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    land = load_mask(regions=i.regions, region=p.region)
    masks = north_south_masks(land=land, **p.portrait)

    def top_layer(path):
        """The product's (time, lat, lon) field on the regions' grid."""
        sm = read_sm(path).isel(depth=0)
        check_grid(da=sm, mask=land, path=path)
        return sm.assign_coords(lat=land.lat, lon=land.lon)

    table = portrait_table(
        historical=top_layer(i.historical),
        scenarios={e: top_layer(i[e]) for e in p.ssps},
        masks=masks,
        periods={name: tuple(years) for name, years in p.periods.items()},
        reference=tuple(p.reference),
    )
    with atomic_path(o[0]) as tmp:
        table.to_csv(tmp, index=False, float_format="%.6g")
    log.info("wrote %s (%d rows)", o[0], len(table))
