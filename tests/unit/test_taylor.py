"""Taylor-diagram statistics and the binned density: hand-made values, Taylor's identity, NaNs."""

from __future__ import annotations

import numpy as np
import pytest

from smdown.stats.density import binned_density
from smdown.stats.taylor import taylor_statistics

REF = np.array([1.0, 2.0, 3.0, 4.0])  # population std sqrt(1.25), mean 2.5, mean square 7.5


def test_known_values_by_hand():
    table = taylor_statistics(
        REF, {"double": 2 * REF, "shifted": REF + 1, "negated": -REF}, reference_name="obs"
    ).set_index("name")
    s = np.sqrt(1.25)
    assert list(table.index) == ["obs", "double", "shifted", "negated"]
    ref = table.loc["obs"]
    assert (ref["n"], ref["std"], ref["std_normalised"], ref["correlation"], ref["crmsd"]) == (
        4,
        pytest.approx(s),
        1.0,
        1.0,
        0.0,
    )
    double = table.loc["double"]
    assert double["std"] == pytest.approx(2 * s) and double["std_normalised"] == pytest.approx(2)
    assert double["correlation"] == pytest.approx(1.0) and double["crmsd"] == pytest.approx(s)
    assert double["crmsd_normalised"] == pytest.approx(1.0)
    assert double["bias"] == pytest.approx(2.5) and double["rmse"] == pytest.approx(np.sqrt(7.5))
    shifted = table.loc["shifted"]
    assert shifted["crmsd"] == pytest.approx(0.0, abs=1e-15) and shifted["bias"] == 1.0
    assert shifted["rmse"] == pytest.approx(1.0)


def test_negative_correlation():
    row = taylor_statistics(REF, {"negated": -REF}).set_index("name").loc["negated"]
    assert row["correlation"] == pytest.approx(-1.0)
    assert row["std_normalised"] == pytest.approx(1.0)
    assert row["crmsd"] == pytest.approx(2 * np.sqrt(1.25))  # the far side of the half circle
    assert row["crmsd_normalised"] == pytest.approx(2.0)
    assert row["bias"] == pytest.approx(-5.0) and row["rmse"] == pytest.approx(2 * np.sqrt(7.5))


def test_taylor_identity_holds():
    rng = np.random.default_rng(3)
    ref = rng.normal(0.25, 0.05, 500)
    ref[::37] = np.nan
    candidates = {
        f"c{k}": w * ref + rng.normal(0.1, 0.04, 500)
        for k, w in enumerate((-1.5, -0.3, 0.0, 0.4, 1.0, 2.0))
    }
    candidates["c0"][::11] = np.nan
    table = taylor_statistics(ref, candidates)
    assert (table["correlation"].iloc[1:3] < 0).all()
    s_r, s_c, r = table["std_reference"], table["std"], table["correlation"]
    np.testing.assert_allclose(
        table["crmsd"] ** 2, s_r**2 + s_c**2 - 2 * s_r * s_c * r, rtol=1e-10, atol=1e-15
    )
    n_c, n_e = table["std_normalised"], table["crmsd_normalised"]
    np.testing.assert_allclose(n_e**2, 1 + n_c**2 - 2 * n_c * r, rtol=1e-10, atol=1e-15)


def test_nan_pairs_are_dropped_per_candidate():
    rng = np.random.default_rng(4)
    ref, cand = rng.normal(size=50), rng.normal(size=50)
    ref[0], cand[1] = np.nan, np.nan
    table = taylor_statistics(ref, {"a": cand, "full": rng.normal(size=50)}).set_index("name")
    assert table.loc["reference", "n"] == 49 and table.loc["full", "n"] == 49
    assert table.loc["a", "n"] == 48
    clean = taylor_statistics(ref[2:], {"a": cand[2:]}).set_index("name").loc["a"]
    np.testing.assert_allclose(table.loc["a", clean.index].astype(float), clean.astype(float))
    assert table.loc["a", "std_reference"] == pytest.approx(np.std(ref[2:]))


def test_reference_name_clash_is_refused():
    with pytest.raises(ValueError, match="clashes"):
        taylor_statistics(REF, {"reference": REF})


def test_binned_density_counts_by_hand():
    obs = [0.05, 0.15, 0.15, np.nan, 0.5, 0.05]
    pred = [0.05, 0.05, 0.15, 0.1, 0.1, np.nan]
    counts, edges = binned_density(obs, pred, bins=2, range=(0.0, 0.2))
    np.testing.assert_allclose(edges, [0.0, 0.1, 0.2])
    np.testing.assert_array_equal(counts, [[1, 1], [0, 1]])  # rows: predicted, columns: observed
    assert counts.dtype == np.int64


def test_binned_density_refuses_bad_range():
    with pytest.raises(ValueError, match="range"):
        binned_density([0.1], [0.1], bins=10, range=(0.3, 0.3))
