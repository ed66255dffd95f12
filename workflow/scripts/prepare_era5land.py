"""ERA5-Land swvl1..3 on the target grid (rule prepare_era5land)."""

from smdown.io import compressed_encoding, write_netcdf
from smdown.jobs import workflow_job
from smdown.prepare import prepare_era5land, target_grid
from smdown.qc import QCLog, QCSettings, write_qc_table

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    qc = QCLog(source="era5land", settings=QCSettings.from_config(p.qc))
    ds = prepare_era5land(
        paths=list(i),
        dst=target_grid(p.grid),
        first_year=p.first_year,
        last_year=p.last_year,
        qc=qc,
    )
    write_netcdf(ds=ds, path=o[0], encoding=compressed_encoding(ds))
    write_qc_table(table=qc.table(), path=o.qc)
    log.info("wrote %s: %s", o[0], dict(ds.sizes))
