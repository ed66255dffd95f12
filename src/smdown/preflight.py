"""What a config needs before any job runs: credentials, licences, user-supplied data, periods.

A dry run of the paper config otherwise gives a green light with no credentials and none of the
registration-only data present. `preflight` walks the configured sources and lists each missing
thing with where to get it, and checks what local files say against the config (an ERA5-Land
file that ends before `last_year`). Items that cannot be checked offline (a licence accepted on a
website) are listed as reminders, never as failures.
"""

from __future__ import annotations

import glob
import importlib.util
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import netCDF4
import numpy as np

from smdown.catalog import ModelEntry, model_entries, model_spec
from smdown.errors import InputError
from smdown.io import file_kind
from smdown.sources import cds
from smdown.sources.calendar import decode_times, month_range
from smdown.sources.cmip6_files import find_cmor_files
from smdown.sources.ingest import WHERE

CDS_LICENCES = {
    "cmip6": f"https://cds.climate.copernicus.eu/datasets/{cds.CMIP6_DATASET}?tab=download",
    "era5land": f"https://cds.climate.copernicus.eu/datasets/{cds.ERA5LAND_DATASET}?tab=download",
}
OUTLINE_HELP = (
    "the region outline is the user's to supply (the workflow downloads none): a "
    "GeoJSON with one feature per region, its 'name' property as in regions.names"
)


@dataclass(frozen=True)
class Need:
    """One thing the config needs: `missing` ones stop the run, reminders cannot be checked."""

    what: str
    where: str
    how: str
    missing: bool = True

    def line(self) -> str:
        """The item as one line of the preflight list."""
        mark = "MISSING" if self.missing else "check"
        return f"[{mark}] {self.what}: {self.where}. {self.how}"


def preflight(
    config: Mapping[str, Any], env: Mapping[str, str] | None = None, home: Path | None = None
) -> list[Need]:
    """Everything the config needs that is not there (and the reminders), in source order."""
    src = config["sources"]
    needs: list[Need] = []
    if "cds" in (src["cmip6"]["provider"], src["era5land"]["provider"]):
        needs += _cds(src, env, home)
    if src["cmip6"]["provider"] == "esgf" and importlib.util.find_spec("intake_esgf") is None:
        needs.append(
            Need(
                "the intake-esgf package",
                "not importable",
                "install it (pip install intake-esgf) or choose provider cds",
            )
        )
    if src["cmip6"]["provider"] == "local":
        needs += _local_cmip6(src["cmip6"]["path"], model_entries(config), config["experiments"])
    if src["era5land"]["provider"] == "local":
        needs += _local_era5land(src["era5land"], config["study"])
    if config["study"] == "trsr":
        needs += _registration_only(src)
    needs += _regions(config["regions"])
    needs += _vgg(config["vgg"])
    return needs


def _cds(src: Mapping[str, Any], env: Mapping[str, str] | None, home: Path | None) -> list[Need]:
    needs = []
    if not cds.credentials_available(env, home):
        needs.append(
            Need(
                "CDS credentials",
                "no ~/.cdsapirc and no CDSAPI_URL/CDSAPI_KEY",
                cds.CREDENTIALS_HELP.split(": ", 1)[1],
            )
        )
    for source, url in CDS_LICENCES.items():
        if src[source]["provider"] == "cds":
            needs.append(
                Need(
                    f"the CDS licence of {source}",
                    url,
                    "accept it once with your CDS account, or every request fails",
                    missing=False,
                )
            )
    return needs


def _local_cmip6(
    folder: str, models: Sequence[ModelEntry], experiments: Sequence[str]
) -> list[Need]:
    needs = []
    for entry in models:
        model = model_spec(entry).name
        for experiment in experiments:
            try:
                find_cmor_files(folder, model, experiment, model_spec(entry).member)
            except InputError as exc:
                needs.append(
                    Need(
                        f"CMIP6 {model} {experiment}",
                        exc.source,
                        exc.problem + (f" (expected {exc.expected})" if exc.expected else ""),
                    )
                )
    return needs


def _local_era5land(src: Mapping[str, Any], study: str) -> list[Need]:
    folder = Path(src["path"])
    needs = []
    if study == "trsr" and not (folder / src["geopotential"]).is_file():
        needs.append(
            Need(
                "ERA5-Land geopotential (Fig. 1's elevation)",
                f"no {src['geopotential']} in {folder}",
                "place ERA5-Land's invariant geopotential z (m2 s-2) there, or choose provider cds",
            )
        )
    files = [
        f for f in sorted(glob.glob(str(folder / "*.nc"))) if Path(f).name != src["geopotential"]
    ]
    if not files:
        return [
            *needs,
            Need(
                "ERA5-Land files",
                f"no *.nc in {src['path']}",
                "place the monthly-means files there or choose provider cds",
            ),
        ]
    months = np.concatenate([_months(Path(f)) for f in files])
    wanted = month_range(src["first_year"], src["last_year"]).astype("datetime64[M]")
    absent = np.setdiff1d(wanted, months)
    if not absent.size:
        return needs
    return [
        *needs,
        Need(
            "ERA5-Land months",
            f"{absent.size} months of {src['first_year']}-"
            f"{src['last_year']} are in none of the files in {src['path']} (first "
            f"{absent[0]}, last {absent[-1]})",
            "add the missing years, or set sources.era5land.first_year/last_year to what "
            "the files hold",
        ),
    ]


def _months(path: Path) -> np.ndarray:
    """The months a NetCDF file's time axis covers (none for a zip: read when prepared)."""
    if file_kind(path) != "netcdf":
        return np.array([], dtype="datetime64[M]")
    with netCDF4.Dataset(path) as ds:
        name = "valid_time" if "valid_time" in ds.variables else "time"
        if name not in ds.variables:
            return np.array([], dtype="datetime64[M]")
        t = ds.variables[name]
        times = decode_times(
            t[:].data, getattr(t, "units", None), getattr(t, "calendar", None), path
        )
    return np.array([f"{d.year:04d}-{d.month:02d}" for d in times], dtype="datetime64[M]")


def _registration_only(src: Mapping[str, Any]) -> list[Need]:
    needs = []
    amsmqtp = src["amsmqtp"]
    if amsmqtp["provider"] == "local" and not glob.glob(
        str(Path(amsmqtp["path"]) / amsmqtp["pattern"])
    ):
        needs.append(
            Need("AMSMQTP", f"no {amsmqtp['pattern']} in {amsmqtp['path']}", WHERE["amsmqtp"])
        )
    ismn = src["ismn"]
    if ismn["provider"] == "local":
        absent = [n for n in ismn["networks"] if not (Path(ismn["path"]) / n).is_dir()]
        if absent:
            needs.append(
                Need("ISMN archive", f"networks {absent} not in {ismn['path']}", WHERE["ismn"])
            )
    cma = src["cma"]
    if cma["provider"] == "local" and not Path(cma["path"]).is_file():
        needs.append(Need("CMA station CSV", f"{cma['path']} not found", WHERE["cma"]))
    return needs


def _regions(regions: Mapping[str, Any]) -> list[Need]:
    if regions["provider"] != "local":
        return []
    if regions["format"] == "geojson":
        paths = [regions["geojson"]]
    else:
        paths = list(regions["netcdf"].values())
    return [
        Need("region outline", f"{path} not found", OUTLINE_HELP)
        for path in paths
        if not Path(path).is_file()
    ]


def _vgg(vgg: Mapping[str, Any]) -> list[Need]:
    if vgg["provider"] == "local" and not (vgg["local_path"] and Path(vgg["local_path"]).is_file()):
        return [
            Need(
                "VGG16 weights",
                f"vgg.local_path {vgg['local_path']!r} not found",
                "point it at torchvision's vgg16-397923af.pth or choose provider url",
            )
        ]
    return []


def report(needs: Sequence[Need]) -> str:
    """The preflight list as text: a headline, then one line per item."""
    missing = sum(need.missing for need in needs)
    head = (
        f"preflight: {missing} thing(s) missing before this config can run"
        if missing
        else "preflight: nothing missing"
    )
    return "\n".join([head, *(f"  {need.line()}" for need in needs)])


def check(config: Mapping[str, Any]) -> None:
    """Raise InputError listing what is missing (the workflow's `check` target)."""
    needs = preflight(config)
    if any(need.missing for need in needs):
        raise InputError("config", report(needs))
