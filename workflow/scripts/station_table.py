"""Monthly station means per layer from ISMN and CMA, and their QC table (rule station_table)."""

from smdown.insitu.stations import station_table, write_station_table
from smdown.jobs import workflow_job
from smdown.qc import QCSettings, write_qc_table
from smdown.sources.manifest import source_location

with workflow_job(snakemake) as log:
    p = snakemake.params
    box = (p.grid["lat_min"], p.grid["lat_max"], p.grid["lon_min"], p.grid["lon_max"])
    ismn, cma = (source_location(snakemake.input[s]) for s in ("ismn", "cma"))
    table, qc = station_table(
        ismn, cma, p.networks, p.min_days, box, QCSettings.from_config(p.qc), p.keep_flags
    )
    write_station_table(table, snakemake.output.table)
    write_qc_table(qc, snakemake.output.qc)
    log.info(
        "%d station-layer-months from %d stations; quality control dropped %d value(s)",
        len(table),
        table["station"].nunique(),
        int(qc["dropped"].sum()),
    )
