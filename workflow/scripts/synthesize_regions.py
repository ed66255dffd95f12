"""The demo's approximate outlines (GeoJSON, labelled as approximate): the TRSR and its basins,
or China for the CMIP6DL study."""

from smdown.logs import route_to
from smdown.provenance import record_job
from smdown.synthetic import write_china_regions, write_demo_regions

log = route_to(snakemake.log[0])
write = {"trsr": write_demo_regions, "cmip6dl": write_china_regions}[snakemake.params.study]
write(snakemake.output[0])
log.info("wrote %s", snakemake.output[0])
record_job(snakemake)
