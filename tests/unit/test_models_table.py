"""Table 1 as run: what the CMOR files say travels through reading into the table."""

from __future__ import annotations

import netCDF4
import pytest
import xarray as xr

from smdown.errors import InputError
from smdown.qc import QCLog
from smdown.sources.cmip6 import IDENTITY, read_mrsos
from smdown.stats.models_table import models_table
from tests.conftest import write_small_cmip6


def _cmor(tmp_path, calendar="360_day"):
    path = write_small_cmip6(
        tmp_path / "mrsos_Lmon_TESTMODEL_historical_r2i1p1f2_gn_200001-200112.nc", calendar=calendar
    )
    with netCDF4.Dataset(path, "a") as ds:
        ds.setncatts(
            {
                "institution_id": "TEST-INST",
                "variant_label": "r2i1p1f2",
                "grid_label": "gn",
                "nominal_resolution": "250 km",
            }
        )
    return path


def test_reading_keeps_what_the_cmor_file_says(tmp_path):
    data, _ = read_mrsos([_cmor(tmp_path)], 2000, 2001, model="TESTMODEL", qc=QCLog("cmip6"))
    assert {key: data.attrs[key] for key in IDENTITY} == {
        "institution_id": "TEST-INST",
        "member_id": "r2i1p1f2",
        "grid_label": "gn",
        "nominal_resolution": "250 km",
        "source_calendar": "360_day",
        "source_grid": "2 x 2 degrees (lat x lon)",
    }


def _prepared(tmp_path, model, **attrs):
    path = tmp_path / f"{model}.nc"
    xr.Dataset(
        attrs={
            "source_id": model,
            "institution_id": "I",
            "member_id": "r1i1p1f1",
            "grid_label": "gn",
            "nominal_resolution": "100 km",
            "source_calendar": "noleap",
            "source_grid": "1 x 1 degrees (lat x lon)",
            **attrs,
        }
    ).to_netcdf(path)
    return path


def test_one_row_per_model_in_the_configured_order(tmp_path):
    files = {m: _prepared(tmp_path, m) for m in ("B-MODEL", "A-MODEL")}
    table = models_table(files)
    assert table["model"].tolist() == ["B-MODEL", "A-MODEL"]
    assert table.columns.tolist() == [
        "model",
        "institution",
        "member",
        "native grid",
        "nominal resolution",
        "grid label",
        "calendar",
    ]
    assert table.loc[0, "calendar"] == "noleap"


def test_a_file_of_another_model_or_without_the_attributes_is_refused(tmp_path):
    with pytest.raises(InputError, match="holds model 'A-MODEL'"):
        models_table({"B-MODEL": _prepared(tmp_path, "A-MODEL")})
    bare = tmp_path / "bare.nc"
    xr.Dataset(attrs={"source_id": "X"}).to_netcdf(bare)
    with pytest.raises(InputError, match=r"bare.nc: lacks the attributes \['institution_id'"):
        models_table({"X": bare})
