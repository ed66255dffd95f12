"""Any CMIP6 model (issue 22, item 1): a `models` entry is a catalog name or a mapping, checked
with one line naming the key, and a model outside the catalog reaches the CDS request, the ESGF
facets, the local file search, the synthetic writer and Table 1."""

from __future__ import annotations

import netCDF4
import numpy as np
import pytest
import xarray as xr
import yaml

from smdown.catalog import MODELS, NativeGrid, model_entries, model_spec, model_specs
from smdown.configuration import ConfigError, resolve_config
from smdown.sources import cds, esgf
from smdown.sources.cmip6_files import find_cmor_files
from smdown.stats.models_table import models_table
from smdown.synthetic import cmip6_filenames, write_cmip6
from smdown.synthetic.truth import TruthWorld
from tests.conftest import REPO, write_small_cmip6

CONFIG_DIR = REPO / "config"
RACMO = {"name": "My-ESM1", "institution": "MY-INST", "member": "r3i1p1f2", "grid_label": "gr"}
GRID = {"nlon": 36, "nlat": 18, "lat_kind": "regular_offset", "lon0": 5.0}
SYNTHETIC = {**RACMO, "calendar": "360_day", "native_grid": GRID}


def _resolve(tmp_path, models, provider="synthetic"):
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        yaml.safe_dump({"run": "x", "models": models, "sources": {"cmip6": {"provider": provider}}})
    )
    return resolve_config([mine], CONFIG_DIR), str(mine)


@pytest.mark.parametrize(
    ("models", "provider", "key", "says"),
    [
        (["CESM2", {k: v for k, v in RACMO.items() if k != "member"}], "local", "models.1.member",
         "missing"),
        (["CESM2", RACMO], "synthetic", "models.1.calendar", "synthetic provider"),
        (["CESM2", {**RACMO, "calendar": "noleap"}], "synthetic", "models.1.native_grid",
         "synthetic provider"),
        (["CESM2", {"name": "CESM2", "member": "r2i1p1f1"}], "local", "models.1",
         "CESM2 is listed twice"),
        ([{**RACMO, "member": "r1i1"}], "local", "models.0.member", "does not match"),
        ([{**SYNTHETIC, "native_grid": {"nlon": 36}}], "synthetic", "models.0.native_grid",
         "'nlat' is a required property"),
        ([{**RACMO, "colour": "red"}], "local", "models.0.colour", "unknown key"),
        (["CESM3"], "local", "models.0", "'CESM3' is not allowed"),
    ],
)  # fmt: skip
def test_a_bad_model_entry_is_one_line_naming_the_key_and_file(
    tmp_path, models, provider, key, says
):
    with pytest.raises(ConfigError) as caught:
        _resolve(tmp_path, models, provider)
    message = str(caught.value)
    assert message.startswith(f"config key {key} (set in {tmp_path / 'mine.yaml'}): ")
    assert says in message and "\n" not in message


def test_names_stay_names_and_the_mappings_are_kept(tmp_path):
    config, _ = _resolve(tmp_path, ["CESM2", SYNTHETIC])
    assert config["models"] == ["CESM2", "My-ESM1"]
    assert config["model_specs"] == ["CESM2", SYNTHETIC]
    assert model_entries(config) == ["CESM2", SYNTHETIC]
    names_only, _ = _resolve(tmp_path, ["CESM2", "MIROC6"])
    assert "model_specs" not in names_only and model_entries(names_only) == ["CESM2", "MIROC6"]


def test_a_mapping_overrides_the_catalog_or_describes_a_new_model():
    assert model_spec("CESM2") is MODELS["CESM2"]
    ec = model_spec({"name": "EC-Earth3", "member": "r4i1p1f1"})
    assert (ec.member, ec.grid_label, ec.calendar) == ("r4i1p1f1", "gr", "proleptic_gregorian")
    new = model_spec(RACMO)
    assert (new.institution, new.member, new.grid_label) == ("MY-INST", "r3i1p1f2", "gr")
    assert new.calendar is None and new.grid is None
    assert model_spec(SYNTHETIC).grid == NativeGrid(36, 18, "regular_offset", lon0=5.0)
    assert model_spec({"name": "X-1", "institution": "I", "member": "r1i1p1f1"}).grid_label == "gn"
    with pytest.raises(ValueError, match="listed twice"):
        model_specs(["CESM2", {"name": "CESM2"}])
    with pytest.raises(ValueError, match="member missing"):
        model_spec({"name": "X-1", "institution": "I"})


def test_the_cds_request_of_a_new_model():
    request = cds.cmip6_request(SYNTHETIC, "historical", [38, 89, 31, 104], 2)
    assert request["model"] == "my_esm1"
    # 10 x 10 degree cells: widened by 2 cells (20 degrees), rounded outward
    assert request["area"] == [58.0, 69, 11.0, 124]
    # no native grid: widened by FALLBACK_SPACING_DEG per cell
    fallback = cds.padded_area(RACMO, [38, 89, 31, 104], 2)
    step = 2 * cds.FALLBACK_SPACING_DEG
    assert fallback == [38 + step, 89 - step, 31 - step, 104 + step]
    # the catalog's models are requested as before
    assert cds.cmip6_request("CESM2", "historical", [38, 89, 31, 104], 3)["model"] == "cesm2"


def test_the_esgf_facets_of_a_new_model():
    facets = esgf.search_facets(RACMO, "ssp585")
    assert facets["source_id"] == "My-ESM1"
    assert (facets["member_id"], facets["grid_label"]) == ("r3i1p1f2", "gr")
    assert esgf.search_facets("EC-Earth3", "historical")["grid_label"] == "gr"


def test_the_local_file_search_takes_the_new_models_member(tmp_path):
    spec = model_spec(RACMO)
    for member in (spec.member, "r1i1p1f1"):
        name = f"mrsos_Lmon_{spec.name}_historical_{member}_{spec.grid_label}_195001-201412.nc"
        (tmp_path / name).write_bytes(b"")
    found = find_cmor_files(tmp_path, spec.name, "historical", spec.member)
    assert [f.name for f in found] == ["mrsos_Lmon_My-ESM1_historical_r3i1p1f2_gr_195001-201412.nc"]


def test_the_synthetic_writer_uses_the_new_models_grid_calendar_and_names(tmp_path):
    names = cmip6_filenames(SYNTHETIC, "historical")
    assert names == ["mrsos_Lmon_My-ESM1_historical_r3i1p1f2_gr_195001-201412.nc"]
    (path,) = write_cmip6(TruthWorld(7), SYNTHETIC, "historical", tmp_path)
    assert path.name == names[0]
    with xr.open_dataset(path, decode_times=False) as ds:
        assert ds["time"].attrs["calendar"] == "360_day"
        assert np.allclose(np.diff(ds["lon"].values), 10.0)
        assert np.allclose(np.diff(ds["lat"].values), 10.0)
        assert ds["lon"].values[0] % 10 == pytest.approx(5.0)
        assert (ds.attrs["institution_id"], ds.attrs["variant_label"]) == ("MY-INST", "r3i1p1f2")
        assert ds.attrs["grid_label"] == "gr" and ds.attrs["source_id"] == "My-ESM1"
    with pytest.raises(ValueError, match="calendar and native_grid"):
        write_cmip6(TruthWorld(7), RACMO, "historical", tmp_path)


def _prepared(tmp_path, model, attrs):
    tmp_path.mkdir(exist_ok=True)
    path = write_small_cmip6(tmp_path / f"{model}.nc", source_id=model)
    with netCDF4.Dataset(path, "a") as ds:
        ds.setncatts(
            {
                "source_id": model,
                "nominal_resolution": "250 km",
                "source_calendar": "noleap",
                "source_grid": "2 x 2 degrees (lat x lon)",
                **attrs,
            }
        )
    return path


def test_table1_shows_the_new_models_institution_member_and_grid_label(tmp_path):
    # the file says them: the file wins
    said = _prepared(
        tmp_path, "My-ESM1", {"institution_id": "FILE", "member_id": "r9i1p1f1", "grid_label": "gn"}
    )
    table = models_table({"My-ESM1": said}, [RACMO])
    assert table.loc[0, ["institution", "member", "grid label"]].tolist() == [
        "FILE", "r9i1p1f1", "gn"
    ]  # fmt: skip
    # the file leaves them empty: the config's mapping fills them in
    silent = _prepared(
        tmp_path / "silent", "My-ESM1", {"institution_id": "", "member_id": "", "grid_label": ""}
    )
    table = models_table({"My-ESM1": silent}, ["CESM2", RACMO])
    assert table.loc[0, ["model", "institution", "member", "grid label"]].tolist() == [
        "My-ESM1", "MY-INST", "r3i1p1f2", "gr"
    ]  # fmt: skip
