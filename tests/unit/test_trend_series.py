"""Figs. 10-13 and 15: the PNGs are written atomically; the drawn artists carry the tables."""

from __future__ import annotations

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba

from smdown.plots.trend_series import (
    EXTRA_COLOURS,
    SCENARIO_STYLE,
    draw_period_means,
    draw_period_rates,
    draw_regional_series,
    period_means,
    period_rates,
    regional_series,
    slope_text,
    stars,
)

REGIONS = ("TRSR", "Yangtze", "Yellow", "Lancang")
SCENARIOS = ("historical", "ssp126", "ssp245", "ssp370", "ssp585")
PERIODS = ("1995-2014", "2021-2040", "2041-2070", "2071-2100")
P_VALUES = (0.2, 0.04, 0.009, 0.0009, 0.05)  # per scenario: none, *, **, ***, none (not < 0.05)


def _series(regions: tuple[str, ...] = REGIONS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Yearly values per region and scenario (historical to 2014, SSPs after) and their slopes."""
    rng = np.random.default_rng(1)
    rows, slopes = [], []
    for r, region in enumerate(regions):
        for k, scenario in enumerate(SCENARIOS):
            years = range(1950, 2015) if scenario == "historical" else range(2015, 2101)
            rows += [
                {
                    "region": region,
                    "scenario": scenario,
                    "year": y,
                    "value": 0.2 + 0.01 * r + 1e-4 * k * (y - 1950) + rng.normal(0, 0.003),
                }
                for y in years
            ]
            slopes.append(
                {
                    "region": region,
                    "scenario": scenario,
                    "slope": (k + 1) * 3.1e-4 * (1 if k else -1),
                    "p": P_VALUES[k],
                }
            )
    return pd.DataFrame(rows), pd.DataFrame(slopes)


def _members(period: str) -> tuple[str, ...]:
    """The scenarios with a value in a period: historical alone in 1995-2014, SSPs after."""
    return SCENARIOS[:1] if period == PERIODS[0] else SCENARIOS[1:]


def _means(layers: tuple = (1, 2), seasons: tuple = ("SON", "Y", "MAM")) -> pd.DataFrame:
    """Period means per layer, season, scenario and period, in the given (unsorted) orders."""
    rng = np.random.default_rng(2)
    return pd.DataFrame(
        [
            {
                "layer": layer,
                "season": season,
                "scenario": s,
                "period": period,
                "value": rng.uniform(0.15, 0.35),
            }
            for layer in layers
            for season in seasons
            for period in PERIODS
            for s in _members(period)
        ]
    )


def _rates(regions: tuple = ("Layer 1", "Layer 2"), seasons: tuple | None = None) -> pd.DataFrame:
    """Period rates with a cycle of p values, with or without a season column."""
    rng = np.random.default_rng(3)
    rows = [
        {
            "region": region,
            "scenario": s,
            "period": period,
            "rate": rng.normal(5e-4, 4e-4),
            "p": (0.001, 0.3, 0.049, 0.05, np.nan)[k % 5],
            **({} if season is None else {"season": season}),
        }
        for region in regions
        for season in (seasons or [None])
        for period in PERIODS
        for k, s in enumerate(_members(period))
    ]
    return pd.DataFrame(rows)


def _legend_texts(ax) -> list[str]:
    """The texts of a panel's legend, in order."""
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _bars(ax) -> dict[str, list]:
    """A panel's bar patches by legend label."""
    return {c.get_label(): list(c.patches) for c in ax.containers}


def _assert_png(path) -> None:
    """The file exists, is a PNG with pixels, and no temporary sibling is left."""
    image = mpimg.imread(path)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    assert not list(path.parent.glob("*.part"))


def test_regional_series_lines_carry_the_series(tmp_path):
    series, slopes = _series()
    fig = draw_regional_series(series, slopes, "Fig. 10 layer 1")
    assert [ax.get_title() for ax in fig.axes] == list(REGIONS)
    for ax, region in zip(fig.axes, REGIONS, strict=True):
        lines = {line.get_gid(): line for line in ax.get_lines()}
        assert list(lines) == list(SCENARIOS)
        for scenario, line in lines.items():
            sub = series[(series["region"] == region) & (series["scenario"] == scenario)]
            np.testing.assert_array_equal(line.get_xdata(), sub["year"])
            np.testing.assert_array_equal(line.get_ydata(), sub["value"])
            assert to_rgba(line.get_color()) == to_rgba(SCENARIO_STYLE[scenario]["color"])
    plt.close(fig)
    regional_series(series, slopes, tmp_path / "fig10.png", "Fig. 10 layer 1")
    _assert_png(tmp_path / "fig10.png")


def test_legend_gives_slopes_and_asterisks():
    series, slopes = _series()
    fig = draw_regional_series(series, slopes, "test")
    expected = [
        f"{SCENARIO_STYLE[s]['label']}: {slope_text(slope, p)}"
        for s, slope, p in slopes.loc[
            slopes["region"] == "TRSR", ["scenario", "slope", "p"]
        ].itertuples(index=False)
    ]
    assert _legend_texts(fig.axes[0]) == expected
    assert expected[0] == "Historical: -3.10e-04 /yr"
    assert expected[1] == "SSP1-2.6: +6.20e-04 /yr*"
    assert expected[2] == "SSP2-4.5: +9.30e-04 /yr**"
    assert expected[3] == "SSP3-7.0: +1.24e-03 /yr***"
    assert expected[4] == "SSP5-8.5: +1.55e-03 /yr"  # p = 0.05 is not below 0.05
    notes = " ".join(t.get_text() for t in fig.texts)
    assert "* p < 0.05" in notes and "** p < 0.01" in notes and "*** p < 0.001" in notes
    plt.close(fig)


def test_stars_thresholds():
    assert [stars(p) for p in (0.0, 0.0009, 0.001, 0.009, 0.01, 0.049, 0.05, 0.5, np.nan)] == [
        "***",
        "***",
        "**",
        "**",
        "*",
        "*",
        "",
        "",
        "",
    ]


def test_scenario_without_slope_row_gets_no_slope_text():
    series, slopes = _series()
    slopes = slopes[~((slopes["region"] == "Yellow") & (slopes["scenario"] == "ssp245"))].copy()
    slopes.loc[(slopes["region"] == "Yellow") & (slopes["scenario"] == "ssp370"), "slope"] = np.nan
    fig = draw_regional_series(series, slopes, "test")
    texts = _legend_texts(fig.axes[2])
    assert texts[2] == "SSP2-4.5" and texts[3] == "SSP3-7.0"
    assert texts[4].startswith("SSP5-8.5: +")
    assert _legend_texts(fig.axes[0])[2].startswith("SSP2-4.5: +")  # other regions keep theirs
    plt.close(fig)


def test_single_and_three_region_layouts():
    series, slopes = _series(("TRSR",))
    fig = draw_regional_series(series, slopes, "test")
    assert len(fig.axes) == 1 and fig.axes[0].get_title() == "TRSR"
    plt.close(fig)
    series, slopes = _series(REGIONS[:3])
    fig = draw_regional_series(series, slopes, "test")
    assert [ax.get_title() for ax in fig.axes] == list(REGIONS[:3])  # the fourth slot removed
    plt.close(fig)


def test_unknown_scenarios_get_further_colours():
    series, slopes = _series(("TRSR",))
    series = series.replace({"scenario": {"ssp245": "ssp434", "ssp370": "ssp119"}})
    fig = draw_regional_series(series, slopes, "test")
    lines = {line.get_gid(): line for line in fig.axes[0].get_lines()}
    assert list(lines) == ["historical", "ssp126", "ssp585", "ssp434", "ssp119"]
    assert to_rgba(lines["ssp434"].get_color()) == to_rgba(EXTRA_COLOURS[0])
    assert to_rgba(lines["ssp119"].get_color()) == to_rgba(EXTRA_COLOURS[1])
    assert _legend_texts(fig.axes[0])[3:] == ["ssp434", "ssp119"]  # no slope rows for them
    plt.close(fig)


def test_period_means_grid_and_bar_heights(tmp_path):
    table = _means()
    fig = draw_period_means(table, "Fig. 13")
    assert [ax.get_title() for ax in fig.axes] == [
        f"Layer {layer}, {season}" for layer in (1, 2) for season in ("Y", "MAM", "SON")
    ]
    ax = fig.axes[4]  # layer 2, MAM
    assert [t.get_text() for t in ax.get_xticklabels()] == list(PERIODS)
    panel = table[(table["layer"] == 2) & (table["season"] == "MAM")]
    bars = _bars(ax)
    assert list(bars) == [SCENARIO_STYLE[s]["label"] for s in SCENARIOS]
    for scenario in SCENARIOS:
        patches = bars[SCENARIO_STYLE[scenario]["label"]]
        heights = [p.get_height() for p in patches]
        np.testing.assert_array_equal(heights, panel.loc[panel["scenario"] == scenario, "value"])
        assert to_rgba(patches[0].get_facecolor()) == to_rgba(SCENARIO_STYLE[scenario]["color"])
    historical = bars["Historical"][0]
    assert historical.get_x() + historical.get_width() / 2 == pytest.approx(0.0)  # centred
    assert "m$^3$ m$^{-3}$" in fig.get_supylabel()
    plt.close(fig)
    period_means(table, tmp_path / "fig13.png", "Fig. 13")
    _assert_png(tmp_path / "fig13.png")


def test_period_means_single_panel():
    table = _means(layers=(1,), seasons=("JJA",))
    fig = draw_period_means(table, "test", units="kg m$^{-2}$")
    assert len(fig.axes) == 1 and fig.axes[0].get_title() == "Layer 1, JJA"
    heights = [p.get_height() for c in fig.axes[0].containers for p in c.patches]
    assert sorted(heights) == sorted(table["value"])
    assert "kg m$^{-2}$" in fig.get_supylabel()
    plt.close(fig)


def test_period_rates_fill_marks_significance(tmp_path):
    table = _rates()
    fig = draw_period_rates(table, "Fig. 15")
    assert [ax.get_title() for ax in fig.axes] == ["Layer 1", "Layer 2"]
    for ax, region in zip(fig.axes, ("Layer 1", "Layer 2"), strict=True):
        panel = table[table["region"] == region]
        for scenario in SCENARIOS:
            rows = panel[panel["scenario"] == scenario]
            patches = _bars(ax)[SCENARIO_STYLE[scenario]["label"]]
            np.testing.assert_array_equal([p.get_height() for p in patches], rows["rate"])
            assert [p.get_fill() for p in patches] == list(rows["p"] < 0.05)
    assert {p.get_fill() for c in fig.axes[0].containers for p in c.patches} == {True, False}
    assert any("p < 0.05" in t.get_text() for t in fig.texts)
    plt.close(fig)
    period_rates(table, tmp_path / "fig15.png", "Fig. 15")
    _assert_png(tmp_path / "fig15.png")


def test_period_rates_can_leave_the_non_significant_out_as_the_paper():
    table = _rates()
    fig = draw_period_rates(table, "Fig. 15", non_significant="omit")
    for ax, region in zip(fig.axes, ("Layer 1", "Layer 2"), strict=True):
        panel = table[table["region"] == region]
        for scenario in SCENARIOS:
            rows = panel[panel["scenario"] == scenario]
            patches = _bars(ax)[SCENARIO_STYLE[scenario]["label"]]
            assert [p.get_visible() for p in patches] == list(rows["p"] < 0.05)
            assert all(p.get_fill() for p in patches if p.get_visible())
    assert any("are left out, as in the paper" in t.get_text() for t in fig.texts)
    plt.close(fig)
    with pytest.raises(ValueError, match="non_significant 'faded'"):
        draw_period_rates(table, "Fig. 15", non_significant="faded")


def test_period_rates_by_layer_at_the_configured_level():
    table = _rates().rename(columns={"region": "layer"})
    table["layer"] = table["layer"].map({"Layer 1": 1, "Layer 2": 2})
    fig = draw_period_rates(table, "Fig. 15", panel_by="layer", alpha=0.1)
    assert [ax.get_title() for ax in fig.axes] == ["Layer 1", "Layer 2"]
    rows = table[(table["layer"] == 2) & (table["scenario"] == SCENARIOS[0])]
    patches = _bars(fig.axes[1])[SCENARIO_STYLE[SCENARIOS[0]]["label"]]
    assert [p.get_fill() for p in patches] == list(rows["p"] < 0.1)
    assert any("p < 0.1;" in t.get_text() for t in fig.texts)
    plt.close(fig)


def test_period_rates_with_seasons_and_single_panel():
    table = _rates(regions=("TRSR",), seasons=("JJA", "Y"))
    fig = draw_period_rates(table, "test")
    assert [ax.get_title() for ax in fig.axes] == ["TRSR, Y", "TRSR, JJA"]
    rows = table[(table["season"] == "JJA") & (table["scenario"] == "ssp370")]
    patches = _bars(fig.axes[1])["SSP3-7.0"]
    np.testing.assert_array_equal([p.get_height() for p in patches], rows["rate"])
    assert [p.get_fill() for p in patches] == list(rows["p"] < 0.05)
    plt.close(fig)
    fig = draw_period_rates(_rates(regions=("TRSR",)), "test")
    assert len(fig.axes) == 1 and fig.axes[0].get_title() == "TRSR"
    plt.close(fig)


def test_bad_tables_are_refused():
    series, slopes = _series(("TRSR",))
    with pytest.raises(ValueError, match="lacks column"):
        draw_regional_series(series.drop(columns="value"), slopes, "test")
    with pytest.raises(ValueError, match="repeats the key"):
        draw_regional_series(series, pd.concat([slopes, slopes.iloc[:1]]), "test")
    with pytest.raises(ValueError, match="no rows"):
        draw_period_means(_means().iloc[:0], "test")
    assert not plt.get_fignums()


def test_failed_save_leaves_no_part_file(tmp_path, disk_full):
    figures = plt.get_fignums()
    series, slopes = _series(("TRSR",))
    with pytest.raises(OSError, match="disk full"):
        regional_series(series, slopes, tmp_path / "fig10.png", "test")
    with pytest.raises(OSError, match="disk full"):
        period_means(_means((1,), ("Y",)), tmp_path / "fig13.png", "test")
    with pytest.raises(OSError, match="disk full"):
        period_rates(_rates(("TRSR",)), tmp_path / "fig15.png", "test")
    assert list(tmp_path.iterdir()) == []
    assert plt.get_fignums() == figures  # every figure was closed
