"""ERA5-Land swvl1..3 on the target grid (rule prepare_era5land)."""

from smdown.io import compressed_encoding, write_netcdf
from smdown.jobs import workflow_job
from smdown.prepare import prepare_era5land, target_grid
from smdown.qc import QCLog, QCSettings, write_qc_table

with workflow_job(snakemake) as log:
    qc = QCLog("era5land", QCSettings.from_config(snakemake.params.qc))
    p = snakemake.params
    ds = prepare_era5land(list(snakemake.input), target_grid(p.grid), p.first_year, p.last_year, qc)
    write_netcdf(ds, snakemake.output[0], encoding=compressed_encoding(ds))
    write_qc_table(qc.table(), snakemake.output.qc)
    log.info("wrote %s: %s", snakemake.output[0], dict(ds.sizes))
