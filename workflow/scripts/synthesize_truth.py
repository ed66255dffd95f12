"""The truth the demo sources were sampled from, for one experiment (rule synthesize_truth).

On the target grid."""

from smdown.io import compressed_encoding, write_netcdf
from smdown.jobs import workflow_job
from smdown.prepare import target_grid
from smdown.synthetic import world_on

with workflow_job(snakemake) as log:
    o, p, w = snakemake.output, snakemake.params, snakemake.wildcards
    ds = world_on(grid=p.grid, seed=p.seed, world=p.world).truth_dataset(
        grid=target_grid(p.grid), experiment=w.experiment
    )
    encoding = compressed_encoding(ds)
    encoding["sm"]["least_significant_digit"] = 5  # 1e-5 m3 m-3: far below any checked tolerance
    write_netcdf(ds=ds, path=o[0], encoding=encoding)
    log.info("wrote %s: %s", o[0], dict(ds.sizes))
