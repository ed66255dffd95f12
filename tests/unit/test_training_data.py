"""Training sets: model stacking, year splits, folds that never leak into early stopping."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from smdown.errors import InputError
from smdown.prepared import land_cells, stack_models, year_indices
from smdown.training.folds import fold_indices, fold_test_months, inner_split
from smdown.training.run import static_field

MONTHS = np.arange("2000-01", "2015-01", dtype="datetime64[M]").astype("datetime64[ns]")


def _prepared(path, value, times=MONTHS):
    data = np.full((times.size, 3, 4), value, dtype=np.float32)
    data[:, 0, 0] = np.nan
    xr.Dataset(
        {"mrsos": (("time", "lat", "lon"), data)},
        coords={"time": times, "lat": [31.0, 31.1, 31.2], "lon": [89.0, 89.1, 89.2, 89.3]},
    ).to_netcdf(path)
    return path


def test_stack_models_in_order_with_nan_filled(tmp_path):
    paths = {m: _prepared(tmp_path / f"{m}.nc", v) for m, v in (("A", 0.1), ("B", 0.2))}
    x = stack_models(paths, ["B", "A"])
    assert x.dims == ("time", "model", "lat", "lon") and list(x.model.values) == ["B", "A"]
    assert float(x.sel(model="A")[0, 1, 1]) == pytest.approx(0.1)
    assert float(x[0, 0, 0, 0]) == 0.0


def test_stack_models_refuses_other_time_axis(tmp_path):
    paths = {
        "A": _prepared(tmp_path / "A.nc", 0.1),
        "B": _prepared(tmp_path / "B.nc", 0.2, MONTHS[:-1]),
    }
    with pytest.raises(InputError, match="time axis differs") as err:
        stack_models(paths, ["A", "B"])
    assert "B.nc" in str(err.value)


def test_year_blocked_folds_partition_whole_years():
    folds = fold_indices(MONTHS, 5, "year_blocked", seed=0)
    assert sorted(np.concatenate(folds).tolist()) == list(range(MONTHS.size))
    years = [set((MONTHS[f].astype("datetime64[Y]").astype(int) + 1970).tolist()) for f in folds]
    assert [len(y) for y in years] == [3, 3, 3, 3, 3]
    assert all(not (a & b) for i, a in enumerate(years) for b in years[i + 1 :])


def test_shuffled_months_reproduce_the_authors_scheme():
    folds = fold_indices(MONTHS, 5, "shuffled_months", seed=1)
    assert sorted(np.concatenate(folds).tolist()) == list(range(MONTHS.size))
    assert not np.array_equal(folds[0], np.arange(36))  # not contiguous
    assert [f.tolist() for f in fold_indices(MONTHS, 5, "shuffled_months", 1)] == [
        f.tolist() for f in folds
    ]


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


def _target(path, lat=(31.0, 31.1, 31.2)):
    """A prepared 2-layer target: sea (NaN every month) at one cell, NaN in one month only at
    another (a gap, not sea), NaN in layer 2 only at a third."""
    sm = np.full((MONTHS.size, 2, 3, 4), 0.2, dtype=np.float32)
    sm[:, :, 0, 0] = np.nan
    sm[5, 0, 1, 1] = np.nan
    sm[:, 1, 2, 3] = np.nan
    xr.Dataset(
        {"sm": (("time", "layer", "lat", "lon"), sm)},
        coords={"time": MONTHS, "layer": [1, 2], "lat": list(lat), "lon": [89.0, 89.1, 89.2, 89.3]},
    ).to_netcdf(path)
    return path


def _mask(value=True):
    return xr.DataArray(
        np.full((3, 4), value),
        dims=("lat", "lon"),
        coords={"lat": [31.0, 31.1, 31.2], "lon": [89.0, 89.1, 89.2, 89.3]},
    )


def test_land_cells_are_the_targets_cells_with_a_value_in_every_month(tmp_path):
    path = _target(tmp_path / "era5land.nc")
    land = land_cells(path, 1, _mask())
    assert land.dims == ("lat", "lon") and land.dtype == bool
    assert np.argwhere(~land.values).tolist() == [[0, 0], [1, 1]]
    assert np.argwhere(~land_cells(path, 2, _mask()).values).tolist() == [[0, 0], [2, 3]]
    with pytest.raises(InputError, match="a layer 3"):
        land_cells(path, 3, _mask())
    with pytest.raises(InputError, match="no variable 'swvl1'") as err:
        land_cells(path, 1, _mask(), variable="swvl1")
    assert "era5land.nc" in str(err.value)
    with pytest.raises(InputError, match="lat") as err:
        land_cells(_target(tmp_path / "other.nc", lat=(40.0, 40.1, 40.2)), 1, _mask())
    assert "other.nc" in str(err.value)


def test_static_field_land_sea_or_the_region_outline(tmp_path):
    path = _target(tmp_path / "era5land.nc")
    region = _mask(False)
    assert static_field("region", path, 1, region) is region
    assert int(static_field("land_sea", path, 1, region).sum()) == 10
    with pytest.raises(InputError, match="land_sea or region"):
        static_field("elevation", path, 1, region)


@pytest.mark.parametrize("scheme", ["year_blocked", "shuffled_months"])
def test_fold_test_months_are_the_folds_of_the_prepared_files_months(scheme):
    """The in-situ rule's held-out months equal the test months finetune finds in the files."""
    mid_month = (
        np.arange("2000-01", "2015-01", dtype="datetime64[M]").astype("datetime64[D]")
        + np.timedelta64(14, "D")
    ).astype("datetime64[ns]")
    for fold, test in enumerate(fold_indices(mid_month, 5, scheme, 3)):
        expected = mid_month[test].astype("datetime64[M]")
        np.testing.assert_array_equal(fold_test_months([2000, 2014], 5, scheme, 3, fold), expected)
    with pytest.raises(ValueError, match="fold 5 does not exist"):
        fold_test_months([2000, 2014], 5, scheme, 3, 5)
