"""The CMIP6DL study's figures: Fig. 3 MAE maps through the shared map panels, Fig. 4 point series
and Fig. 8 portrait diagram draw the given tables and are written atomically."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from cartopy.mpl.geoaxes import GeoAxes
from matplotlib.collections import QuadMesh
from matplotlib.colors import to_rgba

from smdown.plots.point_series import degrees_text, draw_point_series, point_series_figure
from smdown.plots.portrait_diagram import draw_portrait, portrait_diagram
from smdown.plots.trend_maps import draw_map_panels, map_panels
from smdown.stats.portrait import TIME_SCALES

POINTS = {
    "arid": (84.5, 44.75),
    "semiarid-subhumid": (113.75, 39.0),
    "Tibetan Plateau": (94.0, 30.25),
    "humid": (102.25, 29.75),
}
DATASETS = ("ERA5-Land", "CMIP6DL", "ensemble mean")
TIME = pd.date_range("2008-01-01", "2014-12-01", freq="MS")
SCENARIOS = ("ssp126", "ssp245", "ssp370", "ssp585")
PERIODS = ("2021-2040", "2041-2070", "2071-2100")


def _points(names=tuple(POINTS)) -> pd.DataFrame:
    """Monthly values per point and dataset, distinct per (point, dataset)."""
    return pd.DataFrame(
        [
            {
                "point": p,
                "dataset": d,
                "time": t,
                "value": 0.1 * k + 0.01 * j + i,
                "lon": POINTS[p][0],
                "lat": POINTS[p][1],
            }
            for k, p in enumerate(names)
            for j, d in enumerate(DATASETS)
            for i, t in enumerate(TIME)
        ]
    )


def _portrait(seed: int = 0) -> pd.DataFrame:
    """A full table as `portrait_table` returns it, the north changing more than the south."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        [
            {
                "region": r,
                "scale": s,
                "scenario": sc,
                "period": p,
                "change": rng.normal(0.0, 10.0 if r == "north" else 3.0),
            }
            for s in TIME_SCALES
            for sc in SCENARIOS
            for p in PERIODS
            for r in ("north", "south")
        ]
    )


def _meshes(axes) -> list[QuadMesh]:
    """The meshes drawn on the given axes."""
    return [c for ax in axes for c in ax.collections if isinstance(c, QuadMesh)]


def _panels(fig) -> list:
    """The portrait's region panels (the colourbars left out)."""
    return [ax for ax in fig.axes if ax.get_title()]


def test_point_series_panels_lines_and_titles():
    table = _points()
    fig = draw_point_series(table, "Fig. 4")
    try:
        assert len(fig.axes) == 4
        assert {ax.get_subplotspec().get_geometry()[:2] for ax in fig.axes} == {(2, 2)}
        assert [ax.get_title() for ax in fig.axes] == [
            "arid (84.5°E, 44.75°N)",
            "semiarid-subhumid (113.75°E, 39°N)",
            "Tibetan Plateau (94°E, 30.25°N)",
            "humid (102.25°E, 29.75°N)",
        ]
        for ax, point in zip(fig.axes, POINTS, strict=True):
            lines = {line.get_gid(): line for line in ax.get_lines()}
            assert list(lines) == list(DATASETS)
            for dataset, line in lines.items():
                rows = table[(table["point"] == point) & (table["dataset"] == dataset)]
                np.testing.assert_allclose(line.get_ydata(), rows["value"])
            colours = [to_rgba(line.get_color()) for line in lines.values()]
            assert colours[0] == to_rgba("black") and len(set(colours)) == 3
        (legend,) = fig.legends
        assert [t.get_text() for t in legend.get_texts()] == [
            "ERA5-Land",
            "CMIP6DL",
            "Ensemble mean",
        ]
        assert fig._suptitle.get_text() == "Fig. 4"
        assert "m$^3$ m$^{-3}$" in fig._supylabel.get_text()
    finally:
        plt.close(fig)


def test_point_series_three_points_and_an_unknown_dataset():
    table = _points(("arid", "humid", "Tibetan Plateau"))
    table.loc[table["dataset"] == "CMIP6DL", "dataset"] = "YNet-v2"
    fig = draw_point_series(table, "t")
    try:
        assert len(fig.axes) == 3
        assert [line.get_gid() for line in fig.axes[0].get_lines()] == [
            "ERA5-Land",
            "ensemble mean",
            "YNet-v2",
        ]
    finally:
        plt.close(fig)


def test_point_series_refuses_a_table_without_coordinates():
    with pytest.raises(ValueError, match=r"point series table lacks column\(s\) \['lon', 'lat'\]"):
        draw_point_series(_points().drop(columns=["lon", "lat"]), "t")


def test_portrait_cells_hold_the_table():
    table = _portrait()
    fig = draw_portrait(table, "Fig. 8")
    try:
        axes = _panels(fig)
        assert [ax.get_title() for ax in axes] == ["(A) north", "(B) south"]
        for ax, region in zip(axes, ("north", "south"), strict=True):
            (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
            cells = np.asarray(mesh.get_array()).reshape(len(TIME_SCALES), -1)
            assert cells.shape == (17, 12)
            rows = table[table["region"] == region]
            # row 4 (May), column 7 (ssp370, 2041-2070)
            expected = rows[
                (rows["scale"] == "May")
                & (rows["scenario"] == "ssp370")
                & (rows["period"] == "2041-2070")
            ]["change"].item()
            assert cells[4, 7] == pytest.approx(expected)
            texts = {(t.get_position()): t.get_text() for t in ax.texts}
            assert len(texts) == 17 * 12 and texts[(7.5, 4.5)] == f"{expected:.1f}"
            assert [t.get_text() for t in ax.get_yticklabels()] == list(TIME_SCALES)
            assert [t.get_text() for t in ax.get_xticklabels()] == list(PERIODS) * 4
            assert ax.get_ylim() == (17.0, 0.0)  # January on top
            (top,) = ax.child_axes
            assert [t.get_text() for t in top.get_xticklabels()] == [
                "SSP1-2.6",
                "SSP2-4.5",
                "SSP3-7.0",
                "SSP5-8.5",
            ]
        assert fig._suptitle.get_text() == "Fig. 8"
    finally:
        plt.close(fig)


def test_portrait_scales_symmetric_per_region_or_shared():
    table = _portrait()
    fig = draw_portrait(table, "t", cmap="RdBu")
    try:
        north, south = _meshes(_panels(fig))
        assert north.norm.vmin == -north.norm.vmax and south.norm.vmin == -south.norm.vmax
        assert north.norm.vmax > south.norm.vmax  # the paper's two colour bars
        assert north.get_cmap().name == "RdBu"
    finally:
        plt.close(fig)
    fig = draw_portrait(table, "t", limit=20.0)
    try:
        assert all((m.norm.vmin, m.norm.vmax) == (-20.0, 20.0) for m in _meshes(_panels(fig)))
    finally:
        plt.close(fig)


def test_portrait_missing_cells_are_blank_and_many_columns_unwritten():
    table = _portrait()
    table = table.drop(table.index[(table["scale"] == "Jan") & (table["region"] == "north")])
    fig = draw_portrait(table, "t")  # now the south comes first, yet the north is drawn first
    try:
        north, south = _meshes(_panels(fig))
        assert fig.axes[0].get_title() == "(A) north"
        assert np.ma.getmaskarray(north.get_array())[0].all()
        assert not np.ma.getmaskarray(south.get_array()).any()
        assert len(fig.axes[0].texts) == 16 * 12
    finally:
        plt.close(fig)
    wide = pd.concat(
        [_portrait(k).assign(scenario=lambda t, k=k: t["scenario"] + f"-{k}") for k in range(10)]
    )  # 40 scenarios x 3 periods
    fig = draw_portrait(wide, "t")
    try:
        assert not any(ax.texts for ax in fig.axes)
        assert fig.get_figwidth() <= 20.0
    finally:
        plt.close(fig)


def test_portrait_seasons_only_keep_their_order():
    table = _portrait()
    fig = draw_portrait(table[table["scale"].isin(["Y", "MAM", "DJF"])], "t")
    try:
        assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["MAM", "DJF", "Y"]
    finally:
        plt.close(fig)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.drop(columns=["period"]), r"portrait table lacks column\(s\) \['period'\]"),
        (lambda t: t.replace({"scale": {"Y": "Spring"}}), r"unknown time scale\(s\) \['Spring'\]"),
        (lambda t: pd.concat([t, t.iloc[:1]]), "repeats the key"),
        (lambda t: t.iloc[:0], "has no rows"),
    ],
)
def test_portrait_refuses_bad_tables(change, message):
    with pytest.raises(ValueError, match=message):
        draw_portrait(change(_portrait()), "t")


def _mae_maps() -> xr.DataArray:
    """Fig. 3's two MAE maps on a 0.25 degree grid over China, NaN over a corner (sea)."""
    lat, lon = np.arange(18.0, 54.0, 0.25), np.arange(71.0, 137.0, 0.25)
    rng = np.random.default_rng(4)
    data = np.stack(
        [
            rng.uniform(0.0, 0.06, (lat.size, lon.size)),
            rng.uniform(0.02, 0.15, (lat.size, lon.size)),
        ]
    )
    data[:, :10, -10:] = np.nan
    return xr.DataArray(
        data,
        dims=("panel", "lat", "lon"),
        coords={"panel": ["(A) CMIP6DL", "(B) ensemble mean"], "lat": lat, "lon": lon},
    )


def test_mae_maps_on_a_sequential_scale_from_zero(tmp_path):
    maps = _mae_maps()
    fig = draw_map_panels(maps, "Fig. 3", "MAE (m3 m-3)", cmap="YlOrRd", limit=0.1, symmetric=False)
    try:
        axes = [ax for ax in fig.axes if isinstance(ax, GeoAxes)]
        assert [ax.get_title() for ax in axes] == ["(A) CMIP6DL", "(B) ensemble mean"]
        meshes = _meshes(axes)
        assert len(meshes) == 2
        assert all((m.norm.vmin, m.norm.vmax) == (0.0, 0.1) for m in meshes)
        assert all(m.get_cmap().name == "YlOrRd" for m in meshes)
        assert meshes[-1].colorbar.extend == "max"  # the bar is made from the last panel
    finally:
        plt.close(fig)
    map_panels(maps, tmp_path / "fig3.png", "Fig. 3", "MAE", cmap="YlOrRd", symmetric=False)
    assert (tmp_path / "fig3.png").read_bytes()[:4] == b"\x89PNG"


def test_degrees_text_hemispheres():
    assert degrees_text(84.5, 44.75) == "84.5°E, 44.75°N"
    assert degrees_text(-70.25, -33.0) == "70.25°W, 33°S"


WRITERS = {
    "fig4": lambda path: point_series_figure(_points(), path, "t"),
    "fig8": lambda path: portrait_diagram(_portrait(), path, "t", limit=15.0),
}


@pytest.mark.parametrize("name", WRITERS)
def test_figure_png_written(tmp_path, name):
    WRITERS[name](tmp_path / f"{name}.png")
    assert (tmp_path / f"{name}.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("name", WRITERS)
def test_failed_save_leaves_no_file_and_no_open_figure(tmp_path, disk_full, name):
    figures = plt.get_fignums()
    with pytest.raises(OSError, match="disk full"):
        WRITERS[name](tmp_path / f"{name}.png")
    assert list(tmp_path.iterdir()) == []
    assert plt.get_fignums() == figures
