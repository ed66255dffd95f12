# Analysis-ready inputs on the target grid: one regridding job per (model, experiment),
# the two training targets, and the region masks.


rule regrid_cmip6:
    input:
        cmip6_inputs,
    output:
        PREPARED_CMIP6,
        qc=f"{QC_PARTS}/cmip6/{{experiment}}/{{model}}.csv",
    log:
        f"{LOGS}/regrid_cmip6/{{experiment}}/{{model}}.log",
    benchmark:
        f"{BENCH}/regrid_cmip6/{{experiment}}/{{model}}.tsv"
    conda:
        "../../envs/prepare.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        grid=input_grid(),
        regrid=regrid_params(),
        qc=config["qc"],
    script:
        "../scripts/regrid_cmip6.py"


rule prepare_era5land:
    input:
        era5land_inputs(),
    output:
        PREPARED_ERA5LAND,
        qc=f"{QC_PARTS}/era5land.csv",
    log:
        f"{LOGS}/prepare_era5land.log",
    benchmark:
        f"{BENCH}/prepare_era5land.tsv"
    conda:
        "../../envs/prepare.yaml"
    threads: 1
    resources:
        mem_mb=6000,
    params:
        grid=config["grid"],
        first_year=SRC["era5land"]["first_year"],
        last_year=SRC["era5land"]["last_year"],
        qc=config["qc"],
    script:
        "../scripts/prepare_era5land.py"


rule prepare_amsmqtp:
    input:
        amsmqtp_inputs(),
    output:
        PREPARED_AMSMQTP,
        qc=f"{QC_PARTS}/amsmqtp.csv",
    log:
        f"{LOGS}/prepare_amsmqtp.log",
    benchmark:
        f"{BENCH}/prepare_amsmqtp.tsv"
    conda:
        "../../envs/prepare.yaml"
    threads: 1
    resources:
        mem_mb=6000,
    params:
        grid=config["grid"],
        first_year=SRC["amsmqtp"]["first_year"],
        last_year=SRC["amsmqtp"]["last_year"],
        provider=SRC["amsmqtp"]["provider"],
        name=REFERENCE_NAME,
        layers=REFERENCE_LAYERS,
        variable=SRC["amsmqtp"]["variable"],
        dims=SRC["amsmqtp"]["dims"],
        qc=config["qc"],
    script:
        "../scripts/prepare_amsmqtp.py"


rule prepare_regions:
    input:
        region_inputs(),
    output:
        PREPARED_REGIONS,
    log:
        f"{LOGS}/prepare_regions.log",
    benchmark:
        f"{BENCH}/prepare_regions.tsv"
    conda:
        "../../envs/prepare.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        grid=config["grid"],
        regions=config["regions"],
    script:
        "../scripts/prepare_regions.py"


rule qc_table:
    input:
        qc_parts(),
    output:
        report(
            QC_TABLE,
            caption="../report/qc_sources.rst",
            category="Quality control",
        ),
    log:
        f"{LOGS}/qc_table.log",
    conda:
        "../../envs/prepare.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    script:
        "../scripts/qc_table.py"


rule table1_models:
    input:
        expand(
            PREPARED_CMIP6, experiment=config["experiments"][0], model=config["models"]
        ),
    output:
        report(
            f"{EVAL}/table1_models.csv",
            caption="../report/table1_models.rst",
            category="Tables",
            subcategory="Inputs",
        ),
    log:
        f"{LOGS}/table1_models.log",
    conda:
        "../../envs/prepare.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        **MODEL_SPEC_PARAMS,
        models=config["models"],
    script:
        "../scripts/table1_models.py"
