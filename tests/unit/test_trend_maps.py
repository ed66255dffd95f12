"""Figs. 8, 9 and 14: trend maps on the real TRSR grid draw the given data, written atomically."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr
from cartopy.mpl.geoaxes import GeoAxes
from matplotlib.collections import PathCollection, QuadMesh
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure

from smdown.plots.trend_maps import colour_limit, draw_map_panels, map_panels

LAT = np.round(31.0 + 0.1 * np.arange(71), 10)
LON = np.round(89.0 + 0.1 * np.arange(151), 10)
SCENARIOS = ("SSP1-2.6", "SSP2-4.5", "SSP3-7.0", "SSP5-8.5")


def _panels(count: int, seed: int = 0) -> xr.DataArray:
    """Random trends (panel, lat, lon) on the 71 x 151 TRSR grid, NaN in one corner."""
    rng = np.random.default_rng(seed)
    data = rng.normal(0.0, 2e-4, (count, LAT.size, LON.size))
    data[:, :5, :5] = np.nan
    names = [f"{s} {c}" for s in ("DJF", "MAM", "JJA", "SON") for c in SCENARIOS][:count]
    return xr.DataArray(
        data, dims=("panel", "lat", "lon"), coords={"panel": names, "lat": LAT, "lon": LON}
    )


def _ellipse(lon0: float, lat0: float, a: float, b: float) -> np.ndarray:
    """A boolean ellipse on the grid's cell centres."""
    lon, lat = np.meshgrid(LON, LAT)
    return ((lon - lon0) / a) ** 2 + ((lat - lat0) / b) ** 2 <= 1.0


def _outlines() -> xr.DataArray:
    """A union and two sub-regions as (region, lat, lon) boolean masks."""
    west, east = _ellipse(93.0, 34.0, 3.0, 1.5), _ellipse(99.0, 34.5, 2.5, 1.2)
    return xr.DataArray(
        np.stack([west | east, west, east]),
        dims=("region", "lat", "lon"),
        coords={"region": ["TRSR", "West", "East"], "lat": LAT, "lon": LON},
    )


def _map_axes(fig: Figure) -> list:
    """The map panels of a figure (the colourbar's axes left out)."""
    return [ax for ax in fig.axes if isinstance(ax, GeoAxes)]


@pytest.mark.parametrize(("count", "ncols"), [(1, None), (4, None), (16, 4)])
def test_png_written(tmp_path, count, ncols):
    values = _panels(count)
    figures = plt.get_fignums()
    map_panels(
        values,
        tmp_path / "fig.png",
        "trend",
        "m3 m-3 yr-1",
        significant=values > 0,
        outlines=_outlines(),
        ncols=ncols,
    )
    assert (tmp_path / "fig.png").read_bytes()[:4] == b"\x89PNG"
    assert [p.name for p in tmp_path.iterdir()] == ["fig.png"]
    assert plt.get_fignums() == figures  # the figure was closed


def test_panels_titled_and_laid_out():
    fig = draw_map_panels(_panels(16), "t", "label", ncols=4)
    try:
        axes = _map_axes(fig)
        assert [ax.get_title() for ax in axes] == list(_panels(16)["panel"].values)
        assert {ax.get_subplotspec().get_geometry()[:2] for ax in axes} == {(4, 4)}
    finally:
        plt.close(fig)


def test_colour_scale_symmetric_with_given_limit():
    fig = draw_map_panels(_panels(4), "t", "m3 m-3 yr-1", limit=3e-4)
    try:
        meshes = [c for ax in _map_axes(fig) for c in ax.collections if isinstance(c, QuadMesh)]
        assert len(meshes) == 4
        assert all((m.norm.vmin, m.norm.vmax) == (-3e-4, 3e-4) for m in meshes)
        assert all(m.get_cmap().name == "BrBG" for m in meshes)
        assert any(ax.get_xlabel() == "m3 m-3 yr-1" for ax in fig.axes)  # the colourbar
    finally:
        plt.close(fig)


def test_default_limit_is_rounded_98th_percentile():
    values = np.concatenate([-np.arange(1.0, 1001.0) * 1e-5, [np.nan, np.inf]])
    assert colour_limit(values) == pytest.approx(0.0098)  # 98th pct 0.0098002 -> 2 digits
    assert colour_limit(values, 0.5) == 0.5
    assert colour_limit(np.full(10, np.nan)) == 1.0
    assert colour_limit(np.zeros(10)) == 1.0


@pytest.mark.parametrize("every", [2, 3])
def test_stippling_draws_significant_lattice_cells(every):
    values = _panels(2)
    significant = xr.DataArray(
        np.random.default_rng(3).random(values.shape) < 0.3, dims=values.dims, coords=values.coords
    )
    fig = draw_map_panels(values, "t", "x", significant=significant, stipple_every=every)
    try:
        for k, ax in enumerate(_map_axes(fig)):
            dots = [c for c in ax.collections if isinstance(c, PathCollection)]
            assert len(dots) == 1
            rows, cols = np.nonzero(significant.values[k])
            keep = (rows % every == 0) & (cols % every == 0)
            expected = set(zip(LON[cols[keep]], LAT[rows[keep]], strict=True))
            drawn = {tuple(p) for p in np.asarray(dots[0].get_offsets())}
            assert drawn == expected
        texts = [t.get_text() for t in fig.texts]
        ordinal = {2: "2nd", 3: "3rd"}[every]
        assert f"dots: p < 0.05 (every {ordinal} cell shown)" in texts
    finally:
        plt.close(fig)


def test_footnote_states_the_configured_significance_level():
    values = _panels(2)
    fig = draw_map_panels(values, "t", "x", significant=values > 0, alpha=0.1)
    try:
        assert "dots: p < 0.1 (every 2nd cell shown)" in [t.get_text() for t in fig.texts]
    finally:
        plt.close(fig)


def test_no_stippling_no_footnote():
    fig = draw_map_panels(_panels(4), "t", "%")
    try:
        assert not any(isinstance(c, PathCollection) for ax in fig.axes for c in ax.collections)
        assert not any("dots" in t.get_text() for t in fig.texts)
    finally:
        plt.close(fig)


def test_outline_contours_per_region():
    outlines = _outlines()
    fig = draw_map_panels(_panels(4), "t", "x", outlines=outlines)
    try:
        for ax in _map_axes(fig):
            contours = [c for c in ax.collections if isinstance(c, ContourSet)]
            assert len(contours) == 3
            assert all(len(c.get_paths()[0].vertices) > 10 for c in contours)
            widths = [c.get_linewidths()[0] for c in contours]
            assert widths[0] > widths[1] == widths[2]
        labels = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
        assert labels == ["TRSR", "West", "East"]
    finally:
        plt.close(fig)


def test_outline_closes_at_domain_edge():
    everywhere = xr.DataArray(
        np.ones((1, LAT.size, LON.size), dtype=bool),
        dims=("region", "lat", "lon"),
        coords={"region": ["all"], "lat": LAT, "lon": LON},
    )
    fig = draw_map_panels(_panels(1), "t", "x", outlines=everywhere)
    try:
        (contour,) = [c for c in _map_axes(fig)[0].collections if isinstance(c, ContourSet)]
        vertices = contour.get_paths()[0].vertices
        assert vertices[:, 0].min() < LON[0] and vertices[:, 0].max() > LON[-1]
    finally:
        plt.close(fig)


def test_all_nan_panels_do_not_crash(tmp_path):
    values = _panels(4)
    values[1] = np.nan
    map_panels(
        values, tmp_path / "some.png", "t", "x", significant=values > 0, outlines=_outlines()
    )
    empty = xr.full_like(values, np.nan)
    fig = draw_map_panels(empty, "t", "x", significant=empty > 0)
    try:
        assert all(
            m.norm.vmax == 1.0
            for ax in _map_axes(fig)
            for m in ax.collections
            if isinstance(m, QuadMesh)
        )
    finally:
        plt.close(fig)
    assert (tmp_path / "some.png").read_bytes()[:4] == b"\x89PNG"


def test_failed_save_leaves_no_part_file(tmp_path, disk_full):
    figures = plt.get_fignums()
    with pytest.raises(OSError, match="disk full"):
        map_panels(_panels(1), tmp_path / "fig.png", "t", "x")
    assert list(tmp_path.iterdir()) == []
    assert plt.get_fignums() == figures


def test_descending_latitude_refused():
    values = _panels(1).isel(lat=slice(None, None, -1))
    with pytest.raises(ValueError, match="ascending 'lat'"):
        draw_map_panels(values, "t", "x")
