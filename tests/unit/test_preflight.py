"""The preflight: what a config needs before any job runs, listed with where to get it."""

from __future__ import annotations

from pathlib import Path

import pytest

from smdown.configuration import resolve_config
from smdown.errors import InputError
from smdown.preflight import check, preflight, report
from smdown.synthetic import TruthWorld
from smdown.synthetic.era5land import write_era5land
from smdown.synthetic.orography import write_geopotential

CONFIG = Path(__file__).resolve().parents[2] / "config"


def _config(name: str) -> dict:
    """A shipped config as the workflow runs it (laid over the defaults, the study's keys
    derived, the schema's defaults filled in)."""
    return resolve_config([CONFIG / name], CONFIG)


def _missing(needs) -> list[str]:
    return [need.what for need in needs if need.missing]


def test_the_demo_needs_nothing():
    assert preflight(_config("demo.yaml"), env={}, home=Path("/nonexistent")) == []


def test_the_paper_lists_credentials_licences_and_registration_only_data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    needs = preflight(_config("config.yaml"), env={}, home=tmp_path)
    assert _missing(needs) == ["CDS credentials", "AMSMQTP", "ISMN archive", "CMA station CSV"]
    reminders = [need for need in needs if not need.missing]
    assert [need.what for need in reminders] == [
        "the CDS licence of cmip6",
        "the CDS licence of era5land",
    ]
    text = report(needs)
    assert text.startswith("preflight: 4 thing(s) missing")
    assert "ncdc.ac.cn" in text and "ismn.earth" in text and "~/.cdsapirc" in text


def test_credentials_in_the_environment_are_enough(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"CDSAPI_URL": "https://cds.example", "CDSAPI_KEY": "0123-4567"}
    needs = preflight(_config("config.yaml"), env=env, home=tmp_path)
    assert "CDS credentials" not in _missing(needs)


def test_the_cmip6dl_outline_is_the_users_to_supply(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".cdsapirc").write_text("url: x\nkey: y\n")
    needs = preflight(_config("cmip6dl.yaml"), env={}, home=tmp_path)
    assert _missing(needs) == ["region outline"]
    assert "resources/regions/china.geojson not found" in report(needs)
    with pytest.raises(InputError, match="region outline"):
        check(_config("cmip6dl.yaml"))


def test_local_era5land_that_ends_early_is_counted(tmp_path):
    folder = tmp_path / "era5land"
    folder.mkdir()
    write_era5land(TruthWorld(seed=1), folder / "a.nc", 2000, 2001)
    config = _config("demo.yaml")
    config["sources"]["era5land"] = {
        "provider": "local",
        "path": str(folder),
        "first_year": 2000,
        "last_year": 2003,
        "geopotential": "geopotential.nc",
    }
    needs = preflight(config, env={}, home=tmp_path)
    assert _missing(needs) == ["ERA5-Land geopotential (Fig. 1's elevation)", "ERA5-Land months"]
    assert "no geopotential.nc in" in needs[0].where
    assert "24 months of 2000-2003" in needs[1].where and "first 2002-01" in needs[1].where
    write_geopotential(TruthWorld(seed=1), folder / "geopotential.nc")  # not read as months
    needs = preflight(config, env={}, home=tmp_path)
    assert _missing(needs) == ["ERA5-Land months"]


def test_local_cmip6_names_each_missing_model(tmp_path):
    config = _config("demo.yaml")
    config["models"] = ["ACCESS-CM2"]
    config["experiments"] = ["historical", "ssp585"]
    config["sources"]["cmip6"] = {"provider": "local", "path": str(tmp_path)}
    needs = preflight(config, env={}, home=tmp_path)
    assert _missing(needs) == ["CMIP6 ACCESS-CM2 historical", "CMIP6 ACCESS-CM2 ssp585"]
