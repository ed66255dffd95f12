# Stations -> monthly table -> random-forest grids S and P (Algorithm 1), and the two
# reference datasets against the stations (Fig. 5, Table S1).


rule station_table:
    input:
        unpack(lambda wildcards: station_inputs()),
    output:
        table=STATION_TABLE,
        qc=f"{QC_PARTS}/stations.csv",
    log:
        f"{LOGS}/station_table.log",
    benchmark:
        f"{BENCH}/station_table.tsv"
    conda:
        "../../../envs/insitu.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        ismn=SRC["ismn"]["path"],
        cma=SRC["cma"]["path"],
        networks=SRC["ismn"]["networks"],
        keep_flags=SRC["ismn"]["keep_flags"],
        qc=config["qc"],
        min_days=config["insitu"]["min_days_per_month"],
        grid=config["grid"],
        layers=REFERENCE_LAYERS,
    script:
        "../../scripts/station_table.py"


rule insitu_grids:
    input:
        stations=STATION_TABLE,
        regions=PREPARED_REGIONS,
    output:
        INSITU_GRIDS,
    log:
        f"{LOGS}/insitu_grids/{{split}}.log",
    benchmark:
        f"{BENCH}/insitu_grids/{{split}}.tsv"
    conda:
        "../../../envs/insitu.yaml"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        grid=config["grid"],
        region=config["regions"]["names"][0],
        period=config["insitu"]["period"],
        forest=config["insitu"]["forest"],
        held_out=lambda wildcards: held_out_months(wildcards.split),
        layers=REFERENCE_LAYERS,
    script:
        "../../scripts/insitu_grids.py"


rule insitu_skill:
    input:
        STATION_TABLE,
    output:
        report(
            f"{INSITU}/insitu_skill.csv",
            caption="../../report/insitu_skill.rst",
            category="Tables",
            subcategory="In-situ grids",
        ),
    log:
        f"{LOGS}/insitu_skill.log",
    benchmark:
        f"{BENCH}/insitu_skill.tsv"
    conda:
        "../../../envs/insitu.yaml"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        forest=config["insitu"]["forest"],
        folds=config["insitu"]["skill_folds"],
        layers=REFERENCE_LAYERS,
    script:
        "../../scripts/insitu_skill.py"


rule reference_metrics:
    input:
        stations=STATION_TABLE,
        era5land=PREPARED_ERA5LAND,
        amsmqtp=PREPARED_AMSMQTP,
    output:
        metrics=report(
            f"{EVAL}/reference_station_metrics.csv",
            caption="../../report/station_metrics.rst",
            category="Tables",
            subcategory="References against stations",
        ),
        table=report(
            f"{EVAL}/table_s1_reference_medians.csv",
            caption="../../report/table_s1.rst",
            category="Tables",
            subcategory="References against stations",
        ),
    log:
        f"{LOGS}/reference_metrics.log",
    benchmark:
        f"{BENCH}/reference_metrics.tsv"
    conda:
        "../../../envs/insitu.yaml"
    threads: 1
    resources:
        mem_mb=6000,
    params:
        min_months=config["insitu"]["min_months_per_station"],
        name=REFERENCE_NAME,
    script:
        "../../scripts/reference_metrics.py"


rule figure_reference_boxplots:
    input:
        f"{EVAL}/reference_station_metrics.csv",
    output:
        report(
            f"{FIGS}/fig05_reference_boxplots.png",
            caption="../../report/fig05.rst",
            category="Figures",
            subcategory="Fig. 5",
        ),
    log:
        f"{LOGS}/figures/fig05_reference_boxplots.log",
    benchmark:
        f"{BENCH}/figures/fig05_reference_boxplots.tsv"
    conda:
        "../../../envs/insitu.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        run=RUN,
        layers=REFERENCE_LAYERS,
        name=REFERENCE_NAME,  # the caption's
    script:
        "../../scripts/figure_reference_boxplots.py"


rule figure_study_area:
    input:
        **({"stations": STATION_TABLE} if STATION_SOURCES else {}),
        regions=PREPARED_REGIONS,
        geopotential=GEOPOTENTIAL,
    output:
        figure=report(
            f"{FIGS}/fig01_study_area.png",
            caption="../../report/fig01.rst",
            category="Figures",
            subcategory="Fig. 1",
        ),
        sites=report(
            f"{FIGS}/fig01_stations.csv",
            caption="../../report/fig01_stations.rst",
            category="Tables",
            subcategory="Stations",
        ),
    log:
        f"{LOGS}/figures/fig01_study_area.log",
    benchmark:
        f"{BENCH}/figures/fig01_study_area.tsv"
    conda:
        "../../../envs/insitu.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        grid=config["grid"],
        title=f"Fig. 1 ({RUN}): the study area, its basins and the stations used",
    script:
        "../../scripts/figure_study_area.py"
