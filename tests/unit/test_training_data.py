"""Training sets: model stacking, year splits, folds that never leak into early stopping."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from smdown.errors import InputError
from smdown.training.data import fold_indices, inner_split, stack_models, year_indices

MONTHS = np.arange("2000-01", "2015-01", dtype="datetime64[M]").astype("datetime64[ns]")


def _prepared(path, value, times=MONTHS):
    data = np.full((times.size, 3, 4), value, dtype=np.float32)
    data[:, 0, 0] = np.nan
    xr.Dataset({"mrsos": (("time", "lat", "lon"), data)},
               coords={"time": times, "lat": [31.0, 31.1, 31.2],
                       "lon": [89.0, 89.1, 89.2, 89.3]}).to_netcdf(path)
    return path


def test_stack_models_in_order_with_nan_filled(tmp_path):
    paths = {m: _prepared(tmp_path / f"{m}.nc", v) for m, v in (("A", 0.1), ("B", 0.2))}
    x = stack_models(paths, ["B", "A"])
    assert x.dims == ("time", "model", "lat", "lon") and list(x.model.values) == ["B", "A"]
    assert float(x.sel(model="A")[0, 1, 1]) == pytest.approx(0.1)
    assert float(x[0, 0, 0, 0]) == 0.0


def test_stack_models_refuses_other_time_axis(tmp_path):
    paths = {"A": _prepared(tmp_path / "A.nc", 0.1),
             "B": _prepared(tmp_path / "B.nc", 0.2, MONTHS[:-1])}
    with pytest.raises(InputError, match="time axis differs") as err:
        stack_models(paths, ["A", "B"])
    assert "B.nc" in str(err.value)


def test_year_blocked_folds_partition_whole_years():
    folds = fold_indices(MONTHS, 5, "year_blocked", seed=0)
    assert sorted(np.concatenate(folds).tolist()) == list(range(MONTHS.size))
    years = [set((MONTHS[f].astype("datetime64[Y]").astype(int) + 1970).tolist()) for f in folds]
    assert [len(y) for y in years] == [3, 3, 3, 3, 3]
    assert all(not (a & b) for i, a in enumerate(years) for b in years[i + 1:])


def test_shuffled_months_reproduce_the_authors_scheme():
    folds = fold_indices(MONTHS, 5, "shuffled_months", seed=1)
    assert sorted(np.concatenate(folds).tolist()) == list(range(MONTHS.size))
    assert not np.array_equal(folds[0], np.arange(36))  # not contiguous
    assert [f.tolist() for f in fold_indices(MONTHS, 5, "shuffled_months", 1)] == \
        [f.tolist() for f in folds]


@pytest.mark.parametrize("scheme", ["year_blocked", "shuffled_months"])
def test_inner_validation_never_touches_the_test_fold(scheme):
    folds = fold_indices(MONTHS, 5, scheme, seed=2)
    for k, test in enumerate(folds):
        train = np.setdiff1d(np.arange(MONTHS.size), test)
        fit, val = inner_split(train, MONTHS, 0.2, scheme, seed=2)
        assert not set(val) & set(test) and not set(fit) & set(test) and not set(fit) & set(val)
        assert sorted(np.concatenate([fit, val]).tolist()) == train.tolist()
        if scheme == "year_blocked":
            val_years = set((MONTHS[val].astype("datetime64[Y]").astype(int) + 1970).tolist())
            fit_years = set((MONTHS[fit].astype("datetime64[Y]").astype(int) + 1970).tolist())
            assert not val_years & fit_years, k


def test_pretraining_year_ranges():
    months = np.arange("1950-01", "2015-01", dtype="datetime64[M]")
    assert year_indices(months, 1950, 1999).size == 600
    assert year_indices(months, 2000, 2007).size == 96
    assert year_indices(months, 2008, 2014).size == 84
