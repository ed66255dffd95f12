"""The truth the demo sources were sampled from, on the target grid, for one experiment."""

from smdown.io import compressed_encoding, write_netcdf
from smdown.jobs import workflow_job
from smdown.prepare import target_grid
from smdown.synthetic import world_on

with workflow_job(snakemake) as log:
    p = snakemake.params
    ds = world_on(p.grid, p.seed, p.world).truth_dataset(
        target_grid(p.grid), snakemake.wildcards.experiment
    )
    encoding = compressed_encoding(ds)
    encoding["sm"]["least_significant_digit"] = 5  # 1e-5 m3 m-3: far below any checked tolerance
    write_netcdf(ds, snakemake.output[0], encoding=encoding)
    log.info("wrote %s: %s", snakemake.output[0], dict(ds.sizes))
