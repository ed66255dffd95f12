"""Download one (model, experiment) of CMIP6 mrsos from the CDS or ESGF (rule download_cmip6)."""

from smdown.catalog import model_specs
from smdown.jobs import workflow_job
from smdown.sources.acquire import cmip6_from_cds, cmip6_from_esgf

with workflow_job(snakemake) as log:
    o, p, w = snakemake.output, snakemake.params, snakemake.wildcards
    retry = {"retries": p.download["retries"], "backoff_s": p.download["backoff_s"]}
    model = model_specs(p.get("model_specs") or [w.model])[w.model]
    if p.provider == "cds":
        cmip6_from_cds(
            model=model,
            experiment=w.experiment,
            folder=p.folder,
            manifest=o[0],
            area=p.area,
            pad_cells=p.pad_cells,
            **retry,
        )
    else:
        cmip6_from_esgf(
            model=model, experiment=w.experiment, folder=p.folder, manifest=o[0], **retry
        )
    log.info("wrote %s", o[0])
