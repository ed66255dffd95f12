"""Mann-Kendall + Sen's slope on the paper's trend workload, ours against a pymannkendall loop.

Workload: 71 x 151 pixels x 5 layers x 5 seasons x 5 scenarios = 1,340,125 series of 86 years
(2015-2100), seeded synthetic float32 soil moisture with a trend, noise and ties (rounded to
0.001 m3 m-3). Ours = `smdown.stats.mann_kendall` on all of it at once, after a small warm-up
call that compiles the numba kernel (timed separately, with a fresh numba cache). pymannkendall =
`original_test` in a loop, the authors' way, over a random sample of the series; its total is
extrapolated per series (the full loop takes hours). Checks the sample bit for bit.
Usage: python benchmarks/trends.py [SAMPLE_SIZE]   (default 2000)
"""

from __future__ import annotations

import importlib
import sys
import tempfile
import time

import numba
import numpy as np
import pymannkendall as mk

SHAPE = (5, 5, 5, 71, 151)  # scenario, season, layer, lat, lon
YEARS = 86
FIELDS = ("trend", "h", "p", "z", "Tau", "s", "var_s", "slope", "intercept")


def workload(seed: int = 20241122) -> np.ndarray:
    """Series (scenario, season, layer, lat, lon, year) in m3 m-3: trend + noise, with ties."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((*SHAPE, YEARS), dtype=np.float32)
    x *= rng.uniform(0.005, 0.03, (*SHAPE, 1)).astype(np.float32)
    x += rng.uniform(0.1, 0.4, (*SHAPE, 1)).astype(np.float32)
    x += rng.normal(0, 2e-4, (*SHAPE, 1)).astype(np.float32) * np.arange(YEARS, dtype=np.float32)
    return np.round(x, 3)


def same(ours, ref) -> bool:
    """Equal strings/bools, identical float64 bits, or NaN on both sides."""
    if isinstance(ref, str | bool | np.bool_):
        return bool(ours == ref)
    a, b = np.float64(ours), np.float64(ref)
    return bool(np.isnan(a) and np.isnan(b)) or a.tobytes() == b.tobytes()


def time_pymannkendall(rows: np.ndarray, picks: np.ndarray) -> tuple[float, list]:
    """Seconds and results of original_test over the picked series."""
    start = time.perf_counter()
    results = [mk.original_test(rows[i]) for i in picks]
    return time.perf_counter() - start, results


def main() -> None:
    sample = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as cache:
        numba.config.CACHE_DIR = cache  # a fresh cache, so the warm-up really compiles
        mann_kendall = importlib.import_module("smdown.stats.mann_kendall").mann_kendall
        x = workload()
        start = time.perf_counter()
        mann_kendall(x[0, 0, 0, :2, :3])
        t_compile = time.perf_counter() - start
        start = time.perf_counter()
        res = mann_kendall(x)
        t_ours = time.perf_counter() - start
    rows = x.reshape(-1, YEARS)
    picks = np.random.default_rng(1).choice(len(rows), sample, replace=False)
    t_mk, refs = time_pymannkendall(rows, picks)
    flat = {f: getattr(res, f).reshape(-1) for f in FIELDS}
    identical = all(
        same(flat[f][i], getattr(r, f)) for i, r in zip(picks, refs, strict=True) for f in FIELDS
    )
    per_series = t_mk / sample
    projected = per_series * len(rows)
    print(f"series: {len(rows):,} ({' x '.join(map(str, SHAPE))}) of {YEARS} float32 values")
    print(
        f"threads: {numba.get_num_threads()} (numba {numba.__version__}, "
        f"layer {numba.threading_layer()})"
    )
    print(f"numba compile (warm-up call, fresh cache): {t_compile:8.2f} s")
    print(f"ours, all series:                          {t_ours:8.2f} s")
    print(
        f"pymannkendall loop, {sample} sampled series: {t_mk:8.2f} s "
        f"= {1e3 * per_series:.3f} ms/series"
    )
    print(
        f"pymannkendall projected for all series:    {projected:8.0f} s "
        f"({projected / 3600:.2f} h; extrapolated from the sample, not run)"
    )
    print(f"sampled series identical in all {len(FIELDS)} fields: {identical}")
    print(f"ratio projected pymannkendall / ours:      {projected / t_ours:8.1f}x (target >= 100)")
    if not identical:
        sys.exit(1)


if __name__ == "__main__":
    main()
