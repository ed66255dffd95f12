# Trends of the product (paper section 3.3): per experiment the trend maps, regional series,
# their trends and period means; per SSP the percent change against the historical reference;
# on synthetic sources, the recovered trends against the truth's.


rule trends:
    input:
        product=product_file(UNET_PRODUCT),
        regions=PREPARED_REGIONS,
    output:
        maps=f"{TRENDS}/trend_maps_{{experiment}}.nc",
        series=f"{TRENDS}/regional_series_{{experiment}}.csv",
        trends=report(
            f"{TRENDS}/regional_trends_{{experiment}}.csv",
            caption="../../report/regional_trends.rst",
            category="Tables",
            subcategory="Trends",
            labels={"table": "regional trends", "experiment": "{experiment}"},
        ),
        means=f"{TRENDS}/period_means_{{experiment}}.csv",
    log:
        f"{LOGS}/trends/trends_{{experiment}}.log",
    benchmark:
        f"{BENCH}/trends/trends_{{experiment}}.tsv"
    conda:
        "../../../envs/analysis.yaml"
    threads: 2
    resources:
        mem_mb=6000,
    params:
        alpha=TREND_CFG["alpha"],
        periods=lambda wildcards: trend_periods(wildcards.experiment),
    script:
        "../../scripts/trends.py"


rule percent_change:
    input:
        future=product_file(UNET_PRODUCT),
        base=product_file(UNET_PRODUCT, "historical"),
        regions=PREPARED_REGIONS,
    output:
        maps=f"{TRENDS}/percent_change_{{experiment}}.nc",
        table=report(
            f"{TRENDS}/regional_percent_change_{{experiment}}.csv",
            caption="../../report/regional_percent_change.rst",
            category="Tables",
            subcategory="Trends",
            labels={"table": "regional percent change", "experiment": "{experiment}"},
        ),
    log:
        f"{LOGS}/trends/percent_change_{{experiment}}.log",
    benchmark:
        f"{BENCH}/trends/percent_change_{{experiment}}.tsv"
    conda:
        "../../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=6000,
    params:
        change=TREND_CFG["change"],
        reference=TREND_CFG["reference"],
    script:
        "../../scripts/percent_change.py"


rule trends_vs_truth:
    input:
        product=product_file(UNET_PRODUCT),
        truth=f"{SYN['truth_path']}/truth_{{experiment}}.nc",
        base=product_file(UNET_PRODUCT, "historical"),
        truth_base=f"{SYN['truth_path']}/truth_historical.nc",
        regions=PREPARED_REGIONS,
    output:
        report(
            f"{EVAL}/trends_vs_truth_{{experiment}}.csv",
            caption="../../report/trends_vs_truth.rst",
            category="Tables",
            subcategory="Demo checks against the truth",
            labels={"table": "trends vs truth", "experiment": "{experiment}"},
        ),
    log:
        f"{LOGS}/trends/trends_vs_truth_{{experiment}}.log",
    benchmark:
        f"{BENCH}/trends/trends_vs_truth_{{experiment}}.tsv"
    conda:
        "../../../envs/analysis.yaml"
    threads: 2
    resources:
        mem_mb=8000,
    params:
        alpha=TREND_CFG["alpha"],
        periods=lambda wildcards: trend_periods(wildcards.experiment),
        change=TREND_CFG["change"],
        reference=TREND_CFG["reference"],
    script:
        "../../scripts/trends_vs_truth.py"


rule figure_trend_maps:
    input:
        unpack(lambda wildcards: trend_files("trend_maps", SSPS)),
        regions=PREPARED_REGIONS,
    output:
        report(
            f"{FIGS}/fig{{number}}_{{kind}}_layer{{layer}}.png",
            caption="../../report/fig08_09.rst",
            category="Figures",
            subcategory="Figs. 8-9",
            labels={"figure": "Fig. {number}", "layer": "{layer}"},
        ),
    log:
        f"{LOGS}/figures/fig{{number}}_{{kind}}_layer{{layer}}.log",
    benchmark:
        f"{BENCH}/figures/fig{{number}}_{{kind}}_layer{{layer}}.tsv"
    wildcard_constraints:
        number="08|09",
        kind="annual_trend_maps|seasonal_trend_maps",
    conda:
        "../../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=3000,
    params:
        run=config["run"],
        ssps=SSPS,
        period=next(iter(TREND_CFG["ssp_periods"])),
        alpha=TREND_CFG["alpha"],
        style=config["plots"]["trend_maps"],
        quantity={
            "name": "soil moisture",
            "product": "CMIP6_UNet-Gan",
            "units": "m$^3$ m$^{-3}$ yr$^{-1}$",
            "factor": 1,
        },
    script:
        "../../scripts/figure_trend_maps.py"


rule figure_percent_change:
    input:
        unpack(lambda wildcards: trend_files("percent_change", SSPS)),
        regions=PREPARED_REGIONS,
    output:
        report(
            f"{FIGS}/fig14_percent_change_layer{{layer}}.png",
            caption="../../report/fig14.rst",
            category="Figures",
            subcategory="Fig. 14",
            labels={"figure": "Fig. 14", "layer": "{layer}"},
        ),
    log:
        f"{LOGS}/figures/fig14_percent_change_layer{{layer}}.log",
    benchmark:
        f"{BENCH}/figures/fig14_percent_change_layer{{layer}}.tsv"
    conda:
        "../../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=3000,
    params:
        run=config["run"],
        ssps=SSPS,
        change=TREND_CFG["change"],
        reference=TREND_CFG["reference"],
        style=config["plots"]["percent_change"],
    script:
        "../../scripts/figure_percent_change.py"


rule figure_series:
    input:
        series=list(trend_files("regional_series", config["experiments"]).values()),
        trends=list(trend_files("regional_trends", config["experiments"]).values()),
    output:
        report(
            f"{FIGS}/fig{{number}}_{{season}}_series_layer{{layer}}.png",
            caption="../../report/fig10_12.rst",
            category="Figures",
            subcategory="Figs. 10-12",
            labels={
                "figure": "Fig. {number}",
                "season": "{season}",
                "layer": "{layer}",
            },
        ),
    log:
        f"{LOGS}/figures/fig{{number}}_{{season}}_layer{{layer}}.log",
    benchmark:
        f"{BENCH}/figures/fig{{number}}_{{season}}_layer{{layer}}.tsv"
    wildcard_constraints:
        number="10|11|12",
        season="Y|DJF|MAM|JJA|SON",
    conda:
        "../../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        run=config["run"],
        experiments=config["experiments"],
        whole=whole_periods(),
    script:
        "../../scripts/figure_series.py"


rule figure_periods:
    input:
        means=list(trend_files("period_means", config["experiments"]).values()),
        trends=list(trend_files("regional_trends", config["experiments"]).values()),
    output:
        means=report(
            f"{FIGS}/fig13_period_means.png",
            caption="../../report/fig13.rst",
            category="Figures",
            subcategory="Figs. 13, 15",
        ),
        means_table=report(
            f"{EVAL}/fig13_period_means.csv",
            caption="../../report/fig13_table.rst",
            category="Tables",
            subcategory="Trends",
        ),
        rates=report(
            f"{FIGS}/fig15_period_rates.png",
            caption="../../report/fig15.rst",
            category="Figures",
            subcategory="Figs. 13, 15",
        ),
        rates_table=report(
            f"{EVAL}/fig15_period_rates.csv",
            caption="../../report/fig15_table.rst",
            category="Tables",
            subcategory="Trends",
        ),
    log:
        f"{LOGS}/figures/fig13_fig15.log",
    benchmark:
        f"{BENCH}/figures/fig13_fig15.tsv"
    conda:
        "../../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        run=config["run"],
        experiments=config["experiments"],
        periods=figure_periods(),
        region=config["regions"]["names"][0],
        alpha=TREND_CFG["alpha"],
        non_significant=config["plots"]["period_rates"]["non_significant"],
    script:
        "../../scripts/figure_periods.py"
