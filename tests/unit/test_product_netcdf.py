"""The product writer: CF-1.8 files streamed in time chunks, complete or absent, no secrets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from smdown.catalog import AMSMQTP_LAYERS
from smdown.errors import InputError
from smdown.geometry import regular_grid
from smdown.product.netcdf import ProductAttrs, ProductWriter, read_product
from smdown.sources.calendar import month_range
from tests.conftest import cf_failures

SMALL = regular_grid(31.0, 31.4, 89.0, 89.5, 0.1)  # 5 x 6 cells
TIMES = month_range(2014, 2015)  # 24 months
ATTRS = ProductAttrs(
    experiment="ssp2_4_5",
    config_hash="0123abcd",
    workflow_version="v0.1-3-gabc",
    models=("ACCESS-CM2", "CanESM5"),
    folds=5,
    institution="Somewhere",
    extra={"run_name": "paper", "inputs_manifest": "https://example.org/m.json"},
)


def _fields(grid, n_months: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random sm and spread (t, 5, lat, lon), NaN outside a mask that drops the first row."""
    rng = np.random.default_rng(seed)
    shape = (n_months, len(AMSMQTP_LAYERS), *grid.shape)
    mask = np.ones(grid.shape, dtype=bool)
    mask[0, :] = False
    sm = rng.uniform(0.05, 0.45, shape).astype(np.float32)
    spread = rng.uniform(0.0, 0.02, shape).astype(np.float32)
    sm[..., ~mask] = np.nan
    spread[..., ~mask] = np.nan
    return sm, spread, mask


def _write(path: Path, grid=SMALL, times=TIMES, order=None, step: int = 5, attrs=ATTRS):
    """Write a whole product in `step`-month chunks, in the given order of chunk starts."""
    sm, spread, _ = _fields(grid, times.size)
    starts = list(range(0, times.size, step)) if order is None else order
    with ProductWriter(path, grid, times, AMSMQTP_LAYERS, attrs) as out:
        for s in starts:
            out.write(s, sm[s : s + step], spread[s : s + step])
    return sm, spread


def test_round_trip_on_the_target_grid(tmp_path, target):
    path = tmp_path / "sm_ssp2_4_5.nc"
    sm, spread = _write(path, grid=target, step=12)
    with read_product(path) as ds:
        assert ds["sm"].dims == ("time", "depth", "lat", "lon")
        assert ds["sm"].shape == (24, 5, 71, 151) and ds["sm"].dtype == np.float32
        np.testing.assert_array_equal(ds["sm"].values, sm)
        np.testing.assert_array_equal(ds["sm_spread"].values, spread)
        assert np.isnan(ds["sm"].values[:, :, 0, :]).all()
        np.testing.assert_array_equal(ds["lat_bnds"].values, target.lat_bnds)
        np.testing.assert_array_equal(ds["lon_bnds"].values, target.lon_bnds)
        np.testing.assert_allclose(ds["depth"].values, [0.05, 0.2, 0.4, 0.65, 0.95])
        np.testing.assert_array_equal(ds["depth_bnds"].values, np.array(AMSMQTP_LAYERS))
        enc = ds["sm"].encoding
        assert enc["zlib"] and enc["shuffle"] and enc["complevel"] == 4
        assert enc["chunksizes"] == (12, 1, 18, 19)


def test_time_axis_decodes_to_month_starts_with_month_bounds(tmp_path):
    path = tmp_path / "p.nc"
    _write(path)
    with read_product(path) as ds:
        np.testing.assert_array_equal(ds["time"].values, TIMES)
        bnds = ds["time_bnds"].values
        np.testing.assert_array_equal(bnds[:, 0], TIMES)
        np.testing.assert_array_equal(bnds[-1, 1], np.datetime64("2016-01-01", "ns"))
        assert ds["time"].encoding["calendar"] == "proleptic_gregorian"
        assert ds["time"].encoding["units"] == "days since 1850-01-01"


def test_variable_and_global_attributes(tmp_path):
    path = tmp_path / "p.nc"
    _write(path)
    with read_product(path) as ds:
        sm = ds["sm"].attrs
        assert sm["standard_name"] == "volume_fraction_of_condensed_water_in_soil"
        assert sm["units"] == "m3 m-3" and sm["cell_methods"] == "time: mean"
        assert sm["grid_mapping"] == "crs" and sm["ancillary_variables"] == "sm_spread"
        assert "standard_name" not in ds["sm_spread"].attrs
        assert "standard deviation" in ds["sm_spread"].attrs["long_name"]
        assert ds["crs"].attrs["grid_mapping_name"] == "latitude_longitude"
        assert ds["depth"].attrs["positive"] == "down" and ds["depth"].attrs["axis"] == "Z"
        glob = ds.attrs
    assert glob["Conventions"] == "CF-1.8" and "10.3390/rs16234367" in glob["references"]
    assert glob["experiment"] == "ssp2_4_5" and glob["config_hash"] == "0123abcd"
    assert glob["workflow_version"] == "v0.1-3-gabc" and glob["member_count"] == "5"
    assert glob["members"] == "cross-validation fold generators"
    assert glob["models"] == "ACCESS-CM2, CanESM5" and glob["institution"] == "Somewhere"
    assert glob["run_name"] == "paper" and "created by smdown" in glob["history"]
    assert "ssp2_4_5" in glob["title"] and "ACCESS-CM2" in glob["source"]


def test_chunks_in_any_order_give_the_same_file_contents(tmp_path):
    forward, backward = tmp_path / "f.nc", tmp_path / "b.nc"
    _write(forward, step=5)
    _write(backward, step=5, order=[20, 5, 0, 15, 10])
    with read_product(forward) as f, read_product(backward) as b:
        np.testing.assert_array_equal(f["sm"].values, b["sm"].values)
        np.testing.assert_array_equal(f["sm_spread"].values, b["sm_spread"].values)


def test_missing_chunk_names_the_file_and_months_and_leaves_nothing(tmp_path):
    path = tmp_path / "p.nc"
    with pytest.raises(InputError, match=r"p\.nc: 5 of 24 months never written \(2014-06"):
        _write(path, order=[0, 10, 15, 20])
    assert list(tmp_path.iterdir()) == []


def test_exception_inside_the_block_leaves_nothing(tmp_path):
    sm, spread, _ = _fields(SMALL, TIMES.size)
    with (
        pytest.raises(RuntimeError, match="inference crashed"),
        ProductWriter(tmp_path / "p.nc", SMALL, TIMES, AMSMQTP_LAYERS, ATTRS) as out,
    ):
        out.write(0, sm, spread)
        raise RuntimeError("inference crashed")
    assert list(tmp_path.iterdir()) == []


def test_overlapping_write_is_refused(tmp_path):
    sm, spread, _ = _fields(SMALL, TIMES.size)
    with (
        pytest.raises(InputError, match="2014-11..2014-12 written twice"),
        ProductWriter(tmp_path / "p.nc", SMALL, TIMES, AMSMQTP_LAYERS, ATTRS) as out,
    ):
        out.write(0, sm[:12], spread[:12])
        out.write(10, sm[10:], spread[10:])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "start, months, problem",
    [
        (20, 6, "chunk covers months 20..25"),
        (-1, 2, "chunk covers months -1..0"),
    ],
)
def test_chunk_outside_the_axis_is_refused(tmp_path, start, months, problem):
    sm, spread, _ = _fields(SMALL, months)
    with (
        pytest.raises(InputError, match=problem),
        ProductWriter(tmp_path / "p.nc", SMALL, TIMES, AMSMQTP_LAYERS, ATTRS) as out,
    ):
        out.write(start, sm, spread)
    assert list(tmp_path.iterdir()) == []


def test_wrong_shapes_and_mismatched_nans_are_refused(tmp_path):
    sm, spread, _ = _fields(SMALL, 2)
    with ProductWriter(tmp_path / "p.nc", SMALL, TIMES[:2], AMSMQTP_LAYERS, ATTRS) as out:
        with pytest.raises(InputError, match="chunk shapes"):
            out.write(0, sm[:, :3], spread[:, :3])
        with pytest.raises(InputError, match="NaN in different cells"):
            out.write(0, sm, np.nan_to_num(spread))
        out.write(0, sm, spread)
    assert list(tmp_path.iterdir()) == [tmp_path / "p.nc"]


def test_write_outside_the_block_is_refused(tmp_path):
    sm, spread, _ = _fields(SMALL, 2)
    writer = ProductWriter(tmp_path / "p.nc", SMALL, TIMES[:2], AMSMQTP_LAYERS, ATTRS)
    with pytest.raises(InputError, match="outside the `with` block"):
        writer.write(0, sm, spread)


@pytest.mark.parametrize(
    "times, problem",
    [
        (TIMES + np.timedelta64(14, "D"), "not month starts"),
        (TIMES[::-1], "not strictly ascending"),
        (np.array([], dtype="datetime64[ns]"), "empty"),
    ],
)
def test_bad_time_axis_is_refused_before_any_file(tmp_path, times, problem):
    with pytest.raises(InputError, match=problem):
        ProductWriter(tmp_path / "p.nc", SMALL, times, AMSMQTP_LAYERS, ATTRS)
    assert list(tmp_path.iterdir()) == []


def test_overlapping_layers_are_refused(tmp_path):
    with pytest.raises(InputError, match="bad layer bounds"):
        ProductWriter(tmp_path / "p.nc", SMALL, TIMES, [(0.0, 0.2), (0.1, 0.3)], ATTRS)


@pytest.mark.parametrize(
    "extra, problem",
    [
        ({"cds_api_key": "abc"}, "looks like a secret"),
        ({"TOKEN": "abc"}, "looks like a secret"),
        ({"db_password": "abc"}, "looks like a secret"),
        ({"mirror": "https://user:s3cret@data.example.org/x"}, "URL with credentials"),
        ({"count": 3}, "is int"),
        ({"title": "mine"}, "reserved"),
        ({"bad name": "x"}, "not a valid name"),
    ],
)
def test_secrets_and_bad_provenance_are_refused(tmp_path, extra, problem):
    attrs = ProductAttrs("historical", "h", "v1", ("A",), 5, extra=extra)
    with pytest.raises(InputError, match=problem):
        ProductWriter(tmp_path / "p.nc", SMALL, TIMES, AMSMQTP_LAYERS, attrs)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "models, folds, problem",
    [
        ("ACCESS-CM2", 5, "non-empty sequence of model names"),
        ((), 5, "non-empty sequence of model names"),
        (("A",), 0, "positive int"),
    ],
)
def test_incomplete_run_record_is_refused(tmp_path, models, folds, problem):
    with pytest.raises(InputError, match=problem):
        ProductWriter(
            tmp_path / "p.nc",
            SMALL,
            TIMES,
            AMSMQTP_LAYERS,
            ProductAttrs("historical", "h", "v1", models, folds),
        )


def test_credentials_in_a_run_record_field_are_refused(tmp_path):
    attrs = ProductAttrs("historical", "h", "ftp://me:pw@host/repo", ("A",), 5)
    with pytest.raises(InputError, match="'workflow_version' holds a URL with credentials"):
        ProductWriter(tmp_path / "p.nc", SMALL, TIMES, AMSMQTP_LAYERS, attrs)


def test_read_product_refuses_other_files(tmp_path):
    path = tmp_path / "not.nc"
    path.write_text("hello")
    with pytest.raises(InputError, match="not a NetCDF file"):
        read_product(path)


@pytest.mark.filterwarnings("ignore:The ioos_sos checker is deprecated:DeprecationWarning")
def test_cf_1_8_compliance_checker_passes(tmp_path, offline):
    path = tmp_path / "p.nc"
    _write(path)
    failures = cf_failures(path)
    assert not failures, "\n".join(failures)


def test_one_network_product_has_no_spread(tmp_path):
    """The CMIP6DL product: one YNet, one layer (ERA5-Land's 0-7 cm), no sm_spread."""
    path = tmp_path / "CMIP6DL_ssp245.nc"
    sm = _fields(SMALL, TIMES.size)[0][:, :1]
    attrs = ProductAttrs(
        experiment="ssp245",
        config_hash="0123abcd",
        workflow_version="v1",
        models=("ACCESS-CM2",),
        folds=1,
        product="CMIP6DL",
        members="YNet (one network)",
    )
    with ProductWriter(path, SMALL, TIMES, [(0.0, 0.07)], attrs, spread=False) as out:
        with pytest.raises(InputError, match="sm_spread exactly when"):
            out.write(0, sm[:12], sm[:12])
        out.write(0, sm[:12])
        out.write(12, sm[12:])
    with read_product(path) as ds:
        assert "sm_spread" not in ds and ds["sm"].shape == (24, 1, 5, 6)
        np.testing.assert_array_equal(ds["sm"].values, sm)
        assert "ancillary_variables" not in ds["sm"].attrs
        assert "one soil layer on a 0.1 degree grid" in ds.attrs["summary"]
        assert "output of the YNet (one network)" in ds.attrs["summary"]


def test_bagged_writer_refuses_a_chunk_without_spread(tmp_path):
    sm = _fields(SMALL, TIMES.size)[0]
    with (
        pytest.raises(InputError, match="sm_spread exactly when"),
        ProductWriter(tmp_path / "p.nc", SMALL, TIMES, AMSMQTP_LAYERS, ATTRS) as out,
    ):
        out.write(0, sm)
    assert not (tmp_path / "p.nc").exists()


def test_significant_digits_round_the_stored_values_and_say_so(tmp_path):
    from dataclasses import replace

    from smdown.product.netcdf import bit_round, mantissa_bits

    path = tmp_path / "rounded.nc"
    sm, spread = _write(path, attrs=replace(ATTRS, significant_digits=5))
    assert mantissa_bits(5) == 17
    with read_product(path) as ds:
        stored = ds["sm"].values
        np.testing.assert_allclose(stored, sm, rtol=2.0**-18, atol=0)  # half the last kept bit
        assert not np.array_equal(stored, sm, equal_nan=True)
        np.testing.assert_array_equal(np.isnan(stored), np.isnan(sm))  # NaN stays NaN
        np.testing.assert_array_equal(stored, bit_round(sm, 17))
        assert (stored[np.isfinite(stored)].view(np.uint32) & 0x3F == 0).all()  # 6 bits zero
        assert "rounded to 17 of float32's 23 mantissa bits" in ds["sm"].attrs["comment"]
        assert "rounded to 17" in ds["sm_spread"].attrs["comment"]
    assert cf_failures(path) == []


def test_bit_round_rounds_to_nearest():
    from smdown.product.netcdf import bit_round

    x = np.array([1.0, 1.0 + 2**-20, 1.0 + 2**-17 + 2**-19, -3.0, np.nan], dtype=np.float32)
    np.testing.assert_array_equal(bit_round(x, 17)[:4], [1.0, 1.0, 1.0 + 2**-17, -3.0])
    assert np.isnan(bit_round(x, 17)[4])
    np.testing.assert_array_equal(bit_round(x, 23), x)
