"""Scores of gridded predictions against a gridded reference, per soil layer (Fig. 6, Table).

Every cell-month inside the region with a finite reference and prediction is one pair; the
scores pool all pairs of a layer, as the paper's Fig. 6 scatter does.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from smdown.stats.metrics import METRICS, valid_pairs

LAYER_SCORES = ("R2", "R", "RMSE", "MAE", "ubRMSD", "bias")
# Li et al. (2024), section 3.2: out-of-fold UNet-Gan against AMSMQTP, layers 1-5
PAPER_R2 = (0.819, 0.802, 0.694, 0.778, 0.541)
PAPER_R = (0.905, 0.895, 0.833, 0.882, 0.736)


def layer_scores(reference: np.ndarray, predictions: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """One row per (predictor, layer) of (time, layer, ...) arrays: n and `LAYER_SCORES`.

    The paper's R2 and R are added beside each layer's row when the reference has AMSMQTP's
    five layers (else NaN: they score other layers); `bias` is prediction minus reference.
    """
    paper = reference.shape[1] == len(PAPER_R2)
    rows = []
    for name, values in predictions.items():
        if values.shape != reference.shape:
            raise ValueError(f"{name}: shape {values.shape}, reference {reference.shape}")
        for layer in range(reference.shape[1]):
            y, yhat = valid_pairs(reference[:, layer], values[:, layer])
            row = {"predictor": name, "layer": layer + 1, "n": y.size}
            row.update({score: METRICS[score](y, yhat) for score in LAYER_SCORES})
            row["paper_R2"] = PAPER_R2[layer] if paper else np.nan
            row["paper_R"] = PAPER_R[layer] if paper else np.nan
            rows.append(row)
    return pd.DataFrame(rows)


def compare_rmse(scores: pd.DataFrame, candidate: str, baseline: str) -> pd.DataFrame:
    """Per layer the RMSE of `candidate` and `baseline` and whether the candidate's is lower."""
    table = scores.pivot(index="layer", columns="predictor", values="RMSE")
    out = pd.DataFrame({f"rmse_{candidate}": table[candidate], f"rmse_{baseline}": table[baseline]})
    out[f"{candidate}_beats_{baseline}"] = out.iloc[:, 0] < out.iloc[:, 1]
    return out.reset_index()
