# Sources. provider "synthetic" writes the demo's files in the real formats from one seeded
# truth world; provider "local" reads files the user placed (no rule: they must exist).

# Synthetic stations outside the demo's boxes go into the first synthetic region of the grid,
# or into the first of the user's own regions (its prepared mask) when the outlines are real.
SYNTHETIC_STATION_REGIONS = {
    "names": config["regions"]["names"],
    "union": config["regions"]["union"],
}
STATION_REGION_INPUT = (
    {}
    if config["regions"]["provider"] == "synthetic"
    else {"regions": PREPARED_REGIONS}
)


if SRC["cmip6"]["provider"] == "synthetic":
    for _exp in config["experiments"]:

        rule:
            name:
                f"synthesize_cmip6_{_exp}"
            output:
                [
                    f"{SRC['cmip6']['path']}/{n}"
                    for m in config["models"]
                    for n in cmip6_filenames(MODEL_SPECS[m], _exp)
                ],
            log:
                f"{LOGS}/synthesize_cmip6_{_exp}.log",
            benchmark:
                f"{BENCH}/synthesize_cmip6_{_exp}.tsv"
            conda:
                "../../envs/prepare.yaml"
            threads: 1
            resources:
                mem_mb=4000,
            params:
                experiment=_exp,
                # the entries as given: the catalog's names, or mappings (their grid, calendar)
                models=model_entries(config),
                seed=SYN["seed"],
                world=SYN["world"],
                grid=config["grid"],
            script:
                "../scripts/synthesize_cmip6.py"


rule synthesize_truth:
    output:
        f"{SYN['truth_path']}/truth_{{experiment}}.nc",
    log:
        f"{LOGS}/synthesize_truth_{{experiment}}.log",
    benchmark:
        f"{BENCH}/synthesize_truth_{{experiment}}.tsv"
    conda:
        "../../envs/prepare.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        grid=config["grid"],
        seed=SYN["seed"],
        world=SYN["world"],
    script:
        "../scripts/synthesize_truth.py"


if SRC["era5land"]["provider"] == "synthetic":

    rule synthesize_era5land:
        output:
            f"{SRC['era5land']['path']}/era5land_{{first}}-{{last}}.nc",
        log:
            f"{LOGS}/synthesize_era5land_{{first}}-{{last}}.log",
        benchmark:
            f"{BENCH}/synthesize_era5land_{{first}}-{{last}}.tsv"
        wildcard_constraints:
            first=r"\d{4}",
            last=r"\d{4}",
        conda:
            "../../envs/prepare.yaml"
        threads: 1
        resources:
            mem_mb=3000,
        params:
            seed=SYN["seed"],
            world=SYN["world"],
            grid=config["grid"],
            resolution=SRC["era5land"]["resolution"],
        script:
            "../scripts/synthesize_era5land.py"


if SRC["amsmqtp"]["provider"] == "synthetic":

    rule synthesize_amsmqtp:
        output:
            amsmqtp_inputs(),
        log:
            f"{LOGS}/synthesize_amsmqtp.log",
        benchmark:
            f"{BENCH}/synthesize_amsmqtp.tsv"
        conda:
            "../../envs/prepare.yaml"
        threads: 1
        resources:
            mem_mb=4000,
        params:
            seed=SYN["seed"],
            world=SYN["world"],
            grid=config["grid"],
            first_year=SRC["amsmqtp"]["first_year"],
            last_year=SRC["amsmqtp"]["last_year"],
            layers=REFERENCE_LAYERS,
        script:
            "../scripts/synthesize_amsmqtp.py"


if SRC["ismn"]["provider"] == "synthetic":

    rule synthesize_ismn:
        input:
            **STATION_REGION_INPUT,
        output:
            directory(SRC["ismn"]["path"]),
        log:
            f"{LOGS}/synthesize_ismn.log",
        benchmark:
            f"{BENCH}/synthesize_ismn.tsv"
        conda:
            "../../envs/prepare.yaml"
        threads: 1
        resources:
            mem_mb=2000,
        params:
            seed=SYN["seed"],
            world=SYN["world"],
            grid=config["grid"],
            networks=SRC["ismn"]["networks"],
            regions=SYNTHETIC_STATION_REGIONS,
        script:
            "../scripts/synthesize_ismn.py"


if SRC["cma"]["provider"] == "synthetic":

    rule synthesize_cma:
        input:
            **STATION_REGION_INPUT,
        output:
            SRC["cma"]["path"],
        log:
            f"{LOGS}/synthesize_cma.log",
        benchmark:
            f"{BENCH}/synthesize_cma.tsv"
        conda:
            "../../envs/prepare.yaml"
        threads: 1
        resources:
            mem_mb=2000,
        params:
            seed=SYN["seed"],
            world=SYN["world"],
            grid=config["grid"],
            regions=SYNTHETIC_STATION_REGIONS,
        script:
            "../scripts/synthesize_cma.py"


if config["regions"]["provider"] == "synthetic":

    rule synthesize_regions:
        output:
            config["regions"]["geojson"],
        log:
            f"{LOGS}/synthesize_regions.log",
        benchmark:
            f"{BENCH}/synthesize_regions.tsv"
        conda:
            "../../envs/prepare.yaml"
        threads: 1
        resources:
            mem_mb=500,
        params:
            names=config["regions"]["names"],
            union=config["regions"]["union"],
            grid=config["grid"],
        script:
            "../scripts/synthesize_regions.py"


# Downloads run as local rules: cluster login nodes have the network, compute nodes often not.
if SRC["cmip6"]["provider"] in ("cds", "esgf"):

    rule download_cmip6:
        output:
            f"{SRC['cmip6']['path']}/{{model}}_{{experiment}}.manifest.json",
        log:
            f"{LOGS}/download_cmip6/{{model}}_{{experiment}}.log",
        benchmark:
            f"{BENCH}/download_cmip6/{{model}}_{{experiment}}.tsv"
        localrule: True
        conda:
            "../../envs/download.yaml"
        threads: 1
        resources:
            mem_mb=1000,
        params:
            **MODEL_SPEC_PARAMS,
            provider=SRC["cmip6"]["provider"],
            folder=SRC["cmip6"]["path"],
            area=SRC["cmip6"]["area"],
            pad_cells=SRC["cmip6"]["pad_cells"],
            download=config["download"],
        script:
            "../scripts/download_cmip6.py"


if SRC["era5land"]["provider"] == "synthetic" and STUDY == "trsr":

    rule synthesize_geopotential:
        output:
            GEOPOTENTIAL,
        log:
            f"{LOGS}/synthesize_geopotential.log",
        benchmark:
            f"{BENCH}/synthesize_geopotential.tsv"
        conda:
            "../../envs/prepare.yaml"
        threads: 1
        resources:
            mem_mb=1000,
        params:
            seed=SYN["seed"],
            world=SYN["world"],
            grid=config["grid"],
            resolution=SRC["era5land"]["resolution"],
        script:
            "../scripts/synthesize_geopotential.py"


if SRC["era5land"]["provider"] == "cds" and STUDY == "trsr":

    rule download_geopotential:
        output:
            data=GEOPOTENTIAL,
            manifest=f"{GEOPOTENTIAL}.manifest.json",
        log:
            f"{LOGS}/download_geopotential.log",
        benchmark:
            f"{BENCH}/download_geopotential.tsv"
        localrule: True
        conda:
            "../../envs/download.yaml"
        threads: 1
        resources:
            mem_mb=1000,
        params:
            area=SRC["era5land"]["area"],
            resolution=SRC["era5land"]["resolution"],
            download=config["download"],
        script:
            "../scripts/download_geopotential.py"


if SRC["era5land"]["provider"] == "cds":

    rule download_era5land:
        output:
            data=f"{SRC['era5land']['path']}/era5land_{{first}}-{{last}}.nc",
            manifest=f"{SRC['era5land']['path']}/era5land_{{first}}-{{last}}.manifest.json",
        log:
            f"{LOGS}/download_era5land_{{first}}-{{last}}.log",
        benchmark:
            f"{BENCH}/download_era5land_{{first}}-{{last}}.tsv"
        wildcard_constraints:
            first=r"\d{4}",
            last=r"\d{4}",
        localrule: True
        conda:
            "../../envs/download.yaml"
        threads: 1
        resources:
            mem_mb=1000,
        params:
            area=SRC["era5land"]["area"],
            resolution=SRC["era5land"]["resolution"],
            download=config["download"],
        script:
            "../scripts/download_era5land.py"


if config["regions"]["provider"] == "url":
    for _region, _source in config["regions"]["urls"].items():

        rule:
            name:
                f"download_region_mask_{_region}"
            output:
                config["regions"]["netcdf"][_region],
            log:
                f"{LOGS}/download_region_mask_{_region}.log",
            benchmark:
                f"{BENCH}/download_region_mask_{_region}.tsv"
            localrule: True
            conda:
                "../../envs/download.yaml"
            threads: 1
            resources:
                mem_mb=500,
            params:
                url=_source["url"],
                sha256=_source["sha256"],
                download=config["download"],
            script:
                "../scripts/download_url.py"


for _source in ("amsmqtp", "ismn", "cma"):
    if SRC[_source]["provider"] == "local":

        rule:
            name:
                f"ingest_{_source}"
            input:
                ingest_inputs(_source),
            output:
                INGESTED.format(source=_source),
            log:
                f"{LOGS}/ingest_{_source}.log",
            benchmark:
                f"{BENCH}/ingest_{_source}.tsv"
            localrule: True
            conda:
                "../../envs/prepare.yaml"
            threads: 1
            resources:
                mem_mb=1000,
            params:
                source=_source,
                options=SRC[_source],
            script:
                "../scripts/ingest_source.py"


if config["vgg"]["provider"] != "none":

    rule vgg16_weights:
        output:
            config["vgg"]["path"],
        log:
            f"{LOGS}/vgg16_weights.log",
        benchmark:
            f"{BENCH}/vgg16_weights.tsv"
        localrule: True
        conda:
            "../../envs/download.yaml"
        threads: 1
        resources:
            mem_mb=2000,
        params:
            provider=config["vgg"]["provider"],
            url=config["vgg"]["url"],
            local_path=config["vgg"]["local_path"],
            seed=config["synthetic"]["seed"],
        script:
            "../scripts/vgg16_weights.py"
