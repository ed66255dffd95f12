"""Monthly station means per layer from ISMN and CMA, and their QC table (rule station_table)."""

from smdown.insitu.stations import station_table, write_station_table
from smdown.jobs import workflow_job
from smdown.qc import QCSettings, write_qc_table
from smdown.sources.manifest import source_location

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    box = (p.grid["lat_min"], p.grid["lat_max"], p.grid["lon_min"], p.grid["lon_max"])
    # a source the config leaves out (no networks, CMA none) is not an input
    ismn, cma = (source_location(i[s]) if i.get(s) else None for s in ("ismn", "cma"))
    table, qc = station_table(
        ismn_path=ismn,
        cma_path=cma,
        networks=p.networks,
        min_days=p.min_days,
        box=box,
        settings=QCSettings.from_config(p.qc),
        keep_flags=p.keep_flags,
        layers=p.layers,
    )
    write_station_table(table=table, path=o.table)
    write_qc_table(table=qc, path=o.qc)
    log.info(
        "%d station-layer-months from %d stations; quality control dropped %d value(s)",
        len(table),
        table["station"].nunique(),
        int(qc["dropped"].sum()),
    )
