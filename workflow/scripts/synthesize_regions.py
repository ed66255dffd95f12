"""The synthetic region outlines, labelled as approximate or synthetic (rule synthesize_regions).

GeoJSON of the TRSR and its basins or of China where the config's regions are those, else of
rectangles tiling the inner part of the configured grid, one per region."""

from smdown.jobs import workflow_job
from smdown.synthetic import write_regions

with workflow_job(snakemake) as log:
    o, p = snakemake.output, snakemake.params
    write_regions(path=o[0], grid=p.grid, names=p.names, union=p.union)
    log.info("wrote %s", o[0])
