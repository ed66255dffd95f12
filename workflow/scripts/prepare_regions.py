"""Region masks on the target grid (rule prepare_regions)."""

from smdown.grid.masks import cells_per_region, read_region_masks
from smdown.io import write_netcdf
from smdown.jobs import workflow_job
from smdown.prepare import target_grid

with workflow_job(snakemake) as log:
    o, p = snakemake.output, snakemake.params
    reg = p.regions
    source = (
        {"geojson": reg["geojson"]} if reg["format"] == "geojson" else {"netcdf": reg["netcdf"]}
    )
    ds = read_region_masks(
        grid=target_grid(p.grid), regions=reg["names"], union=reg["union"], **source
    )
    write_netcdf(ds=ds, path=o[0])
    log.info("wrote %s: cells per region %s", o[0], cells_per_region(ds))
