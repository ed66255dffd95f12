"""The trend rules in the tiny run: maps, regional tables, every figure, the truth check, and
that a new significance level reruns only the trend stage."""

from __future__ import annotations

import pandas as pd
import pytest
import xarray as xr

from .conftest import planned_after

pytestmark = pytest.mark.workflow
RUN = "results/tiny"


def test_trend_maps_and_tables(tiny_run):
    with xr.open_dataset(tiny_run / RUN / "trends/trend_maps_ssp585.nc") as maps:
        assert maps["slope"].dims == ("period", "season", "depth", "lat", "lon")
        assert list(maps["period"].values) == ["2015-2100", "2021-2040", "2041-2070", "2071-2100"]
        assert list(maps["season"].values) == ["DJF", "MAM", "JJA", "SON", "Y"]
        assert maps["slope"].attrs["units"] == "m3 m-3 yr-1"
    trends = pd.read_csv(tiny_run / RUN / "trends/regional_trends_historical.csv")
    assert set(trends["period"]) == {"1950-2014", "1995-2014"}
    assert set(trends["region"]) == {"TRSR", "yangtze", "yellow", "lancang"}
    series = pd.read_csv(tiny_run / RUN / "trends/regional_series_ssp585.csv")
    annual = series[(series["season"] == "Y") & (series["region"] == "TRSR")]
    assert annual["year"].min() == 2015 and annual["year"].max() == 2100
    change = pd.read_csv(tiny_run / RUN / "trends/regional_percent_change_ssp585.csv")
    assert change["percent_change"].notna().all()


def test_every_trend_figure_and_the_truth_check(tiny_run):
    figures = tiny_run / RUN / "figures"
    names = [
        f"fig{n}_layer{k}.png"
        for k in range(1, 6)
        for n in (
            "08_annual_trend_maps",
            "09_seasonal_trend_maps",
            "10_Y_series",
            "11_DJF_series",
            "11_MAM_series",
            "12_JJA_series",
            "12_SON_series",
            "14_percent_change",
        )
    ]
    for name in [*names, "fig13_period_means.png", "fig15_period_rates.png"]:
        assert (figures / name).read_bytes()[:4] == b"\x89PNG", name
    rates = pd.read_csv(tiny_run / RUN / "evaluation/fig15_period_rates.csv")
    assert set(rates["period"]) == {"1995-2014", "2021-2040", "2041-2070", "2071-2100"}
    check = pd.read_csv(tiny_run / RUN / "evaluation/trends_vs_truth_ssp585.csv")
    assert set(check["check"]) == {"same_sign_share", "percent_change"}
    assert check["passes"].dtype == bool


def test_a_new_significance_level_reruns_only_the_trend_stage(tiny_run, tmp_path):
    counts = planned_after(tiny_run, tmp_path, trends={"alpha": 0.1})
    assert set(counts) == {
        "trends",
        "trends_vs_truth",
        "figure_trend_maps",
        "figure_series",
        "figure_periods",
    }
