"""Mann-Kendall and Sen's slope: bit-identical to pymannkendall.original_test, series by series."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from smdown.stats.mann_kendall import MannKendall, mann_kendall, mann_kendall_xr

mk = pytest.importorskip("pymannkendall")

# Monthly rainfall at Bogra 1981-2010 (pyMannKendall's tests/data/Monthly Rainfall.csv, column 3):
# the series its own test suite checks original_test and sens_slope against. Empty = missing.
BOGRA = """
32,20,25,189,240,193,379,278,301,0,0,82
0,4,,,121,234,360,262,120,30,11,1
7,3,31,31,355,102,248,274,308,,5,26
11,16,6,48,388,539,431,272,404,186,0,2
0,4,1,54,272,459,235,164,365,135,2,
,4,0,128,210,163,446,225,462,467,19,13
0,3,17,132,178,338,525,623,145,31,19,3
0,29,25,87,259,756,486,180,292,43,92,1
0,16,2,0,130,253,594,111,273,30,0,4
0,27,24,41,292,378,499,265,320,227,4,0
4,14,8,48,416,240,404,207,733,105,0,112
0,14,0,30,140,202,289,159,424,106,3,0
65,3,14,58,268,466,432,266,240,95,1,0
10,26,4,114,94,289,173,208,263,156,5,0
16,16,14,0,111,475,534,432,471,117,70,1
3,28,7,401,184,283,338,171,335,176,0,0
10,11,9,140,102,208,298,245,220,29,2,27
10,13,26,84,143,367,749,563,283,353,10,0
0,0,0,9,246,265,343,429,168,133,17,0
18,35,76,158,272,250,190,289,466,84,0,0
0,0,0,22,217,299,185,115,344,203,8,
,0,5,284,123,254,476,496,326,27,20,0
4,53,72,113,214,364,219,220,156,264,0,13
0,0,45,90,137,638,529,261,206,251,0,0
5,9,58,72,138,130,471,328,356,523,0,1
0,0,12,143,193,184,192,138,174,69,1,0
0,18,25,28,92,732,320,256,302,131,15,0
27,0,22,20,213,393,474,374,109,159,0,0
0,3,3,49,205,128,194,570,169,89,0,0
0,0,0,26,185,286,92,225,244,190,3,20
"""

NUMERIC = ("p", "z", "Tau", "s", "var_s", "slope", "intercept")


def bogra() -> np.ndarray:
    """The 360-month rainfall series with its 7 gaps as NaN."""
    cells = ",".join(BOGRA.split()).split(",")
    return np.array([float(c) if c else np.nan for c in cells])


def same_bits(a, b) -> bool:
    """Identical float64 bit patterns, or NaN on both sides."""
    a, b = np.float64(a), np.float64(b)
    return bool(np.isnan(a) and np.isnan(b)) or a.tobytes() == b.tobytes()


def assert_like_pymannkendall(res: MannKendall, series: np.ndarray, idx, alpha=0.05) -> None:
    """Row `idx` of our result equals original_test(series) field by field, to the bit."""
    try:
        ref = mk.original_test(series, alpha)
    except ZeroDivisionError:  # fewer than 2 valid values: our documented outputs instead
        assert (res.trend[idx], res.h[idx]) == ("no trend", False)
        assert all(np.isnan(getattr(res, f)[idx]) for f in NUMERIC)
        return
    assert res.trend[idx] == ref.trend and res.h[idx] == ref.h, (idx, series)
    for field in NUMERIC:
        assert same_bits(getattr(res, field)[idx], getattr(ref, field)), (field, idx, series)


def random_series(rng: np.random.Generator, count: int, n: int) -> np.ndarray:
    """A mix of awkward series: trends and noise, ties, gaps, constants, all-NaN, signed zeros."""
    t = np.arange(n)
    x = rng.normal(0.25, 0.05, (count, n)) + rng.normal(0, 1e-3, (count, 1)) * t
    kind = np.arange(count) % 8
    x[kind == 1] = np.round(x[kind == 1], 2)  # many ties
    x[kind == 2] = np.round(x[kind == 2] * 20) / 20  # few distinct values
    x[kind == 3] = 0.3  # constant
    x[kind == 6] = np.round(x[kind == 6], 2)  # ties and gaps
    x[kind == 4] = rng.choice([-0.0, 0.0, 1.0, -1.0], (np.sum(kind == 4), n))
    gaps = rng.random((count, n)) < rng.uniform(0, 0.6, (count, 1))
    x[(kind[:, None] >= 5) & gaps] = np.nan
    x[kind == 7] = np.nan
    x[kind == 7, rng.integers(0, n, np.sum(kind == 7))] = 0.2  # at most one valid value
    return x


@pytest.mark.parametrize("n", [2, 3, 4, 5, 7, 10, 20, 33, 64, 86, 87, 120, 151])
def test_identical_to_pymannkendall_on_random_series(n):
    rng = np.random.default_rng(n)
    x = random_series(rng, 240, n)
    res = mann_kendall(x)
    for i in range(len(x)):
        assert_like_pymannkendall(res, x[i], i)


@pytest.mark.parametrize("n", [599, 600, 601, 1032])
def test_identical_to_pymannkendall_on_long_series(n):
    rng = np.random.default_rng(n)
    x = random_series(rng, 8, n)
    res = mann_kendall(x)
    for i in range(len(x)):
        assert_like_pymannkendall(res, x[i], i)


def test_float32_and_integer_input_match_pymannkendall():
    rng = np.random.default_rng(7)
    x32 = random_series(rng, 80, 86).astype(np.float32)
    res = mann_kendall(x32)
    for i in range(len(x32)):
        assert_like_pymannkendall(res, x32[i], i)
    xi = rng.integers(0, 6, (40, 30))
    res = mann_kendall(xi)
    for i in range(len(xi)):
        assert_like_pymannkendall(res, xi[i], i)


def test_infinities_match_pymannkendall():
    x = np.array(
        [
            [1.0, np.inf, 2.0, np.inf, 3.0, -np.inf],
            [np.inf, np.inf, np.nan, np.inf, np.inf, np.inf],
            [0.1, 0.2, -np.inf, 0.4, np.nan, 0.5],
        ]
    )
    with np.errstate(invalid="ignore"), pytest.warns(RuntimeWarning):
        res = mann_kendall(x)
        for i in range(len(x)):
            assert_like_pymannkendall(res, x[i], i)


def test_alpha_is_passed_on():
    rng = np.random.default_rng(3)
    x = random_series(rng, 64, 40)
    res = mann_kendall(x, alpha=0.2)
    for i in range(len(x)):
        assert_like_pymannkendall(res, x[i], i, alpha=0.2)
    with pytest.raises(ValueError, match="alpha"):
        mann_kendall(x, alpha=1.5)


def test_values_of_pymannkendall_own_test_suite():
    """The exact numbers pyMannKendall's tests assert for original_test and sens_slope."""
    r = mann_kendall(bogra())
    assert r.trend == "no trend" and not r.h
    assert r.p == 0.37591058740506833
    assert r.z == -0.8854562842589916
    assert r.Tau == -0.03153167653875869
    assert r.s == -1959.0
    assert r.var_s == 4889800.333333333
    assert r.slope == -0.006369426751592357
    assert r.intercept == 96.15286624203821


def test_constant_and_exact_trend_as_in_pymannkendall_suite():
    const = mann_kendall(np.full(360, 7.0))
    assert (const.trend, const.h, const.p, const.z, const.Tau) == ("no trend", False, 1.0, 0, 0.0)
    assert (const.s, const.var_s, const.slope) == (0.0, 0.0, 0.0)
    rng = np.random.default_rng(0)
    trend = mann_kendall(np.arange(360.0) + rng.random(360) / 10**13)
    assert (trend.trend, trend.h, trend.p, trend.Tau, trend.s) == (
        "increasing",
        True,
        0.0,
        1.0,
        64620.0,
    )
    assert trend.slope == 1.0 and round(float(trend.intercept)) == 0


def test_fewer_than_two_valid_values_give_defined_outputs():
    x = np.array([[np.nan] * 5, [np.nan, 1.0, np.nan, np.nan, np.nan]])
    res = mann_kendall(x)
    assert list(res.trend) == ["no trend", "no trend"] and not res.h.any()
    for field in NUMERIC:
        assert np.isnan(getattr(res, field)).all(), field
    empty = mann_kendall(np.empty((3, 0)))
    assert empty.slope.shape == (3,) and np.isnan(empty.slope).all()


def test_two_valid_values_as_pymannkendall():
    x = np.array([[np.nan, 0.1, np.nan, 0.4], [0.2, 0.2, np.nan, np.nan]])
    res = mann_kendall(x)
    for i in range(2):
        assert_like_pymannkendall(res, x[i], i)
    assert res.p.tolist() == [1.0, 1.0] and res.slope[0] == pytest.approx(0.15)


def test_axis_handling_and_shapes():
    rng = np.random.default_rng(11)
    cube = np.round(rng.normal(size=(4, 30, 5)), 1)  # (lat, time, lon)
    ref = mann_kendall(np.moveaxis(cube, 1, -1))
    mid = mann_kendall(cube, axis=1)
    first = mann_kendall(np.moveaxis(cube, 1, 0), axis=0)
    for field in MannKendall._fields:
        assert getattr(mid, field).shape == (4, 5)
        np.testing.assert_array_equal(getattr(mid, field), getattr(ref, field))
        np.testing.assert_array_equal(getattr(first, field), getattr(ref, field))
    assert_like_pymannkendall(mid, cube[2, :, 3], (2, 3))
    one = mann_kendall(cube[0, :, 0])
    assert one.slope.shape == () and one.trend.shape == ()


def test_xarray_wrapper():
    rng = np.random.default_rng(5)
    values = np.round(rng.normal(0.2, 0.02, (3, 40, 2)) + 0.001 * np.arange(40)[:, None], 3)
    da = xr.DataArray(
        values,
        dims=("lat", "year", "lon"),
        coords={"lat": [31.0, 31.1, 31.2], "year": np.arange(1981, 2021), "lon": [90.0, 90.1]},
        attrs={"units": "m3 m-3"},
        name="sm",
    )
    ds = mann_kendall_xr(da)
    assert set(ds.data_vars) == set(MannKendall._fields)
    assert ds["slope"].dims == ("lat", "lon") and "year" not in ds.coords
    assert ds["slope"].attrs["units"] == "m3 m-3 per year"
    assert ds["intercept"].attrs["units"] == "m3 m-3" and ds.attrs["alpha"] == 0.05
    direct = mann_kendall(values, axis=1)
    for field in MannKendall._fields:
        np.testing.assert_array_equal(ds[field].values, getattr(direct, field))
    with pytest.raises(ValueError, match="time"):
        mann_kendall_xr(da, dim="time")
