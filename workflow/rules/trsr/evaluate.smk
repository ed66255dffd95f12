# Evaluation of the product: out-of-fold predictions against AMSMQTP (scores, Figs. 6 and 7 for
# every layer) and, on synthetic data, whole products against the truth they came from.


rule out_of_fold:
    input:
        unpack(lambda wildcards: model_inputs("historical")),
        amsmqtp=PREPARED_AMSMQTP,
        folds=fold_weights(),
    output:
        OUT_OF_FOLD,
    log:
        f"{LOGS}/out_of_fold.log",
    benchmark:
        f"{BENCH}/out_of_fold.tsv"
    conda:
        "../../../envs/analysis.yaml"
    threads: PRODUCT_CFG["threads"]
    resources:
        gpu=PRODUCT_CFG["resources"]["gpu"],
        mem_mb=PRODUCT_CFG["resources"]["mem_mb"],
        runtime=PRODUCT_CFG["resources"]["runtime"],
    params:
        models=config["models"],
        n_folds=TRAIN["finetune"]["n_folds"],
        device=PRODUCT_CFG["device"],
        batch_size=PRODUCT_CFG["batch_size"],
        quantile_mapping=PRODUCT_CFG["quantile_mapping"],
    script:
        "../../scripts/out_of_fold.py"


rule evaluation_scores:
    input:
        OUT_OF_FOLD,
    output:
        report(
            f"{EVAL}/out_of_fold_scores.csv",
            caption="../../report/out_of_fold_scores.rst",
            category="Tables",
            subcategory="Evaluation",
        ),
    log:
        f"{LOGS}/evaluation_scores.log",
    benchmark:
        f"{BENCH}/evaluation_scores.tsv"
    conda:
        "../../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        name=REFERENCE_NAME,  # the caption's
    script:
        "../../scripts/evaluation_scores.py"


rule figure_out_of_fold_scatter:
    input:
        oof=OUT_OF_FOLD,
        scores=f"{EVAL}/out_of_fold_scores.csv",
    output:
        report(
            f"{FIGS}/fig06_out_of_fold_scatter.png",
            caption="../../report/fig06.rst",
            category="Figures",
            subcategory="Fig. 6",
        ),
    log:
        f"{LOGS}/figures/fig06_out_of_fold_scatter.log",
    benchmark:
        f"{BENCH}/figures/fig06_out_of_fold_scatter.tsv"
    conda:
        "../../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        run=config["run"],
        name=REFERENCE_NAME,
        layers=REFERENCE_LAYERS,
        n_folds=TRAIN["finetune"]["n_folds"],
    script:
        "../../scripts/figure_out_of_fold_scatter.py"


rule figure_taylor:
    input:
        OUT_OF_FOLD,
    output:
        figure=report(
            f"{FIGS}/fig07_taylor_layer{{layer}}.png",
            caption="../../report/fig07.rst",
            category="Figures",
            subcategory="Fig. 7",
            labels={"figure": "Fig. 7", "layer": "{layer}"},
        ),
        table=report(
            f"{EVAL}/taylor_layer{{layer}}.csv",
            caption="../../report/taylor_table.rst",
            category="Tables",
            subcategory="Evaluation",
            labels={"table": "Taylor statistics", "layer": "{layer}"},
        ),
    log:
        f"{LOGS}/figures/fig07_taylor_layer{{layer}}.log",
    benchmark:
        f"{BENCH}/figures/fig07_taylor_layer{{layer}}.tsv"
    conda:
        "../../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        run=config["run"],
        name=REFERENCE_NAME,
    script:
        "../../scripts/figure_taylor.py"


rule product_vs_truth:
    input:
        truth=f"{SYN['truth_path']}/truth_{{experiment}}.nc",
        product=product_file(UNET_PRODUCT),
        ensemble_mean=product_file("ensemble_mean"),
        quantile_mapping=product_file("quantile_mapping"),
        regions=PREPARED_REGIONS,
    output:
        report(
            f"{EVAL}/product_vs_truth_{{experiment}}.csv",
            caption="../../report/product_vs_truth.rst",
            category="Tables",
            subcategory="Demo checks against the truth",
            labels={"table": "product vs truth", "experiment": "{experiment}"},
        ),
    log:
        f"{LOGS}/product_vs_truth_{{experiment}}.log",
    benchmark:
        f"{BENCH}/product_vs_truth_{{experiment}}.tsv"
    conda:
        "../../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        region=config["regions"]["names"][0],
    script:
        "../../scripts/product_vs_truth.py"
