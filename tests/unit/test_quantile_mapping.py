"""Per-calendar-month empirical quantile mapping: against xsdba (the oracle), by hand, and errors.

The oracle is xsdba's `EmpiricalQuantileMapping` called once per calendar month with
`group="time"` and interp="linear" (see the module docstring for why not one `time.month` call).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from smdown.errors import InputError
from smdown.product.quantile_mapping import QuantileMap, fit_quantile_map, quantile_nodes

ORACLE_MARKS = (
    pytest.mark.oracle,
    pytest.mark.skipif(importlib.util.find_spec("xsdba") is None, reason="xsdba is not installed"),
    pytest.mark.filterwarnings("ignore:All-nan slice:RuntimeWarning"),  # the all-NaN cell
    pytest.mark.filterwarnings("ignore::RuntimeWarning:scipy"),  # 0 / 0 on tied float32 nodes
    pytest.mark.filterwarnings("ignore::DeprecationWarning:xsdba"),  # jsonpickle
)

N_CELLS = 7
TRAIN = pd.date_range("1995-01-01", periods=13 * 12, freq="MS")  # 13 years of month starts
FUTURE = pd.date_range("2040-01-01", periods=10 * 12, freq="MS")
UNITS = "m3 m-3"


def oracle(test: Callable[..., None]) -> Callable[..., None]:
    """Mark a comparison with xsdba: skipped without xsdba, xsdba's own warnings silenced."""
    for mark in ORACLE_MARKS:
        test = mark(test)
    return test


def _training(rng: np.random.Generator, dtype: type) -> tuple[np.ndarray, np.ndarray]:
    """`ref` and `hist` soil moisture on 0.01 steps (many ties), one all-NaN cell, a few NaNs."""
    ref = np.round(rng.uniform(0.05, 0.45, (TRAIN.size, N_CELLS)), 2)
    hist = np.round(rng.uniform(0.10, 0.40, (TRAIN.size, N_CELLS)), 2)
    hist[:, 0] = np.nan
    ref[5, 1] = np.nan
    hist[7:40, 2] = np.nan
    return ref.astype(dtype), hist.astype(dtype)


def _future(rng: np.random.Generator, dtype: type, on_steps: bool) -> np.ndarray:
    """A future `sim` reaching beyond the training range; on 0.01 steps to hit tied quantiles."""
    sim = rng.uniform(0.0, 0.55, (FUTURE.size, N_CELLS))
    sim = np.round(sim, 2) if on_steps else sim
    sim[3, 3] = np.nan
    return sim.astype(dtype)


def _dataarray(values: np.ndarray, times: pd.Index) -> xr.DataArray:
    """(time, cell) values as the DataArray xsdba wants: a time coordinate and units."""
    return xr.DataArray(
        values, dims=("time", "cell"), coords={"time": times}, attrs={"units": UNITS}
    )


def _month(da: xr.DataArray, month: int) -> xr.DataArray:
    """The time steps of one calendar month."""
    return da.sel(time=da.time.dt.month == month)


def _xsdba_per_month(ref: np.ndarray, hist: np.ndarray, sim: np.ndarray, kind: str) -> np.ndarray:
    """xsdba's EQM trained and applied on each calendar month's time steps alone."""
    from xsdba import EmpiricalQuantileMapping

    ref_da, hist_da, sim_da = (
        _dataarray(ref, TRAIN),
        _dataarray(hist, TRAIN),
        _dataarray(sim, FUTURE),
    )
    out = []
    for month in range(1, 13):
        qm = EmpiricalQuantileMapping.train(
            _month(ref_da, month), _month(hist_da, month), nquantiles=20, group="time", kind=kind
        )
        out.append(qm.adjust(_month(sim_da, month), interp="linear", extrapolation="constant"))
    return xr.concat(out, "time").sortby("time").transpose("time", "cell").values


def _ours(ref: np.ndarray, hist: np.ndarray, kind: str) -> QuantileMap:
    """Our fit on the training months, for the caller to apply."""
    return fit_quantile_map(ref, hist, TRAIN.month.to_numpy(), nquantiles=20, kind=kind)


@oracle
@pytest.mark.parametrize("kind", ["+", "*"])
@pytest.mark.parametrize(("dtype", "on_steps"), [(np.float64, True), (np.float32, False)])
def test_matches_xsdba_per_month(kind: str, dtype: type, on_steps: bool) -> None:
    """Equal to xsdba within 1e-6 m3 m-3, NaNs in the same places, extrapolation included."""
    rng = np.random.default_rng(7)
    ref, hist = _training(rng, dtype)
    sim = _future(rng, dtype, on_steps)
    qm = _ours(ref, hist, kind)
    ours = qm.apply(sim, FUTURE.month.to_numpy())
    expected = _xsdba_per_month(ref, hist, sim, kind)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(expected))
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-6)
    lowest, highest = qm.hist_q[FUTURE.month - 1, 0], qm.hist_q[FUTURE.month - 1, -1]
    assert np.any(sim < lowest) and np.any(sim > highest)  # both tails extrapolated


@oracle
def test_float32_xsdba_differs_only_on_tied_quantiles() -> None:
    """xsdba's float32 path (scipy, not np.interp) differs only where sim hits tied quantiles."""
    rng = np.random.default_rng(7)
    ref, hist = _training(rng, np.float32)
    sim = _future(rng, np.float32, on_steps=True)
    qm = _ours(ref, hist, "+")
    ours = qm.apply(sim, FUTURE.month.to_numpy())
    differs = ~np.isclose(
        ours, _xsdba_per_month(ref, hist, sim, "+"), rtol=0, atol=1e-6, equal_nan=True
    )
    assert differs.any()
    for step, cell in zip(*np.nonzero(differs), strict=True):
        nodes = qm.hist_q[FUTURE.month[step] - 1, :, cell]
        assert np.sum(np.isclose(nodes, sim[step, cell], rtol=0, atol=1e-7)) >= 2


@oracle
def test_one_time_month_call_equals_only_on_360_day_mid_months() -> None:
    """xsdba's single `time.month` call: equal on 360_day mid-month stamps, not on month starts."""
    import cftime
    from xsdba import EmpiricalQuantileMapping

    rng = np.random.default_rng(3)
    ref = rng.uniform(0.05, 0.45, (TRAIN.size, N_CELLS))
    hist = rng.uniform(0.10, 0.40, (TRAIN.size, N_CELLS))
    sim = rng.uniform(0.0, 0.55, (FUTURE.size, N_CELLS))
    ours = _ours(ref, hist, "+").apply(sim, FUTURE.month.to_numpy())

    def one_call(train_times: pd.Index, future_times: pd.Index) -> np.ndarray:
        """The single call with group="time.month", interp="linear", on the given time stamps."""
        qm = EmpiricalQuantileMapping.train(
            _dataarray(ref, train_times),
            _dataarray(hist, train_times),
            nquantiles=20,
            group="time.month",
            kind="+",
        )
        adjusted = qm.adjust(
            _dataarray(sim, future_times), interp="linear", extrapolation="constant"
        )
        return adjusted.transpose("time", "cell").values

    def mid_360(times: pd.DatetimeIndex) -> xr.CFTimeIndex:
        """The same months on day 15 of the 360_day calendar: whole-number month positions."""
        return xr.CFTimeIndex([cftime.Datetime360Day(t.year, t.month, 15) for t in times])

    np.testing.assert_allclose(one_call(mid_360(TRAIN), mid_360(FUTURE)), ours, atol=1e-6)
    assert np.abs(one_call(TRAIN, FUTURE) - ours).max() > 0.01  # mixes in the previous month


def test_nodes_are_bin_centres_without_end_points() -> None:
    """20 nodes 0.025..0.975, as xsdba 0.7 really trains (its docstring's 1e-6 ends are absent)."""
    np.testing.assert_allclose(quantile_nodes(20), (np.arange(20) + 0.5) / 20)
    ref = np.random.default_rng(0).uniform(0, 0.5, (TRAIN.size, 3))
    qm = fit_quantile_map(ref, ref, TRAIN.month.to_numpy())
    assert qm.hist_q.shape == qm.af.shape == (12, 20, 3)


@pytest.mark.parametrize("kind", ["+", "*"])
def test_sim_at_a_hist_quantile_maps_to_the_ref_quantile(kind: str) -> None:
    """A value at hist's k-th quantile of a month becomes ref's k-th quantile of that month."""
    rng = np.random.default_rng(1)
    ref = rng.uniform(0.05, 0.45, (TRAIN.size, 1))
    hist = rng.uniform(0.10, 0.40, (TRAIN.size, 1))
    qm = fit_quantile_map(ref, hist, TRAIN.month.to_numpy(), nquantiles=5, kind=kind)
    in_june = TRAIN.month == 6
    nodes = quantile_nodes(5)
    sim = np.quantile(hist[in_june, 0], nodes)[:, None]
    adjusted = qm.apply(sim, np.full(nodes.size, 6))
    np.testing.assert_allclose(adjusted[:, 0], np.quantile(ref[in_june, 0], nodes), atol=1e-12)


@pytest.mark.parametrize(
    ("kind", "hist_of", "expected_of"),
    [
        ("+", lambda ref, month: ref - 0.01 * month, lambda sim, month: sim + 0.01 * month),
        (
            "*",
            lambda ref, month: ref * (1 - 0.02 * month),
            lambda sim, month: sim / (1 - 0.02 * month),
        ),
    ],
)
def test_a_shifted_hist_gives_each_months_shift_back(kind, hist_of, expected_of) -> None:
    """hist = ref shifted (or scaled) by a per-month amount: each month gets its own undone."""
    rng = np.random.default_rng(2)
    ref = rng.uniform(0.05, 0.45, (TRAIN.size, 4))
    hist = hist_of(ref, TRAIN.month.to_numpy()[:, None])
    sim = rng.uniform(-0.2, 0.8, (FUTURE.size, 4))  # mostly outside the training range
    months = FUTURE.month.to_numpy()
    adjusted = fit_quantile_map(ref, hist, TRAIN.month.to_numpy(), kind=kind).apply(sim, months)
    np.testing.assert_allclose(adjusted, expected_of(sim, months[:, None]), atol=1e-12)


def test_tied_quantiles_take_the_last_tied_factor() -> None:
    """A value equal to tied hist quantiles gets the last one's factor, as np.interp gives."""
    hist = np.tile([0.1, 0.1, 0.1, 0.15, 0.2, 0.22, 0.25, 0.3, 0.31, 0.33, 0.35, 0.4], 12)
    ref = hist + np.tile(np.linspace(0.01, 0.05, 12), 12)
    months = np.repeat(np.arange(1, 13), 12)
    qm = fit_quantile_map(ref[:, None], hist[:, None], months)
    sim = np.array([[0.1], [0.0999], [0.12]])
    expected = sim[:, 0] + np.interp(sim[:, 0], qm.hist_q[0, :, 0], qm.af[0, :, 0])
    np.testing.assert_allclose(qm.apply(sim, np.ones(3, int))[:, 0], expected, atol=1e-15)
    assert qm.apply(sim, np.ones(3, int))[0, 0] == pytest.approx(0.1 + qm.af[0, 3, 0])


def test_missing_data_gives_nan_only_where_it_is_missing() -> None:
    """An all-NaN hist cell has NaN factors and results; a NaN sim value stays NaN."""
    rng = np.random.default_rng(4)
    ref, hist = _training(rng, np.float64)
    sim = _future(rng, np.float64, on_steps=False)
    qm = fit_quantile_map(ref, hist, TRAIN.month.to_numpy())
    adjusted = qm.apply(sim, FUTURE.month.to_numpy())
    expected_nan = np.zeros(sim.shape, dtype=bool)
    expected_nan[:, 0] = expected_nan[3, 3] = True
    assert np.isnan(qm.af[:, :, 0]).all() and np.isfinite(qm.af[:, :, 1:]).all()
    np.testing.assert_array_equal(np.isnan(adjusted), expected_nan)


def test_float32_stays_float32() -> None:
    """The result has sim's float dtype: float32 in, float32 out."""
    ref = np.random.default_rng(5).uniform(0, 0.5, (TRAIN.size, 2)).astype(np.float32)
    qm = fit_quantile_map(ref, ref, TRAIN.month.to_numpy())
    assert qm.apply(ref, TRAIN.month.to_numpy()).dtype == np.float32


def _fit(ref_shape=(24, 3), hist_shape=(24, 3), months=None, kind="+") -> QuantileMap:
    """A fit on zeros of the given shapes, for the error tests."""
    months = np.tile(np.arange(1, 13), 2) if months is None else np.asarray(months)
    return fit_quantile_map(np.zeros(ref_shape), np.zeros(hist_shape), months, kind=kind)


@pytest.mark.parametrize(
    ("call", "source"),
    [
        (lambda: _fit(months=np.tile(np.r_[1:7, 8:13, 1], 2)), "months"),  # July absent
        (lambda: _fit(hist_shape=(24, 4)), "hist"),
        (lambda: _fit(ref_shape=(24,), hist_shape=(24,)), "ref"),
        (lambda: _fit(months=np.arange(1, 13)), "months"),
        (lambda: _fit(months=np.tile(np.arange(2, 14), 2)), "months"),
        (lambda: _fit(months=np.tile(np.arange(1, 13), 2) + 0.5), "months"),
        (lambda: _fit(kind="/"), "kind"),
        (lambda: _fit().apply(np.zeros((5, 4)), np.ones(5)), "sim"),
        (lambda: _fit().apply(np.zeros((5, 3)), np.ones(4)), "months"),
        (lambda: _fit().apply(np.zeros((5, 3)), np.zeros(5)), "months"),
        (lambda: QuantileMap(np.zeros((11, 20, 3)), np.zeros((11, 20, 3)), "+"), "hist_q"),
        (lambda: QuantileMap(np.zeros((12, 20, 3)), np.zeros((12, 20, 2)), "+"), "af"),
    ],
)
def test_bad_input_is_refused(call, source: str) -> None:
    """Missing months, mismatched shapes, months outside 1..12 and unknown kinds are InputErrors."""
    with pytest.raises(InputError) as error:
        call()
    assert error.value.source == source
