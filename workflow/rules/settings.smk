# What the config says, as the rules read it: short names for its sections, the wildcards'
# allowed values, and the study's own checks (run once, before any job).
from smdown.catalog import model_entries, model_specs
from smdown.configuration import (
    NO_STATIONS,
    reference_layers,
    reference_name,
    station_sources,
)

RUN = config["run"]
STUDY = config["study"]
SRC = config["sources"]
SYN = config["synthetic"]
TRAIN = config["training"]
YNET = TRAIN["ynet"]
PRODUCT_CFG = config["product"]
TREND_CFG = config["trends"]
SSPS = [e for e in config["experiments"] if e != "historical"]
# The fine-tuning reference (sources.amsmqtp): its name and its layers' depth bounds (m), which
# the product, the stations' layers and the per-layer figures follow.
REFERENCE_NAME = reference_name(config)
REFERENCE_LAYERS = [list(b) for b in reference_layers(config)]
# The models as smdown.catalog.Model by name (catalog entries, overridden or added by the
# config's mappings); config["models"] holds their names. MODEL_SPEC_PARAMS is the params entry
# of the rules that need a model's member, grid label or grid: empty for a config of catalog
# names only, so its jobs' params stay what they were.
MODEL_SPECS = model_specs(model_entries(config))
MODEL_SPEC_PARAMS = (
    {"model_specs": config["model_specs"]} if "model_specs" in config else {}
)

# The station sources the run reads (ISMN when networks are named, CMA unless none); without
# any, no station rule runs and fine-tuning has no in-situ loss, its log saying why.
STATION_SOURCES = station_sources(config)
INSITU_LOSS = bool(STATION_SOURCES) and TRAIN["loss_weights"]["a3"] > 0
NO_STATIONS_PARAMS = {} if STATION_SOURCES else {"insitu_off": NO_STATIONS}


wildcard_constraints:
    model="|".join(m.replace("-", r"\-") for m in config["models"]),
    experiment="|".join(config["experiments"]),
    fold=r"\d+",
    layer=r"\d+",
    split=r"all|fold\d+",


def check_training_config():
    """Refuse, before anything runs, a perceptual loss without a VGG weights source (the study's
    network and input grid are checked with the config: smdown.configuration.REQUIRED).
    """
    if (
        TRAIN["model"] == "unet_gan"
        and TRAIN["loss_weights"]["b2"] > 0
        and config["vgg"]["provider"] == "none"
    ):
        raise WorkflowError(
            "training.loss_weights.b2 is not 0 (VGG perceptual loss) but vgg.provider is "
            "none: set vgg.provider to url or local, or b2 to 0"
        )
