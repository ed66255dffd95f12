"""Per-layer scores of gridded predictions, the RMSE comparison, and the run record helpers."""

from __future__ import annotations

import numpy as np
import pytest

from smdown.provenance import config_hash, workflow_version
from smdown.stats.evaluation import PAPER_R2, compare_rmse, layer_scores


def test_layer_scores_pool_cells_and_months_per_layer():
    rng = np.random.default_rng(0)
    reference = rng.random((6, 5, 3, 4))
    reference[:, :, 0, 0] = np.nan  # outside the region
    good = reference + 0.01
    noisy = reference + rng.normal(0, 0.1, reference.shape)
    scores = layer_scores(reference, {"good": good, "noisy": noisy})
    assert len(scores) == 10 and list(scores["layer"][:5]) == [1, 2, 3, 4, 5]
    first = scores.iloc[0]
    assert first["n"] == 6 * 11
    assert first["RMSE"] == pytest.approx(0.01) and first["bias"] == pytest.approx(0.01)
    assert first["ubRMSD"] == pytest.approx(0.0, abs=1e-12) and first["R"] == pytest.approx(1.0)
    assert list(scores["paper_R2"][:5]) == list(PAPER_R2)
    verdict = compare_rmse(scores, "good", "noisy")
    assert verdict["good_beats_noisy"].all() and len(verdict) == 5
    with pytest.raises(ValueError, match="shape"):
        layer_scores(reference, {"bad": reference[:, :3]})


def test_config_hash_ignores_key_order_and_sees_values():
    assert config_hash({"a": 1, "b": [1, 2]}) == config_hash({"b": [1, 2], "a": 1})
    assert config_hash({"a": 1}) != config_hash({"a": 2})
    assert len(config_hash({})) == 16


def test_workflow_version_outside_git_is_unknown(tmp_path):
    assert workflow_version(tmp_path) == "unknown"
