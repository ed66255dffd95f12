"""The demo's approximate outlines (GeoJSON, labelled as approximate): the TRSR and its basins,
or China for the CMIP6DL study."""

from smdown.jobs import workflow_job
from smdown.synthetic import write_china_regions, write_demo_regions

with workflow_job(snakemake) as log:
    write = {"trsr": write_demo_regions, "cmip6dl": write_china_regions}[snakemake.params.study]
    write(snakemake.output[0])
    log.info("wrote %s", snakemake.output[0])
