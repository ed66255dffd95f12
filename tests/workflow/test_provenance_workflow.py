"""Provenance of the tiny run: a sidecar beside every output, lineage back to the raw sources,
the essentials inside every figure, the report listing every figure and table, and no
credentials or home paths in any of it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from smdown.provenance import read_sidecar, sha256_path, sidecar_path

from .conftest import FAKE_CDS_KEY, snakemake

pytestmark = pytest.mark.workflow
RUN = "results/tiny"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _outputs(folder: Path) -> list[Path]:
    """Every output under `folder`: files, and directory outputs (those with a sidecar) whole;
    logs, benchmarks and the training checkpoints (the jobs' scratch state) left out."""
    found = []
    for path in sorted(folder.iterdir()):
        if path.name in ("logs", "benchmarks", "checkpoint.pt") or path.name.endswith(".prov.json"):
            continue
        if path.is_file() or sidecar_path(path).exists():
            found.append(path)
        elif path.is_dir():
            found += _outputs(path)
    return found


def test_every_output_has_a_current_sidecar(tiny_run):
    outputs = _outputs(tiny_run / RUN) + _outputs(tiny_run / "resources")
    assert len(outputs) > 80
    for path in outputs:
        record = read_sidecar(path)
        assert record["sha256"] == sha256_path(path), path
        assert record["file"] == path.relative_to(tiny_run).as_posix()
        assert record["workflow"]["commit"] != ""
        assert len(record["config_hash"]) == 16


def test_a_figure_traces_back_to_every_raw_source(tiny_run):
    figure = tiny_run / RUN / "figures/fig14_percent_change_layer1.png"
    record = read_sidecar(figure)
    assert record["rule"] == "figure_percent_change" and record["wildcards"] == {"layer": "1"}
    assert record["params"]["style"] == {"cmap": "BrBG", "limit": None}
    lineage = record["lineage"]
    rules = {node.get("rule") for node in lineage.values()}
    assert {
        "percent_change",
        "product",
        "finetune",
        "pretrain",
        "regrid_cmip6",
        "prepare_era5land",
        "prepare_amsmqtp",
        "insitu_grids",
        "station_table",
        "synthesize_era5land",
        "synthesize_amsmqtp",
    } <= rules
    cmip6 = [p for p in record["sources"] if p.startswith("resources/demo/cmip6/")]
    for model in ("UKESM1-0-LL", "CESM2", "MPI-ESM1-2-LR"):
        assert any(f"_{model}_historical_" in p for p in cmip6), model
        assert any(f"_{model}_ssp585_" in p for p in cmip6), model
    for path in cmip6:
        assert lineage[path]["source"] == "synthetic"
        assert lineage[path]["rule"].startswith("synthesize_cmip6_")
    with Image.open(figure) as image:
        text = image.text
    assert text["smdown:rule"] == "figure_percent_change"
    assert text["smdown:provenance"] == "fig14_percent_change_layer1.png.prov.json"
    assert text["smdown:config_hash"] == record["config_hash"]
    assert text["smdown:workflow_commit"] == record["workflow"]["commit"]
    inputs = json.loads(text["smdown:inputs"])
    assert {i["path"] for i in inputs} == {i["path"] for i in record["inputs"]}


def test_the_lineage_command_prints_the_tree(tiny_run):
    figure = f"{RUN}/figures/fig08_annual_trend_maps_layer2.png"
    proc = subprocess.run(
        [sys.executable, "-m", "smdown.provenance", figure],
        cwd=tiny_run,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"{figure}  [figure_trend_maps number=08")
    assert any(re.search(r"[├└]── .*\[regrid_cmip6 .*model=CESM2", line) for line in lines)
    assert any("(see above)" in line for line in lines)
    assert any("[synthesize_cmip6_historical]" in line for line in lines)
    missing = subprocess.run(
        [sys.executable, "-m", "smdown.provenance", "no/such.png"],
        cwd=tiny_run,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert missing.returncode == 2 and "no provenance sidecar" in missing.stderr


def _report_entries(report: Path) -> dict[str, tuple[str, str, str]]:
    """path -> (category, subcategory, caption) of every entry the report lists, read in
    headless Chromium by opening each category, subcategory and entry as a reader would."""
    sync_api = pytest.importorskip("playwright.sync_api")
    found = {}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(report.as_uri())
        page.wait_for_selector("text=Results", timeout=120_000)
        for category in ("Figures", "Tables"):
            page.get_by_role("link", name=category, exact=True).click()
            items = [t.strip() for t in page.locator("li").all_inner_texts() if t.strip()]
            for sub in items[items.index(category) + 1 :]:
                page.get_by_role("link", name=category, exact=True).click()
                page.get_by_role("link", name=sub, exact=True).click()
                for i in range(page.locator("tbody tr").count()):
                    row = page.locator("tbody tr").nth(i)
                    row.locator("a[iconname=information-circle]").click()
                    text = page.inner_text("body")
                    path = re.search(r"^(results/\S+)$", text, re.MULTILINE)[1]
                    caption = text.split("DESCRIPTION", 1)[1].split("SIZE", 1)[0].strip()
                    found[path] = (category, sub, caption)
                    page.get_by_role("link", name=sub, exact=True).click()
            page.get_by_role("link", name="Results", exact=True).click()
        browser.close()
    return found


@pytest.fixture(scope="module")
def report(tiny_run, tiny_env) -> Path:
    """`snakemake --report` of the tiny run, built in the run's home with its fake CDS key."""
    path = tiny_run / "report.html"
    proc = snakemake(tiny_run, "--report", str(path), env=tiny_env, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return path


def test_report_lists_every_figure_and_table_with_a_caption(tiny_run, report):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (tests/setup.sh installs it)")
    entries = _report_entries(report)
    figures = {
        p.relative_to(tiny_run).as_posix() for p in (tiny_run / RUN / "figures").glob("*.png")
    }
    listed = {path for path, (category, _, _) in entries.items() if category == "Figures"}
    assert listed == figures
    tables = {path for path, (category, _, _) in entries.items() if category == "Tables"}
    assert f"{RUN}/evaluation/table_s1_reference_medians.csv" in tables
    assert f"{RUN}/evaluation/fig15_period_rates.csv" in tables
    assert all(p.endswith(".csv") for p in tables)
    for path, (_, _, caption) in entries.items():
        assert len(caption) > 40 and "{{" not in caption, path
    layer3 = entries[f"{RUN}/figures/fig07_taylor_layer3.png"][2]
    assert layer3.startswith("Fig. 7, layer 3 (run tiny)")


def test_no_credentials_or_home_paths_in_provenance_or_report(tiny_run, tiny_env, report):
    """The tiny run and its report ran with HOME above the working directory and a CDS key in
    the environment: neither may appear in what they wrote."""
    home = tiny_env["HOME"]
    assert str(tiny_run).startswith(home)
    texts = [report.read_text(errors="replace")]
    texts += [p.read_text() for p in tiny_run.rglob("*.prov.json")]
    assert len(texts) > 80
    for text in texts:
        assert FAKE_CDS_KEY not in text
        assert not re.search(rf"(?<![\w.-]){re.escape(home)}(?![\w.-])", text)
