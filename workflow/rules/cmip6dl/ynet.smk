# The CMIP6DL study (study: cmip6dl): one YNet from the models on the input grid to
# ERA5-Land's top layer on the target grid, and its product per experiment. Inputs,
# preparation, the ensemble-mean product, statistics and plotting are shared.


rule train_ynet:
    input:
        unpack(lambda wildcards: model_inputs("historical")),
        era5land=PREPARED_ERA5LAND,
    output:
        weights=f"{YNET_DIR}/generator.pt",
        history=f"{YNET_DIR}/history.csv",
        metrics=f"{YNET_DIR}/test_metrics.json",
    log:
        f"{LOGS}/train_ynet.log",
    benchmark:
        f"{BENCH}/train_ynet.tsv"
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
        training=ynet_params(),
        checkpoint=f"{YNET_DIR}/checkpoint.pt",
    script:
        "../../scripts/train_ynet.py"


rule product_ynet:
    input:
        unpack(lambda wildcards: model_inputs(wildcards.experiment)),
        weights=f"{YNET_DIR}/generator.pt",
    output:
        product_file(DL_PRODUCT),
    log:
        f"{LOGS}/product/{DL_PRODUCT}_{{experiment}}.log",
    benchmark:
        f"{BENCH}/product/{DL_PRODUCT}_{{experiment}}.tsv"
    conda:
        "../../../envs/train.yaml"
    threads: PRODUCT_CFG["threads"]
    resources:
        gpu=PRODUCT_CFG["resources"]["gpu"],
        mem_mb=PRODUCT_CFG["resources"]["mem_mb"],
        runtime=PRODUCT_CFG["resources"]["runtime"],
    params:
        models=config["models"],
        layers=product_layers(),
        device=PRODUCT_CFG["device"],
        chunk_months=PRODUCT_CFG["chunk_months"],
        batch_size=PRODUCT_CFG["batch_size"],
        institution=PRODUCT_CFG["institution"],
        significant_digits=PRODUCT_CFG["significant_digits"],
    script:
        "../../scripts/product_ynet.py"


rule figure_loss_curves:
    input:
        f"{YNET_DIR}/history.csv",
    output:
        report(
            f"{FIGS}/fig02_loss_curves.png",
            caption="../../report/training_curves.rst",
            category="Figures",
            subcategory="Training",
        ),
    log:
        f"{LOGS}/figures/fig02_loss_curves.log",
    conda:
        "../../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        labels=["YNet"],
        columns=["mse", "val_rmse"],
        title=f"Fig. 2 ({RUN}): the YNet's training loss and validation RMSE per epoch",
    script:
        "../../scripts/figure_training_curves.py"
