# Input functions (which files a job reads, by provider) and the params that change a result.
import glob
from pathlib import Path

from smdown.catalog import ERA5LAND_LAYERS
from smdown.errors import InputError
from smdown.sources.cmip6_files import find_cmor_files
from smdown.synthetic import amsmqtp_filenames, cmip6_filenames
from smdown.training.folds import fold_test_months


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
            for n in cmip6_filenames(MODEL_SPECS[wildcards.model], wildcards.experiment)
        ]
    member = MODEL_SPECS[wildcards.model].member
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
    """The fine-tuning reference's files: synthetic, the manifest of the user's ingested ones,
    or the prepared ERA5-Land file (provider era5land)."""
    src = SRC["amsmqtp"]
    if src["provider"] == "era5land":
        return [PREPARED_ERA5LAND]
    if src["provider"] == "synthetic":
        names = amsmqtp_filenames(src["first_year"], src["last_year"])
        return [f"{src['path']}/{n}" for n in names]
    return [INGESTED.format(source="amsmqtp")]


def ingest_inputs(source):
    """The user's files of a registration-only source, as far as they exist now."""
    src = SRC[source]
    if source == "amsmqtp":
        return existing_files(src["path"], src["pattern"])
    if source == "ismn":
        return existing_files(src["path"], "**/*.stm")
    return existing_files(Path(src["path"]).parent, Path(src["path"]).name)


def station_inputs():
    """The configured station sources (synthetic files) or their ingest manifests (local)."""
    return {
        s: (
            SRC[s]["path"]
            if SRC[s]["provider"] == "synthetic"
            else INGESTED.format(source=s)
        )
        for s in STATION_SOURCES
    }


def region_inputs(wildcards=None):
    """The region outlines as configured: one GeoJSON, or one mask NetCDF per region."""
    reg = config["regions"]
    if reg["format"] == "geojson":
        return [reg["geojson"]]
    return list(reg["netcdf"].values())


def qc_parts():
    """The QC tables of the configured study's sources, one per preparing job."""
    parts = expand(
        f"{QC_PARTS}/cmip6/{{experiment}}/{{model}}.csv",
        experiment=config["experiments"],
        model=config["models"],
    )
    parts.append(f"{QC_PARTS}/era5land.csv")
    if STUDY == "trsr":
        parts.append(f"{QC_PARTS}/amsmqtp.csv")
    if STATION_SOURCES:
        parts.append(f"{QC_PARTS}/stations.csv")
    return parts


def input_grid():
    """The grid the models are regridded onto: the study's input grid, else the target grid."""
    return config["input_grid"] or config["grid"]


def product_layers():
    """Depth bounds (m) of the product's layers: the fine-tuning reference's (AMSMQTP's five in
    the paper), or the YNet's ERA5-Land layer."""
    if STUDY == "trsr":
        return REFERENCE_LAYERS
    return [list(ERA5LAND_LAYERS[YNET["target_layer"] - 1])]


def regrid_params():
    return dict(config["regrid"])


def model_inputs(experiment):
    """The prepared model files of one experiment, named model_<model>, and the regions."""
    inputs = {
        f"model_{m}": PREPARED_CMIP6.format(experiment=experiment, model=m)
        for m in config["models"]
    }
    inputs["regions"] = PREPARED_REGIONS
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
    if not INSITU_LOSS:
        return []
    splits = sorted({insitu_split(k) for k in range(TRAIN["finetune"]["n_folds"])})
    return [INSITU_GRIDS.format(split=split) for split in splits]


def insitu_grids_input(wildcards):
    """The random-forest grids S and P of a finetune job, when it has the in-situ loss (its
    weight not 0, and stations)."""
    if not INSITU_LOSS:
        return []
    return INSITU_GRIDS.format(split=insitu_split(wildcards.fold))


def training_params(stage):
    """Everything that changes the result of a `stage` job (so a change reruns exactly it);
    fine-tuning without stations has the in-situ weight a3 at 0."""
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
    params = {**{k: TRAIN[k] for k in keys}, stage: TRAIN[stage]}
    if stage == "finetune" and not STATION_SOURCES:
        params["loss_weights"] = {**TRAIN["loss_weights"], "a3": 0.0}
    return params


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
    return {e: product_file(DL_PRODUCT, e) for e in config["experiments"]}


def trend_periods(experiment):
    """The periods analysed for an experiment (name -> [first, last])."""
    if experiment == "historical":
        return TREND_CFG["historical_periods"]
    return TREND_CFG["ssp_periods"]


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
