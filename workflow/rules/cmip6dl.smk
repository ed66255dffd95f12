# The CMIP6DL study (study: cmip6dl): one YNet from the models on the input grid to ERA5-Land's
# top layer on the target grid; its product per experiment; Table 2 and Figs. 3-5 on the test
# years; the SSMI trend maps (Figs. 6-7) and the portrait diagram of change rates (Fig. 8).
# Inputs, preparation, the ensemble-mean product, trend statistics and plotting are shared.


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
        "../../envs/train.yaml"
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
        "../scripts/train_ynet.py"


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
        "../../envs/train.yaml"
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
        "../scripts/product_ynet.py"


rule holdout_skill:
    input:
        unpack(lambda wildcards: model_inputs("historical")),
        product=product_file(DL_PRODUCT, "historical"),
        ensemble_mean=product_file("ensemble_mean", "historical"),
        era5land=PREPARED_ERA5LAND,
    output:
        table=report(
            f"{EVAL}/table2_skill.csv",
            caption="../report/table2_skill.rst",
            category="Tables",
            subcategory="Evaluation",
        ),
        taylor=f"{EVAL}/taylor_statistics.csv",
        mae=f"{EVAL}/mae_maps.nc",
        points=f"{EVAL}/point_series.csv",
    log:
        f"{LOGS}/holdout_skill.log",
    benchmark:
        f"{BENCH}/holdout_skill.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=8000,
    params:
        models=config["models"],
        region=config["regions"]["names"][0],
        product=DL_PRODUCT,
        years=YNET["test_years"],
        layer=YNET["target_layer"],
        points=TREND_CFG["points"],
    script:
        "../scripts/holdout_skill.py"


rule figure_holdout:
    input:
        mae=f"{EVAL}/mae_maps.nc",
        points=f"{EVAL}/point_series.csv",
        taylor=f"{EVAL}/taylor_statistics.csv",
        regions=PREPARED_REGIONS,
    output:
        report(
            f"{FIGS}/fig{{number}}_{{kind}}.png",
            caption="../report/cmip6dl_holdout.rst",
            category="Figures",
            subcategory="Figs. 3-5",
            labels={"figure": "Fig. {number}"},
        ),
    log:
        f"{LOGS}/figures/fig{{number}}_{{kind}}.log",
    benchmark:
        f"{BENCH}/figures/fig{{number}}_{{kind}}.tsv"
    wildcard_constraints:
        number="03|04|05",
        kind="mae_maps|point_series|taylor",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=3000,
    params:
        run=config["run"],
        years=YNET["test_years"],
        product=DL_PRODUCT,
        style=config["plots"]["mae_maps"],
    script:
        "../scripts/figure_holdout.py"


rule ssmi_trends:
    input:
        product=product_file(DL_PRODUCT),
    output:
        f"{TRENDS}/ssmi_trend_maps_{{experiment}}.nc",
    log:
        f"{LOGS}/trends/ssmi_trends_{{experiment}}.log",
    benchmark:
        f"{BENCH}/trends/ssmi_trends_{{experiment}}.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 2
    resources:
        mem_mb=6000,
    params:
        alpha=TREND_CFG["alpha"],
        base=TREND_CFG["ssmi_base"],
    script:
        "../scripts/ssmi_trends.py"


rule figure_ssmi_trend_maps:
    input:
        unpack(lambda wildcards: trend_files("ssmi_trend_maps", SSPS)),
        regions=PREPARED_REGIONS,
    output:
        report(
            f"{FIGS}/fig{{number}}_ssmi_{{kind}}.png",
            caption="../report/cmip6dl_ssmi.rst",
            category="Figures",
            subcategory="Figs. 6-7",
            labels={"figure": "Fig. {number}"},
        ),
    log:
        f"{LOGS}/figures/fig{{number}}_ssmi_{{kind}}.log",
    benchmark:
        f"{BENCH}/figures/fig{{number}}_ssmi_{{kind}}.tsv"
    wildcard_constraints:
        number="06|07",
        kind="annual_trend_maps|seasonal_trend_maps",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=3000,
    params:
        run=config["run"],
        ssps=SSPS,
        period="{}-{}".format(*TREND_CFG["ssmi_base"]),
        alpha=TREND_CFG["alpha"],
        style=config["plots"]["trend_maps"],
        quantity={
            "name": "SSMI",
            "product": DL_PRODUCT,
            "units": "decade$^{-1}$",
            "factor": 10,
        },
    script:
        "../scripts/figure_trend_maps.py"


rule portrait_table:
    input:
        unpack(lambda wildcards: dl_product_files()),
        regions=PREPARED_REGIONS,
    output:
        report(
            f"{TRENDS}/portrait_change.csv",
            caption="../report/cmip6dl_portrait.rst",
            category="Tables",
            subcategory="Trends",
        ),
    log:
        f"{LOGS}/trends/portrait_table.log",
    benchmark:
        f"{BENCH}/trends/portrait_table.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=6000,
    params:
        region=config["regions"]["names"][0],
        ssps=SSPS,
        periods={k: v for k, v in list(TREND_CFG["ssp_periods"].items())[1:]},
        reference=TREND_CFG["reference"],
        portrait=TREND_CFG["portrait"],
    script:
        "../scripts/portrait_table.py"


rule figure_portrait:
    input:
        f"{TRENDS}/portrait_change.csv",
    output:
        report(
            f"{FIGS}/fig08_portrait.png",
            caption="../report/cmip6dl_portrait.rst",
            category="Figures",
            subcategory="Fig. 8",
        ),
    log:
        f"{LOGS}/figures/fig08_portrait.log",
    benchmark:
        f"{BENCH}/figures/fig08_portrait.tsv"
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        run=config["run"],
        product=DL_PRODUCT,
        reference=TREND_CFG["reference"],
        style=config["plots"]["portrait"],
    script:
        "../scripts/figure_portrait.py"


rule figure_02:
    input:
        f"{YNET_DIR}/history.csv",
    output:
        report(
            f"{FIGS}/fig02_loss_curves.png",
            caption="../report/training_curves.rst",
            category="Figures",
            subcategory="Training",
        ),
    log:
        f"{LOGS}/figures/fig02_loss_curves.log",
    conda:
        "../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        labels=["YNet"],
        columns=["mse", "val_rmse"],
        title=f"Fig. 2 ({RUN}): the YNet's training loss and validation RMSE per epoch",
    script:
        "../scripts/figure_training_curves.py"
