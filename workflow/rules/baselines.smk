# The ensemble-mean product of every study: the models' mean on the target grid, written as
# the products are, one file per experiment streamed in month chunks.


rule ensemble_mean_product:
    input:
        unpack(lambda wildcards: model_inputs(wildcards.experiment)),
    output:
        product_file("ensemble_mean"),
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
        chunk_months=PRODUCT_CFG["chunk_months"],
        institution=PRODUCT_CFG["institution"],
        significant_digits=PRODUCT_CFG["significant_digits"],
    script:
        "../scripts/ensemble_mean_product.py"
