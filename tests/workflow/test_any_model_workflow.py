"""A model outside the catalog, given as a mapping, through the real workflow: its synthetic
CMOR files on its own native grid and calendar, the regridding, and Table 1 (issue 22, item 1)."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from tests.workflow.conftest import TINY, snakemake

pytestmark = pytest.mark.workflow
MINE = {
    "name": "MyModel-1",
    "institution": "ME",
    "member": "r2i1p1f1",
    "grid_label": "gr",
    "calendar": "360_day",
    "native_grid": {"nlon": 36, "nlat": 18, "lat_kind": "regular_offset"},
}


def test_a_model_outside_the_catalog_reaches_table_1(tmp_path):
    config = yaml.safe_load(TINY.read_text())
    config.update(run="mine", models=["UKESM1-0-LL", "CESM2", MINE])
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    proc = snakemake(tmp_path, "results/mine/evaluation/table1_models.csv", configfile=path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    written = sorted(p.name for p in tmp_path.glob("resources/**/mrsos_Lmon_MyModel-1_*.nc"))
    # Table 1 reads the first experiment's prepared files: only the historical run is made
    assert written == ["mrsos_Lmon_MyModel-1_historical_r2i1p1f1_gr_195001-201412.nc"]
    table = pd.read_csv(tmp_path / "results/mine/evaluation/table1_models.csv")
    mine = table.set_index("model").loc["MyModel-1"]
    assert list(table["model"]) == ["UKESM1-0-LL", "CESM2", "MyModel-1"]
    assert (mine["institution"], mine["member"], mine["grid label"]) == ("ME", "r2i1p1f1", "gr")
    assert (mine["calendar"], mine["native grid"]) == ("360_day", "10 x 10 degrees (lat x lon)")
