"""Regrid one CMIP6 model's experiment to the target grid (rule regrid_cmip6)."""

from smdown.io import compressed_encoding, write_netcdf
from smdown.logs import route_to
from smdown.prepare import prepare_cmip6, target_grid
from smdown.provenance import record_job

log = route_to(snakemake.log[0])
opts = snakemake.params.regrid
ds = prepare_cmip6(
    list(snakemake.input), snakemake.wildcards.model, snakemake.wildcards.experiment,
    target_grid(snakemake.params.grid), method=opts["method"], backend=opts["backend"],
    margin_cells=opts["margin_cells"], min_valid_fraction=opts["min_valid_fraction"],
)
write_netcdf(ds, snakemake.output[0], encoding=compressed_encoding(ds))
log.info("wrote %s: %s", snakemake.output[0], dict(ds.sizes))
record_job(snakemake)
