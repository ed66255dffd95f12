"""The plain ensemble-mean baseline of one experiment, in the product's layout."""

from pathlib import Path

from smdown.logs import route_to
from smdown.product.run import run_attrs, write_ensemble_mean_product
from smdown.provenance import record_job

log = route_to(snakemake.log[0])
p, i = snakemake.params, snakemake.input
attrs = run_attrs(
    snakemake.wildcards.experiment,
    snakemake.config,
    Path(snakemake.scriptdir),
    p.models,
    len(p.models),
    p.institution,
    significant_digits=p.significant_digits,
)
write_ensemble_mean_product(
    model_files={m: i[f"model_{m}"] for m in p.models},
    models=p.models,
    regions=i.regions,
    region=p.region,
    path=snakemake.output[0],
    attrs=attrs,
    chunk_months=p.chunk_months,
    layers=p.layers,
)
record_job(snakemake)
