# The CMIP6DL study's evaluation on the test years: Table 2 and Figs. 3-5.


rule holdout_skill:
    input:
        unpack(lambda wildcards: model_inputs("historical")),
        product=product_file(DL_PRODUCT, "historical"),
        ensemble_mean=product_file("ensemble_mean", "historical"),
        era5land=PREPARED_ERA5LAND,
    output:
        table=report(
            f"{EVAL}/table2_skill.csv",
            caption="../../report/table2_skill.rst",
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
        "../../../envs/analysis.yaml"
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
        "../../scripts/holdout_skill.py"


rule figure_mae_maps:
    input:
        mae=f"{EVAL}/mae_maps.nc",
        regions=PREPARED_REGIONS,
    output:
        report(
            f"{FIGS}/fig03_mae_maps.png",
            caption="../../report/cmip6dl_holdout.rst",
            category="Figures",
            subcategory="Figs. 3-5",
            labels={"figure": "Fig. 3"},
        ),
    log:
        f"{LOGS}/figures/fig03_mae_maps.log",
    benchmark:
        f"{BENCH}/figures/fig03_mae_maps.tsv"
    conda:
        "../../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=3000,
    params:
        run=config["run"],
        years=YNET["test_years"],
        style=config["plots"]["mae_maps"],
    script:
        "../../scripts/figure_mae_maps.py"


rule figure_point_series:
    input:
        points=f"{EVAL}/point_series.csv",
    output:
        report(
            f"{FIGS}/fig04_point_series.png",
            caption="../../report/cmip6dl_holdout.rst",
            category="Figures",
            subcategory="Figs. 3-5",
            labels={"figure": "Fig. 4"},
        ),
    log:
        f"{LOGS}/figures/fig04_point_series.log",
    benchmark:
        f"{BENCH}/figures/fig04_point_series.tsv"
    conda:
        "../../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=3000,
    params:
        run=config["run"],
        years=YNET["test_years"],
    script:
        "../../scripts/figure_point_series.py"


rule figure_holdout_taylor:
    input:
        taylor=f"{EVAL}/taylor_statistics.csv",
    output:
        report(
            f"{FIGS}/fig05_taylor.png",
            caption="../../report/cmip6dl_holdout.rst",
            category="Figures",
            subcategory="Figs. 3-5",
            labels={"figure": "Fig. 5"},
        ),
    log:
        f"{LOGS}/figures/fig05_taylor.log",
    benchmark:
        f"{BENCH}/figures/fig05_taylor.tsv"
    conda:
        "../../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=3000,
    params:
        run=config["run"],
        years=YNET["test_years"],
    script:
        "../../scripts/figure_holdout_taylor.py"
