"""Taylor-diagram statistics (Fig. 7): spread, correlation and centred RMS difference per candidate.

Taylor (2001, JGR 106(D7), 7183-7192) places each candidate at radius `std` and angle
`arccos(R)`; its distance from the reference point is then the centred RMS difference, because

    crmsd^2 = s_r^2 + s_c^2 - 2 s_r s_c R

with population standard deviations (ddof=0) of the reference (s_r) and the candidate (s_c) over
the same pairs, and their Pearson correlation R.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from smdown.stats.metrics import bias, pearson_r, rmse, ubrmsd, valid_pairs

COLUMNS = (
    "name",
    "n",
    "std",
    "std_reference",
    "std_normalised",
    "correlation",
    "crmsd",
    "crmsd_normalised",
    "bias",
    "rmse",
)


def _std(values: np.ndarray) -> float:
    """Population standard deviation (ddof=0), NaN for no values."""
    return float(np.std(values)) if values.size else np.nan


def _ratio(value: float, scale: float) -> float:
    """`value / scale`, NaN when the scale is zero or undefined (a constant reference)."""
    return value / scale if np.isfinite(scale) and scale > 0 else np.nan


def _reference_row(name: str, reference: np.ndarray) -> dict:
    """The reference against itself: R = 1, no centred difference, no bias."""
    values = reference[np.isfinite(reference)]
    std = _std(values)
    return {
        "name": name,
        "n": values.size,
        "std": std,
        "std_reference": std,
        "std_normalised": _ratio(std, std),
        "correlation": 1.0,
        "crmsd": 0.0,
        "crmsd_normalised": 0.0,
        "bias": 0.0,
        "rmse": 0.0,
    }


def _candidate_row(name: str, reference: np.ndarray, candidate: np.ndarray) -> dict:
    """One candidate's statistics over the pairs where both it and the reference are valid."""
    ref, cand = valid_pairs(reference, candidate)
    std, std_ref, crmsd = _std(cand), _std(ref), ubrmsd(ref, cand)
    return {
        "name": name,
        "n": ref.size,
        "std": std,
        "std_reference": std_ref,
        "std_normalised": _ratio(std, std_ref),
        "correlation": pearson_r(ref, cand),
        "crmsd": crmsd,
        "crmsd_normalised": _ratio(crmsd, std_ref),
        "bias": bias(ref, cand),
        "rmse": rmse(ref, cand),
    }


def taylor_statistics(
    reference, candidates: Mapping[str, np.ndarray], reference_name: str = "reference"
) -> pd.DataFrame:
    """One row for the reference, then one per candidate, with the Taylor-diagram statistics.

    Columns: name, n (valid pairs), std (population, ddof=0), std_reference (the reference's std
    over the same pairs), std_normalised (std / std_reference), correlation (Pearson R), crmsd
    (centred RMS difference) and crmsd_normalised (crmsd / std_reference), bias (candidate minus
    reference) and rmse. Pairs where either value is NaN are dropped per candidate, so each row
    satisfies crmsd^2 = std_reference^2 + std^2 - 2 std_reference std R exactly (Taylor 2001).
    Normalising by the reference's std over the candidate's own pairs keeps that identity exact
    when candidates miss different values; the reference row uses all its valid values.
    """
    reference = np.asarray(reference, dtype=np.float64).ravel()
    if reference_name in candidates:
        raise ValueError(f"candidate name {reference_name!r} clashes with the reference's name")
    rows = [_reference_row(reference_name, reference)]
    rows += [_candidate_row(name, reference, values) for name, values in candidates.items()]
    return pd.DataFrame(rows, columns=list(COLUMNS))
