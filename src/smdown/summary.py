"""The few lines a finished run prints: where its figures and tables are, how to build and open
the report, and its main scores (the product against the ensemble mean, per layer)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def _trsr_scores(evaluation: Path, reference: str) -> list[str]:
    """Out-of-fold R2 and RMSE per layer against the fine-tuning reference, product beside the
    ensemble mean (and the paper's R2 where the scores hold it: AMSMQTP's five layers)."""
    path = evaluation / "out_of_fold_scores.csv"
    if not path.is_file():
        return []
    table = pd.read_csv(path).set_index(["predictor", "layer"])
    lines = [
        f"Out-of-fold scores against {reference} ({path}):",
        "  layer  R2 product (paper)  R2 ens. mean  RMSE product  RMSE ens. mean",
    ]
    for layer in sorted(table.loc["CMIP6_UNet-Gan"].index):
        ours, mean = table.loc[("CMIP6_UNet-Gan", layer)], table.loc[("ensemble_mean", layer)]
        paper = f"({ours['paper_R2']:.3f})" if pd.notna(ours.get("paper_R2")) else "(-)    "
        lines.append(
            f"  {layer:5d}  {ours['R2']:10.3f} {paper}"
            f"  {mean['R2']:12.3f}  {ours['RMSE']:12.4f}  {mean['RMSE']:14.4f}"
        )
    return lines


def _cmip6dl_scores(evaluation: Path) -> list[str]:
    """Table 2 on the test years: CMIP6DL beside the ensemble mean."""
    path = evaluation / "table2_skill.csv"
    if not path.is_file():
        return []
    table = pd.read_csv(path, index_col="dataset")
    lines = [
        f"Test-year scores against ERA5-Land ({path}):",
        "  dataset              MAE      RMSD     ubRMSD       r",
    ]
    for name in [n for n in ("CMIP6DL", "ensemble mean") if n in table.index]:
        row = table.loc[name]
        lines.append(
            f"  {name:16s} {row['MAE']:8.4f} {row['RMSD']:8.4f} {row['ubRMSD']:9.4f} "
            f"{row['r']:7.3f}"
        )
    return lines


def run_summary(run: str, study: str, configfiles: list[str], reference: str = "AMSMQTP") -> str:
    """The end-of-run summary of `results/<run>` (paths relative to the working directory);
    `reference` names the UNet-GAN's fine-tuning reference."""
    results = Path("results") / run
    figures = sorted((results / "figures").glob("*.png"))
    option = "".join(f" --configfile {f}" for f in configfiles)
    lines = [
        f"Run '{run}' finished: {len(figures)} figures in {results / 'figures'}/, "
        f"tables in {results / 'evaluation'}/, the product in {results / 'product'}/.",
        f"Report: snakemake --report {results / 'report.html'}{option}  "
        f"(then open {results / 'report.html'} in a browser).",
        "Where a file came from: python -m smdown.provenance FILE",
    ]
    evaluation = results / "evaluation"
    scores = _trsr_scores(evaluation, reference) if study == "trsr" else _cmip6dl_scores(evaluation)
    return "\n".join(lines + scores)
