"""The demo's approximate TRSR and basin outlines (GeoJSON, labelled as approximate)."""

from smdown.logs import route_to
from smdown.provenance import record_job
from smdown.synthetic import write_demo_regions

log = route_to(snakemake.log[0])
write_demo_regions(snakemake.output[0])
log.info("wrote %s", snakemake.output[0])
record_job(snakemake)
