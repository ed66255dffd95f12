"""The paper config plans every download on a fresh machine; ingest says what is missing."""

from __future__ import annotations

import pytest

from tests.workflow.conftest import REPO, job_counts, snakemake

pytestmark = pytest.mark.workflow
PAPER = REPO / "config" / "config.yaml"


def test_dry_run_lists_every_download(tmp_path):
    proc = snakemake(tmp_path, "-n", configfile=PAPER)
    assert proc.returncode == 0, proc.stderr[-3000:]
    counts = job_counts(proc.stdout)
    assert counts["download_cmip6"] == 85
    assert counts["download_era5land"] == 4
    assert {k for k in counts if k.startswith("download_region_mask")} == {
        "download_region_mask_yangtze", "download_region_mask_yellow",
        "download_region_mask_lancang"}
    assert {k for k in counts if k.startswith("ingest_")} == {
        "ingest_amsmqtp", "ingest_ismn", "ingest_cma"}
    assert counts["regrid_cmip6"] == 85 and counts["vgg16_weights"] == 1
    assert counts["pretrain"] == 1 and counts["finetune"] == 5


def test_missing_amsmqtp_stops_with_where_to_get_it(tmp_path):
    proc = snakemake(tmp_path, "results/paper/ingest/amsmqtp.manifest.json", configfile=PAPER)
    assert proc.returncode != 0
    log = (tmp_path / "results/paper/logs/ingest_amsmqtp.log").read_text()
    assert "resources/amsmqtp/*.nc: no AMSMQTP files found" in log and "registration" in log
    assert not (tmp_path / "results/paper/ingest/amsmqtp.manifest.json").exists()
