"""Out-of-fold test RMSE of the fine-tuned generator and the ensemble mean (rule finetune_summary).

Printed as well, so the demo shows both."""

from smdown.io import atomic_path
from smdown.jobs import workflow_job
from smdown.training.report import fold_table, read_metrics

with workflow_job(snakemake) as log:
    i, o, p = snakemake.input, snakemake.output, snakemake.params
    table = fold_table(read_metrics(i))
    with atomic_path(o[0]) as tmp:
        table.to_csv(tmp, index=False, float_format="%.5g")
    pooled = table[table["fold"] == "all"]
    text = pooled[["layer", "months", "rmse_generator", "rmse_ensemble_mean"]].to_string(
        index=False
    )
    log.info("test folds, generator vs ensemble mean:\n%s", text)
    print(
        f"Fine-tuned generator vs plain ensemble mean, RMSE against {p.name} on the test folds "
        f"(m3 m-3; {o[0]}):\n{text}",
        flush=True,
    )
