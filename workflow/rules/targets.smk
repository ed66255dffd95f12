# What `all` makes: the configured study's inputs, products, tables and figures.


def all_targets():
    """The default targets (all): the configured study's inputs, products, tables, figures."""
    if STUDY == "cmip6dl":
        return [*all_prepared(), *all_tables(), *cmip6dl_targets()]
    return [
        *all_prepared(),
        *all_tables(),
        *all_sources(),
        *all_insitu(),
        *all_training(),
        *all_products(),
        *all_evaluation(),
        *all_trends(),
    ]


def all_tables():
    """The tables every study has: quality control and Table 1 (the models as run)."""
    return [QC_TABLE, f"{EVAL}/table1_models.csv"]


def all_prepared():
    """Every analysis-ready input of the study."""
    return [
        *expand(
            PREPARED_CMIP6, experiment=config["experiments"], model=config["models"]
        ),
        PREPARED_ERA5LAND,
        *([PREPARED_AMSMQTP] if STUDY == "trsr" else []),
        PREPARED_REGIONS,
    ]


def all_sources():
    """The demo's truth, station sources and VGG weights, so every source is built or checked.

    The cmip6dl study uses no stations or VGG, and keeps no truth (China's would be GBs).
    """
    if STUDY != "trsr":
        return []
    targets = []
    if SRC["cmip6"]["provider"] == "synthetic":
        targets += expand(
            f"{SYN['truth_path']}/truth_{{experiment}}.nc",
            experiment=config["experiments"],
        )
    for source in STATION_SOURCES:
        if SRC[source]["provider"] == "synthetic":
            targets.append(SRC[source]["path"])
        else:
            targets.append(INGESTED.format(source=source))
    if config["vgg"]["provider"] != "none":
        targets.append(config["vgg"]["path"])
    return targets


def all_insitu():
    """Fig. 1 and its station list, the in-situ grids and skill, Table S1 and Fig. 5; without
    stations Fig. 1 alone, the study area without stations (the run says so at its start:
    smdown.configuration.station_notes)."""
    study_area = [f"{FIGS}/fig01_study_area.png", f"{FIGS}/fig01_stations.csv"]
    if not STATION_SOURCES:
        return study_area
    return [
        *study_area,
        *insitu_grids_files(),
        f"{INSITU}/insitu_skill.csv",
        f"{EVAL}/table_s1_reference_medians.csv",
        f"{FIGS}/fig05_reference_boxplots.png",
    ]


def all_training():
    """Pretrained and per-fold weights (until the product stage uses them) and the summary."""
    return [
        PRETRAINED,
        *fold_weights(),
        f"{EVAL}/finetune_vs_ensemble_mean.csv",
        f"{FIGS}/training_curves.png",
    ]


def all_products():
    """The bagged product and both baselines of every experiment."""
    return expand(
        PRODUCT_FILE,
        name=[UNET_PRODUCT, "ensemble_mean", "quantile_mapping"],
        experiment=config["experiments"],
    )


def reference_layer_numbers():
    """The product's layers 1..L, L the fine-tuning reference's layer count (one figure each)."""
    return range(1, len(REFERENCE_LAYERS) + 1)


def all_evaluation():
    """Out-of-fold scores, Fig. 6, Fig. 7 per layer, and the truth check on synthetic data."""
    targets = [
        f"{EVAL}/out_of_fold_scores.csv",
        f"{FIGS}/fig06_out_of_fold_scatter.png",
        *expand(
            f"{FIGS}/fig07_taylor_layer{{layer}}.png", layer=reference_layer_numbers()
        ),
    ]
    if SRC["cmip6"]["provider"] == "synthetic":
        targets += expand(
            f"{EVAL}/product_vs_truth_{{experiment}}.csv",
            experiment=config["experiments"],
        )
    return targets


def all_trends():
    """Every trend figure of every layer, Figs. 13 and 15 with their tables, and the truth check."""
    layers = reference_layer_numbers()
    targets = [
        *expand(f"{FIGS}/fig08_annual_trend_maps_layer{{k}}.png", k=layers),
        *expand(f"{FIGS}/fig09_seasonal_trend_maps_layer{{k}}.png", k=layers),
        *expand(f"{FIGS}/fig10_Y_series_layer{{k}}.png", k=layers),
        *expand(
            f"{FIGS}/fig11_{{season}}_series_layer{{k}}.png",
            season=["DJF", "MAM"],
            k=layers,
        ),
        *expand(
            f"{FIGS}/fig12_{{season}}_series_layer{{k}}.png",
            season=["JJA", "SON"],
            k=layers,
        ),
        f"{FIGS}/fig13_period_means.png",
        *expand(f"{FIGS}/fig14_percent_change_layer{{k}}.png", k=layers),
        f"{FIGS}/fig15_period_rates.png",
    ]
    if SRC["cmip6"]["provider"] == "synthetic":
        targets += expand(f"{EVAL}/trends_vs_truth_{{experiment}}.csv", experiment=SSPS)
    return targets


def cmip6dl_targets():
    """The CMIP6DL study's products, Table 2, Figs. 2-8 and the YNet's test metrics."""
    return [
        f"{YNET_DIR}/test_metrics.json",
        *expand(
            PRODUCT_FILE,
            name=[DL_PRODUCT, "ensemble_mean"],
            experiment=config["experiments"],
        ),
        f"{EVAL}/table2_skill.csv",
        f"{FIGS}/fig02_loss_curves.png",
        f"{FIGS}/fig03_mae_maps.png",
        f"{FIGS}/fig04_point_series.png",
        f"{FIGS}/fig05_taylor.png",
        f"{FIGS}/fig06_ssmi_annual_trend_maps.png",
        f"{FIGS}/fig07_ssmi_seasonal_trend_maps.png",
        f"{FIGS}/fig08_portrait.png",
    ]


def sidecar_folders():
    """Where jobs write sidecars: the run's results and the folders of downloaded sources."""
    folders = [RESULTS]
    for name, src in SRC.items():
        if src.get("provider") not in (None, "local") and "path" in src:
            path = Path(src["path"])
            folders.append(path.parent if path.suffix else path)
    return folders
