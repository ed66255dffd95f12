# Every path the rules share, defined once. Wildcards stay in braces: a rule's output keeps
# them, an input fills them from the job's own, `expand` or `.format` from given values.

RESULTS = f"results/{config['run']}"
PREP = f"{RESULTS}/prepared"
INSITU = f"{RESULTS}/insitu"
TRAINED = f"{RESULTS}/training"
PRODUCTS = f"{RESULTS}/product"
EVAL = f"{RESULTS}/evaluation"
TRENDS = f"{RESULTS}/trends"
FIGS = f"{RESULTS}/figures"
LOGS = f"{RESULTS}/logs"
BENCH = f"{RESULTS}/benchmarks"
QC_PARTS = f"{RESULTS}/qc/parts"
GEOPOTENTIAL = f"{config['sources']['era5land']['path']}/{config['sources']['era5land']['geopotential']}"

# the manifests of the user's registration-only sources, and the sources' QC table
INGESTED = f"{RESULTS}/ingest/{{source}}.manifest.json"
QC_TABLE = f"{RESULTS}/qc/sources.csv"
# the analysis-ready inputs on the target (or the study's input) grid
PREPARED_CMIP6 = f"{PREP}/cmip6/{{experiment}}/{{model}}.nc"
PREPARED_ERA5LAND = f"{PREP}/era5land.nc"
PREPARED_AMSMQTP = f"{PREP}/amsmqtp.nc"
PREPARED_REGIONS = f"{PREP}/regions.nc"
# stations and the in-situ grids (TRSR)
STATION_TABLE = f"{INSITU}/stations.parquet"
INSITU_GRIDS = f"{INSITU}/{{split}}/insitu_grids.nc"
# the networks
PRETRAIN_DIR = f"{TRAINED}/pretrain"
PRETRAINED = f"{PRETRAIN_DIR}/generator.pt"
FOLD_DIR = f"{TRAINED}/finetune/fold{{fold}}"
FOLD_WEIGHTS = f"{FOLD_DIR}/generator.pt"
YNET_DIR = f"{TRAINED}/ynet"
# the products, one file per (product, experiment)
UNET_PRODUCT = "CMIP6_UNet-Gan"
DL_PRODUCT = "CMIP6DL"
PRODUCT_FILE = f"{PRODUCTS}/{{name}}_{{experiment}}.nc"
OUT_OF_FOLD = f"{EVAL}/out_of_fold.nc"


def product_file(name, experiment="{experiment}"):
    """The product `name` of one experiment (by default the job's `experiment` wildcard)."""
    return PRODUCT_FILE.format(name=name, experiment=experiment)


def fold_weights():
    """The fine-tuned generator of every fold."""
    return expand(FOLD_WEIGHTS, fold=range(TRAIN["finetune"]["n_folds"]))
