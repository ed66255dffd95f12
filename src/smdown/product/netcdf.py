"""The product file: one CF-1.8 NetCDF per experiment, written month chunk by month chunk.

`ProductWriter` creates the file with its whole time axis up front and takes (time, layer, lat,
lon) chunks of the bagged soil moisture `sm` and its fold spread `sm_spread`, so the inference's
memory does not grow with the run length (an SSP is 1032 months x 5 layers x 71 x 151 cells).
The file appears under its final name only once every month was written exactly once.

Time: month starts, bounds from month start to the next month start, "days since 1850-01-01" in
the proleptic_gregorian calendar. Every model's own calendar (noleap, 360_day, ...) is relabelled
to month starts before the networks see it, so the product's months are calendar-free labels; the
proleptic Gregorian calendar is the one numpy's datetime64 uses, which decodes without cftime
and has no Julian/Gregorian switch.

Storage: zlib level 4 with shuffle; chunks of `CHUNK_MONTHS` = 12 months x 1 layer x tiles of
`CHUNK_CELLS` = 18 x 19 cells (32 tiles cover the 71 x 151 map). Measured on full SSP-size files
(1032 months x 5 layers, smooth fields plus noise, NaN outside the real TRSR mask) written by this
class in 12-month chunks; each read opens the file afresh (3-4 ms, included); medians of 30 random
reads, ranges over 1-4 runs on 2 cores shared with other work (load ~6), hence the spread:

    chunks (t, layer, lat, lon)  file    write    map (1 month,  pixel series     whole layer
                                                  1 layer)       (1032 months)    (for trends)
    (1, 1, 71, 151)              115 MB  7-10 s   4-5 ms         149-196 ms       167 ms
    (12, 1, 71, 151)             110 MB  7-11 s   5-11 ms        134-200 ms       142-216 ms
    (24, 1, 71, 151)             110 MB  7 s      7-8 ms         133 ms           207 ms
    (12, 1, 36, 38)              115 MB  9-11 s   6-10 ms        35 ms            242 ms
    (12, 1, 18, 19)   chosen     114 MB  8-10 s   5-11 ms        9-17 ms          192-295 ms
    (24, 1, 18, 19)              112 MB  7-10 s   7-12 ms        9-14 ms          170-292 ms
    (12, 1, 9, 19)               116 MB  8 s      6 ms           9 ms             233 ms
    (120, 1, 36, 38)             111 MB  8-11 s   24-41 ms       23-47 ms         160 ms
    (1032, 1, 18, 19)            114 MB  525 s    186 ms         15 ms            -

A pixel series decompresses every chunk holding the pixel, so whole-map chunks make it ~15x slower
than 18 x 19 tiles, while a map read costs about the same (the open dominates). The tiles cost 4%
in size and ~1.3x on a whole-layer read (still a fraction of a second). 12 and 24 months are
indistinguishable; 12 is the year the inference writes at a time, whereas long time chunks are
recompressed at every streamed chunk (525 s for whole-series chunks).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import netCDF4
import numpy as np
import xarray as xr

import smdown
from smdown.errors import InputError
from smdown.geometry import RectilinearGrid
from smdown.io import atomic_path, file_kind

TIME_UNITS = "days since 1850-01-01"
TIME_EPOCH = np.datetime64("1850-01-01", "D")
CALENDAR = "proleptic_gregorian"
CHUNK_MONTHS = 12
CHUNK_CELLS = (18, 19)
COMPRESSION = {"zlib": True, "complevel": 4, "shuffle": True}
DATA_DIMS = ("time", "depth", "lat", "lon")
SM_STANDARD_NAME = "volume_fraction_of_condensed_water_in_soil"
SM_UNITS = "m3 m-3"
PAPER_REFERENCE = "Li et al. (2024): UNet-Gan, Remote Sensing 16(23), 4367, doi:10.3390/rs16234367"
SECRET_WORDS = ("key", "token", "password")
CREDENTIAL_URL = re.compile(r"[a-z][a-z0-9+.\-]*://[^/\s@:]*:[^/\s@]*@", re.IGNORECASE)
ATTR_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class ProductAttrs:
    """The run record stored as global attributes: what was run, with which config and models.

    `extra` takes further provenance (str values); keys or values that look like secrets are
    refused, since product files are shared.
    """

    experiment: str
    config_hash: str
    workflow_version: str
    models: Sequence[str]
    folds: int
    institution: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
    significant_digits: int | None = None  # stored values rounded (`bit_round`); None: all
    product: str = "CMIP6_UNet-Gan"
    region: str = "Three-River-Source Region (TRSR)"
    network: str = "UNet-GAN (U-Net generator trained with a relativistic average GAN)"
    references: str = PAPER_REFERENCE
    members: str = "cross-validation fold generators"  # what sm averages and sm_spread spreads


def global_attributes(
    attrs: ProductAttrs,
    n_layers: int,
    created: datetime,
    resolution: float = 0.1,
    spread: bool = True,
) -> dict[str, str]:
    """All global attributes of a product file, checked for secrets before anything is written.

    `resolution` (degrees) and whether the file has `sm_spread` enter the summary.
    """
    _check_run_record(attrs)
    models = ", ".join(attrs.models)
    record = {
        "Conventions": "CF-1.8",
        "title": f"{attrs.product}: {n_layers}-layer soil moisture, {attrs.region}, "
        f"{attrs.experiment}",
        "summary": _summary(attrs, n_layers, resolution, spread),
        "source": f"{attrs.network}; inputs: CMIP6 monthly mrsos of {len(attrs.models)} "
        f"models ({models})",
        "references": attrs.references,
        "history": f"{created.isoformat(timespec='seconds')} created by smdown "
        f"{smdown.__version__} (smdown.product.netcdf)",
        "experiment": attrs.experiment,
        "config_hash": attrs.config_hash,
        "workflow_version": attrs.workflow_version,
        "models": models,
        "members": attrs.members,
        "member_count": str(attrs.folds),
    }
    if attrs.institution:
        record["institution"] = attrs.institution
    record.update(_extra_attributes(attrs.extra, record))
    _refuse_secrets(record)
    return record


def _check_run_record(attrs: ProductAttrs) -> None:
    """Refuse a run record without models or folds, or with non-text fields."""
    models = attrs.models
    if isinstance(models, str) or not models or not all(isinstance(m, str) for m in models):
        raise InputError(
            "product attributes", f"models = {models!r}", "a non-empty sequence of model names"
        )
    if not isinstance(attrs.folds, int) or attrs.folds < 1:
        raise InputError("product attributes", f"folds = {attrs.folds!r}", "a positive int")
    digits = attrs.significant_digits
    if digits is not None and (not isinstance(digits, int) or not 1 <= digits <= 7):
        raise InputError(
            "product attributes",
            f"significant_digits = {digits!r}",
            "None or an int from 1 to 7 (float32 holds about 7 digits)",
        )
    texts = {
        f.name: getattr(attrs, f.name)
        for f in fields(attrs)
        if f.name not in ("models", "folds", "extra", "institution", "significant_digits")
    }
    if attrs.institution is not None:
        texts["institution"] = attrs.institution
    for name, value in texts.items():
        if not isinstance(value, str) or not value:
            raise InputError("product attributes", f"{name} = {value!r}", "a non-empty str")


def _summary(attrs: ProductAttrs, n_layers: int, resolution: float, spread: bool) -> str:
    """One paragraph on what the variables are, for readers who only see the file."""
    what = (
        f"sm is the mean of {attrs.folds} {attrs.members}, sm_spread their standard deviation"
        if spread
        else f"sm is the output of the {attrs.members}"
    )
    layers = "one soil layer" if n_layers == 1 else f"{n_layers} soil layers"
    return (
        f"Monthly volumetric soil moisture of {layers} on a {resolution:g} degree grid, "
        f"from {len(attrs.models)} CMIP6 models ({attrs.network}); {what}. Missing (NaN) "
        f"outside the region mask."
    )


def _extra_attributes(extra: Mapping[str, str], taken: Mapping[str, str]) -> dict[str, str]:
    """Caller-supplied provenance, refused when a key is malformed, reserved or not a string."""
    for key, value in extra.items():
        if not isinstance(key, str) or not ATTR_NAME.match(key):
            raise InputError(
                "product attributes",
                f"provenance key {key!r} is not a valid name",
                "letters, digits and underscores, starting with a letter",
            )
        if key in taken:
            raise InputError(
                "product attributes",
                f"provenance key {key!r} is reserved",
                f"a key other than {', '.join(taken)}",
            )
        if not isinstance(value, str):
            raise InputError(
                "product attributes",
                f"provenance value of {key!r} is {type(value).__name__}",
                "a str",
            )
    return dict(extra)


def _refuse_secrets(record: Mapping[str, str]) -> None:
    """Refuse keys naming a key/token/password and values carrying user:pass@ in a URL."""
    for key, value in record.items():
        if any(word in key.lower() for word in SECRET_WORDS):
            raise InputError(
                "product attributes",
                f"attribute {key!r} looks like a secret",
                "no keys, tokens or passwords in a product file",
            )
        if CREDENTIAL_URL.search(value):
            raise InputError(
                "product attributes",
                f"attribute {key!r} holds a URL with credentials",
                "URLs without user:password@",
            )


def month_starts(times: Sequence | np.ndarray, source: str | os.PathLike) -> np.ndarray:
    """Check `times` are strictly ascending month starts and return them as datetime64[D]."""
    try:
        days = np.asarray(times).astype("datetime64[D]")
    except (TypeError, ValueError) as exc:
        raise InputError(
            source,
            "times are not datetime64 month starts",
            "times relabelled by smdown.sources.calendar.to_month_starts",
        ) from exc
    if days.ndim != 1 or days.size == 0 or np.isnat(days).any():
        raise InputError(source, "times are empty, not 1-D or contain NaT", "a monthly axis")
    exact = np.asarray(times).astype("datetime64[ns]") == days.astype("datetime64[ns]")
    if not exact.all() or np.any(days != days.astype("datetime64[M]").astype("datetime64[D]")):
        raise InputError(source, "times are not month starts", "the first day of each month, 00:00")
    if np.any(np.diff(days) <= np.timedelta64(0, "D")):
        raise InputError(source, "times are not strictly ascending", "ascending month starts")
    return days


def layer_bounds(bounds_m: Sequence[Sequence[float]], source: str | os.PathLike) -> np.ndarray:
    """Check soil layers are (top, bottom) pairs in metres, downward and not overlapping."""
    bounds = np.asarray(bounds_m, dtype=float)
    if bounds.ndim != 2 or bounds.shape[1] != 2 or bounds.shape[0] == 0:
        raise InputError(source, f"layer bounds have shape {bounds.shape}", "(layers, 2) in m")
    tops, bottoms = bounds[:, 0], bounds[:, 1]
    if np.any(tops < 0) or np.any(bottoms <= tops) or np.any(tops[1:] < bottoms[:-1]):
        raise InputError(
            source,
            f"bad layer bounds {bounds.tolist()}",
            "(top, bottom) in m, top >= 0, bottom > top, layers ordered downward",
        )
    return bounds


def _time_values(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Month starts and their (start, next month start) bounds in days since the epoch."""
    ends = (days.astype("datetime64[M]") + 1).astype("datetime64[D]")
    since = (days - TIME_EPOCH).astype(np.float64)
    return since, np.stack([since, (ends - TIME_EPOCH).astype(np.float64)], axis=1)


def _add_variable(
    nc: netCDF4.Dataset,
    name: str,
    dims: tuple[str, ...],
    values: np.ndarray,
    attrs: Mapping[str, str],
) -> None:
    """Create a small uncompressed variable (coordinates, bounds) and fill it."""
    var = nc.createVariable(name, "f8", dims)
    var.setncatts(dict(attrs))
    var[:] = values


def _write_axes(
    nc: netCDF4.Dataset, grid: RectilinearGrid, days: np.ndarray, bounds: np.ndarray
) -> None:
    """Dimensions, coordinate variables with their bounds, and the `crs` grid mapping."""
    for name, size in (
        ("time", days.size),
        ("depth", len(bounds)),
        ("lat", grid.lat.size),
        ("lon", grid.lon.size),
        ("bnds", 2),
    ):
        nc.createDimension(name, size)
    time, time_bnds = _time_values(days)
    _add_variable(
        nc,
        "time",
        ("time",),
        time,
        {
            "standard_name": "time",
            "long_name": "time (month start)",
            "units": TIME_UNITS,
            "calendar": CALENDAR,
            "axis": "T",
            "bounds": "time_bnds",
        },
    )
    _add_variable(nc, "time_bnds", ("time", "bnds"), time_bnds, {})
    _add_variable(
        nc,
        "depth",
        ("depth",),
        bounds.mean(axis=1),
        {
            "standard_name": "depth",
            "long_name": "depth of the soil layer mid-point",
            "units": "m",
            "positive": "down",
            "axis": "Z",
            "bounds": "depth_bnds",
        },
    )
    _add_variable(nc, "depth_bnds", ("depth", "bnds"), bounds, {})
    _add_variable(
        nc,
        "lat",
        ("lat",),
        grid.lat,
        {
            "standard_name": "latitude",
            "long_name": "latitude",
            "units": "degrees_north",
            "axis": "Y",
            "bounds": "lat_bnds",
        },
    )
    _add_variable(nc, "lat_bnds", ("lat", "bnds"), grid.lat_bnds, {})
    _add_variable(
        nc,
        "lon",
        ("lon",),
        grid.lon,
        {
            "standard_name": "longitude",
            "long_name": "longitude",
            "units": "degrees_east",
            "axis": "X",
            "bounds": "lon_bnds",
        },
    )
    _add_variable(nc, "lon_bnds", ("lon", "bnds"), grid.lon_bnds, {})
    crs = nc.createVariable("crs", "i4")
    crs.setncatts(
        {"grid_mapping_name": "latitude_longitude", "long_name": "regular latitude-longitude grid"}
    )


def _data_attributes(folds: int, members: str, spread: bool) -> dict[str, dict[str, str]]:
    """CF attributes of `sm` and (when kept) `sm_spread`; the spread has no standard name."""
    common = {
        "units": SM_UNITS,
        "cell_methods": "time: mean",
        "coordinates": " ".join(DATA_DIMS),
        "grid_mapping": "crs",
    }
    if not spread:
        return {
            "sm": {
                **common,
                "standard_name": SM_STANDARD_NAME,
                "long_name": f"volumetric soil moisture of the layer, from the {members}",
            }
        }
    return {
        "sm": {
            **common,
            "standard_name": SM_STANDARD_NAME,
            "long_name": f"volumetric soil moisture of the layer, mean of {folds} {members}",
            "ancillary_variables": "sm_spread",
        },
        "sm_spread": {
            **common,
            "long_name": f"spread of volumetric soil moisture across {folds} "
            f"{members} (standard deviation)",
            "comment": f"Standard deviation (ddof 0) of the {folds} {members}' monthly "
            f"{SM_STANDARD_NAME} at each cell and layer; it measures their "
            "disagreement, not the error against observations.",
        },
    }


def mantissa_bits(significant_digits: int) -> int:
    """The float32 mantissa bits that keep `significant_digits` decimal digits."""
    return min(23, math.ceil(significant_digits * math.log2(10)))


def bit_round(values: np.ndarray, bits: int) -> np.ndarray:
    """float32 `values` rounded to `bits` mantissa bits, to nearest (BitRound, Kloewer et al.
    2021): the dropped bits become zeros, which zlib compresses; NaN stays NaN."""
    values = np.ascontiguousarray(values, dtype=np.float32)
    drop = 23 - bits
    if drop <= 0:
        return values
    raw = values.view(np.uint32)
    half = np.uint32(1 << (drop - 1))
    keep = np.uint32((0xFFFFFFFF << drop) & 0xFFFFFFFF)
    rounded = ((raw + half) & keep).view(np.float32)
    return np.where(np.isnan(values), values, rounded)


def _create_data(
    nc: netCDF4.Dataset,
    folds: int,
    members: str,
    spread: bool,
    significant_digits: int | None = None,
) -> None:
    """Create the compressed, chunked float32 `sm` (and `sm_spread`) with NaN as _FillValue;
    with `significant_digits`, the variables say how their values were rounded (`bit_round`)."""
    sizes = (len(nc.dimensions[d]) for d in DATA_DIMS)
    chunks = tuple(min(c, n) for c, n in zip((CHUNK_MONTHS, 1, *CHUNK_CELLS), sizes, strict=True))
    for name, attrs in _data_attributes(folds, members, spread).items():
        var = nc.createVariable(
            name, "f4", DATA_DIMS, fill_value=np.float32(np.nan), chunksizes=chunks, **COMPRESSION
        )
        if significant_digits is not None:
            bits = mantissa_bits(significant_digits)
            attrs = {
                **attrs,
                "comment": (attrs.get("comment", "") + " " if "comment" in attrs else "")
                + (
                    f"Values rounded to {bits} of float32's 23 mantissa bits ({significant_digits} "
                    f"significant digits; BitRound, round to nearest) so the file compresses "
                    f"better: a relative change of at most 2^-{bits + 1}."
                ),
            }
        var.setncatts(attrs)


def _missing_months(days: np.ndarray, written: np.ndarray) -> str:
    """A short list of the months never written, for the error message."""
    missing = days[~written]
    shown = ", ".join(str(d)[:7] for d in missing[:6]) + (", ..." if missing.size > 6 else "")
    return f"{missing.size} of {days.size} months never written ({shown})"


class ProductWriter:
    """Stream a product into a temporary sibling of `path`; rename it only when complete.

    Use as a context manager and call `write` with time chunks in any order. On leaving the
    block, an exception or a month never written removes the temporary and leaves no file.
    With `spread=False` (one network, no members to spread) the file has no `sm_spread`.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        grid: RectilinearGrid,
        times: Sequence | np.ndarray,
        layer_bounds_m: Sequence[Sequence[float]],
        attrs: ProductAttrs,
        spread: bool = True,
    ) -> None:
        """Check every input before the file is touched, so a bad call creates nothing."""
        self.path = Path(path)
        self.grid = grid
        self.spread = spread
        self.days = month_starts(times, self.path)
        self.bounds = layer_bounds(layer_bounds_m, self.path)
        step = float(np.median(np.diff(grid.lat))) if grid.lat.size > 1 else 0.1
        self.attrs = global_attributes(
            attrs, len(self.bounds), datetime.now(UTC), round(step, 6), spread
        )
        self.folds, self.members = attrs.folds, attrs.members
        self.significant_digits = attrs.significant_digits
        self.written = np.zeros(self.days.size, dtype=bool)
        self._atomic: AbstractContextManager[Path] | None = None
        self._nc: netCDF4.Dataset | None = None

    @property
    def shape(self) -> tuple[int, int, int, int]:
        """Full (time, layer, lat, lon) shape of each data variable."""
        return (self.days.size, len(self.bounds), *self.grid.shape)

    def __enter__(self) -> ProductWriter:
        """Create the temporary file with its axes, attributes and empty data variables."""
        self._atomic = atomic_path(self.path)
        tmp = self._atomic.__enter__()
        try:
            self._nc = netCDF4.Dataset(tmp, "w", format="NETCDF4")
            self._nc.setncatts(self.attrs)
            _write_axes(self._nc, self.grid, self.days, self.bounds)
            _create_data(self._nc, self.folds, self.members, self.spread, self.significant_digits)
        except BaseException as exc:
            self._abandon(exc)
            raise
        return self

    def write(self, start: int, sm: np.ndarray, spread: np.ndarray | None = None) -> None:
        """Write months `start`.. of `sm` and `sm_spread`, each (t, layer, lat, lon); no overlap.

        `spread` is required exactly when the writer keeps it."""
        if self._nc is None:
            raise InputError(self.path, "write() outside the `with` block", "an open writer")
        sm, spread = self._checked_chunk(start, sm, spread)
        stop = start + sm.shape[0]
        if self.significant_digits is not None:
            bits = mantissa_bits(self.significant_digits)
            sm, spread = bit_round(sm, bits), bit_round(spread, bits)
        self._nc["sm"][start:stop] = sm
        if self.spread:
            self._nc["sm_spread"][start:stop] = spread
        self.written[start:stop] = True

    def _checked_chunk(
        self, start: int, sm: np.ndarray, spread: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Refuse chunks of the wrong shape, outside the axis, overlapping, or mismatched NaNs."""
        if (spread is None) == self.spread:
            raise InputError(
                self.path,
                "a chunk with" + ("out" if self.spread else "") + " sm_spread",
                "sm_spread exactly when the file keeps it",
            )
        sm = np.asarray(sm, dtype=np.float32)
        spread = sm if spread is None else np.asarray(spread, dtype=np.float32)
        expected = ("t", *self.shape[1:])
        if sm.ndim != 4 or sm.shape[1:] != self.shape[1:] or spread.shape != sm.shape:
            raise InputError(
                self.path,
                f"chunk shapes {sm.shape} and {spread.shape}",
                f"both (time, layer, lat, lon) = {expected}",
            )
        stop = start + sm.shape[0]
        if start < 0 or stop > self.days.size or sm.shape[0] == 0:
            raise InputError(
                self.path,
                f"chunk covers months {start}..{stop - 1}",
                f"a non-empty range within 0..{self.days.size - 1}",
            )
        if self.written[start:stop].any():
            again = self.days[start:stop][self.written[start:stop]]
            raise InputError(
                self.path,
                f"months {str(again[0])[:7]}..{str(again[-1])[:7]} written twice",
                "every month written exactly once",
            )
        if not np.array_equal(np.isnan(sm), np.isnan(spread)):
            raise InputError(
                self.path,
                "sm and sm_spread are NaN in different cells",
                "NaN in both, outside the region mask only",
            )
        return sm, spread if self.spread else None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the file; rename it onto `path` only if the block succeeded and is complete."""
        try:
            self._close()
            if exc is None and not self.written.all():
                raise InputError(
                    self.path,
                    _missing_months(self.days, self.written),
                    "every month written exactly once",
                )
        except BaseException as err:
            self._abandon(err)
            raise
        self._atomic.__exit__(exc_type, exc, tb)

    def _close(self) -> None:
        """Close the open file once, even if closing fails."""
        nc, self._nc = self._nc, None
        if nc is not None:
            nc.close()

    def _abandon(self, exc: BaseException) -> None:
        """Close what is open and let `atomic_path` delete the temporary file."""
        try:
            self._close()
        finally:
            self._atomic.__exit__(type(exc), exc, exc.__traceback__)


def read_product(path: str | os.PathLike) -> xr.Dataset:
    """Open a product lazily with decoded times and NaN outside the region; check its variables."""
    path = Path(path)
    if not path.is_file() or file_kind(path) != "netcdf":
        raise InputError(path, "missing or not a NetCDF file", "a product file")
    ds = xr.open_dataset(path)
    for name in ("sm", "sm_spread"):  # sm_spread only where the file has members to spread
        if (name == "sm" or name in ds) and (name not in ds or ds[name].dims != DATA_DIMS):
            ds.close()
            raise InputError(path, f"no variable {name} on {DATA_DIMS}", "a product file")
    return ds
