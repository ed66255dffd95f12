# Shared paths and input functions. Parameters that change a result reach rules as params.
import glob
from pathlib import Path

from smdown.catalog import AMSMQTP_LAYERS, ERA5LAND_LAYERS, EXPERIMENTS, MODELS
from smdown.errors import InputError
from smdown.sources.cmip6_files import find_cmor_files
from smdown.synthetic import amsmqtp_filenames, cmip6_filenames
from smdown.training.folds import fold_test_months

RUN = config["run"]
STUDY = config["study"]
RESULTS = f"results/{RUN}"
PREP = f"{RESULTS}/prepared"
LOGS = f"{RESULTS}/logs"
BENCH = f"{RESULTS}/benchmarks"
QC_PARTS = f"{RESULTS}/qc/parts"
SRC = config["sources"]
SYN = config["synthetic"]
TRAIN = config["training"]
GEOPOTENTIAL = f"{SRC['era5land']['path']}/{SRC['era5land']['geopotential']}"


wildcard_constraints:
    model="|".join(m.replace("-", r"\-") for m in config["models"]),
    experiment="|".join(config["experiments"]),
    fold=r"\d+",
    layer=r"[1-5]",
    split=r"all|fold\d+",


def existing_files(folder, pattern):
    """Files matching now (none on a fresh machine: the ingest rule then says what is needed)."""
    return sorted(glob.glob(str(Path(folder) / pattern), recursive=True))


def _local_files(folder, pattern, what):
    files = sorted(glob.glob(str(Path(folder) / pattern)))
    if not files:
        raise WorkflowError(
            f"{what}: no files match {Path(folder) / pattern}; place them there "
            "or choose another provider in the config"
        )
    return files


def cmip6_inputs(wildcards):
    """The CMOR files of one (model, experiment), or the manifest of their download."""
    folder = SRC["cmip6"]["path"]
    if SRC["cmip6"]["provider"] in ("cds", "esgf"):
        return f"{folder}/{wildcards.model}_{wildcards.experiment}.manifest.json"
    if SRC["cmip6"]["provider"] == "synthetic":
        return [
            f"{folder}/{n}"
            for n in cmip6_filenames(wildcards.model, wildcards.experiment)
        ]
    member = MODELS[wildcards.model].member
    try:
        files = find_cmor_files(folder, wildcards.model, wildcards.experiment, member)
    except InputError as exc:
        raise WorkflowError(f"CMIP6 {wildcards.model} {wildcards.experiment}: {exc}")
    return [str(f) for f in files]


def era5land_inputs(wildcards=None):
    """One file per configured year chunk (one CDS request each; its manifest for cds)."""
    src = SRC["era5land"]
    if src["provider"] == "local":  # every NetCDF there but the geopotential (Fig. 1)
        files = _local_files(src["path"], "*.nc", "ERA5-Land")
        return [f for f in files if Path(f).name != src["geopotential"]]
    suffix = ".manifest.json" if src["provider"] == "cds" else ".nc"
    return [f"{src['path']}/era5land_{a}-{b}{suffix}" for a, b in src["chunks"]]


def amsmqtp_inputs(wildcards=None):
    src = SRC["amsmqtp"]
    if src["provider"] == "synthetic":
        names = amsmqtp_filenames(src["first_year"], src["last_year"])
        return [f"{src['path']}/{n}" for n in names]
    return [f"{RESULTS}/ingest/amsmqtp.manifest.json"]


def ingest_inputs(source):
    """The user's files of a registration-only source, as far as they exist now."""
    src = SRC[source]
    if source == "amsmqtp":
        return existing_files(src["path"], src["pattern"])
    if source == "ismn":
        return existing_files(src["path"], "**/*.stm")
    return existing_files(Path(src["path"]).parent, Path(src["path"]).name)


def station_inputs():
    """The station sources (synthetic files) or their ingest manifests (local archives)."""
    return {
        s: (
            SRC[s]["path"]
            if SRC[s]["provider"] == "synthetic"
            else f"{RESULTS}/ingest/{s}.manifest.json"
        )
        for s in ("ismn", "cma")
    }


def input_grid():
    """The grid the models are regridded onto: the study's input grid, else the target grid."""
    return config["input_grid"] or config["grid"]


def product_layers():
    """Depth bounds (m) of the product's layers: AMSMQTP's five, or the YNet's ERA5-Land layer."""
    if STUDY == "trsr":
        return [list(b) for b in AMSMQTP_LAYERS]
    return [list(ERA5LAND_LAYERS[TRAIN["ynet"]["target_layer"] - 1])]


def sidecar_folders():
    """Where jobs write sidecars: the run's results and the folders of downloaded sources."""
    folders = [RESULTS]
    for name, src in SRC.items():
        if src.get("provider") not in (None, "local") and "path" in src:
            path = Path(src["path"])
            folders.append(path.parent if path.suffix else path)
    return folders


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
    return [f"{RESULTS}/qc/sources.csv", f"{RESULTS}/evaluation/table1_models.csv"]


def qc_parts():
    """The QC tables of the configured study's sources, one per preparing job."""
    parts = expand(
        f"{QC_PARTS}/cmip6/{{experiment}}/{{model}}.csv",
        experiment=config["experiments"],
        model=config["models"],
    )
    parts.append(f"{QC_PARTS}/era5land.csv")
    if STUDY == "trsr":
        parts += [f"{QC_PARTS}/amsmqtp.csv", f"{QC_PARTS}/stations.csv"]
    return parts


def all_insitu():
    return [
        f"{RESULTS}/figures/fig01_study_area.png",
        f"{RESULTS}/figures/fig01_stations.csv",
        *insitu_grids_files(),
        f"{RESULTS}/insitu/insitu_skill.csv",
        f"{RESULTS}/evaluation/table_s1_reference_medians.csv",
        f"{RESULTS}/figures/fig05_reference_boxplots.png",
    ]


def region_inputs(wildcards=None):
    reg = config["regions"]
    if reg["format"] == "geojson":
        return [reg["geojson"]]
    return list(reg["netcdf"].values())


def all_prepared():
    return [
        *expand(
            f"{PREP}/cmip6/{{experiment}}/{{model}}.nc",
            experiment=config["experiments"],
            model=config["models"],
        ),
        f"{PREP}/era5land.nc",
        *([f"{PREP}/amsmqtp.nc"] if STUDY == "trsr" else []),
        f"{PREP}/regions.nc",
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
    for source in ("ismn", "cma"):
        if SRC[source]["provider"] == "synthetic":
            targets.append(SRC[source]["path"])
        else:
            targets.append(f"{RESULTS}/ingest/{source}.manifest.json")
    if config["vgg"]["provider"] != "none":
        targets.append(config["vgg"]["path"])
    return targets


def regrid_params():
    return dict(config["regrid"])


STUDY_SETUP = {"trsr": ("unet_gan", False), "cmip6dl": ("ynet", True)}


def check_training_config():
    """Refuse, before anything runs, a study with another network or input grid than it needs,
    and a perceptual loss without a VGG weights source."""
    model, coarse = STUDY_SETUP[STUDY]
    if TRAIN["model"] != model or bool(config["input_grid"]) != coarse:
        raise WorkflowError(
            f"study {STUDY} needs training.model: {model} and "
            + ("an input_grid" if coarse else "input_grid: null")
            + f"; the config has training.model: {TRAIN['model']} and input_grid: "
            + ("set" if config["input_grid"] else "null")
        )
    if (
        model == "unet_gan"
        and TRAIN["loss_weights"]["b2"] > 0
        and config["vgg"]["provider"] == "none"
    ):
        raise WorkflowError(
            "training.loss_weights.b2 is not 0 (VGG perceptual loss) but vgg.provider is "
            "none: set vgg.provider to url or local, or b2 to 0"
        )


def model_inputs(experiment):
    """The prepared model files of one experiment, named model_<model>, and the regions."""
    inputs = {
        f"model_{m}": f"{PREP}/cmip6/{experiment}/{m}.nc" for m in config["models"]
    }
    inputs["regions"] = f"{PREP}/regions.nc"
    return inputs


def training_inputs(experiment):
    """The prepared model files of one experiment by model, the regions, and VGG weights."""
    inputs = model_inputs(experiment)
    if TRAIN["loss_weights"]["b2"] > 0:
        inputs["vgg"] = config["vgg"]["path"]
    return inputs


def insitu_split(fold):
    """Which in-situ grids fold `fold` trains with: its own (per_fold) or the shared ones."""
    per_fold = TRAIN["finetune"]["insitu_grids"] == "per_fold"
    return f"fold{fold}" if per_fold else "all"


def held_out_months(split):
    """The months ('YYYY-MM') the `split` grids must not learn from: its fold's test months."""
    if split == "all":
        return []
    ft = TRAIN["finetune"]
    months = fold_test_months(
        ft["years"], ft["n_folds"], ft["scheme"], ft["split_seed"], int(split[4:])
    )
    return [str(m) for m in months]


def insitu_grids_files():
    """Every in-situ grids file the fine-tuning folds use (none without the in-situ loss)."""
    if TRAIN["loss_weights"]["a3"] == 0:
        return []
    splits = sorted({insitu_split(k) for k in range(TRAIN["finetune"]["n_folds"])})
    return [f"{RESULTS}/insitu/{split}/insitu_grids.nc" for split in splits]


def insitu_grids_input(wildcards):
    """The random-forest grids S and P of a finetune job, when the in-situ loss weight is not 0."""
    if TRAIN["loss_weights"]["a3"] == 0:
        return []
    return f"{RESULTS}/insitu/{insitu_split(wildcards.fold)}/insitu_grids.nc"


def training_params(stage):
    """Everything that changes the result of a `stage` job (so a change reruns exactly it)."""
    keys = (
        "loss_weights",
        "adversarial_loss",
        "tv_reduction",
        "vgg_input",
        "seed",
        "device",
        "bf16",
        "channels_last",
        "guard",
        "guard_min_spatial_std_ratio",
    )
    return {**{k: TRAIN[k] for k in keys}, stage: TRAIN[stage]}


def all_training():
    """Pretrained and per-fold weights (until the product stage uses them) and the summary."""
    return [
        f"{RESULTS}/training/pretrain/generator.pt",
        *expand(
            f"{RESULTS}/training/finetune/fold{{fold}}/generator.pt",
            fold=range(TRAIN["finetune"]["n_folds"]),
        ),
        f"{RESULTS}/evaluation/finetune_vs_ensemble_mean.csv",
        f"{RESULTS}/figures/training_curves.png",
    ]


def fold_weights():
    """The fine-tuned generator of every fold."""
    return expand(
        f"{RESULTS}/training/finetune/fold{{fold}}/generator.pt",
        fold=range(TRAIN["finetune"]["n_folds"]),
    )


def all_products():
    """The bagged product and both baselines of every experiment."""
    return expand(
        f"{RESULTS}/product/{{name}}_{{experiment}}.nc",
        name=["CMIP6_UNet-Gan", "ensemble_mean", "quantile_mapping"],
        experiment=config["experiments"],
    )


def all_evaluation():
    """Out-of-fold scores, Fig. 6, Fig. 7 per layer, and the truth check on synthetic data."""
    targets = [
        f"{RESULTS}/evaluation/out_of_fold_scores.csv",
        f"{RESULTS}/figures/fig06_out_of_fold_scatter.png",
        *expand(
            f"{RESULTS}/figures/fig07_taylor_layer{{layer}}.png", layer=range(1, 6)
        ),
    ]
    if SRC["cmip6"]["provider"] == "synthetic":
        targets += expand(
            f"{RESULTS}/evaluation/product_vs_truth_{{experiment}}.csv",
            experiment=config["experiments"],
        )
    return targets


def all_trends():
    """Every trend figure of every layer, Figs. 13 and 15 with their tables, and the truth check."""
    layers = range(1, 6)
    ssps = [e for e in config["experiments"] if e != "historical"]
    figures = f"{RESULTS}/figures"
    targets = [
        *expand(f"{figures}/fig08_annual_trend_maps_layer{{k}}.png", k=layers),
        *expand(f"{figures}/fig09_seasonal_trend_maps_layer{{k}}.png", k=layers),
        *expand(f"{figures}/fig10_Y_series_layer{{k}}.png", k=layers),
        *expand(
            f"{figures}/fig11_{{season}}_series_layer{{k}}.png",
            season=["DJF", "MAM"],
            k=layers,
        ),
        *expand(
            f"{figures}/fig12_{{season}}_series_layer{{k}}.png",
            season=["JJA", "SON"],
            k=layers,
        ),
        f"{figures}/fig13_period_means.png",
        *expand(f"{figures}/fig14_percent_change_layer{{k}}.png", k=layers),
        f"{figures}/fig15_period_rates.png",
    ]
    if SRC["cmip6"]["provider"] == "synthetic":
        targets += expand(
            f"{RESULTS}/evaluation/trends_vs_truth_{{experiment}}.csv", experiment=ssps
        )
    return targets


TRENDS = f"{RESULTS}/trends"
TREND_CFG = config["trends"]


def trend_periods(experiment):
    """The periods analysed for an experiment (name -> [first, last])."""
    if experiment == "historical":
        return TREND_CFG["historical_periods"]
    return TREND_CFG["ssp_periods"]


SSPS = [e for e in config["experiments"] if e != "historical"]


def trend_files(kind, experiments):
    """One trend output file per experiment, keyed by experiment (for the figure scripts)."""
    suffix = (
        "nc" if kind in ("trend_maps", "percent_change", "ssmi_trend_maps") else "csv"
    )
    return {e: f"{TRENDS}/{kind}_{e}.{suffix}" for e in experiments}


def whole_periods():
    """Each experiment's whole-run period name (the first of its periods)."""
    return {e: next(iter(trend_periods(e))) for e in config["experiments"]}


def figure_periods():
    """The periods Figs. 13 and 15 show: the reference, and the SSPs' paper periods."""
    return {e: list(trend_periods(e))[1:] for e in config["experiments"]}


# The CMIP6DL study (workflow/rules/cmip6dl.smk)
YNET = TRAIN["ynet"]
DL_PRODUCT = "CMIP6DL"


def ynet_params():
    """Everything that changes the YNet's result (so a change reruns exactly it)."""
    keys = (
        "seed",
        "device",
        "bf16",
        "channels_last",
        "guard",
        "guard_min_spatial_std_ratio",
    )
    return {**{k: TRAIN[k] for k in keys}, "ynet": YNET}


def dl_product_files():
    """The YNet product of every experiment, by experiment."""
    return {e: f"{RESULTS}/product/{DL_PRODUCT}_{e}.nc" for e in config["experiments"]}


def cmip6dl_targets():
    """The CMIP6DL study's products, Table 2, Figs. 3-8 and the YNet's test metrics."""
    figures = f"{RESULTS}/figures"
    return [
        f"{RESULTS}/training/ynet/test_metrics.json",
        *expand(
            f"{RESULTS}/product/{{name}}_{{experiment}}.nc",
            name=[DL_PRODUCT, "ensemble_mean"],
            experiment=config["experiments"],
        ),
        f"{RESULTS}/evaluation/table2_skill.csv",
        f"{figures}/fig02_loss_curves.png",
        f"{figures}/fig03_mae_maps.png",
        f"{figures}/fig04_point_series.png",
        f"{figures}/fig05_taylor.png",
        f"{figures}/fig06_ssmi_annual_trend_maps.png",
        f"{figures}/fig07_ssmi_seasonal_trend_maps.png",
        f"{figures}/fig08_portrait.png",
    ]
