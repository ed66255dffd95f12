"""A UNet-GAN run without stations (issue 22, item 4): the tiny config with no ISMN networks
and no CMA plans no station or in-situ job, fine-tunes without the in-situ loss, still plans
Fig. 1 (the study area alone), the product and the trend figures, and says at its start what
it left out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.workflow.conftest import TINY, snakemake

pytestmark = pytest.mark.workflow
STATION_RULES = (
    "station_table",
    "insitu_grids",
    "insitu_skill",
    "reference_metrics",
    "figure_reference_boxplots",
    "synthesize_ismn",
    "synthesize_cma",
)


def _overlay(tmp_path: Path, sources: dict) -> Path:
    path = tmp_path / "overlay.yaml"
    path.write_text(yaml.safe_dump({"sources": sources}))
    return path


def _dry_run(tmp_path: Path, sources: dict) -> tuple[str, str]:
    """The dry run's plan (stdout) and what the run says (stderr) of tiny.yaml + `sources`."""
    work = tmp_path / "work"
    work.mkdir()
    proc = snakemake(work, "-n", configfile=(TINY, _overlay(tmp_path, sources)))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout, proc.stderr


def _rules(plan: str) -> set[str]:
    return set(re.findall(r"^(?:local)?rule (\w+):", plan, re.MULTILINE))


def test_no_stations_plans_no_station_job_and_keeps_the_product_and_trends(tmp_path):
    plan, said = _dry_run(tmp_path, {"ismn": {"networks": []}, "cma": {"provider": "none"}})
    rules = _rules(plan)
    assert not rules & set(STATION_RULES)
    assert "insitu" not in plan.replace("insitu_off", "")  # no in-situ file in any job
    assert {"finetune", "product", "trends", "figure_trend_maps"} <= rules
    assert "CMIP6_UNet-Gan_ssp585.nc" in plan
    assert "fig08_annual_trend_maps_layer1.png" in plan
    assert "fig15_period_rates.png" in plan
    assert "qc/parts/stations.csv" not in plan  # nor the stations' QC part
    assert "figure_study_area" in rules  # Fig. 1: the study area without stations
    assert "the in-situ loss is off: no stations are configured" in said
    for left_out in ("rule station_table", "figure_reference_boxplots"):
        assert left_out in said


def test_ismn_alone_builds_the_station_table_without_cma(tmp_path):
    plan, said = _dry_run(tmp_path, {"cma": {"provider": "none"}})
    rules = _rules(plan)
    assert {"station_table", "insitu_grids", "synthesize_ismn"} <= rules
    assert "synthesize_cma" not in rules
    assert "cma_stations.csv" not in plan
    assert "the station table is built from ISMN alone" in said


def test_cma_alone_builds_the_station_table_without_ismn(tmp_path):
    plan, said = _dry_run(tmp_path, {"ismn": {"networks": []}})
    rules = _rules(plan)
    assert {"station_table", "insitu_grids", "synthesize_cma"} <= rules
    assert "synthesize_ismn" not in rules
    assert "the station table is built from CMA alone" in said
