# The UNet-GAN: pretraining on ERA5-Land, then one fine-tuning job per fold on AMSMQTP.
# Each job checkpoints every epoch next to its outputs; a killed job started again resumes
# there (only when settings, data and starting weights are unchanged).

TRAINED = f"{RESULTS}/training"


rule pretrain:
    input:
        unpack(lambda wildcards: training_inputs("historical")),
        era5land=f"{PREP}/era5land.nc",
    output:
        weights=f"{TRAINED}/pretrain/generator.pt",
        history=f"{TRAINED}/pretrain/history.csv",
        metrics=f"{TRAINED}/pretrain/test_metrics.json",
    log:
        f"{LOGS}/pretrain.log",
    benchmark:
        f"{BENCH}/pretrain.tsv"
    conda:
        "../../envs/train.yaml"
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
        checkpoint=f"{TRAINED}/pretrain/checkpoint.pt",
    script:
        "../scripts/pretrain.py"


rule finetune:
    input:
        unpack(lambda wildcards: training_inputs("historical")),
        amsmqtp=f"{PREP}/amsmqtp.nc",
        insitu=insitu_grids_input,
        pretrained=f"{TRAINED}/pretrain/generator.pt",
    output:
        weights=f"{TRAINED}/finetune/fold{{fold}}/generator.pt",
        history=f"{TRAINED}/finetune/fold{{fold}}/history.csv",
        metrics=f"{TRAINED}/finetune/fold{{fold}}/test_metrics.json",
    log:
        f"{LOGS}/finetune/fold{{fold}}.log",
    benchmark:
        f"{BENCH}/finetune/fold{{fold}}.tsv"
    conda:
        "../../envs/train.yaml"
    threads: TRAIN["threads"]
    resources:
        gpu=TRAIN["resources"]["gpu"],
        mem_mb=TRAIN["resources"]["mem_mb"],
        runtime=TRAIN["resources"]["runtime"],
    params:
        models=config["models"],
        region=config["regions"]["names"][0],
        network=TRAIN["network"],
        training=training_params("finetune"),
        checkpoint=lambda wildcards: f"{TRAINED}/finetune/fold{wildcards.fold}/checkpoint.pt",
    script:
        "../scripts/finetune.py"


rule finetune_summary:
    input:
        expand(
            f"{TRAINED}/finetune/fold{{fold}}/test_metrics.json",
            fold=range(TRAIN["finetune"]["n_folds"]),
        ),
    output:
        report(
            f"{RESULTS}/evaluation/finetune_vs_ensemble_mean.csv",
            caption="../report/finetune_vs_ensemble_mean.rst",
            category="Tables",
            subcategory="Evaluation",
        ),
    log:
        f"{LOGS}/finetune_summary.log",
    benchmark:
        f"{BENCH}/finetune_summary.tsv"
    conda:
        "../../envs/train.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    script:
        "../scripts/finetune_summary.py"


rule figure_training_curves:
    input:
        f"{TRAINED}/pretrain/history.csv",
        expand(
            f"{TRAINED}/finetune/fold{{fold}}/history.csv",
            fold=range(TRAIN["finetune"]["n_folds"]),
        ),
    output:
        report(
            f"{RESULTS}/figures/training_curves.png",
            caption="../report/training_curves.rst",
            category="Figures",
            subcategory="Training",
        ),
    log:
        f"{LOGS}/figures/training_curves.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        labels=["pretraining"]
        + [f"fold {k}" for k in range(TRAIN["finetune"]["n_folds"])],
        columns=["total_g", "d_loss", "val_rmse"],
        title=f"Training curves ({RUN}): UNet-GAN pretraining on ERA5-Land and fine-tuning folds",
    script:
        "../scripts/figure_training_curves.py"
