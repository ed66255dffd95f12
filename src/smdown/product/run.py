"""What the product rules do: stream one experiment's inputs through a predictor into a file.

`write_bagged_product` writes CMIP6_UNet-Gan (the mean and spread of the fold generators),
`write_network_product` the CMIP6DL study's one YNet; `write_ensemble_mean_product` writes the
plain baseline (the models' mean in every layer, the spread across models, interpolated to the
target grid when the inputs are coarser) and `write_quantile_mapping_product` the
bias-corrected one, in the same CF layout so every later stage reads them alike;
`write_out_of_fold` the evaluation's input.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from os import PathLike

import numpy as np
import xarray as xr

from smdown.catalog import AMSMQTP_LAYERS
from smdown.errors import InputError
from smdown.geometry import RectilinearGrid, grid_from_dataset
from smdown.grid.regrid import regrid
from smdown.io import compressed_encoding, write_netcdf
from smdown.nn.device import resolve_device
from smdown.nn.saved import load_generator
from smdown.prepared import ModelStack, layer_bounds_of, load_mask, load_target
from smdown.product.baselines import (
    FoldMaps,
    apply_fold_maps,
    calendar_months,
    fit_fold_maps,
    out_of_fold_corrected,
)
from smdown.product.inference import (
    FoldEnsemble,
    bagged_chunks,
    fold_of_months,
    load_folds,
    out_of_fold,
    prediction_chunks,
)
from smdown.product.netcdf import ProductAttrs, ProductWriter
from smdown.provenance import config_hash, workflow_version

log = logging.getLogger(__name__)


# what a product file says about the study it belongs to (config key `study`)
STUDY_ATTRS = {
    "trsr": {},  # ProductAttrs' defaults: CMIP6_UNet-Gan over the TRSR
    "cmip6dl": {
        "product": "CMIP6DL",
        "region": "China (18-54 N, 71-137 E)",
        "network": "YNet (feature extractor, upsampling and fusion of coarse fields)",
        "members": "YNet (one network)",
        "references": "The CMIP6DL study: fusion and downscaling of 25 CMIP6 models' "
        "surface soil moisture over China with a YNet (2015-2100)",
    },
}


# the first region each study's attributes describe; another first region is described by name
STUDY_REGION = {"trsr": "TRSR", "cmip6dl": "China"}


def _degrees(low: float, high: float, north: str, south: str) -> str:
    def one(value: float) -> str:
        return f"{abs(value):g} {north if value >= 0 else south}"

    return f"{one(low)} to {one(high)}"


def region_attrs(config: Mapping) -> dict[str, str]:
    """The product's `region` attribute when the config's first region is not its study's own:
    that region's name and the grid's box (so a product of one's own basin does not claim to
    be the TRSR's)."""
    study, first = config.get("study", "trsr"), config["regions"]["names"][0]
    if first == STUDY_REGION[study]:
        return {}
    grid = config["grid"]
    lat = _degrees(grid["lat_min"], grid["lat_max"], "N", "S")
    lon = _degrees(grid["lon_min"], grid["lon_max"], "E", "W")
    return {"region": f"{first} (cell centres {lat}, {lon})"}


def run_attrs(
    experiment: str,
    config: Mapping,
    workflow_dir: str | PathLike,
    models: Sequence[str],
    members: int,
    institution: str | None,
    significant_digits: int | None = None,
) -> ProductAttrs:
    """The run record of a product file: config hash and workflow version (recorded for
    auditing, not rule parameters), models, member count, institution, the study's names, and
    the significant digits its values are stored to (None: all)."""
    return ProductAttrs(
        experiment=experiment,
        config_hash=config_hash(config),
        workflow_version=workflow_version(workflow_dir),
        models=list(models),
        folds=members,
        institution=institution,
        significant_digits=significant_digits,
        **{**STUDY_ATTRS[config.get("study", "trsr")], **region_attrs(config)},
    )


def model_grid(path: str | PathLike) -> RectilinearGrid:
    """The grid of a prepared file: a CMIP6 file's with its bounds, or the regions' (bounds
    midway between the centres)."""
    with xr.open_dataset(path) as ds:
        return grid_from_dataset(ds, path)[0]


def _write(
    chunks: Iterator[tuple[int, np.ndarray, np.ndarray | None]],
    stack: ModelStack,
    path: str | PathLike,
    grid: RectilinearGrid,
    attrs: ProductAttrs,
    layers: Sequence[Sequence[float]] = AMSMQTP_LAYERS,
    spread: bool = True,
) -> None:
    """Stream (start, sm, spread) chunks into a product file with layers of `layers` bounds."""
    with ProductWriter(path, grid, stack.times, layers, attrs, spread) as writer:
        for start, sm, spread in chunks:
            writer.write(start, sm, spread)
    log.info("wrote %s (%d months)", path, stack.times.size)


def write_bagged_product(
    folds: Sequence[str | PathLike],
    n_folds: int,
    model_files: Mapping[str, str | PathLike],
    models: Sequence[str],
    regions: str | PathLike,
    path: str | PathLike,
    attrs: ProductAttrs,
    device: str = "auto",
    chunk_months: int = 120,
    batch_size: int = 16,
    layers: Sequence[Sequence[float]] = AMSMQTP_LAYERS,
) -> None:
    """The bagged UNet-GAN product of one experiment: mean and spread of the fold generators,
    on the fine-tuning reference's `layers` (depth bounds, m).

    Refuses missing folds, folds of different configs, and inputs whose models differ from the
    ones the folds learned; the region is the one the folds were trained on.
    """
    ensemble = load_folds(folds, n_folds)
    ensemble.check_models(models, f"the {attrs.experiment} inputs ({model_files[models[0]]}, ...)")
    mask = load_mask(regions, ensemble.region)
    with ModelStack(model_files, models, mask) as stack:
        chunks = bagged_chunks(
            ensemble,
            stack,
            mask.values,
            resolve_device(device),
            chunk_months,
            batch_size,
            label=f"product {attrs.experiment}",
        )
        _write(
            chunks,
            stack,
            path,
            model_grid(model_files[models[0]]),
            replace(attrs, folds=n_folds, extra=_guard_record(ensemble, attrs.extra)),
            layers,
        )


def _guard_record(ensemble: FoldEnsemble, extra: Mapping[str, str]) -> dict[str, str]:
    """The product's extra attributes plus `guard_warning` when folds failed the guard."""
    warning = ensemble.guard_warning
    return {**extra, **({"guard_warning": warning} if warning else {})}


def write_network_product(
    weights: str | PathLike,
    model_files: Mapping[str, str | PathLike],
    models: Sequence[str],
    regions: str | PathLike,
    path: str | PathLike,
    attrs: ProductAttrs,
    layers: Sequence[Sequence[float]],
    device: str = "auto",
    chunk_months: int = 120,
    batch_size: int = 16,
) -> None:
    """The product of one trained network (the YNet) from coarse inputs: `sm` only, on the
    grid of the region it learned, layers with `layers` bounds (m); a `guard_warning`
    attribute when the network failed the collapse guard."""
    generator, meta = load_generator(weights)
    if list(models) != list(meta["models"]):
        raise InputError(
            model_files[models[0]],
            f"models {list(models)}",
            f"the models {meta['models']} of {weights}",
        )
    mask = load_mask(regions, meta["region"])
    guard = meta.get("guard", {"passed": True})
    extra = (
        attrs.extra
        if guard["passed"]
        else {
            **attrs.extra,
            "guard_warning": "made from a network that failed the collapse guard "
            f"(training.guard: warn): {', '.join(guard['problems'])}",
        }
    )
    with ModelStack(model_files, models) as stack:
        chunks = prediction_chunks(
            generator,
            stack,
            mask.values,
            resolve_device(device),
            chunk_months,
            batch_size,
            label=f"product {attrs.experiment}",
        )
        _write(
            chunks,
            stack,
            path,
            model_grid(regions),
            replace(attrs, folds=1, extra=extra),
            layers,
            spread=False,
        )


def _on_grid(values: np.ndarray, src: RectilinearGrid, dst: RectilinearGrid) -> np.ndarray:
    """(time, lat, lon) values bilinearly interpolated from `src` to `dst`."""
    da = xr.DataArray(values, dims=("time", "lat", "lon"), coords=src.coords())
    return regrid(da, src, dst, method="bilinear", source_name="the models' mean").values


def ensemble_mean_chunks(
    stack: ModelStack,
    mask: np.ndarray,
    n_layers: int,
    chunk_months: int = 120,
    grids: tuple[RectilinearGrid, RectilinearGrid] | None = None,
) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Yield (start, mean, spread) of the models per chunk, repeated for `n_layers` layers;
    with `grids` (input, target) both interpolated bilinearly onto the target grid."""
    outside = ~np.asarray(mask, dtype=bool)
    for start in range(0, stack.times.size, chunk_months):
        x = stack.read(slice(start, start + chunk_months)).astype(np.float64)
        mean, spread = x.mean(axis=1), x.std(axis=1)
        if grids is not None:
            mean, spread = (_on_grid(v, *grids) for v in (mean, spread))
        mean[:, outside] = np.nan
        spread[:, outside] = np.nan
        layers = (
            np.repeat(v[:, None].astype(np.float32), n_layers, axis=1) for v in (mean, spread)
        )
        yield start, *layers


def write_ensemble_mean_product(
    model_files: Mapping[str, str | PathLike],
    models: Sequence[str],
    regions: str | PathLike,
    region: str,
    path: str | PathLike,
    attrs: ProductAttrs,
    chunk_months: int = 120,
    layers: Sequence[Sequence[float]] = AMSMQTP_LAYERS,
) -> None:
    """The plain baseline: the models' mean in every layer, their spread as sm_spread, on the
    regions' grid (interpolated bilinearly from coarser inputs, as the CMIP6DL study's)."""
    mask = load_mask(regions, region)
    src, regions_grid = model_grid(model_files[models[0]]), model_grid(regions)
    coarse = src.shape != regions_grid.shape
    dst = regions_grid if coarse else src  # the models' own bounds on the target grid
    attrs = replace(
        attrs,
        folds=len(models),
        members="CMIP6 models (regridded mrsos)",
        product="ensemble_mean",
        network="the plain multi-model ensemble mean, the "
        "same value in every layer (no training)"
        + (", interpolated bilinearly to the target grid" if coarse else ""),
    )
    with (
        ModelStack(model_files, models, fill=np.nan)
        if coarse
        else ModelStack(model_files, models, mask)
    ) as stack:
        chunks = ensemble_mean_chunks(
            stack, mask.values, len(layers), chunk_months, (src, dst) if coarse else None
        )
        _write(chunks, stack, path, dst, attrs, layers)


def _fine_tuning_inputs(
    ensemble: FoldEnsemble,
    model_files: Mapping[str, str | PathLike],
    models: Sequence[str],
    amsmqtp: str | PathLike,
    mask: xr.DataArray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict]:
    """The fine-tuning months' times, x (time, model, lat, lon), AMSMQTP target, test fold of
    each month, and the lat/lon coordinates."""
    ensemble.check_models(models, f"the historical inputs ({model_files[models[0]]}, ...)")
    with ModelStack(model_files, models, mask) as stack:
        labels = np.array([str(t)[:7] for t in stack.times])
        tested = [month for fold in ensemble.test_months for month in fold]
        months = np.flatnonzero(np.isin(labels, tested))
        times, x, coords = stack.times[months], stack.read(months), stack.coords
    owner = fold_of_months(ensemble, labels[months])
    return times, x, load_target(amsmqtp, times, mask), owner, coords


def _grid_cells(values: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """(..., cell) values of the region's cells back on the (..., lat, lon) grid, NaN outside."""
    out = np.full((*values.shape[:-1], *cells.shape), np.nan, dtype=np.float32)
    out[..., cells] = values
    return out


def write_out_of_fold(
    folds: Sequence[str | PathLike],
    n_folds: int,
    model_files: Mapping[str, str | PathLike],
    models: Sequence[str],
    amsmqtp: str | PathLike,
    regions: str | PathLike,
    path: str | PathLike,
    nquantiles: int = 20,
    kind: str = "+",
    device: str = "auto",
    batch_size: int = 16,
) -> None:
    """Out-of-fold predictions over the fine-tuning months, beside AMSMQTP and the baselines.

    Every month is predicted by the generator (and corrected by the quantile map) of the fold
    that held it out; the file holds `amsmqtp`, `unet_gan`, `ensemble_mean` and
    `quantile_mapping` (time, layer, lat, lon), each model's `mrsos` (time, model, lat, lon)
    and `fold` (time), NaN outside the region.
    """
    ensemble = load_folds(folds, n_folds)
    mask = load_mask(regions, ensemble.region)
    times, x, target, owner, coords = _fine_tuning_inputs(
        ensemble, model_files, models, amsmqtp, mask
    )
    predicted = out_of_fold(ensemble, x, owner, mask.values, resolve_device(device), batch_size)
    cells = mask.values
    mean = x.mean(axis=1)[:, cells]
    months = calendar_months(times)
    maps = fit_fold_maps(mean, target[..., cells], months, owner, nquantiles, kind)
    corrected = _grid_cells(out_of_fold_corrected(maps, mean, months, owner), cells)
    x[..., ~cells] = np.nan
    layers = ("time", "layer", "lat", "lon")
    n_layers = target.shape[1]
    ds = xr.Dataset(
        {
            "amsmqtp": (layers, target),
            "unet_gan": (layers, predicted),
            "ensemble_mean": (layers, np.repeat(_grid_cells(mean, cells)[:, None], n_layers, 1)),
            "quantile_mapping": (layers, corrected),
            "mrsos": (("time", "model", "lat", "lon"), x),
            "fold": ("time", owner),
        },
        coords={
            "time": times,
            "layer": np.arange(1, n_layers + 1),
            "model": list(models),
            **coords,
        },
        attrs={
            "title": "Out-of-fold predictions of the fine-tuned UNet-GAN and the "
            "quantile-mapped ensemble mean over the fine-tuning months, beside "
            "AMSMQTP, the ensemble mean and each model (m3 m-3; NaN outside the "
            "region)",
            "quantile_mapping": f"nquantiles {nquantiles}, kind {kind}",
            "guard_warning": ensemble.guard_warning,
        },
    )
    write_netcdf(ds, path, compressed_encoding(ds))


def quantile_mapped_chunks(
    maps: FoldMaps, stack: ModelStack, cells: np.ndarray, chunk_months: int = 120
) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Yield (start, mean, spread) over the folds of the quantile-mapped ensemble mean."""
    for start in range(0, stack.times.size, chunk_months):
        window = slice(start, start + chunk_months)
        mean = stack.read(window).mean(axis=1)[:, cells]
        corrected = apply_fold_maps(maps, mean, calendar_months(stack.times[window]))
        yield (
            start,
            _grid_cells(corrected.mean(axis=0), cells),
            _grid_cells(corrected.std(axis=0), cells),
        )


def write_quantile_mapping_product(
    folds: Sequence[str | PathLike],
    n_folds: int,
    historical: Mapping[str, str | PathLike],
    model_files: Mapping[str, str | PathLike],
    models: Sequence[str],
    amsmqtp: str | PathLike,
    regions: str | PathLike,
    path: str | PathLike,
    attrs: ProductAttrs,
    nquantiles: int = 20,
    kind: str = "+",
    chunk_months: int = 120,
) -> None:
    """The bias-corrected baseline: the ensemble mean mapped onto the fine-tuning reference
    (`amsmqtp`, the prepared file) per layer and calendar month by each fold's quantile map
    (fitted on that fold's training months); sm is the mean over the folds, sm_spread their
    spread, as for the product. Its layers are the reference's."""
    with xr.open_dataset(amsmqtp) as ds:
        layers, reference = layer_bounds_of(ds, amsmqtp), ds.attrs.get("source", "AMSMQTP")
    ensemble = load_folds(folds, n_folds)
    mask = load_mask(regions, ensemble.region)
    times, x, target, owner, _ = _fine_tuning_inputs(ensemble, historical, models, amsmqtp, mask)
    cells = mask.values
    maps = fit_fold_maps(
        x.mean(axis=1)[:, cells],
        target[..., cells],
        calendar_months(times),
        owner,
        nquantiles,
        kind,
    )
    attrs = replace(
        attrs,
        folds=n_folds,
        members="quantile maps of the cross-validation folds",
        product="quantile_mapping",
        network="the multi-model ensemble mean, "
        f"empirically quantile-mapped onto {reference} per layer and calendar month "
        f"({nquantiles} quantiles, kind {kind})",
    )
    with ModelStack(model_files, models, mask) as stack:
        _write(
            quantile_mapped_chunks(maps, stack, cells, chunk_months),
            stack,
            path,
            model_grid(model_files[models[0]]),
            attrs,
            layers,
        )
