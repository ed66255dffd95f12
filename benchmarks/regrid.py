"""Prepare all 17 models x 5 experiments of the demo, ours against CDO `remapcon`, in one run.

Ours = read the CMOR files, relabel the calendar, convert kg m-2 -> m3 m-3, conservative
regridding with exact bounds-aware weights, write NetCDF. CDO = `cdo remapcon` on the same
files (regridding and writing only). Prints both times, their ratio and the largest difference.
Usage: python benchmarks/regrid.py [CMIP6_FOLDER]   (default: write the demo files to a temp dir)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import xarray as xr
import yaml

from smdown.catalog import EXPERIMENTS
from smdown.geometry import cdo_griddes
from smdown.io import compressed_encoding, write_netcdf
from smdown.prepare import prepare_cmip6, target_grid
from smdown.synthetic import TruthWorld, cmip6_filenames, write_cmip6

GRID = {"lat_min": 31.0, "lat_max": 38.0, "lon_min": 89.0, "lon_max": 104.0, "resolution": 0.1}
# the TRSR demo's 17 models (the catalog also holds the CMIP6DL study's further eight)
MODELS = yaml.safe_load((Path(__file__).resolve().parents[1] / "config/demo.yaml").read_text())[
    "models"
]


def demo_files(folder: Path) -> None:
    """Write the demo's CMIP6 files (all models, all experiments) unless already there."""
    world = TruthWorld(seed=20241122)
    for exp in EXPERIMENTS:
        for model in MODELS:
            if not all((folder / n).exists() for n in cmip6_filenames(model, exp)):
                write_cmip6(world, model, exp, folder)


def run_ours(src: Path, out: Path) -> float:
    dst = target_grid(GRID)
    start = time.perf_counter()
    for exp in EXPERIMENTS:
        for model in MODELS:
            paths = [src / n for n in cmip6_filenames(model, exp)]
            ds = prepare_cmip6(paths, model, exp, dst)
            write_netcdf(ds, out / f"{model}_{exp}.nc", encoding=compressed_encoding(ds))
    return time.perf_counter() - start


def run_cdo(src: Path, out: Path) -> float:
    gridfile = out / "target.txt"
    gridfile.write_text(cdo_griddes(target_grid(GRID)))
    start = time.perf_counter()
    for exp in EXPERIMENTS:
        for model in MODELS:
            for name in cmip6_filenames(model, exp):
                subprocess.run(
                    [
                        "cdo",
                        "-s",
                        "-f",
                        "nc4",
                        "-z",
                        "zip_4",
                        f"remapcon,{gridfile}",
                        str(src / name),
                        str(out / name),
                    ],
                    check=True,
                )
    return time.perf_counter() - start


def max_difference(ours: Path, cdo: Path) -> float:
    """Largest |ours - CDO/100| over all prepared files (CDO keeps kg m-2)."""
    worst = 0.0
    for exp, _e in EXPERIMENTS.items():
        for model in MODELS:
            mine = xr.open_dataset(ours / f"{model}_{exp}.nc")["mrsos"].values
            theirs = (
                xr.concat(
                    [
                        xr.open_dataset(cdo / n, decode_times=False)["mrsos"]
                        for n in cmip6_filenames(model, exp)
                    ],
                    dim="time",
                ).values
                / 100.0
            )
            # CDO keeps every month of the files; ours keeps the study's years only.
            worst = max(worst, float(np.nanmax(np.abs(mine - theirs[-mine.shape[0] :]))))
    return worst


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        src = Path(sys.argv[1]) if len(sys.argv) > 1 else tmp / "cmip6"
        src.mkdir(parents=True, exist_ok=True)
        demo_files(src)
        (tmp / "ours").mkdir()
        (tmp / "cdo").mkdir()
        jobs = len(MODELS) * len(EXPERIMENTS)
        t_ours = run_ours(src, tmp / "ours")
        t_cdo = run_cdo(src, tmp / "cdo")
        diff = max_difference(tmp / "ours", tmp / "cdo")
        print(f"{jobs} (model, experiment) pairs, {sum(1 for _ in src.glob('*.nc'))} files")
        print(f"ours (read, calendar, units, regrid, write): {t_ours:7.2f} s")
        print(f"CDO remapcon (regrid, write):                {t_cdo:7.2f} s")
        print(f"ratio ours / CDO:                            {t_ours / t_cdo:7.2f}")
        print(f"largest |ours - CDO| over all files:         {diff:.2e} m3 m-3")


if __name__ == "__main__":
    main()
