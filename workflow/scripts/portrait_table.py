"""Percent change of north and south China per time scale, SSP and period (Fig. 8's data)."""

from smdown.io import atomic_path
from smdown.jobs import workflow_job
from smdown.prepared import check_grid, load_mask
from smdown.stats.analyse import read_sm
from smdown.stats.portrait import north_south_masks, portrait_table

with workflow_job(snakemake) as log:
    i, p = snakemake.input, snakemake.params
    land = load_mask(i.regions, p.region)
    masks = north_south_masks(land, **p.portrait)

    def top_layer(path):
        """The product's (time, lat, lon) field on the regions' grid."""
        sm = read_sm(path).isel(depth=0)
        check_grid(sm, land, path)
        return sm.assign_coords(lat=land.lat, lon=land.lon)

    table = portrait_table(
        top_layer(i.historical),
        {e: top_layer(i[e]) for e in p.ssps},
        masks,
        {name: tuple(years) for name, years in p.periods.items()},
        tuple(p.reference),
    )
    with atomic_path(snakemake.output[0]) as tmp:
        table.to_csv(tmp, index=False, float_format="%.6g")
    log.info("wrote %s (%d rows)", snakemake.output[0], len(table))
