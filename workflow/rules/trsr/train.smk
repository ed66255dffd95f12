# The UNet-GAN: pretraining on ERA5-Land, then one fine-tuning job per fold on AMSMQTP.
# Each job checkpoints every epoch next to its outputs; a killed job started again resumes
# there (only when settings, data and starting weights are unchanged).


rule pretrain:
    input:
        unpack(lambda wildcards: training_inputs("historical")),
        era5land=PREPARED_ERA5LAND,
    output:
        weights=PRETRAINED,
        history=f"{PRETRAIN_DIR}/history.csv",
        metrics=f"{PRETRAIN_DIR}/test_metrics.json",
    log:
        f"{LOGS}/pretrain.log",
    benchmark:
        f"{BENCH}/pretrain.tsv"
    conda:
        "../../../envs/train.yaml"
    threads: TRAIN["threads"]
    resources:
        gpu=TRAIN["resources"]["gpu"],
        mem_mb=TRAIN["resources"]["mem_mb"],
        runtime=TRAIN["resources"]["runtime"],
    params:
        models=config["models"],
        region=config["regions"]["names"][0],
        network=TRAIN["network"],
        training=training_params("pretrain"),
        checkpoint=f"{PRETRAIN_DIR}/checkpoint.pt",
    script:
        "../../scripts/pretrain.py"


rule finetune:
    input:
        unpack(lambda wildcards: training_inputs("historical")),
        amsmqtp=PREPARED_AMSMQTP,
        insitu=insitu_grids_input,
        pretrained=PRETRAINED,
    output:
        weights=FOLD_WEIGHTS,
        history=f"{FOLD_DIR}/history.csv",
        metrics=f"{FOLD_DIR}/test_metrics.json",
    log:
        f"{LOGS}/finetune/fold{{fold}}.log",
    benchmark:
        f"{BENCH}/finetune/fold{{fold}}.tsv"
    conda:
        "../../../envs/train.yaml"
    threads: TRAIN["threads"]
    resources:
        gpu=TRAIN["resources"]["gpu"],
        mem_mb=TRAIN["resources"]["mem_mb"],
        runtime=TRAIN["resources"]["runtime"],
    params:
        **NO_STATIONS_PARAMS,
        models=config["models"],
        region=config["regions"]["names"][0],
        network=TRAIN["network"],
        training=training_params("finetune"),
        checkpoint=f"{FOLD_DIR}/checkpoint.pt",
    script:
        "../../scripts/finetune.py"


rule finetune_summary:
    input:
        expand(
            f"{FOLD_DIR}/test_metrics.json",
            fold=range(TRAIN["finetune"]["n_folds"]),
        ),
    output:
        report(
            f"{EVAL}/finetune_vs_ensemble_mean.csv",
            caption="../../report/finetune_vs_ensemble_mean.rst",
            category="Tables",
            subcategory="Evaluation",
        ),
    log:
        f"{LOGS}/finetune_summary.log",
    benchmark:
        f"{BENCH}/finetune_summary.tsv"
    conda:
        "../../../envs/train.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        name=REFERENCE_NAME,
    script:
        "../../scripts/finetune_summary.py"


rule figure_training_curves:
    input:
        f"{PRETRAIN_DIR}/history.csv",
        expand(
            f"{FOLD_DIR}/history.csv",
            fold=range(TRAIN["finetune"]["n_folds"]),
        ),
    output:
        report(
            f"{FIGS}/training_curves.png",
            caption="../../report/training_curves.rst",
            category="Figures",
            subcategory="Training",
        ),
    log:
        f"{LOGS}/figures/training_curves.log",
    conda:
        "../../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        labels=["pretraining"]
        + [f"fold {k}" for k in range(TRAIN["finetune"]["n_folds"])],
        columns=["total_g", "d_loss", "val_rmse"],
        title=f"Training curves ({RUN}): UNet-GAN pretraining on ERA5-Land and fine-tuning folds",
    script:
        "../../scripts/figure_training_curves.py"
