"""The paper config plans every download on a fresh machine; ingest says what is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from smdown.catalog import MODELS
from tests.workflow.conftest import REPO, TINY, install_slurm_profile, job_counts, snakemake

pytestmark = pytest.mark.workflow
PAPER = REPO / "config" / "config.yaml"


def test_dry_run_lists_every_download(tmp_path):
    proc = snakemake(tmp_path, "-n", configfile=PAPER)
    assert proc.returncode == 0, proc.stderr[-3000:]
    counts = job_counts(proc.stdout)
    assert counts["download_cmip6"] == 85
    assert counts["download_era5land"] == 4
    assert {k for k in counts if k.startswith("download_region_mask")} == {
        "download_region_mask_yangtze",
        "download_region_mask_yellow",
        "download_region_mask_lancang",
    }
    assert {k for k in counts if k.startswith("ingest_")} == {
        "ingest_amsmqtp",
        "ingest_ismn",
        "ingest_cma",
    }
    assert counts["regrid_cmip6"] == 85 and counts["vgg16_weights"] == 1
    assert counts["pretrain"] == 1 and counts["finetune"] == 5


def test_missing_amsmqtp_stops_with_where_to_get_it(tmp_path):
    proc = snakemake(tmp_path, "results/paper/ingest/amsmqtp.manifest.json", configfile=PAPER)
    assert proc.returncode != 0
    log = (tmp_path / "results/paper/logs/ingest_amsmqtp.log").read_text()
    assert "resources/amsmqtp/*.nc: no AMSMQTP files found" in log and "registration" in log
    assert not (tmp_path / "results/paper/ingest/amsmqtp.manifest.json").exists()


def test_the_paper_dry_run_lists_what_is_missing_first(tmp_path):
    proc = snakemake(tmp_path, "-n", configfile=PAPER, env={"HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    preflight = proc.stderr[proc.stderr.index("preflight:") :].split("\n\n")[0]
    assert "preflight: 4 thing(s) missing" in preflight
    for need in (
        "[MISSING] CDS credentials",
        "[check] the CDS licence of cmip6",
        "[MISSING] AMSMQTP",
        "[MISSING] ISMN archive",
        "[MISSING] CMA station CSV",
    ):
        assert need in preflight


def test_the_check_target_fails_on_what_is_missing(tmp_path):
    proc = snakemake(tmp_path, "check", configfile=PAPER, env={"HOME": str(tmp_path)})
    assert proc.returncode != 0
    log = (tmp_path / "results/paper/logs/check.log").read_text()
    assert "4 thing(s) missing" in log and "ncdc.ac.cn" in log


def _drs_tree(root: Path, models: list[str], experiments: list[str], version: str) -> None:
    """Empty CMOR files in ESGF's DRS layout (a dry run reads only their names)."""
    for model in models:
        member = MODELS[model].member
        for experiment in experiments:
            years = "185001-201412" if experiment == "historical" else "201501-210012"
            folder = (
                root
                / "CMIP6"
                / "ScenarioMIP"
                / "INST"
                / model
                / experiment
                / member
                / "Lmon"
                / "mrsos"
                / "gn"
                / version
            )
            folder.mkdir(parents=True)
            (folder / f"mrsos_Lmon_{model}_{experiment}_{member}_gn_{years}.nc").touch()


def _local_cmip6(tmp_path: Path, drs: Path) -> Path:
    config = yaml.safe_load(TINY.read_text())
    config["sources"]["cmip6"] = {"provider": "local", "path": str(drs)}
    path = tmp_path / "local.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def test_local_cmip6_files_are_found_in_a_drs_tree(tmp_path):
    config = yaml.safe_load(TINY.read_text())
    _drs_tree(tmp_path / "drs", config["models"], config["experiments"], "v20190101")
    proc = snakemake(
        tmp_path,
        "-n",
        "--forceall",
        *(
            f"results/tiny/prepared/cmip6/{e}/{m}.nc"
            for m in config["models"]
            for e in config["experiments"]
        ),
        configfile=_local_cmip6(tmp_path, tmp_path / "drs"),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert job_counts(proc.stdout)["regrid_cmip6"] == 6
    assert "v20190101/mrsos_Lmon_CESM2_ssp585" in proc.stdout


def test_two_versions_of_a_local_cmip6_file_are_refused_naming_both(tmp_path):
    config = yaml.safe_load(TINY.read_text())
    for version in ("v20190101", "v20200101"):
        _drs_tree(tmp_path / "drs", config["models"][:1], ["historical"], version)
    proc = snakemake(
        tmp_path,
        "-n",
        f"results/tiny/prepared/cmip6/historical/{config['models'][0]}.nc",
        configfile=_local_cmip6(tmp_path, tmp_path / "drs"),
    )
    assert proc.returncode != 0
    assert "v20190101/mrsos_Lmon_" in proc.stderr and "v20200101/mrsos_Lmon_" in proc.stderr
    assert "two versions" in proc.stderr


def _profile_dry_run(workdir: Path, env: dict[str, str], *args: str) -> str:
    """`snakemake --profile slurm -n` exactly as a user types it (plus the Snakefile's place)."""
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        "--profile",
        "slurm",
        "-n",
        *args,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **env})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_the_slurm_profile_by_its_short_name_runs_the_paper(tmp_path):
    """After the README's one install command, `snakemake --profile slurm` plans the paper;
    a --configfile on the command line chooses the other study instead."""
    env = install_slurm_profile(tmp_path / "home")
    assert (tmp_path / "home/.config/snakemake/slurm/config.yaml").is_file()
    paper = _profile_dry_run(tmp_path / "paper", env)
    counts = job_counts(paper)
    assert counts["download_cmip6"] == 85 and counts["finetune"] == 5
    assert "results/paper/" in paper and "results/demo/" not in paper
    outline = tmp_path / "cmip6dl/resources/regions/china.geojson"  # the user's, not downloaded
    outline.parent.mkdir(parents=True)
    outline.write_text("{}")
    other = _profile_dry_run(
        tmp_path / "cmip6dl", env, "--configfile", str(REPO / "config" / "cmip6dl.yaml")
    )
    assert "results/cmip6dl/" in other and "results/paper/" not in other
    assert job_counts(other)["train_ynet"] == 1
