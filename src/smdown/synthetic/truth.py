"""The demo's known truth: an analytic, seeded soil-moisture world over a study's box.

Volumetric soil moisture (m3 m-3) in the 5 AMSMQTP layers is a closed-form function of
(lat, lon, month, layer), so every synthetic source samples one world on its own grid and the
tests can check that the pipeline recovers the known climatology and trends. The world's box
(the TRSR by default, or China) scales its spatial patterns and is the area the writers cover.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import xarray as xr
from scipy.signal import lfilter

from smdown.catalog import AMSMQTP_LAYERS, EXPERIMENTS
from smdown.geometry import RectilinearGrid, regular_grid

Box = tuple[float, float, float, float]  # lat_min, lat_max, lon_min, lon_max of cell centres

# The TRSR study's target box and its 0.1 degree grid.
TARGET_BOX: Box = (31.0, 38.0, 89.0, 104.0)
TARGET_RESOLUTION = 0.1
# The CMIP6DL study's box: centres of the 0.25 degree cells spanning 18-54 N, 71-137 E (144 x 264).
CHINA_BOX: Box = (18.0, 53.75, 71.0, 136.75)
CHINA_RESOLUTION = 0.25

# Trend of layer 1 (m3 m-3 per year, pixel mean) in each experiment; SSPs start in 2015.
TREND_PER_YEAR = {
    "historical": 1.0e-4,
    "ssp126": 1.5e-4,
    "ssp245": 2.3e-4,
    "ssp370": 3.1e-4,
    "ssp585": 4.0e-4,
}
# The observed world (stations, reanalysis, AMSMQTP) follows ssp245 after 2014.
OBSERVED = "ssp245"
SCENARIO_START = 2015
CLIP = (0.02, 0.6)
TREND_PATTERNS = ("modes", "dipole")

LAYER_MID_M = np.array([(top + bottom) / 2 for top, bottom in AMSMQTP_LAYERS])

# Tables of the random time series cover these years; times outside are refused.
_TABLE_FIRST_YEAR, _TABLE_LAST_YEAR = 1850, 2150
_EPOCH = np.datetime64(f"{_TABLE_FIRST_YEAR}-01", "M")


def target_grid() -> RectilinearGrid:
    """The TRSR demo's 0.1 degree grid: centres 31..38 N, 89..104 E (71 x 151)."""
    return regular_grid(*TARGET_BOX, TARGET_RESOLUTION)


def _check_whole_cells(box: Box, resolution: float) -> None:
    """Refuse a box whose centre spans are not whole numbers of `resolution` steps."""
    for low, high in (box[:2], box[2:]):
        steps = (high - low) / resolution
        if abs(steps - round(steps)) > 1e-6:
            raise ValueError(f"box {box} is not a whole number of {resolution} degree cells")


def box_grid(box: Box, resolution: float) -> RectilinearGrid:
    """The grid of `resolution` whose cell centres run from the box's minima to its maxima.

    Refuses a box that is not a whole number of cells wide, which would shift its last centres.
    """
    _check_whole_cells(box, resolution)
    return regular_grid(*box, resolution)


def _box_coords(lat: np.ndarray, lon: np.ndarray, box: Box) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates scaled so the box spans 0..1 (west-east u, south-north v)."""
    return ((lon - box[2]) / (box[3] - box[2]), (lat - box[0]) / (box[1] - box[0]))


@dataclass(frozen=True)
class _Modes:
    """Plane waves cos(2 pi (kx u + ky v) + phase) in box-normalised coordinates u, v."""

    kx: np.ndarray
    ky: np.ndarray
    phase: np.ndarray

    @classmethod
    def draw(cls, rng: np.random.Generator, count: int, max_wavenumber: float) -> _Modes:
        return cls(
            rng.uniform(0.15, max_wavenumber, count),
            rng.uniform(-max_wavenumber, max_wavenumber, count),
            rng.uniform(0, 2 * np.pi, count),
        )

    def __call__(self, lat: np.ndarray, lon: np.ndarray, box: Box) -> np.ndarray:
        """Mode values, shape (count, *broadcast(lat, lon).shape), each of unit variance."""
        u, v = _box_coords(lat, lon, box)
        shape = (-1,) + (1,) * np.ndim(u + v)
        arg = 2 * np.pi * (self.kx.reshape(shape) * u + self.ky.reshape(shape) * v)
        return np.sqrt(2.0) * np.cos(arg + self.phase.reshape(shape))


def _as_months(times) -> np.ndarray:
    """Times of any datetime64 unit (or ISO strings) as months since the table's start."""
    months = np.atleast_1d(np.asarray(times, dtype="datetime64[M]"))
    index = (months - _EPOCH).astype(int)
    n = (_TABLE_LAST_YEAR - _TABLE_FIRST_YEAR + 1) * 12
    if index.min() < 0 or index.max() >= n:
        raise ValueError(f"times must lie in {_TABLE_FIRST_YEAR}..{_TABLE_LAST_YEAR}")
    return index


def _layer_indices(layers: Sequence[int] | None) -> np.ndarray:
    return np.arange(len(AMSMQTP_LAYERS)) if layers is None else np.asarray(layers, dtype=int)


def _mean_preserving_nodes(
    months: np.ndarray, days: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linear interpolation between mid-month nodes whose monthly means are exact.

    `days` cover `months` except the first and last (margins whose nodes are their own values).
    Returns, per day, the left node index and weight of the right node, and the (node, month)
    matrix turning monthly values into node values.
    """
    starts = months.astype("datetime64[D]")
    lengths = ((months + 1).astype("datetime64[D]") - starts).astype(float)
    mids = (starts - starts[0]).astype(float) + lengths / 2
    pos = (days - starts[0]).astype(float) + 0.5
    i = np.searchsorted(mids, pos) - 1
    w = (pos - mids[i]) / (mids[i + 1] - mids[i])
    month_of_day = np.searchsorted(starts, days, side="right") - 1
    n = months.size
    means = np.zeros((n, n))  # means[m, k]: weight of node k in the mean of month m's days
    np.add.at(means, (month_of_day, i), 1 - w)
    np.add.at(means, (month_of_day, i + 1), w)
    means /= np.maximum(np.bincount(month_of_day, minlength=n), 1)[:, None]
    means[0, 0] = means[-1, -1] = 1.0  # margin nodes equal their months
    return i, w.astype(np.float32), np.linalg.inv(means).astype(np.float32)


def _experiment_windows() -> list[tuple[int, int]]:
    return sorted({(e.first_year, e.last_year) for e in EXPERIMENTS.values()})


@dataclass(frozen=True)
class TruthWorld:
    """A seeded analytic soil-moisture world; all sources of the demo sample this one field.

    sm = pattern + season + trend + noise, clipped to [0.02, 0.6] m3 m-3, where
    - pattern: `mean_moisture` +- `pattern_amplitude` (0.10..0.40 by default), wetter to the
      south-east, with seeded low-frequency modes;
    - season: low in winter (frozen soil, minimum about late January), high in July-August;
      half a year later in a world south of the equator (`southern`);
    - trend: linear per experiment (`TREND_PER_YEAR` x `trend_scale`), zero at 2015-01-01 so the
      historical run continues into every SSP, times a smooth per-pixel factor: 0.6..1.4
      (`trend_pattern` "modes"), or -1.5..1.5 so the sign changes across the box ("dipole");
    - noise: spatially smooth modes with monthly AR(1) and interannual parts. Over each
      experiment's years it has zero mean and zero trend in annual means, so `trend` is exactly
      the slope of the annual means of the unclipped truth.
    Seasonal amplitude, trend and noise decay with depth as exp(-(z - 0.05 m) / damping_depth_m).
    Spatial patterns scale with `box`; `box` at `resolution` is the study's target grid, the area
    the writers cover. Each CMIP6 model sees the top layer with an anomaly scale, bias and noise
    drawn per model from the `model_scale`, `model_bias` and `model_noise` ranges. The defaults
    are the demo's world; `smdown.synthetic.worlds` varies them.
    """

    seed: int
    box: Box = TARGET_BOX
    resolution: float = TARGET_RESOLUTION
    mean_moisture: float = 0.25
    seasonal_amplitude: float = 0.07
    trend_scale: float = 1.0
    noise_amplitude: float = 0.01
    daily_noise_amplitude: float = 0.006
    damping_depth_m: float = 0.6
    seasonal_lag_years_per_m: float = 0.08
    pattern_amplitude: float = 0.15
    trend_pattern: str = "modes"
    model_scale: tuple[float, float] = (0.7, 1.3)
    model_bias: tuple[float, float] = (-0.05, 0.05)
    model_noise: tuple[float, float] = (0.01, 0.03)

    def __post_init__(self) -> None:
        """Refuse a box and resolution that do not make a grid (see `box_grid`), an unknown
        trend pattern and reversed ranges, at once."""
        _check_whole_cells(self.box, self.resolution)
        if self.trend_pattern not in TREND_PATTERNS:
            raise ValueError(
                f"unknown trend_pattern {self.trend_pattern!r}; allowed: "
                f"{', '.join(TREND_PATTERNS)}"
            )
        for name in ("model_scale", "model_bias", "model_noise"):
            low, high = getattr(self, name)
            if low > high:
                raise ValueError(f"{name} must be a (low, high) range, got {(low, high)}")

    @property
    def southern(self) -> bool:
        """Whether the box lies mostly south of the equator, where winter is June-August."""
        return self.box[0] + self.box[1] < 0

    def _rng(self, stream: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, stream])

    def target_grid(self) -> RectilinearGrid:
        """The study's target grid: `resolution` cells centred from the box's minima to maxima."""
        return box_grid(self.box, self.resolution)

    @cached_property
    def _pattern_modes(self) -> _Modes:
        return _Modes.draw(self._rng(1), 5, 1.2)

    @cached_property
    def _pattern_weights(self) -> np.ndarray:
        return self._rng(2).normal(0.0, 0.025, 5)

    @cached_property
    def _trend_modes(self) -> _Modes:
        return _Modes.draw(self._rng(3), 3, 0.8)

    @cached_property
    def _noise_modes(self) -> _Modes:
        return _Modes.draw(self._rng(4), 4, 1.0)

    @cached_property
    def _daily_modes(self) -> _Modes:
        return _Modes.draw(self._rng(5), 4, 1.5)

    @cached_property
    def _monthly_coefficients(self) -> np.ndarray:
        """(month, mode) noise coefficients of unit-ish variance, detrended per experiment."""
        rng = self._rng(6)
        n_years = _TABLE_LAST_YEAR - _TABLE_FIRST_YEAR + 1
        k = 4
        ar = lfilter([np.sqrt(1 - 0.5**2)], [1, -0.5], rng.normal(size=(n_years * 12, k)), axis=0)
        yearly = np.repeat(rng.normal(0.0, 0.7, (n_years, k)), 12, axis=0)
        coef = (ar + yearly) / np.sqrt(k * 1.49)
        years = _TABLE_FIRST_YEAR + np.arange(n_years * 12) // 12
        for first, last in _experiment_windows():
            sel = (years >= first) & (years <= last)
            design = np.stack([np.ones(sel.sum()), years[sel] - years[sel].mean()], axis=1)
            fit, *_ = np.linalg.lstsq(design, coef[sel], rcond=None)
            coef[sel] -= design @ fit
        return coef

    @cached_property
    def _daily_coefficients(self) -> np.ndarray:
        """(day, mode) daily anomaly coefficients with zero mean within every calendar month."""
        start = np.datetime64(f"{_TABLE_FIRST_YEAR}-01-01")
        n_days = (np.datetime64(f"{_TABLE_LAST_YEAR + 1}-01-01") - start).astype(int)
        k = 4
        phi = 0.8
        coef = lfilter(
            [np.sqrt(1 - phi**2)], [1, -phi], self._rng(7).normal(size=(n_days, k)), axis=0
        ) / np.sqrt(k)
        months = (start + np.arange(n_days)).astype("datetime64[M]")
        starts = np.flatnonzero(np.r_[True, months[1:] != months[:-1]])
        counts = np.diff(np.r_[starts, n_days])
        means = np.add.reduceat(coef, starts, axis=0) / counts[:, None]
        return coef - np.repeat(means, counts, axis=0)

    def _damping(self, layer_idx: np.ndarray) -> np.ndarray:
        return np.exp(-(LAYER_MID_M[layer_idx] - LAYER_MID_M[0]) / self.damping_depth_m)

    def pattern(
        self, lat: np.ndarray, lon: np.ndarray, layers: Sequence[int] | None = None
    ) -> np.ndarray:
        """Time-invariant climatology (layer, *space) the seasonal cycle oscillates around."""
        lidx = _layer_indices(layers)
        u, v = _box_coords(lat, lon, self.box)
        raw = 0.09 * (u - v) + np.tensordot(
            self._pattern_weights, self._pattern_modes(lat, lon, self.box), axes=1
        )
        base = self.mean_moisture + self.pattern_amplitude * np.tanh(raw / 0.15)
        deeper = 0.04 * LAYER_MID_M[lidx]
        return base[None] + deeper.reshape((-1,) + (1,) * base.ndim)

    def trend(
        self, lat: np.ndarray, lon: np.ndarray, experiment: str, layers: Sequence[int] | None = None
    ) -> np.ndarray:
        """True linear trend (layer, *space) in m3 m-3 per year over the experiment's years."""
        lidx = _layer_indices(layers)
        modes = self._trend_modes(lat, lon, self.box)
        smooth = modes.sum(axis=0) / np.sqrt(modes.shape[0])
        if self.trend_pattern == "dipole":
            factor = 1.5 * np.tanh(2.0 * smooth)
        else:
            factor = 1.0 + 0.4 * np.tanh(smooth)
        rate = TREND_PER_YEAR[experiment] * self.trend_scale
        return rate * self._damping(lidx).reshape((-1,) + (1,) * factor.ndim) * factor[None]

    @staticmethod
    def _space(lat, lon, points: bool) -> tuple[np.ndarray, np.ndarray]:
        """Grid axes (lat[:, None], lon[None, :]), or paired points as given."""
        lat = np.asarray(lat, dtype=float)
        lon = np.asarray(lon, dtype=float)
        return (lat, lon) if points else (lat[:, None], lon[None, :])

    def _monthly(
        self,
        lat: np.ndarray,
        lon: np.ndarray,
        months: np.ndarray,
        lidx: np.ndarray,
        experiment: str,
        season_scale: float,
    ) -> np.ndarray:
        """Unclipped monthly truth (time, layer, *space) for month indices `months`."""
        years = _TABLE_FIRST_YEAR + (months + 0.5) / 12.0  # mid-month, fractional years
        base = self.pattern(lat, lon, lidx).astype(np.float32)
        amplitude = self.seasonal_amplitude * season_scale * base[0] / self.mean_moisture
        since = (years - SCENARIO_START).astype(np.float32)
        before, after = np.minimum(since, 0), np.maximum(since, 0)
        rate_hist = self.trend(lat, lon, "historical", lidx).astype(np.float32)
        rate_exp = self.trend(lat, lon, experiment, lidx).astype(np.float32)
        noise = np.tensordot(
            self._monthly_coefficients[months] * self.noise_amplitude,
            self._noise_modes(lat, lon, self.box),
            axes=1,
        ).astype(np.float32)
        damping = self._damping(lidx).astype(np.float32)
        lag = self.seasonal_lag_years_per_m * LAYER_MID_M[lidx] + (0.5 if self.southern else 0.0)
        out = np.empty((months.size, lidx.size) + base.shape[1:], dtype=np.float32)
        for j in range(lidx.size):
            season = -np.cos(2 * np.pi * (years - 0.06 - lag[j])).astype(np.float32)
            layer = out[:, j]
            np.multiply.outer(before, rate_hist[j], out=layer)
            layer += np.multiply.outer(after, rate_exp[j])
            layer += base[j]
            layer += np.multiply.outer(season, amplitude * damping[j])
            layer += noise * damping[j]
        return out

    def field(
        self,
        lat,
        lon,
        times,
        layers: Sequence[int] | None = None,
        experiment: str = OBSERVED,
        season_scale: float = 1.0,
    ) -> np.ndarray:
        """Monthly-mean truth, float32 (time, layer, lat, lon) for 1-D `lat` and `lon`.

        `times` are taken as months (any datetime64 unit); `layers` index AMSMQTP_LAYERS.
        Before 2015 every experiment is the historical run. `season_scale` damps the seasonal
        cycle (ERA5-Land's smoother annual cycle).
        """
        la, lo = self._space(lat, lon, points=False)
        out = self._monthly(
            la, lo, _as_months(times), _layer_indices(layers), experiment, season_scale
        )
        return np.clip(out, *CLIP, out=out)

    def cell_mean(
        self,
        grid: RectilinearGrid,
        times,
        layer: int = 0,
        subsamples: int = 4,
        experiment: str = OBSERVED,
    ) -> np.ndarray:
        """Approximate cell averages (time, lat, lon) from subsamples x subsamples points per cell.

        Sub-points sit at the centres of an even split of each cell, weighted by cos(lat).
        """
        frac = (np.arange(subsamples) + 0.5) / subsamples
        sub_lat = (grid.lat_bnds[:, :1] + frac * np.diff(grid.lat_bnds, axis=1)).ravel()
        sub_lon = (grid.lon_bnds[:, :1] + frac * np.diff(grid.lon_bnds, axis=1)).ravel()
        values = self.field(sub_lat, sub_lon, times, [layer], experiment)[:, 0]
        ny, nx = grid.shape
        values = values.reshape(-1, ny, subsamples, nx, subsamples)
        weights = np.cos(np.deg2rad(sub_lat)).reshape(ny, subsamples)
        weights = weights / weights.sum(axis=1, keepdims=True)
        return np.einsum("tyaxb,ya->tyx", values, weights) / subsamples

    def daily_field(
        self,
        lat,
        lon,
        days,
        layers: Sequence[int] | None = None,
        experiment: str = OBSERVED,
        points: bool = False,
    ) -> np.ndarray:
        """Daily truth, float32 (day, layer, *space): a continuous piecewise-linear curve through
        the months whose monthly means equal the monthly truth, plus a smooth daily anomaly
        that has zero mean in every calendar month.

        1-D lat/lon are grid axes, or with `points=True` paired point coordinates.
        """
        days = np.atleast_1d(np.asarray(days, dtype="datetime64[D]"))
        lidx = _layer_indices(layers)
        la, lo = self._space(lat, lon, points)
        first = days.min().astype("datetime64[M]")
        last = days.max().astype("datetime64[M]")
        months = np.arange(first - 1, last + 2)  # one month of margin for the interpolation
        monthly = self._monthly(la, lo, _as_months(months), lidx, experiment, 1.0)
        all_days = np.arange(months[1].astype("datetime64[D]"), months[-1].astype("datetime64[D]"))
        i, w, anchors = _mean_preserving_nodes(months, all_days)
        nodes = np.tensordot(anchors, monthly, axes=1)  # (month, layer, *space)
        w = w.reshape((-1,) + (1,) * (monthly.ndim - 1))
        daily = (1 - w) * nodes[i] + w * nodes[i + 1]
        table_index = (all_days - np.datetime64(f"{_TABLE_FIRST_YEAR}-01-01")).astype(int)
        modes = self._daily_modes(la, lo, self.box)
        anomaly = (
            np.tensordot(self._daily_coefficients[table_index], modes, axes=1)
            * self.daily_noise_amplitude
        )
        damping = self._damping(lidx).reshape((1, -1) + (1,) * anomaly[0].ndim)
        daily += anomaly[:, None].astype(np.float32) * damping
        pick = (days - all_days[0]).astype(int)
        return np.clip(daily[pick], *CLIP).astype(np.float32)

    def point_series(
        self,
        lat: float,
        lon: float,
        depth_m: float | Sequence[float],
        days,
        experiment: str = OBSERVED,
    ) -> np.ndarray:
        """Daily truth at one point: (day,) for one depth, (day, depth) for several.

        Depths between layer mid-depths are interpolated linearly; beyond them, held constant.
        """
        daily = self.daily_field([lat], [lon], days, experiment=experiment, points=True)[:, :, 0]
        depths = np.atleast_1d(np.asarray(depth_m, dtype=float))
        j = np.clip(np.searchsorted(LAYER_MID_M, depths) - 1, 0, LAYER_MID_M.size - 2)
        w = np.clip((depths - LAYER_MID_M[j]) / (LAYER_MID_M[j + 1] - LAYER_MID_M[j]), 0.0, 1.0)
        out = (1 - w) * daily[:, j] + w * daily[:, j + 1]
        return out if np.ndim(depth_m) else out[:, 0]

    def truth_dataset(self, grid: RectilinearGrid, experiment: str) -> xr.Dataset:
        """Monthly truth `sm(time, layer, lat, lon)` over the experiment's years on `grid`,
        with the true per-pixel linear trend `trend(layer, lat, lon)` (m3 m-3 per year)."""
        exp = EXPERIMENTS[experiment]
        months = np.arange(
            f"{exp.first_year:04d}-01", f"{exp.last_year + 1:04d}-01", dtype="datetime64[M]"
        )
        sm = self.field(grid.lat, grid.lon, months, experiment=experiment)
        trend = self.trend(grid.lat[:, None], grid.lon[None, :], experiment).astype(np.float32)
        top, bottom = (np.array(b) for b in zip(*AMSMQTP_LAYERS, strict=True))
        ds = xr.Dataset(
            {
                "sm": (
                    ("time", "layer", "lat", "lon"),
                    sm,
                    {
                        "long_name": "true volumetric soil moisture (monthly mean)",
                        "units": "m3 m-3",
                    },
                ),
                "trend": (
                    ("layer", "lat", "lon"),
                    trend,
                    {
                        "long_name": "true linear trend over the experiment's years",
                        "units": "m3 m-3 yr-1",
                    },
                ),
            },
            coords={
                "time": months.astype("datetime64[ns]"),
                "layer": np.arange(1, len(AMSMQTP_LAYERS) + 1),
                "depth_top": ("layer", top, {"units": "m"}),
                "depth_bottom": ("layer", bottom, {"units": "m"}),
                **grid.coords(),
            },
            attrs={
                "title": "smdown synthetic truth",
                "experiment_id": experiment,
                "seed": self.seed,
            },
        )
        for name, var in grid.bounds_vars().items():
            ds[name] = var
        return ds


def world_on(
    grid: Mapping[str, float], seed: int, world: Mapping[str, object] | None = None
) -> TruthWorld:
    """The world spanning a config's target `grid` section (lat/lon min/max, resolution): the
    TRSR demo's for its grid, the China world for the CMIP6DL study's. `world` (the config's
    `synthetic.world`) sets any other field of `TruthWorld`; ranges may come as lists."""
    box = (
        float(grid["lat_min"]),
        float(grid["lat_max"]),
        float(grid["lon_min"]),
        float(grid["lon_max"]),
    )
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in (world or {}).items()}
    return TruthWorld(seed=seed, box=box, resolution=float(grid["resolution"]), **params)
