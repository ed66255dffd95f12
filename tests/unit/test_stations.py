"""In-situ station reading: layer assignment, the ismn package's own sample data, our demo files
(compared with the known truth) and bad input (non-G flags, depths, box, empty CSV)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from smdown.errors import InputError
from smdown.insitu import (
    layer_of_depth,
    monthly_means,
    read_cma,
    read_ismn,
    station_table,
    write_station_table,
)
from smdown.synthetic import TruthWorld, write_cma, write_ismn
from smdown.synthetic.stations import SENSOR_NOISE
from tests.conftest import ISMN_SDIST_DATA

LOGGER = "smdown.insitu"
COSMOS_COLLECTION = "Data_seperate_files_header_20170810_20180809"
MAQU_ZIP = "zip_archives/multinetwork/header_values/Data_header_values.zip"
DEMO_NETWORKS = ("NAQU", "MAQU")
DEMO_PERIOD = ("2010-01-01", "2010-03-31")
CMA_PERIOD = ("2015-06-01", "2015-08-31")
# the ismn package's own pandas deprecation warnings are not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.set_index")
MONTHLY_DTYPES = {
    "lat": "float64",
    "lon": "float64",
    "layer": "int64",
    "month": "datetime64[ns]",
    "sm": "float64",
    "n_days": "int64",
}


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under `folder` with its size and modification time."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
    }


def _warnings(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith(LOGGER) and r.levelno == logging.WARNING
    ]


# ------------------------------------------------------------------------------ layer_of_depth


@pytest.mark.parametrize(
    ("depth", "layer"),
    [
        (0.0, 1),
        (0.05, 1),
        (0.10, 2),
        (0.20, 2),
        (0.30, 3),
        (0.40, 3),
        (0.50, 4),
        (0.79, 4),
        (0.80, 5),
        (1.00, 5),
        (1.10, 5),
        (10 / 100, 2),
        (30 / 100, 3),
        (80 / 100, 5),
    ],
)
def test_point_sensor_goes_to_the_layer_holding_it(depth, layer):
    assert layer_of_depth(depth, depth, "s") == layer


@pytest.mark.parametrize(
    ("top", "bottom", "layer"),
    [
        (0.0, 0.19, 1),
        (0.0, 0.21, 2),
        (0.25, 0.6, 3),
        (0.45, 1.1, 4),
        (0.6, 1.1, 5),
        (0.0, 0.2, 1),  # equal overlaps: the shallower layer
    ],
)
def test_range_sensor_goes_to_the_layer_of_largest_overlap(top, bottom, layer):
    assert layer_of_depth(top, bottom, "s") == layer


@pytest.mark.parametrize(
    ("top", "bottom"),
    [
        (1.5, 1.5),
        (-0.05, -0.05),
        (-0.1, 0.1),
        (0.5, 1.2),
        (0.3, 0.1),
        (np.nan, np.nan),
    ],
)
def test_depth_outside_0_to_110_cm_is_refused(top, bottom):
    with pytest.raises(InputError, match="a depth within 0-110 cm") as err:
        layer_of_depth(top, bottom, "station X")
    assert err.value.source == "station X"


# -------------------------------------------------------------------- the ismn package's data


@pytest.fixture(scope="module")
def ismn_testdata() -> Path:
    """The `tests/test_data` folder of the ismn sdist that tests/setup.sh unpacks into .cache/.

    SMDOWN_ISMN_TESTDATA may point elsewhere.
    """
    folder = os.environ.get("SMDOWN_ISMN_TESTDATA", str(ISMN_SDIST_DATA))
    if not (Path(folder) / COSMOS_COLLECTION).is_dir():
        pytest.skip(f"{folder} holds no {COSMOS_COLLECTION} folder: run tests/setup.sh")
    return Path(folder)


def _raw_stm(path: Path) -> pd.DataFrame:
    """An ISMN header_values .stm file parsed independently of the ismn package."""
    raw = pd.read_csv(
        path, sep=r"\s+", skiprows=1, header=None, names=["day", "time", "sm", "flag", "orig_flag"]
    )
    return raw.assign(date=pd.to_datetime(raw["day"], format="%Y/%m/%d"))


def test_ismn_sample_collection_daily_means_of_flag_g(ismn_testdata, caplog):
    collection = ismn_testdata / COSMOS_COLLECTION
    before = _snapshot(collection)
    caplog.set_level(logging.WARNING, logger=LOGGER)
    daily = read_ismn(collection, ["COSMOS"], box=(30.0, 75.0, -160.0, -90.0))

    assert _snapshot(collection) == before
    assert not (collection / "python_metadata").exists()
    assert _warnings(caplog) == []
    assert list(daily.columns) == ["network", "station", "lat", "lon", "layer", "date", "sm"]
    assert daily["date"].dtype == "datetime64[ns]"
    stations = daily.groupby("station")[["lat", "lon"]].first()
    assert stations.index.tolist() == ["ARM-1", "Barrow-ARM"]
    assert stations.loc["ARM-1"].tolist() == [36.6054, -97.4878]
    # cosmic-ray probes: 0-19 cm overlaps layer 1 most, 0-21 cm overlaps layer 2 most
    assert daily.groupby("station")["layer"].unique().map(list).to_dict() == {
        "ARM-1": [1],
        "Barrow-ARM": [2],
    }
    assert daily["sm"].between(0.0, 0.6).all()

    for station in ("ARM-1", "Barrow-ARM"):
        raw = _raw_stm(next((collection / "COSMOS" / station).glob("*_sm_*.stm")))
        assert set(raw["flag"]) - {"G"}  # the file really holds other flags (D03, D05, ...)
        good = raw[raw["flag"] == "G"].groupby("date")["sm"].mean()
        every = raw.groupby("date")["sm"].mean()
        ours = daily[daily["station"] == station].set_index("date")["sm"]
        assert ours.index.tolist() == good.index.tolist()
        np.testing.assert_allclose(ours.to_numpy(), good.to_numpy(), rtol=0, atol=1e-12)
        assert len(ours) < len(every)  # days with no G value are absent
        assert not np.allclose(every.loc[ours.index].to_numpy(), ours.to_numpy())


def test_ismn_sample_maqu_without_flag_g_is_refused(ismn_testdata, caplog):
    """The sample zip's two real MAQU stations (in the box) carry old flags (U, C03, D01):
    nothing is flagged G, so both are warned about and nothing is left."""
    caplog.set_level(logging.WARNING, logger=LOGGER)
    with pytest.raises(InputError, match="no usable station") as err:
        read_ismn(ismn_testdata / MAQU_ZIP, ["MAQU"])
    assert err.value.source == str(ismn_testdata / MAQU_ZIP)
    messages = _warnings(caplog)
    assert len(messages) == 2
    for station, message in zip(("CST-01", "CST-02"), messages, strict=True):
        assert f"MAQU station {station}" in message
        assert "no value flagged G passes quality control" in message


def test_ismn_missing_network_lists_what_was_found(ismn_testdata):
    with pytest.raises(InputError, match=r"\['NAQU'\] not found; found \['COSMOS'\]"):
        read_ismn(ismn_testdata / COSMOS_COLLECTION, ["COSMOS", "NAQU"])


# ------------------------------------------------------------------------------ our demo files


@pytest.fixture
def world() -> TruthWorld:
    return TruthWorld(seed=11)


@pytest.fixture
def demo(tmp_path, world) -> dict:
    """Small demo downloads: NAQU and MAQU for one quarter, and a CMA CSV of three stations."""
    sensors = write_ismn(world, tmp_path / "ismn", networks=DEMO_NETWORKS, period=DEMO_PERIOD)
    cma = write_cma(world, tmp_path / "cma.csv", n_stations=3, period=CMA_PERIOD)
    return {
        "ismn": tmp_path / "ismn",
        "cma": tmp_path / "cma.csv",
        "sensors": sensors,
        "cma_stations": cma,
    }


def test_station_table_of_demo_files(demo):
    before = _snapshot(demo["ismn"])
    table, qc = station_table(demo["ismn"], demo["cma"], DEMO_NETWORKS, min_days=5)

    assert _snapshot(demo["ismn"]) == before
    assert not (demo["ismn"] / "python_metadata").exists()
    assert list(table.columns) == [
        "station",
        "network",
        "lat",
        "lon",
        "layer",
        "month",
        "sm",
        "n_days",
    ]
    assert {c: str(table[c].dtype) for c in MONTHLY_DTYPES} == MONTHLY_DTYPES
    assert pd.api.types.is_string_dtype(table["station"])
    keys = ["network", "station", "layer", "month"]
    assert table.equals(table.sort_values(keys).reset_index(drop=True))
    assert not table.duplicated(keys).any()
    assert set(table["network"]) == {"CMA", "MAQU", "NAQU"}
    assert table.groupby("network")["station"].nunique().to_dict() == {
        "CMA": 3,
        "MAQU": 10,
        "NAQU": 5,
    }
    # ISMN sensors at 0.05, 0.10, 0.20, 0.40, 0.80 m -> layers 1, 2, 2, 3, 5 (0.10 and 0.80 are
    # layer tops); CMA at 10, 20, 40, 60, 80, 100 cm -> layers 2, 2, 3, 4, 5, 5
    ismn = table[table["network"] != "CMA"]
    assert sorted(ismn["layer"].unique()) == [1, 2, 3, 5]
    assert sorted(table.loc[table["network"] == "CMA", "layer"].unique()) == [2, 3, 4, 5]
    assert (table["n_days"] >= 5).all()
    assert (table["n_days"] <= table["month"].dt.days_in_month).all()
    assert table["sm"].between(0.0, 0.6).all()
    cma = table[table["network"] == "CMA"]
    assert (cma["n_days"] == cma["month"].dt.days_in_month).all()  # CMA has no gaps


def test_demo_monthly_means_match_the_truth(demo, world):
    """Single-sensor layers (1: 0.05 m, 3: 0.40 m, 5: 0.80 m) agree with the truth averaged over
    the same days within the sensor noise; layer 2 lies between the truths at 0.10 and 0.20 m."""
    daily = read_ismn(demo["ismn"], DEMO_NETWORKS)
    table = monthly_means(daily, min_days=1)
    sensors = demo["sensors"].groupby(["network", "station"])[["lat", "lon"]].first()
    days = np.arange(np.datetime64(DEMO_PERIOD[0]), np.datetime64(DEMO_PERIOD[1]) + 1)
    checked = 0
    for (network, station), (lat, lon) in sensors.iterrows():
        truth = pd.DataFrame(
            world.point_series(lat, lon, [0.05, 0.10, 0.20, 0.40, 0.80], days),
            index=pd.DatetimeIndex(days),
            columns=[1, 0.10, 0.20, 3, 5],
        )
        rows = table[(table["network"] == network) & (table["station"] == station)]
        got = daily[(daily["network"] == network) & (daily["station"] == station)]
        for row in rows.itertuples():
            dates = got.loc[
                (got["layer"] == row.layer)
                & (got["date"].dt.to_period("M") == row.month.to_period("M")),
                "date",
            ]
            assert len(dates) == row.n_days
            if row.layer == 2:
                low, high = sorted(truth.loc[dates, [0.10, 0.20]].mean())
                assert low - 0.01 <= row.sm <= high + 0.01
            else:
                expected = truth.loc[dates, row.layer].mean()
                assert abs(row.sm - expected) <= 4 * SENSOR_NOISE / np.sqrt(row.n_days) + 1e-3
            checked += 1
    assert checked == len(table) > 100


def test_written_table_round_trips(demo, tmp_path):
    table, _ = station_table(None, demo["cma"], [], min_days=20)
    path = tmp_path / "out" / "stations.parquet"
    write_station_table(table, path)
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, table, check_dtype=False)
    assert {c: str(back[c].dtype) for c in MONTHLY_DTYPES} == MONTHLY_DTYPES
    assert [p.name for p in path.parent.iterdir()] == ["stations.parquet"]


def test_monthly_means_counts_days_and_drops_thin_months():
    dates = pd.to_datetime(["2010-01-01", "2010-01-02", "2010-01-03", "2010-02-01"])
    daily = pd.DataFrame(
        {
            "network": "N",
            "station": "S",
            "lat": 33.0,
            "lon": 95.0,
            "layer": 2,
            "date": dates,
            "sm": [0.1, 0.2, np.nan, 0.4],
        }
    )
    table = monthly_means(daily, min_days=2)
    assert len(table) == 1
    row = table.iloc[0]
    assert (row["month"], row["n_days"]) == (pd.Timestamp("2010-01-01"), 2)
    assert row["sm"] == pytest.approx(0.15)
    assert len(monthly_means(daily, min_days=1)) == 2


def test_station_table_needs_a_source():
    with pytest.raises(InputError, match="no station source"):
        station_table(None, None, [], min_days=1)


# ---------------------------------------------------------------------------------- bad input


def _flag_all_bad(station_folder: Path) -> None:
    """Rewrite every sensor file of a station so that no value is flagged G."""
    for stm in station_folder.glob("*_sm_*.stm"):
        lines = stm.read_text().splitlines()
        body = [line.replace(" G M", " D01 M") for line in lines[1:]]
        stm.write_text("\n".join([lines[0], *body]) + "\n")


def test_station_without_flag_g_is_warned_and_skipped(demo, caplog):
    _flag_all_bad(demo["ismn"] / "NAQU" / "NQ-02")
    caplog.set_level(logging.WARNING, logger=LOGGER)
    daily = read_ismn(demo["ismn"], ["NAQU"])
    assert sorted(daily["station"].unique()) == ["NQ-01", "NQ-03", "NQ-04", "NQ-05"]
    messages = _warnings(caplog)
    assert len(messages) == 5
    assert all(
        "NAQU station NQ-02" in m and "no value flagged G passes quality control" in m
        for m in messages
    )
    assert any("sensor at 0.8-0.8 m" in m for m in messages)


def test_all_stations_bad_is_refused(demo, caplog):
    for station in (demo["ismn"] / "NAQU").iterdir():
        _flag_all_bad(station)
    with pytest.raises(InputError, match="no usable station") as err:
        read_ismn(demo["ismn"], ["NAQU"])
    assert err.value.source == str(demo["ismn"])


def test_missing_network_is_refused(demo):
    with pytest.raises(InputError, match=r"\['CTP_SMTMN'\] not found; found \['MAQU', 'NAQU'\]"):
        read_ismn(demo["ismn"], ["CTP_SMTMN", "NAQU"])


@pytest.mark.parametrize("kind", ["missing", "empty folder", "plain file"])
def test_unreadable_ismn_download_is_refused(tmp_path, kind):
    path = tmp_path / "ismn"
    if kind == "empty folder":
        path.mkdir()
    elif kind == "plain file":
        path.write_text("not an ISMN download\n")
    with pytest.raises(InputError, match="an ISMN download") as err:
        read_ismn(path, ["NAQU"])
    assert err.value.source == str(path)


def test_ismn_station_outside_the_box_is_warned(demo, caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    daily = read_ismn(demo["ismn"], DEMO_NETWORKS, box=(31.0, 32.0, 89.0, 104.0))
    assert set(daily["network"]) == {"NAQU"}  # MAQU lies at 33.5-34 N
    messages = _warnings(caplog)
    assert len(messages) == 10
    assert all("ISMN MAQU station CST-" in m and "outside the box" in m for m in messages)


def test_ismn_sensor_below_110_cm_is_warned(demo, caplog):
    folder = demo["ismn"] / "NAQU" / "NQ-01"
    source = next(folder.glob("*_sm_0.800000_0.800000_*.stm"))
    lines = source.read_text().splitlines()
    header = lines[0].replace("    0.80    0.80", "    1.50    1.50")
    (folder / source.name.replace("0.800000", "1.500000")).write_text(
        "\n".join([header, *lines[1:]]) + "\n"
    )
    caplog.set_level(logging.WARNING, logger=LOGGER)
    daily = read_ismn(demo["ismn"], ["NAQU"])
    messages = _warnings(caplog)
    assert len(messages) == 1
    assert "NAQU station NQ-01 sensor at 1.5-1.5 m" in messages[0]
    assert "a depth within 0-110 cm" in messages[0]
    assert sorted(daily.loc[daily["station"] == "NQ-01", "layer"].unique()) == [1, 2, 3, 5]


def _edit_cma(path: Path, edit) -> pd.DataFrame:
    """Rewrite the CMA CSV through `edit` (a function of the table)."""
    raw = pd.read_csv(path, dtype={"station_id": str})
    raw = edit(raw)
    raw.to_csv(path, index=False)
    return raw


def test_cma_depth_below_110_cm_is_warned_and_skipped(demo, caplog):
    first = demo["cma_stations"]["station_id"].iloc[0]

    def add_deep_rows(raw):
        deep = raw[(raw["station_id"] == first) & (raw["depth_cm"] == 100)]
        return pd.concat([raw, deep.assign(depth_cm=150, sm=0.9)], ignore_index=True)

    _edit_cma(demo["cma"], add_deep_rows)
    caplog.set_level(logging.WARNING, logger=LOGGER)
    daily = read_cma(demo["cma"])
    messages = _warnings(caplog)
    assert messages == [
        f"CMA station {first} depth 150 cm: sensor depth 1.5-1.5 m "
        "(expected a depth within 0-110 cm); skipped"
    ]
    assert daily["sm"].max() < 0.6  # the 0.9 rows at 150 cm did not enter layer 5
    assert sorted(daily.loc[daily["station"] == first, "layer"].unique()) == [2, 3, 4, 5]


def test_cma_station_outside_the_box_is_warned(demo, caplog):
    first = demo["cma_stations"]["station_id"].iloc[0]
    _edit_cma(
        demo["cma"], lambda raw: raw.assign(lat=raw["lat"].where(raw["station_id"] != first, 40.5))
    )
    caplog.set_level(logging.WARNING, logger=LOGGER)
    daily = read_cma(demo["cma"])
    messages = _warnings(caplog)
    assert len(messages) == 1
    assert f"CMA station {first} at 40.5000 N" in messages[0] and "outside the box" in messages[0]
    assert first not in set(daily["station"])
    assert daily["station"].nunique() == 2
    assert daily["station"].str.fullmatch(r"\d{5}").all()  # ids stay 5-digit strings


def test_cma_header_only_is_refused(tmp_path):
    path = tmp_path / "cma.csv"
    path.write_text("station_id,lat,lon,elevation_m,date,depth_cm,sm\n")
    with pytest.raises(InputError, match="no data rows") as err:
        read_cma(path)
    assert err.value.source == str(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty file"),
        (
            "station_id,lat,lon,date,sm\n52000,33,95,2015-01-01,0.2\n",
            r"missing columns \['elevation_m', 'depth_cm'\]",
        ),
        (
            "station_id,lat,lon,elevation_m,date,depth_cm,sm\n52000,33,95,4000,2015-13-01,10,0.2\n",
            "line 2: date '2015-13-01' is not a valid YYYY-MM-DD date",
        ),
    ],
)
def test_cma_bad_file_is_refused(tmp_path, text, problem):
    path = tmp_path / "cma.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=problem) as err:
        read_cma(path)
    assert err.value.source == str(path)


def test_cma_all_stations_outside_is_refused(demo):
    with pytest.raises(InputError, match="no usable row left"):
        read_cma(demo["cma"], box=(0.0, 1.0, 0.0, 1.0))


def test_a_network_without_a_station_in_the_grid_is_refused_by_name(demo, tmp_path):
    """MAQU lies at 33.5-34 N: in a grid south of it, the configured network gives nothing, and
    the station table stops naming the network, its folder and what was expected."""
    box = (31.0, 32.0, 89.0, 104.0)
    with pytest.raises(InputError, match="ISMN network MAQU") as err:
        station_table(demo["ismn"], None, DEMO_NETWORKS, min_days=5, box=box)
    assert err.value.source == str(demo["ismn"] / "MAQU")
    assert "sources.ismn.networks" in str(err.value)
    assert str(box) in err.value.expected


def test_a_network_folder_without_stations_is_refused_by_name(demo):
    empty = demo["ismn"] / "EMPTYNET"
    empty.mkdir()
    with pytest.raises(InputError, match="EMPTYNET") as err:
        station_table(demo["ismn"], None, ("NAQU", "EMPTYNET"), min_days=5)
    assert str(demo["ismn"]) in err.value.source


@pytest.mark.parametrize("source", ["ismn", "cma"])
def test_the_station_table_from_one_source_alone(demo, source):
    paths = {"ismn": None, "cma": None, source: demo[source]}
    table, qc = station_table(paths["ismn"], paths["cma"], DEMO_NETWORKS, min_days=5)
    networks = set(table["network"])
    assert networks == ({"CMA"} if source == "cma" else set(DEMO_NETWORKS))
    assert set(qc["source"]) == {source}


def test_stations_west_of_the_antimeridian_lie_in_a_box_past_180(demo):
    """A grid from 170 to 190 east: stations written -180..180 are read in its turn."""
    shift = 190.0  # the demo's stations (89-104 E) moved to 279-294 E, written as -81..-66
    _edit_cma(demo["cma"], lambda raw: raw.assign(lon=raw["lon"] + shift - 360.0))
    box = (31.0, 38.0, 89.0 + shift, 104.0 + shift)
    table, _ = station_table(None, demo["cma"], [], min_days=1, box=box)
    assert table["station"].nunique() == 3
    assert table["lon"].between(box[2], box[3]).all()
