"""AMSMQTP daily files -> monthly 5-layer target on the target grid (rule prepare_amsmqtp)."""

from smdown.io import compressed_encoding, write_netcdf
from smdown.jobs import workflow_job
from smdown.prepare import prepare_amsmqtp, target_grid
from smdown.qc import QCLog, QCSettings, write_qc_table

with workflow_job(snakemake) as log:
    qc = QCLog("amsmqtp", QCSettings.from_config(snakemake.params.qc))
    p = snakemake.params
    ds = prepare_amsmqtp(
        list(snakemake.input),
        target_grid(p.grid),
        p.first_year,
        p.last_year,
        variable=p.variable,
        dims=p.dims,
        qc=qc,
    )
    write_netcdf(ds, snakemake.output[0], encoding=compressed_encoding(ds))
    write_qc_table(qc.table(), snakemake.output.qc)
    log.info("wrote %s: %s", snakemake.output[0], dict(ds.sizes))
