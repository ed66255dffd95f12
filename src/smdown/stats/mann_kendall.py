"""Mann-Kendall original test and Sen's slope (paper eq. 11-14) for many series at once.

Every field equals `pymannkendall.original_test` to the last bit, so the trend maps match what
the authors computed with a pixel loop, but all pixels, layers, seasons and scenarios run in one
parallel numba kernel (the O(n^2) part) plus vectorised numpy/scipy for the rest.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba
import numpy as np
import xarray as xr
from scipy.stats import norm

BLOCK = 64  # series per parallel work item: one set of scratch buffers per block
SAMPLE = 64  # sample size that brackets the median of many pairwise slopes
SPREAD = 5  # sample ranks kept either side of the median's expected sample rank


class MannKendall(NamedTuple):
    """Per-series results, named and ordered as `pymannkendall.original_test`'s fields."""

    trend: np.ndarray
    h: np.ndarray
    p: np.ndarray
    z: np.ndarray
    Tau: np.ndarray
    s: np.ndarray
    var_s: np.ndarray
    slope: np.ndarray
    intercept: np.ndarray


@numba.njit(cache=True, error_model="numpy")
def _compact(row, vals, pos) -> int:
    """Copy the non-NaN values of `row` (as float64) and their indices; return their count."""
    m = 0
    for i in range(row.shape[0]):
        v = np.float64(row[i])
        if not np.isnan(v):
            vals[m] = v
            pos[m] = i
            m += 1
    return m


@numba.njit(cache=True, error_model="numpy")
def _sorted_median(srt, m) -> float:
    """numpy's median of sorted values: the middle one, or the mean of the two middle ones.

    numpy averages them by an add-reduction that starts from +0.0, so a zero median is +0.0.
    """
    half = m // 2
    if m % 2 == 1:
        return 0.0 + srt[half]
    return (0.0 + srt[half - 1] + srt[half]) / 2.0


@numba.njit(cache=True, error_model="numpy")
def _drop_nan(out, c) -> int:
    """Move the non-NaN values of out[:c] to the front; return their count."""
    k = 0
    for i in range(c):
        if not np.isnan(out[i]):
            out[k] = out[i]
            k += 1
    return k


@numba.njit(cache=True, error_model="numpy")
def _pairs(vals, pos, m, out) -> tuple[float, float, int]:
    """S (eq. 11), the tie term of Var(S) (eq. 12) and the slopes in one pass over valid pairs.

    Slopes (x[j] - x[i]) / (j - i) go to `out`, NaN ones (from inf - inf) dropped.
    The tie term sum_t t(t-1)(2t+5) over groups of t equal values equals sum_i 6 g(g + 2), g the
    number of later values equal to x[i] (telescoping over g = t-1, ..., 0): no sort needed.
    """
    s = 0
    ties = 0
    c = 0
    for a in range(m - 1):
        va, pa = vals[a], pos[a]
        later_v, later_p, dst = vals[a + 1 : m], pos[a + 1 : m], out[c:]
        g = 0
        for k in range(m - a - 1):  # views indexed from 0, so numba's loop vectorises
            vb = later_v[k]
            s += (vb > va) - (vb < va)
            g += vb == va
            dst[k] = (vb - va) / (later_p[k] - pa)
        c += m - a - 1
        ties += 6 * g * (g + 2)
    if not np.isfinite(vals[:m]).all():  # inf - inf is NaN, which np.nanmedian skips
        c = _drop_nan(out, c)
    return float(s), float(ties), c


@numba.njit(cache=True, error_model="numpy")
def _select(a, k, n) -> float:
    """k-th smallest of a[:n] in place (Hoare quickselect); leaves a[:k] <= a[k] on return."""
    lo, hi = 0, n - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if a[mid] < a[lo]:
            a[mid], a[lo] = a[lo], a[mid]
        if a[hi] < a[lo]:
            a[hi], a[lo] = a[lo], a[hi]
        if a[hi] < a[mid]:
            a[hi], a[mid] = a[mid], a[hi]
        pivot = a[mid]
        i, j = lo, hi
        while i <= j:
            while a[i] < pivot:
                i += 1
            while pivot < a[j]:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            return a[k]
    return a[k]


@numba.njit(cache=True, error_model="numpy")
def _bracket(a, m, rank, smp) -> tuple[float, float]:
    """Values likely to enclose ranks `rank`, `rank + 1` of a[:m], from a sorted strided sample."""
    k = smp.shape[0]
    stride = m // k
    for i in range(k):
        smp[i] = a[i * stride]
    smp.sort()
    q = (rank * k) // m
    return smp[max(q - SPREAD, 0)], smp[min(q + 1 + SPREAD, k - 1)]


@numba.njit(cache=True, error_model="numpy")
def _count(a, m, lo, hi) -> tuple[int, int]:
    """How many of a[:m] lie below `lo`, and how many within [lo, hi]."""
    below = 0
    inside = 0
    for i in range(m):
        v = a[i]
        below += v < lo
        inside += (v >= lo) & (v <= hi)
    return below, inside


@numba.njit(cache=True, error_model="numpy")
def _keep(a, m, lo, hi) -> int:
    """Move the values of a[:m] within [lo, hi] to the front of `a`; return their count."""
    c = 0
    for i in range(m):
        v = a[i]
        a[c] = v
        c += (v >= lo) & (v <= hi)
    return c


@numba.njit(cache=True, error_model="numpy")
def _narrow(lo_r, hi_r, lo, hi, below, inside) -> tuple[float, float, int]:
    """The value range [lo, hi] holding both middle ranks after counting, and the ranks below it.

    Returns an empty range (lo > hi) when the two ranks fall in different parts.
    """
    if below > hi_r:
        return -np.inf, np.nextafter(lo, -np.inf), 0
    if below <= lo_r and hi_r < below + inside:
        return lo, hi, below
    if below + inside <= lo_r:
        return np.nextafter(hi, np.inf), np.inf, below + inside
    return np.inf, -np.inf, 0


@numba.njit(cache=True, error_model="numpy")
def _median(a, n, smp) -> float:
    """numpy's median of a[:n], as `_sorted_median` but by selection (reorders a).

    Long inputs are first narrowed to the part between two sample quantiles (or beyond them)
    that holds the middle ranks, as counted, so the result stays exact; quickselect finishes.
    """
    if n == 0:
        return np.nan
    hi_r = n // 2
    lo_r = hi_r if n % 2 else hi_r - 1
    m = n
    while m > 2 * smp.shape[0]:
        lo, hi = _bracket(a, m, lo_r, smp)
        below, inside = _count(a, m, lo, hi)
        lo, hi, skipped = _narrow(lo_r, hi_r, lo, hi, below, inside)
        if lo > hi:
            break
        kept = _keep(a, m, lo, hi)
        if kept == m:
            break
        m, lo_r, hi_r = kept, lo_r - skipped, hi_r - skipped
    upper = _select(a, hi_r, m)
    if lo_r == hi_r:
        return 0.0 + upper
    return (0.0 + a[:hi_r].max() + upper) / 2.0


@numba.njit(parallel=True, cache=True, error_model="numpy")
def _kernel(x, count, s, ties, slope, med_x, med_t) -> None:
    """The O(n^2) part for every row of `x` (series, time): S, tie term, Sen slope, medians.

    Medians of the values and of their indices give the intercept.
    """
    nser, n = x.shape
    for blk in numba.prange((nser + BLOCK - 1) // BLOCK):
        vals, pos, srt = np.empty(n), np.empty(n), np.empty(n)
        pairs = np.empty(max(n * (n - 1) // 2, 1))
        smp = np.empty(SAMPLE)
        for r in range(blk * BLOCK, min(nser, (blk + 1) * BLOCK)):
            m = _compact(x[r], vals, pos)
            count[r] = m
            s[r], ties[r], npairs = _pairs(vals, pos, m, pairs)
            slope[r] = _median(pairs, npairs, smp)
            srt[:m] = vals[:m]
            med_x[r] = _median(srt, m, smp)
            med_t[r] = _sorted_median(pos, m) if m else np.nan


def _as_rows(x: np.ndarray, axis: int) -> tuple[np.ndarray, tuple[int, ...]]:
    """Series as C-contiguous rows (float32 kept, anything else float64) and the outer shape."""
    x = np.asarray(x)
    if x.dtype not in (np.float32, np.float64):
        x = x.astype(np.float64)
    x = np.moveaxis(x, axis, -1)
    return np.ascontiguousarray(x.reshape(math.prod(x.shape[:-1]), x.shape[-1])), x.shape[:-1]


def _z_score(s: np.ndarray, var_s: np.ndarray) -> np.ndarray:
    """z with the continuity correction: (S - 1) / sd if S > 0, (S + 1) / sd if S < 0, else 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(var_s)
        z = np.where(s > 0, (s - 1) / sd, np.where(s < 0, (s + 1) / sd, 0.0))
    return np.where(np.isnan(s), np.nan, z)


def _trend_words(z: np.ndarray, h: np.ndarray) -> np.ndarray:
    """'increasing' / 'decreasing' where significant, else 'no trend'."""
    return np.where(h & (z < 0), "decreasing", np.where(h & (z > 0), "increasing", "no trend"))


def mann_kendall(x, axis: int = -1, alpha: float = 0.05) -> MannKendall:
    """Mann-Kendall original test and Sen's slope of every series along `axis` of `x`.

    Each field has the shape of `x` without `axis` and equals, bit for bit,
    `pymannkendall.original_test(series, alpha)` (pymannkendall 1.4.x): NaNs are skipped for S and
    Var(S) (with the tie correction); the Sen slope is the median of (x[j] - x[i]) / (j - i) over
    valid pairs at their original indices, and the intercept is median(x) - median(valid
    indices) * slope, the Kendall-Theil line's value at index 0. Series with at least 2 valid
    values give exactly pymannkendall's numbers (with 2 values z = 0, p = 1). Series with fewer
    than 2 valid values (all-NaN included), where pymannkendall raises ZeroDivisionError, give
    NaN in every numeric field, h False and trend 'no trend'. Integer input is tested as float64,
    like pymannkendall does; float32 stays float32 in memory and is widened per value.
    The kernel runs on numba's threads (`numba.set_num_threads`); the first call per input dtype
    compiles it (seconds), later processes load it from numba's on-disk cache.
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
    rows, shape = _as_rows(x, axis)
    nser = rows.shape[0]
    count = np.zeros(nser, dtype=np.int64)
    s, ties, slope, med_x, med_t = (np.empty(nser) for _ in range(5))
    _kernel(rows, count, s, ties, slope, med_x, med_t)
    return _finish(count, s, ties, slope, med_x, med_t, alpha, shape)


def _finish(count, s, ties, slope, med_x, med_t, alpha, shape) -> MannKendall:
    """Var(S), Tau, z, p, h, trend and intercept from the kernel's parts, as pymannkendall does."""
    none = count < 2
    n = count.astype(np.float64)
    s = np.where(none, np.nan, s)
    var_s = np.where(none, np.nan, (n * (n - 1) * (2 * n + 5) - ties) / 18)
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = s / (0.5 * n * (n - 1))
    z = _z_score(s, var_s)
    p = 2 * (1 - norm.cdf(np.abs(z)))
    h = np.abs(z) > norm.ppf(1 - alpha / 2)
    slope = np.where(none, np.nan, slope)
    intercept = med_x - med_t * slope
    fields = (_trend_words(z, h), h, p, z, tau, s, var_s, slope, intercept)
    return MannKendall(*(np.asarray(f).reshape(shape) for f in fields))


FIELD_ATTRS = {
    "trend": {"long_name": "Mann-Kendall trend: increasing, decreasing or no trend"},
    "h": {"long_name": "trend significant at level alpha (two-sided)"},
    "p": {"long_name": "two-sided p-value of the Mann-Kendall test", "units": "1"},
    "z": {"long_name": "Mann-Kendall normalised statistic (continuity-corrected)", "units": "1"},
    "Tau": {"long_name": "Kendall's tau", "units": "1"},
    "s": {"long_name": "Mann-Kendall score S", "units": "1"},
    "var_s": {"long_name": "variance of S with the tie correction", "units": "1"},
    "slope": {"long_name": "Sen's slope (Theil-Sen estimator)"},
    "intercept": {"long_name": "intercept of the Kendall-Theil line at the first step"},
}


def _field_attrs(name: str, units: str | None, dim: str) -> dict[str, str]:
    """CF-style attributes of one result variable; slope units are per step of `dim`."""
    attrs = dict(FIELD_ATTRS[name])
    if name == "slope":
        attrs["units"] = f"{units} per {dim}" if units else f"per {dim}"
        attrs["comment"] = f"change per step (index) of '{dim}'"
    elif name == "intercept" and units:
        attrs["units"] = units
    return attrs


def mann_kendall_xr(da: xr.DataArray, dim: str = "year", alpha: float = 0.05) -> xr.Dataset:
    """`mann_kendall` along `dim` of a DataArray: one variable per field, `dim` reduced away."""
    if dim not in da.dims:
        raise ValueError(f"{da.name or 'DataArray'} has no dimension {dim!r} (dims {da.dims})")
    da = da.transpose(..., dim)
    res = mann_kendall(da.values, axis=-1, alpha=alpha)
    dims = da.dims[:-1]
    coords = {k: c for k, c in da.coords.items() if dim not in c.dims}
    units = da.attrs.get("units")
    data = {f: (dims, getattr(res, f), _field_attrs(f, units, dim)) for f in MannKendall._fields}
    attrs = {
        "method": "Mann-Kendall original test and Sen's slope "
        "(identical to pymannkendall.original_test)",
        "alpha": alpha,
        "trend_dim": dim,
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)
