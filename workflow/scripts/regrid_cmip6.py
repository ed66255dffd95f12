"""Regrid one CMIP6 model's experiment to the target grid (rule regrid_cmip6)."""

from smdown.io import compressed_encoding, write_netcdf
from smdown.jobs import workflow_job
from smdown.prepare import prepare_cmip6, target_grid
from smdown.qc import QCLog, QCSettings, write_qc_table

with workflow_job(snakemake) as log:
    i, o, p, w = snakemake.input, snakemake.output, snakemake.params, snakemake.wildcards
    qc = QCLog(source=f"cmip6 {w.model} {w.experiment}", settings=QCSettings.from_config(p.qc))
    opts = p.regrid
    ds = prepare_cmip6(
        paths=list(i),
        model=w.model,
        experiment=w.experiment,
        dst=target_grid(p.grid),
        method=opts["method"],
        backend=opts["backend"],
        margin_cells=opts["margin_cells"],
        min_valid_fraction=opts["min_valid_fraction"],
        qc=qc,
    )
    write_netcdf(ds=ds, path=o[0], encoding=compressed_encoding(ds))
    write_qc_table(table=qc.table(), path=o.qc)
    log.info("wrote %s: %s", o[0], dict(ds.sizes))
