"""Station monthly means -> in-situ grids S and P for the fine-tuning loss (Algorithm 1, eq. 9).

A random-forest regressor on (layer, lat, lon, year, month) predicts the in-situ soil moisture S
of every (month, layer, cell) inside the region mask. A random-forest classifier, trained to tell
the station samples (class 1) from as many randomly drawn unlabelled (month, layer, cell)
samples (class 0), gives the reliability P of the same cells. The loss weights (S - G(x))^2 by P.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import TypeVar

import numpy as np
import pandas as pd
import xarray as xr
from joblib import effective_n_jobs
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.model_selection import GroupKFold

from smdown import __version__
from smdown.catalog import AMSMQTP_LAYERS
from smdown.geometry import RectilinearGrid

Bounds = Sequence[Sequence[float]]  # the fine-tuning reference's layers (m): AMSMQTP's by default
FEATURES = ("layer", "lat", "lon", "year", "month")
TABLE_COLUMNS = ("station", "network", "lat", "lon", "layer", "month", "sm")
CHUNK_ROWS = 1 << 17  # (month, layer, cell) rows per prediction task: a few MiB of work memory

UNLABELLED_FROM = ("domain", "region")
Forest = TypeVar("Forest", RandomForestRegressor, RandomForestClassifier)


@dataclass
class ForestOptions:
    """Settings of both forests (all go into the workflow config).

    With these defaults, S and P at the paper's size (180 months x 5 layers x 3128 TRSR cells,
    7,833 station samples) took 9 s and 0.37 GiB peak RSS on 2 cores; all 10721 cells of the
    box took 24 s, and 36,000 samples over all cells 42 s and 0.46 GiB (benchmarks/insitu.py):
    far inside the 5 min / 4 GiB budget. Fully grown trees (max_depth None) are affordable
    because min_samples_leaf=5 keeps them a few thousand leaves. Drawing the unlabelled samples
    over the whole domain (`unlabelled_from`, the default) took 9.6 s and 0.41 GiB.
    """

    n_estimators_regressor: int = 200
    n_estimators_classifier: int = 200
    max_features: float = 0.6  # 3 of the 5 features per split: left-out stations fit better
    min_samples_leaf: int = 5
    max_depth: int | None = None
    seed: int = 0
    n_jobs: int = 2
    unlabelled_from: str = "domain"  # the paper's "spatial domain", or "region" (the mask)


def features(layer, lat, lon, year, month) -> np.ndarray:
    """The forests' input: (n, 5) float32 columns layer, lat, lon, year, month (1..12).

    Arguments broadcast against each other; the result is flattened in their broadcast order.
    """
    columns = np.broadcast_arrays(
        *(np.asarray(a, dtype=np.float32) for a in (layer, lat, lon, year, month))
    )
    return np.stack([c.ravel() for c in columns], axis=1)


def year_month(months) -> tuple[np.ndarray, np.ndarray]:
    """Calendar year and month (1..12) of datetime64 values (any unit)."""
    index = np.asarray(months, dtype="datetime64[M]").astype(np.int64)
    return index // 12 + 1970, index % 12 + 1


def layer_numbers(layers: Bounds = AMSMQTP_LAYERS) -> np.ndarray:
    """The layer feature's values 1..L, L the reference's layer count."""
    return np.arange(1, len(layers) + 1)


def _check_table(table: pd.DataFrame, layers: Bounds = AMSMQTP_LAYERS) -> None:
    """Refuse tables the forests cannot learn from, naming what is wrong."""
    missing = [c for c in TABLE_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"station table lacks columns {missing}")
    if table.empty:
        raise ValueError("station table has no rows")
    if not np.isfinite(table["sm"].to_numpy(dtype=float)).all():
        raise ValueError("station table has missing soil moisture values")
    numbers = layer_numbers(layers)
    if not table["layer"].isin(numbers).all():
        raise ValueError(f"station table has layers outside {numbers.tolist()}")


def _table_features(table: pd.DataFrame, lat=None, lon=None) -> np.ndarray:
    """Features of the table's rows, optionally at other coordinates than the stations'."""
    year, month = year_month(table["month"].to_numpy())
    return features(
        table["layer"].to_numpy(),
        table["lat"].to_numpy() if lat is None else lat,
        table["lon"].to_numpy() if lon is None else lon,
        year,
        month,
    )


def _snap(centres: np.ndarray, bounds: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Values moved to the centre of the grid cell holding them; values outside the grid kept."""
    i = np.minimum(np.searchsorted(bounds[:, 1], values), centres.size - 1)
    inside = (values >= bounds[0, 0]) & (values <= bounds[-1, 1])
    return np.where(inside, centres[i], values)


def fit_regressor(
    table: pd.DataFrame, options: ForestOptions, layers: Bounds = AMSMQTP_LAYERS
) -> RandomForestRegressor:
    """The forest predicting station soil moisture (m3 m-3) from the five features."""
    _check_table(table, layers)
    model = RandomForestRegressor(
        n_estimators=options.n_estimators_regressor,
        max_features=float(options.max_features),
        min_samples_leaf=options.min_samples_leaf,
        max_depth=options.max_depth,
        random_state=options.seed,
        n_jobs=options.n_jobs,
    )
    return model.fit(_table_features(table), table["sm"].to_numpy(dtype=float))


def _as_months(months) -> np.ndarray:
    months = np.atleast_1d(np.asarray(months, dtype="datetime64[M]"))
    if months.ndim != 1 or months.size == 0:
        raise ValueError("months must be a non-empty 1-D array of month starts")
    return months


def _check_mask(mask: np.ndarray, grid: RectilinearGrid) -> np.ndarray:
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != grid.shape:
        raise ValueError(f"mask has shape {mask.shape}, the grid {grid.shape}")
    if not mask.any():
        raise ValueError("mask holds no cell")
    return mask


def _station_samples(table: pd.DataFrame, grid: RectilinearGrid, months: np.ndarray) -> np.ndarray:
    """Features of the table's rows within `months`, stations moved to their cell centres.

    Snapping matters: at its exact coordinates a station could sit in a thin lat or lon slice
    between cell centres that the classifier would learn, and P at its own cell would stay low.
    """
    rows = table[np.isin(table["month"].to_numpy(dtype="datetime64[M]"), months)]
    if rows.empty:
        raise ValueError(
            f"no station sample falls in {months[0]}..{months[-1]} (the configured insitu.period)"
        )
    lat = _snap(grid.lat, grid.lat_bnds, rows["lat"].to_numpy(dtype=float))
    lon = _snap(grid.lon, grid.lon_bnds, rows["lon"].to_numpy(dtype=float))
    return _table_features(rows, lat, lon)


def _unlabelled_samples(
    n: int,
    mask: np.ndarray,
    grid: RectilinearGrid,
    months: np.ndarray,
    seed: int,
    layers: Bounds = AMSMQTP_LAYERS,
) -> np.ndarray:
    """Features of `n` (month, layer, cell) draws, uniform over `months`, layers and the mask."""
    rng = np.random.default_rng([seed, 1])
    iy, ix = np.nonzero(mask)
    cell = rng.integers(iy.size, size=n)
    year, month = year_month(months[rng.integers(months.size, size=n)])
    drawn = rng.choice(layer_numbers(layers), size=n)
    return features(drawn, grid.lat[iy[cell]], grid.lon[ix[cell]], year, month)


def fit_classifier(
    table: pd.DataFrame,
    mask: np.ndarray,
    grid: RectilinearGrid,
    months,
    options: ForestOptions,
    layers: Bounds = AMSMQTP_LAYERS,
) -> RandomForestClassifier:
    """The forest telling station samples (class 1) from unlabelled ones (class 0).

    Class 1 holds the table's rows within `months` (every station in the grid's box); class 0
    as many seeded draws over (month in `months`, layer 1..L of `layers`, cell): cells of the
    whole grid with `unlabelled_from` "domain" (the paper's Algorithm 1), of `mask` with
    "region" (then location alone tells stations outside the region from the background). Its
    class-1 probability is P.
    """
    if options.unlabelled_from not in UNLABELLED_FROM:
        raise ValueError(
            f"unlabelled_from {options.unlabelled_from!r} is not one of {UNLABELLED_FROM}"
        )
    _check_table(table, layers)
    months = _as_months(months)
    stations = _station_samples(table, grid, months)
    where = (
        _check_mask(mask, grid)
        if options.unlabelled_from == "region"
        else np.ones(grid.shape, dtype=bool)
    )
    background = _unlabelled_samples(len(stations), where, grid, months, options.seed, layers)
    labels = np.r_[np.ones(len(stations)), np.zeros(len(background))].astype(int)
    model = RandomForestClassifier(
        n_estimators=options.n_estimators_classifier,
        max_features=float(options.max_features),
        min_samples_leaf=options.min_samples_leaf,
        max_depth=options.max_depth,
        random_state=options.seed,
        n_jobs=options.n_jobs,
    )
    return model.fit(np.concatenate([stations, background]), labels)


def _serial(model: Forest) -> Forest:
    """A copy of the model predicting on one thread, so its trees are summed in one fixed order."""
    return copy.copy(model).set_params(n_jobs=1)


def _month_blocks(n_months: int, n_rows_per_month: int) -> list[slice]:
    step = max(1, CHUNK_ROWS // n_rows_per_month)
    return [slice(i, min(i + step, n_months)) for i in range(0, n_months, step)]


def predict_grids(
    regressor: RandomForestRegressor,
    classifier: RandomForestClassifier,
    grid: RectilinearGrid,
    mask: np.ndarray,
    months,
    n_jobs: int,
    layers: Bounds = AMSMQTP_LAYERS,
) -> tuple[np.ndarray, np.ndarray]:
    """S and P as float32 (time, layer 1..L of `layers`, lat, lon), NaN outside `mask`.

    Blocks of months are predicted on `n_jobs` threads (the trees release the GIL), each block
    serially, so the results do not depend on thread timing.
    """
    months = _as_months(months)
    mask = _check_mask(mask, grid)
    iy, ix = np.nonzero(mask)
    lat, lon = grid.lat[iy], grid.lon[ix]
    year, month = year_month(months)
    numbers = layer_numbers(layers)
    shape = (months.size, numbers.size, *grid.shape)
    sm = np.full(shape, np.nan, dtype=np.float32)
    prob = np.full(shape, np.nan, dtype=np.float32)
    regressor, classifier = _serial(regressor), _serial(classifier)
    one = list(classifier.classes_).index(1)

    def block(part: slice) -> None:
        x = features(
            numbers[None, :, None], lat, lon, year[part, None, None], month[part, None, None]
        )
        out = (part.stop - part.start, numbers.size, iy.size)
        sm[part, :, iy, ix] = regressor.predict(x).reshape(out)
        prob[part, :, iy, ix] = classifier.predict_proba(x)[:, one].reshape(out)

    with ThreadPoolExecutor(max_workers=effective_n_jobs(n_jobs)) as pool:
        list(pool.map(block, _month_blocks(months.size, numbers.size * iy.size)))
    return sm, prob


def grids_dataset(
    sm: np.ndarray,
    prob: np.ndarray,
    grid: RectilinearGrid,
    months,
    options: ForestOptions,
    table: pd.DataFrame,
    layers: Bounds = AMSMQTP_LAYERS,
) -> xr.Dataset:
    """The CF dataset of S and P (from `predict_grids`) on the reference's `layers`, recording
    the options and table size."""
    months = _as_months(months)
    dims = ("time", "layer", "lat", "lon")
    top, bottom = (np.array(v, dtype=float) for v in zip(*layers, strict=True))
    ds = xr.Dataset(
        {
            "insitu_sm": (
                dims,
                sm,
                {
                    "standard_name": "volume_fraction_of_condensed_water_in_soil",
                    "long_name": "in-situ soil moisture S (random forest on station monthly means)",
                    "units": "m3 m-3",
                },
            ),
            "insitu_prob": (
                dims,
                prob,
                {
                    "long_name": "reliability P of S "
                    "(random forest: station vs unlabelled samples)",
                    "units": "1",
                    "valid_min": np.float32(0),
                    "valid_max": np.float32(1),
                },
            ),
        },
        coords={
            "time": (
                "time",
                months.astype("datetime64[ns]"),
                {"standard_name": "time", "long_name": "month (start)"},
            ),
            "layer": (
                "layer",
                layer_numbers(layers),
                {"long_name": "soil layer of the fine-tuning reference"},
            ),
            "layer_top": ("layer", top, {"units": "m", "long_name": "depth of the layer top"}),
            "layer_bottom": (
                "layer",
                bottom,
                {"units": "m", "long_name": "depth of the layer bottom"},
            ),
            **grid.coords(),
        },
    )
    for name, var in grid.bounds_vars().items():
        ds[name] = var
    ds.attrs = {
        "Conventions": "CF-1.8",
        "title": "smdown in-situ grids for the fine-tuning loss",
        "smdown_version": __version__,
        "forest_features": ",".join(FEATURES),
        "forest_options": json.dumps(asdict(options)),
        "station_samples": len(table),
        "stations": int(table.groupby(["network", "station"]).ngroups),
    }
    return ds


def insitu_grids(
    table: pd.DataFrame,
    grid: RectilinearGrid,
    mask: np.ndarray,
    months,
    options: ForestOptions,
    held_out=None,
    layers: Bounds = AMSMQTP_LAYERS,
) -> xr.Dataset:
    """`insitu_sm` (S) and `insitu_prob` (P) on (time=months, layer 1..L, lat, lon), L the
    reference's `layers` (depth bounds, m; AMSMQTP's five by default).

    Both are float32 and NaN outside `mask`. Table rows outside `months` train the regressor
    only. Months in `held_out` (a fold's test months) are predicted but no station sample of
    them trains either forest, nor are unlabelled samples drawn in them, so S and P at the
    other months carry nothing of the held-out years. Deterministic for `options.seed`.
    """
    months = _as_months(months)
    held = (
        np.zeros(0, dtype="datetime64[M]")
        if held_out is None
        else np.asarray(held_out, dtype="datetime64[M]")
    )
    seen = table[~np.isin(table["month"].to_numpy(dtype="datetime64[M]"), held)]
    if seen.empty:
        raise ValueError("every station sample falls in the held-out months")
    training_months = months[~np.isin(months, held)]
    regressor = fit_regressor(seen, options, layers)
    classifier = fit_classifier(seen, mask, grid, training_months, options, layers)
    sm, prob = predict_grids(regressor, classifier, grid, mask, months, options.n_jobs, layers)
    ds = grids_dataset(sm, prob, grid, months, options, seen, layers)
    ds.attrs["held_out_months"] = _month_list(held)
    return ds


def _month_list(months: np.ndarray) -> str:
    """'YYYY-MM,...' of `months` in order ('' when none): the months held out."""
    return ",".join(str(m)[:7] for m in np.sort(months))


def _climatology(train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
    """Mean of `train` by layer and calendar month at `test`'s rows (else the layer's mean)."""

    def keys(t: pd.DataFrame) -> pd.MultiIndex:
        return pd.MultiIndex.from_arrays(
            [t["layer"].to_numpy(), year_month(t["month"].to_numpy())[1]]
        )

    sm = pd.Series(train["sm"].to_numpy(dtype=float), index=keys(train))
    by_month = sm.groupby(level=[0, 1]).mean().reindex(keys(test)).to_numpy()
    by_layer = sm.groupby(level=0).mean().reindex(test["layer"].to_numpy()).to_numpy()
    return np.where(np.isnan(by_month), by_layer, by_month)


def _scores(predicted: np.ndarray, observed: np.ndarray) -> dict[str, float]:
    """RMSE, MAE, Pearson R and bias (predicted - observed)."""
    error = predicted - observed
    varies = predicted.std() > 0 and observed.std() > 0
    return {
        "rmse": float(np.sqrt(np.mean(error**2))),
        "mae": float(np.mean(np.abs(error))),
        "r": float(np.corrcoef(predicted, observed)[0, 1]) if varies else float("nan"),
        "bias": float(np.mean(error)),
    }


def leave_stations_out_skill(
    table: pd.DataFrame,
    options: ForestOptions,
    n_folds: int = 5,
    layers: Bounds = AMSMQTP_LAYERS,
) -> pd.DataFrame:
    """Per-layer skill of the regressor on stations left out, beside a climatology baseline.

    Stations are split into `n_folds` groups (seeded GroupKFold); each group is predicted by a
    forest and by the per-layer calendar-month mean of the other stations. One row per layer:
    forest_* and climatology_* RMSE, MAE, R and bias, and whether the forest's RMSE is lower.
    """
    _check_table(table, layers)
    table = table.reset_index(drop=True)
    groups = table["network"].astype(str) + "/" + table["station"].astype(str)
    if groups.nunique() < n_folds:
        raise ValueError(f"{groups.nunique()} stations cannot fill {n_folds} folds")
    forest = np.empty(len(table))
    climatology = np.empty(len(table))
    folds = GroupKFold(n_splits=n_folds, shuffle=True, random_state=options.seed)
    for train, test in folds.split(table, groups=groups):
        model = _serial(fit_regressor(table.iloc[train], options, layers))
        forest[test] = model.predict(_table_features(table.iloc[test]))
        climatology[test] = _climatology(table.iloc[train], table.iloc[test])
    rows = []
    for layer in np.unique(table["layer"]):
        sel = (table["layer"] == layer).to_numpy()
        observed = table["sm"].to_numpy(dtype=float)[sel]
        ours = _scores(forest[sel], observed)
        base = _scores(climatology[sel], observed)
        rows.append(
            {
                "layer": int(layer),
                "n_samples": int(sel.sum()),
                "n_stations": int(groups[sel].nunique()),
                **{f"forest_{k}": v for k, v in ours.items()},
                **{f"climatology_{k}": v for k, v in base.items()},
                "forest_beats_climatology": ours["rmse"] < base["rmse"],
            }
        )
    return pd.DataFrame(rows)
