"""Atomic writing: a failure inside the block leaves neither the output nor a temporary."""

from __future__ import annotations

import os

import numpy as np
import pytest
import xarray as xr

from smdown.errors import InputError
from smdown.geometry import regular_grid
from smdown.io import atomic_path, file_kind, write_netcdf
from smdown.prepare import prepare_cmip6
from tests.conftest import write_small_cmip6


def test_failure_leaves_nothing(tmp_path):
    out = tmp_path / "sub" / "out.nc"
    with pytest.raises(RuntimeError), atomic_path(out) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("crash mid-write")
    assert not out.exists() and list(out.parent.iterdir()) == []


def test_success_renames_into_place(tmp_path):
    out = tmp_path / "out.nc"
    write_netcdf(xr.Dataset({"a": ("x", np.arange(3))}), out)
    assert file_kind(out) == "netcdf" and list(tmp_path.iterdir()) == [out]


def test_outputs_get_the_usual_permissions(tmp_path):
    out = tmp_path / "out.txt"
    previous = os.umask(0o027)
    try:
        with atomic_path(out) as tmp:
            tmp.write_text("x")
    finally:
        os.umask(previous)
    assert out.stat().st_mode & 0o777 == 0o640


def test_grid_not_covering_the_domain_is_named(tmp_path, target):
    # A CDS area request that was too small: 33-37 N does not cover 31-38 N.
    path = write_small_cmip6(
        tmp_path / "mrsos_small.nc",
        lat=np.arange(33.0, 37.5, 2.0),
        years=(1950, 2014),
        source_id="CESM2",
    )
    with pytest.raises(InputError, match="does not cover the target domain in latitude") as err:
        prepare_cmip6([path], "CESM2", "historical", target)
    assert "mrsos_small.nc" in str(err.value)


def test_bilinear_option_reaches_the_regridder(tmp_path):
    dst = regular_grid(31.0, 33.0, 90.0, 92.0, 0.5)
    path = write_small_cmip6(tmp_path / "m.nc", years=(1950, 2014), source_id="CESM2")
    con = prepare_cmip6([path], "CESM2", "historical", dst)
    bil = prepare_cmip6([path], "CESM2", "historical", dst, method="bilinear")
    assert bil.attrs["regrid_method"] == "bilinear" and con.attrs["regrid_method"] == "conservative"
    assert not np.allclose(con["mrsos"].values, bil["mrsos"].values)
