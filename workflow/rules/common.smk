# Shared paths and input functions. Parameters that change a result reach rules as params.
import glob
from pathlib import Path

from smdown.catalog import EXPERIMENTS, MODELS
from smdown.synthetic import amsmqtp_filenames, cmip6_filenames

RUN = config["run"]
RESULTS = f"results/{RUN}"
PREP = f"{RESULTS}/prepared"
LOGS = f"{RESULTS}/logs"
BENCH = f"{RESULTS}/benchmarks"
SRC = config["sources"]
SYN = config["synthetic"]


wildcard_constraints:
    model="|".join(m.replace("-", r"\-") for m in config["models"]),
    experiment="|".join(config["experiments"]),


def _local_files(folder, pattern, what):
    files = sorted(glob.glob(str(Path(folder) / pattern)))
    if not files:
        raise WorkflowError(
            f"{what}: no files match {Path(folder) / pattern}; place them there "
            "or choose another provider in the config"
        )
    return files


def cmip6_inputs(wildcards):
    """The CMOR files of one (model, experiment)."""
    folder = SRC["cmip6"]["path"]
    if SRC["cmip6"]["provider"] == "synthetic":
        return [
            f"{folder}/{n}"
            for n in cmip6_filenames(wildcards.model, wildcards.experiment)
        ]
    member = MODELS[wildcards.model].member
    pattern = f"mrsos_Lmon_{wildcards.model}_{wildcards.experiment}_{member}_*.nc"
    return _local_files(
        folder, pattern, f"CMIP6 {wildcards.model} {wildcards.experiment}"
    )


def era5land_inputs(wildcards=None):
    """One file per configured year chunk (one CDS request each)."""
    src = SRC["era5land"]
    if src["provider"] == "local":
        return _local_files(src["path"], "*.nc", "ERA5-Land")
    return [f"{src['path']}/era5land_{a}-{b}.nc" for a, b in src["chunks"]]


def amsmqtp_inputs(wildcards=None):
    src = SRC["amsmqtp"]
    if src["provider"] == "synthetic":
        names = amsmqtp_filenames(src["first_year"], src["last_year"])
        return [f"{src['path']}/{n}" for n in names]
    return _local_files(src["path"], src["pattern"], "AMSMQTP")


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
        f"{PREP}/amsmqtp.nc",
        f"{PREP}/regions.nc",
    ]


def all_synthetic():
    """The demo's truth and its station sources (read by the in-situ stage once it lands)."""
    targets = []
    if SRC["cmip6"]["provider"] == "synthetic":
        targets += expand(
            f"{SYN['truth_path']}/truth_{{experiment}}.nc",
            experiment=config["experiments"],
        )
    targets += [
        SRC[s]["path"] for s in ("ismn", "cma") if SRC[s]["provider"] == "synthetic"
    ]
    return targets


def regrid_params():
    return dict(config["regrid"])
