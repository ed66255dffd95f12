"""Time and memory of building the in-situ grids S and P at the paper's size.

Grid 71 x 151 (0.1 degree), the TRSR mask (union of the shared basin masks, 3128 cells; all
10721 cells when they are absent or with --all-cells), 180 months (2000-2014), 5 layers, the
default ForestOptions with n_jobs=2, and a synthetic station table the size of the paper's:
94 ISMN stations (three clustered networks, records within 2008-05..2014-12, no frozen
December-February months, gaps, 2-5 layers each) and 93 CMA stations spread over the box whose
records (2015-2018) fall outside the fine-tuning period and so add no sample.
Then the fold-aware grids: five pairs, each fitted without one fold's test years.
Usage: python benchmarks/insitu.py [--all-cells]
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from smdown.grid.masks import read_mask_netcdf
from smdown.insitu.forest import (
    ForestOptions,
    fit_classifier,
    fit_regressor,
    grids_dataset,
    insitu_grids,
    predict_grids,
)
from smdown.synthetic.truth import TruthWorld, target_grid
from smdown.training.folds import fold_test_months

# the study authors' TRSR basin masks where present (SMDOWN_TRSR_MASKS: their folder)
MASKS = Path(
    os.environ.get(
        "SMDOWN_TRSR_MASKS", Path(__file__).resolve().parents[1] / ".cache" / "trsr_masks"
    )
)
BASINS = ("yangtze", "yellow", "lancang")
MONTHS = np.arange("2000-01", "2015-01", dtype="datetime64[M]")
ISMN_MONTHS = np.arange("2008-05", "2015-01", dtype="datetime64[M]")
# network: (stations, lat range, lon range), after the TRSR's ISMN networks (94 stations)
ISMN = {
    "CTP_SMTMN": (57, (31.0, 32.5), (91.0, 92.5)),
    "MAQU": (27, (33.5, 34.0), (101.5, 102.5)),
    "NAQU": (10, (31.3, 31.5), (91.8, 92.0)),
}
TARGET_SECONDS, TARGET_GIB = 300, 4.0


def region_mask(grid, all_cells: bool) -> tuple[np.ndarray, str]:
    """The TRSR union from the shared masks, else every cell of the grid."""
    paths = [MASKS / f"{b}_0.1.nc" for b in BASINS]
    if all_cells or not all(p.exists() for p in paths):
        return np.ones(grid.shape, dtype=bool), "all cells of the box"
    return np.logical_or.reduce([read_mask_netcdf(p, grid) for p in paths]), "TRSR union"


def station_rows(
    world: TruthWorld, network: str, name: str, lat: float, lon: float, rng: np.random.Generator
) -> pd.DataFrame:
    """One ISMN station's monthly means: a random span, gaps, no winter, 2-5 layers."""
    length = rng.integers(12, ISMN_MONTHS.size + 1)
    start = rng.integers(0, ISMN_MONTHS.size - length + 1)
    months = ISMN_MONTHS[start : start + length]
    months = months[((months.astype(int) % 12) + 1 >= 3) & ((months.astype(int) % 12) + 1 <= 11)]
    months = months[rng.random(months.size) < 0.7]
    layers = np.sort(rng.choice(5, size=rng.integers(2, 6), replace=False))
    sm = world.field([lat], [lon], months, layers, experiment="historical")[:, :, 0, 0]
    sm = sm + rng.normal(0.0, 0.01, sm.shape)
    return pd.DataFrame(
        {
            "station": name,
            "network": network,
            "lat": lat,
            "lon": lon,
            "layer": np.tile(layers + 1, months.size),
            "month": np.repeat(months, layers.size),
            "sm": sm.ravel(),
            "n_days": 28,
        }
    )


def station_table(world: TruthWorld, seed: int = 1) -> pd.DataFrame:
    """The synthetic ISMN part of the paper's station table (CMA adds nothing in 2000-2014)."""
    rng = np.random.default_rng(seed)
    parts = [
        station_rows(
            world, network, f"{network}-{i:02d}", rng.uniform(*lat), rng.uniform(*lon), rng
        )
        for network, (n, lat, lon) in ISMN.items()
        for i in range(n)
    ]
    table = pd.concat(parts, ignore_index=True)
    table["month"] = table["month"].astype("datetime64[ns]")
    return table


def main() -> None:
    grid = target_grid()
    mask, mask_name = region_mask(grid, "--all-cells" in sys.argv[1:])
    table = station_table(TruthWorld(seed=20241122))
    options = ForestOptions(n_jobs=2)
    start = time.perf_counter()  # the steps of insitu_grids, timed one by one
    regressor = fit_regressor(table, options)
    classifier = fit_classifier(table, mask, grid, MONTHS, options)
    fitted = time.perf_counter()
    sm, prob = predict_grids(regressor, classifier, grid, mask, MONTHS, options.n_jobs)
    predicted_at = time.perf_counter()
    ds = grids_dataset(sm, prob, grid, MONTHS, options, table)
    total = time.perf_counter() - start
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux
    cells = int(mask.sum())
    predicted = MONTHS.size * 5 * cells
    print(
        f"station samples (station, month, layer): {len(table)} "
        f"from {table['station'].nunique()} stations"
    )
    print(f"cells: {cells} ({mask_name}); months: {MONTHS.size}; layers: 5")
    print(f"predicted values: {predicted} x 2 (S and P)")
    print(f"options: {options}")
    print(f"fit (regressor + classifier):    {fitted - start:7.1f} s")
    print(f"predict (S and P):               {predicted_at - fitted:7.1f} s")
    print(f"total (fit + predict + dataset): {total:7.1f} s  (target < {TARGET_SECONDS} s)")
    print(f"peak memory (max RSS, whole process): {peak_gib:5.2f} GiB  (target < {TARGET_GIB} GiB)")
    print(
        f"S range {float(ds.insitu_sm.min()):.3f}..{float(ds.insitu_sm.max()):.3f}; "
        f"P mean {float(ds.insitu_prob.mean()):.3f}"
    )
    per_fold(table, grid, mask, options)


def per_fold(table: pd.DataFrame, grid, mask: np.ndarray, options: ForestOptions) -> None:
    """The fold-aware grids (training.finetune.insitu_grids: per_fold): five S and P pairs over
    2000-2014, each without its fold's test years, one after another as five jobs would."""
    start = time.perf_counter()
    for fold in range(5):
        held = fold_test_months((2000, 2014), 5, "year_blocked", 0, fold)
        ds = insitu_grids(table, grid, mask, MONTHS, options, held_out=held)
        print(
            f"  fold {fold}: {ds.attrs['station_samples']} station samples outside "
            f"{held[0]}..{held[-1]}"
        )
    total = time.perf_counter() - start
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(
        f"per-fold grids, 5 folds: {total:7.1f} s in all ({total / 5:.1f} s a fold; target "
        f"< {TARGET_SECONDS} s), peak memory {peak_gib:5.2f} GiB (target < {TARGET_GIB} GiB)"
    )


if __name__ == "__main__":
    main()
