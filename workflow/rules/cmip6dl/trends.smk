# The CMIP6DL study's trends: the SSMI trend maps (Figs. 6-7) and the portrait diagram
# of change rates (Fig. 8).


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
        "../../../envs/analysis.yaml"
    threads: 2
    resources:
        mem_mb=6000,
    params:
        alpha=TREND_CFG["alpha"],
        base=TREND_CFG["ssmi_base"],
    script:
        "../../scripts/ssmi_trends.py"


rule figure_ssmi_trend_maps:
    input:
        unpack(lambda wildcards: trend_files("ssmi_trend_maps", SSPS)),
        regions=PREPARED_REGIONS,
    output:
        report(
            f"{FIGS}/fig{{number}}_ssmi_{{kind}}.png",
            caption="../../report/cmip6dl_ssmi.rst",
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
        "../../../envs/analysis.yaml"
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
        "../../scripts/figure_trend_maps.py"


rule portrait_table:
    input:
        unpack(lambda wildcards: dl_product_files()),
        regions=PREPARED_REGIONS,
    output:
        report(
            f"{TRENDS}/portrait_change.csv",
            caption="../../report/cmip6dl_portrait.rst",
            category="Tables",
            subcategory="Trends",
        ),
    log:
        f"{LOGS}/trends/portrait_table.log",
    benchmark:
        f"{BENCH}/trends/portrait_table.tsv"
    conda:
        "../../../envs/analysis.yaml"
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
        "../../scripts/portrait_table.py"


rule figure_portrait:
    input:
        f"{TRENDS}/portrait_change.csv",
    output:
        report(
            f"{FIGS}/fig08_portrait.png",
            caption="../../report/cmip6dl_portrait.rst",
            category="Figures",
            subcategory="Fig. 8",
        ),
    log:
        f"{LOGS}/figures/fig08_portrait.log",
    benchmark:
        f"{BENCH}/figures/fig08_portrait.tsv"
    conda:
        "../../../envs/analysis.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        run=config["run"],
        product=DL_PRODUCT,
        reference=TREND_CFG["reference"],
        style=config["plots"]["portrait"],
    script:
        "../../scripts/figure_portrait.py"
