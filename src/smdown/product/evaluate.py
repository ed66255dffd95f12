"""Evaluation of the product and its baselines, from their files (Figs. 6 and 7, the tables).

Out-of-fold predictions are scored against AMSMQTP per layer; on the demo, whole products are
also scored against the synthetic truth they were made from.
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike

import numpy as np
import pandas as pd
import xarray as xr

from smdown.errors import InputError
from smdown.prepared import layer_bounds_of
from smdown.soil_layers import average_layers
from smdown.stats.evaluation import compare_rmse, layer_scores
from smdown.stats.taylor import taylor_statistics

PRODUCT = "CMIP6_UNet-Gan"
OOF_PREDICTORS = {
    "unet_gan": PRODUCT,
    "ensemble_mean": "ensemble_mean",
    "quantile_mapping": "quantile_mapping",
}


def guard_warning(ds: xr.Dataset) -> str:
    """The out-of-fold or product file's note that its folds failed the collapse guard, or ""."""
    return str(ds.attrs.get("guard_warning", ""))


def _mark_product(table: pd.DataFrame, column: str, warning: str) -> pd.DataFrame:
    """`table` with a `guard` column: for the product's rows "passed", or "FAILED: <why>" when
    its folds failed the collapse guard; empty for the others (no network behind them)."""
    is_product = table[column] == PRODUCT
    verdict = f"FAILED: {warning}" if warning else "passed"
    return table.assign(guard=np.where(is_product, verdict, ""))


def oof_scores(oof: xr.Dataset) -> pd.DataFrame:
    """Per predictor and layer scores of the out-of-fold file's predictions against AMSMQTP,
    the product's rows marked by the collapse guard's verdict on its folds."""
    predictions = {name: oof[var].values for var, name in OOF_PREDICTORS.items() if var in oof}
    return _mark_product(
        layer_scores(oof["amsmqtp"].values, predictions), "predictor", guard_warning(oof)
    )


def taylor_layer(
    oof: xr.Dataset, layer: int, reference: str = "AMSMQTP"
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Taylor statistics of one layer (1-based) against the fine-tuning reference (named
    `reference`: AMSMQTP in the paper), and each candidate's group.

    Candidates: every model's regridded mrsos, their ensemble mean, the baselines present and
    the product's out-of-fold predictions, over the fine-tuning months and region cells.
    """
    index = layer - 1
    candidates = {str(m): oof["mrsos"].sel(model=m).values for m in oof["model"].values}
    groups = dict.fromkeys(candidates, "CMIP6 model")
    for var, name in OOF_PREDICTORS.items():
        if var in oof:
            candidates[name] = oof[var].isel(layer=index).values
            groups[name] = {"unet_gan": "product", "ensemble_mean": "ensemble mean"}.get(
                var, "baseline"
            )
    stats = taylor_statistics(
        oof["amsmqtp"].isel(layer=index).values, candidates, reference_name=reference
    )
    return _mark_product(stats, "name", guard_warning(oof)), groups


def _sm(path: str | PathLike, mask: np.ndarray, times: np.ndarray | None) -> xr.DataArray:
    """`sm` of a product or truth file inside the region, on `times` when given."""
    with xr.open_dataset(path) as ds:
        if "sm" not in ds:
            raise InputError(path, "no variable 'sm'", "a product or truth file")
        sm = ds["sm"]
        if times is not None:
            sm = sm.sel(time=times)
        values = sm.load().values.astype(np.float32)
    values[..., ~mask] = np.nan
    return values


def scores_against_truth(
    truth: str | PathLike, products: Mapping[str, str | PathLike], mask: np.ndarray
) -> pd.DataFrame:
    """Per product and layer scores against the synthetic truth over all months of the truth,
    whether the bagged product's RMSE beats the ensemble mean's in each layer, and the
    collapse guard's verdict on the product's folds. The truth is compared on the products'
    layers (the fine-tuning reference's): thickness-weighted means of its own."""
    first = next(iter(products.values()))
    with xr.open_dataset(truth) as ds, xr.open_dataset(first) as product:
        times = ds["time"].values
        layers = layer_bounds_of(ds, truth), layer_bounds_of(product, first)
    reference = average_layers(_sm(truth, mask, None), *layers)
    predictions = {name: _sm(path, mask, times) for name, path in products.items()}
    scores = layer_scores(reference, predictions).drop(columns=["paper_R2", "paper_R"])
    verdict = compare_rmse(scores, PRODUCT, "ensemble_mean")
    warning = ""
    if PRODUCT in products:
        with xr.open_dataset(products[PRODUCT]) as ds:
            warning = guard_warning(ds)
    scores = _mark_product(scores, "predictor", warning)
    return scores.merge(verdict[["layer", f"{PRODUCT}_beats_ensemble_mean"]], on="layer")
