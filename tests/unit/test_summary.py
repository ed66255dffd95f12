"""The end-of-run summary: figures, report command, and the product against the ensemble mean."""

from __future__ import annotations

import pandas as pd

from smdown.summary import run_summary


def test_trsr_summary_names_the_figures_the_report_and_scores_per_layer(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    results = tmp_path / "results/demo"
    (results / "figures").mkdir(parents=True)
    (results / "evaluation").mkdir()
    for name in ("fig01_study_area.png", "fig06_out_of_fold_scatter.png"):
        (results / "figures" / name).write_bytes(b"\x89PNG")
    rows = [
        {"predictor": p, "layer": k, "R2": r2, "RMSE": rmse, "paper_R2": paper}
        for k, paper in ((1, 0.819), (2, 0.802))
        for p, r2, rmse in (
            ("CMIP6_UNet-Gan", 0.98, 0.0074),
            ("ensemble_mean", 0.95, 0.011),
            ("quantile_mapping", 0.99, 0.006),
        )
    ]
    pd.DataFrame(rows).to_csv(results / "evaluation/out_of_fold_scores.csv", index=False)
    text = run_summary("demo", "trsr", [])
    assert "2 figures in results/demo/figures/" in text
    assert "snakemake --report results/demo/report.html" in text
    lines = text.splitlines()
    assert lines[-2].split() == ["1", "0.980", "(0.819)", "0.950", "0.0074", "0.0110"]
    assert lines[-1].split()[0] == "2" and len(lines) == 7
    paper = run_summary("paper", "trsr", ["config/config.yaml"])
    assert "--configfile config/config.yaml" in paper and "0 figures" in paper


def test_trsr_summary_names_another_reference_without_the_papers_scores(tmp_path, monkeypatch):
    """A three-layer reference (ERA5-Land) has no paper R2 beside its scores."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "results/mine/evaluation").mkdir(parents=True)
    rows = [
        {"predictor": p, "layer": 1, "R2": 0.9, "RMSE": 0.01, "paper_R2": None}
        for p in ("CMIP6_UNet-Gan", "ensemble_mean")
    ]
    pd.DataFrame(rows).to_csv(tmp_path / "results/mine/evaluation/out_of_fold_scores.csv")
    text = run_summary("mine", "trsr", ["mine.yaml"], reference="ERA5-Land")
    assert "Out-of-fold scores against ERA5-Land" in text
    assert text.splitlines()[-1].split() == ["1", "0.900", "(-)", "0.900", "0.0100", "0.0100"]


def test_cmip6dl_summary_reads_table2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    evaluation = tmp_path / "results/cmip6dl/evaluation"
    evaluation.mkdir(parents=True)
    pd.DataFrame(
        {"MAE": [0.01, 0.02], "RMSD": [0.02, 0.03], "ubRMSD": [0.015, 0.02], "r": [0.95, 0.9]},
        index=pd.Index(["CMIP6DL", "ensemble mean"], name="dataset"),
    ).to_csv(evaluation / "table2_skill.csv")
    text = run_summary("cmip6dl", "cmip6dl", ["config/cmip6dl.yaml"])
    assert text.splitlines()[-2].split() == ["CMIP6DL", "0.0100", "0.0200", "0.0150", "0.950"]
    assert text.splitlines()[-1].split()[:2] == ["ensemble", "mean"]
