"""Regrid one CMIP6 model's experiment to the target grid (rule regrid_cmip6)."""

from smdown.io import compressed_encoding, write_netcdf
from smdown.jobs import workflow_job
from smdown.prepare import prepare_cmip6, target_grid
from smdown.qc import QCLog, QCSettings, write_qc_table

with workflow_job(snakemake) as log:
    w = snakemake.wildcards
    qc = QCLog(f"cmip6 {w.model} {w.experiment}", QCSettings.from_config(snakemake.params.qc))
    opts = snakemake.params.regrid
    ds = prepare_cmip6(
        list(snakemake.input),
        snakemake.wildcards.model,
        snakemake.wildcards.experiment,
        target_grid(snakemake.params.grid),
        method=opts["method"],
        backend=opts["backend"],
        margin_cells=opts["margin_cells"],
        min_valid_fraction=opts["min_valid_fraction"],
        qc=qc,
    )
    write_netcdf(ds, snakemake.output[0], encoding=compressed_encoding(ds))
    write_qc_table(qc.table(), snakemake.output.qc)
    log.info("wrote %s: %s", snakemake.output[0], dict(ds.sizes))
