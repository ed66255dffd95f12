"""The fine-tuning reference (AMSMQTP's daily files, another reference's, or ERA5-Land's
prepared file) -> monthly multi-layer target on the target grid (rule prepare_amsmqtp)."""

from smdown.io import compressed_encoding, write_netcdf
from smdown.jobs import workflow_job
from smdown.prepare import prepare_reference, target_grid
from smdown.qc import QCLog, QCSettings, write_qc_table

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    qc = QCLog(source="amsmqtp", settings=QCSettings.from_config(p.qc))
    ds = prepare_reference(
        paths=list(i),
        dst=target_grid(p.grid),
        first_year=p.first_year,
        last_year=p.last_year,
        provider=p.provider,
        name=p.name,
        layers=p.layers,
        variable=p.variable,
        dims=p.dims,
        qc=qc,
    )
    write_netcdf(ds=ds, path=o[0], encoding=compressed_encoding(ds))
    write_qc_table(table=qc.table(), path=o.qc)
    log.info("wrote %s (%s): %s", o[0], p.name, dict(ds.sizes))
