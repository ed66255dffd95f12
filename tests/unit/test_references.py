"""References against stations: layer mapping, sampling at stations, metrics and Table S1."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from smdown.insitu.references import (
    era5_layer_weights,
    era5_on_station_layers,
    median_table,
    sample_at_stations,
    station_metrics,
)
from smdown.plots.station_boxplots import reference_boxplots


def test_era5_weights_by_thickness():
    w = era5_layer_weights()
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    np.testing.assert_allclose(w[0], [0.7, 0.3, 0.0])  # 0-10 cm: 7 cm of L1, 3 cm of L2
    np.testing.assert_allclose(w[1], [0.0, 0.9, 0.1])  # 10-30: 18 cm of L2, 2 cm of L3
    np.testing.assert_allclose(w[4], [0.0, 0.0, 1.0])  # 80-110: only L3 reaches below 80 cm


def _field(values_per_layer, months, nlayer):
    lat, lon = np.array([31.0, 31.1, 31.2]), np.array([90.0, 90.1])
    data = np.broadcast_to(
        np.asarray(values_per_layer, float)[None, :, None, None],
        (months.size, nlayer, lat.size, lon.size),
    ).copy()
    return xr.DataArray(
        data,
        dims=("time", "layer", "lat", "lon"),
        coords={"time": months, "layer": np.arange(1, nlayer + 1), "lat": lat, "lon": lon},
    )


def test_era5_mapped_to_five_layers():
    months = np.array(["2010-01-01", "2010-02-01"], dtype="datetime64[ns]")
    out = era5_on_station_layers(_field([0.1, 0.2, 0.3], months, 3))
    assert out.dims == ("time", "layer", "lat", "lon") and out.sizes["layer"] == 5
    np.testing.assert_allclose(out.values[0, :, 0, 0], [0.13, 0.21, 0.3, 0.3, 0.3])


def test_sampling_picks_cell_layer_and_month():
    months = np.array(["2010-01-01", "2010-02-01"], dtype="datetime64[ns]")
    field = _field([0.1, 0.2, 0.3, 0.4, 0.5], months, 5)
    field.values[1, 2, 2, 1] = 0.99
    table = pd.DataFrame(
        {
            "lat": [31.19, 31.0, 31.0],
            "lon": [90.12, 90.0, 90.0],
            "layer": [3, 1, 1],
            "month": pd.to_datetime(["2010-02-01", "2010-01-01", "2011-01-01"]),
        }
    )
    got = sample_at_stations(field, table)
    assert got[0] == 0.99 and got[1] == 0.1 and np.isnan(got[2])


def test_metrics_and_table_s1(tmp_path):
    months = pd.date_range("2010-01-01", periods=24, freq="MS")
    rng = np.random.default_rng(0)
    truth = 0.2 + 0.05 * np.sin(np.arange(24) / 2)
    rows = [
        {
            "station": s,
            "network": "N",
            "lat": 31.0,
            "lon": 90.0,
            "layer": 1,
            "month": m,
            "sm": v,
            "n_days": 30,
        }
        for s in ("a", "b")
        for m, v in zip(months, truth, strict=True)
    ]
    table = pd.DataFrame(rows)
    t = months.values.astype("datetime64[ns]")
    good = _field([0.0] * 5, t, 5)
    good.values[:, 0] = (truth + rng.normal(0, 0.005, 24))[:, None, None]
    poor = _field([0.0] * 5, t, 5)
    poor.values[:, 0] = (truth[::-1] + 0.1)[:, None, None]
    metrics = station_metrics(table, {"good": good, "poor": poor}, min_months=12)
    assert len(metrics) == 4 and set(metrics["layer"]) == {1}
    med = median_table(metrics).set_index("dataset")
    assert med.loc["good", "R"] > 0.95 and med.loc["poor", "RMSE"] > med.loc["good", "RMSE"]
    assert med.loc["good", "n_stations"] == 2
    assert station_metrics(table, {"good": good}, min_months=25).empty
    reference_boxplots(metrics, tmp_path / "fig.png", "test")
    assert (tmp_path / "fig.png").read_bytes()[:4] == b"\x89PNG"
