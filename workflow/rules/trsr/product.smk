# The UNet-GAN product: bagged fold generators per experiment, and the quantile-mapped
# baseline written the same way. Each job streams its experiment in month chunks.


rule product:
    input:
        unpack(lambda wildcards: model_inputs(wildcards.experiment)),
        folds=fold_weights(),
    output:
        product_file(UNET_PRODUCT),
    log:
        f"{LOGS}/product/CMIP6_UNet-Gan_{{experiment}}.log",
    benchmark:
        f"{BENCH}/product/CMIP6_UNet-Gan_{{experiment}}.tsv"
    conda:
        "../../../envs/train.yaml"
    threads: PRODUCT_CFG["threads"]
    resources:
        gpu=PRODUCT_CFG["resources"]["gpu"],
        mem_mb=PRODUCT_CFG["resources"]["mem_mb"],
        runtime=PRODUCT_CFG["resources"]["runtime"],
    params:
        models=config["models"],
        n_folds=TRAIN["finetune"]["n_folds"],
        device=PRODUCT_CFG["device"],
        chunk_months=PRODUCT_CFG["chunk_months"],
        batch_size=PRODUCT_CFG["batch_size"],
        layers=product_layers(),
        institution=PRODUCT_CFG["institution"],
        significant_digits=PRODUCT_CFG["significant_digits"],
    script:
        "../../scripts/product.py"


rule quantile_mapping_product:
    input:
        unpack(lambda wildcards: model_inputs(wildcards.experiment)),
        historical=expand(
            PREPARED_CMIP6, experiment="historical", model=config["models"]
        ),
        amsmqtp=PREPARED_AMSMQTP,
        folds=fold_weights(),
    output:
        product_file("quantile_mapping"),
    log:
        f"{LOGS}/product/quantile_mapping_{{experiment}}.log",
    benchmark:
        f"{BENCH}/product/quantile_mapping_{{experiment}}.tsv"
    conda:
        "../../../envs/train.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        models=config["models"],
        n_folds=TRAIN["finetune"]["n_folds"],
        chunk_months=PRODUCT_CFG["chunk_months"],
        institution=PRODUCT_CFG["institution"],
        significant_digits=PRODUCT_CFG["significant_digits"],
        quantile_mapping=PRODUCT_CFG["quantile_mapping"],
    script:
        "../../scripts/quantile_mapping_product.py"
