# The product: bagged fold generators per experiment, and the ensemble-mean baseline written
# the same way. Each job streams its experiment in month chunks.

PRODUCT = config["product"]


rule product:
    input:
        unpack(lambda wildcards: model_inputs(wildcards.experiment)),
        folds=fold_weights(),
    output:
        f"{RESULTS}/product/CMIP6_UNet-Gan_{{experiment}}.nc",
    log:
        f"{LOGS}/product/CMIP6_UNet-Gan_{{experiment}}.log",
    benchmark:
        f"{BENCH}/product/CMIP6_UNet-Gan_{{experiment}}.tsv"
    conda:
        "../../envs/train.yaml"
    threads: PRODUCT["threads"]
    resources:
        gpu=PRODUCT["resources"]["gpu"],
        mem_mb=PRODUCT["resources"]["mem_mb"],
        runtime=PRODUCT["resources"]["runtime"],
    params:
        models=config["models"],
        n_folds=TRAIN["finetune"]["n_folds"],
        device=PRODUCT["device"],
        chunk_months=PRODUCT["chunk_months"],
        batch_size=PRODUCT["batch_size"],
        institution=PRODUCT["institution"],
        significant_digits=PRODUCT["significant_digits"],
    script:
        "../scripts/product.py"


rule ensemble_mean_product:
    input:
        unpack(lambda wildcards: model_inputs(wildcards.experiment)),
    output:
        f"{RESULTS}/product/ensemble_mean_{{experiment}}.nc",
    log:
        f"{LOGS}/product/ensemble_mean_{{experiment}}.log",
    benchmark:
        f"{BENCH}/product/ensemble_mean_{{experiment}}.tsv"
    conda:
        "../../envs/train.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        models=config["models"],
        region=config["regions"]["names"][0],
        layers=product_layers(),
        chunk_months=PRODUCT["chunk_months"],
        institution=PRODUCT["institution"],
        significant_digits=PRODUCT["significant_digits"],
    script:
        "../scripts/ensemble_mean_product.py"


rule quantile_mapping_product:
    input:
        unpack(lambda wildcards: model_inputs(wildcards.experiment)),
        historical=expand(
            f"{PREP}/cmip6/historical/{{model}}.nc", model=config["models"]
        ),
        amsmqtp=f"{PREP}/amsmqtp.nc",
        folds=fold_weights(),
    output:
        f"{RESULTS}/product/quantile_mapping_{{experiment}}.nc",
    log:
        f"{LOGS}/product/quantile_mapping_{{experiment}}.log",
    benchmark:
        f"{BENCH}/product/quantile_mapping_{{experiment}}.tsv"
    conda:
        "../../envs/train.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        models=config["models"],
        n_folds=TRAIN["finetune"]["n_folds"],
        chunk_months=PRODUCT["chunk_months"],
        institution=PRODUCT["institution"],
        significant_digits=PRODUCT["significant_digits"],
        quantile_mapping=PRODUCT["quantile_mapping"],
    script:
        "../scripts/quantile_mapping_product.py"
