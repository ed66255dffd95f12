"""The demo's approximate outlines, labelled as approximate (rule synthesize_regions).

GeoJSON of the TRSR and its basins, or of China for the CMIP6DL study."""

from smdown.jobs import workflow_job
from smdown.synthetic import write_china_regions, write_demo_regions

with workflow_job(snakemake) as log:
    o, p = snakemake.output, snakemake.params
    write = {"trsr": write_demo_regions, "cmip6dl": write_china_regions}[p.study]
    write(o[0])
    log.info("wrote %s", o[0])
