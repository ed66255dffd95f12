"""The fault catalogue: dirty inputs of every source and the config, as real archives hold them.

Each refused case asserts the message (the file, the line for text sources, what was expected)
and that the stage left no output behind; each dropped case asserts the QC table's row (file,
check, count) and that no bad value reached the stage's result.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import netCDF4
import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml

from smdown.configuration import ConfigError, check_config
from smdown.errors import InputError
from smdown.geometry import regular_grid
from smdown.grid.masks import read_region_masks
from smdown.insitu import station_table, write_station_table
from smdown.qc import QCLog, QCSettings, write_qc_table
from smdown.sources.amsmqtp import read_amsmqtp_monthly
from smdown.sources.cmip6 import read_mrsos
from smdown.sources.cmip6_files import find_cmor_files
from smdown.sources.era5land import read_era5land
from smdown.synthetic import TruthWorld, write_cma, write_ismn
from smdown.synthetic.era5land import write_era5land
from tests.conftest import write_small_cmip6

CONFIG = Path(__file__).resolve().parents[2] / "config"
NETWORKS = ("NAQU",)
PERIOD = ("2010-01-01", "2010-02-28")
STRICT = QCSettings(porosity=0.6)
# the ismn package's own pandas deprecation warnings are not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.set_index")


@dataclass
class Stage:
    """Where a case's inputs lie and where its stage writes (nothing there after a refusal)."""

    root: Path

    @property
    def out(self) -> Path:
        return self.root / "out"

    def left_behind(self) -> list[Path]:
        return sorted(self.out.rglob("*")) if self.out.exists() else []


# ----------------------------------------------------------------------------- the stages


def stations(
    stage: Stage,
    settings: QCSettings = STRICT,
    ismn: bool = True,
    cma: bool = True,
    keep_flags: tuple[str, ...] = ("G",),
) -> pd.DataFrame:
    """Rule station_table: the monthly table and its QC table, written when both succeed."""
    table, qc = station_table(
        stage.root / "ismn" if ismn else None,
        stage.root / "cma.csv" if cma else None,
        NETWORKS,
        1,
        settings=settings,
        keep_flags=keep_flags,
    )
    write_station_table(table, stage.out / "stations.parquet")
    write_qc_table(qc, stage.out / "qc.csv")
    return qc


def cmip6(stage: Stage, settings: QCSettings = STRICT) -> pd.DataFrame:
    """Rule regrid_cmip6's reading: every file below `cmip6/` of model TESTMODEL."""
    qc = QCLog("cmip6", settings)
    paths = sorted((stage.root / "cmip6").rglob("*.nc"))
    data, _ = read_mrsos(paths, 2000, 2001, model="TESTMODEL", qc=qc)
    data.to_netcdf(stage.out.mkdir(parents=True) or stage.out / "cmip6.nc")
    return qc.table()


def era5land(stage: Stage, settings: QCSettings = STRICT) -> pd.DataFrame:
    """Rule prepare_era5land's reading of every file in `era5land/`."""
    qc = QCLog("era5land", settings)
    data = read_era5land(sorted((stage.root / "era5land").glob("*.nc")), 2000, 2001, qc)
    data.to_netcdf(stage.out.mkdir(parents=True) or stage.out / "era5land.nc")
    return qc.table()


def amsmqtp(stage: Stage, settings: QCSettings = STRICT) -> pd.DataFrame:
    """Rule prepare_amsmqtp's reading of every file in `amsmqtp/`."""
    qc = QCLog("amsmqtp", settings)
    data = read_amsmqtp_monthly(sorted((stage.root / "amsmqtp").glob("*.nc")), 2000, 2000, qc=qc)
    data.to_netcdf(stage.out.mkdir(parents=True) or stage.out / "amsmqtp.nc")
    return qc.table()


# ------------------------------------------------------------------------------ the inputs


@pytest.fixture
def stage(tmp_path) -> Stage:
    return Stage(tmp_path)


def _ismn(stage: Stage) -> Path:
    """One month of NAQU (5 stations) and the file of station NQ-01's top sensor."""
    write_ismn(TruthWorld(seed=3), stage.root / "ismn", networks=NETWORKS, period=PERIOD)
    return next((stage.root / "ismn" / "NAQU" / "NQ-01").glob("*_sm_0.050000_0.050000_*.stm"))


def _cma(stage: Stage) -> pd.DataFrame:
    write_cma(
        TruthWorld(seed=3),
        stage.root / "cma.csv",
        n_stations=3,
        period=("2015-06-01", "2015-07-31"),
    )
    return pd.read_csv(stage.root / "cma.csv", dtype={"station_id": str})


def _edit_line(path: Path, number: int, text: str) -> None:
    """Replace line `number` (1-based) of a text file."""
    lines = path.read_text().splitlines()
    lines[number - 1] = text
    path.write_text("\n".join(lines) + "\n")


def _cmip6(
    stage: Stage,
    name: str = "mrsos_Lmon_TESTMODEL_historical_r1i1p1f1_gn_200001-200112.nc",
    **kwargs,
) -> Path:
    path = stage.root / "cmip6" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_small_cmip6(path, **kwargs)


def _set_values(path: Path, variable: str, index: tuple, value: float) -> None:
    """Write raw `value` into a NetCDF variable (no masking or scaling on the way)."""
    with netCDF4.Dataset(path, "a") as ds:
        var = ds.variables[variable]
        var.set_auto_maskandscale(False)
        data = var[:]
        data[index] = value
        var[:] = data


def _era5(stage: Stage, layout: str, zipped: bool = False) -> Path:
    path = stage.root / "era5land" / f"era5land_{layout}.nc"
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_era5land(TruthWorld(seed=3), path, 2000, 2001, layout=layout, zipped=zipped)


def _amsmqtp(stage: Stage) -> Path:
    """A small AMSMQTP-like year (3 x 4 cells, 5 layers, daily 2000), unpacked float32."""
    days = np.arange("2000-01-01", "2001-01-01", dtype="datetime64[D]")
    rng = np.random.default_rng(1)
    values = (0.2 + 0.05 * rng.random((days.size, 5, 3, 4))).astype(np.float32)
    ds = xr.Dataset(
        {"SM": (("time", "depth", "lat", "lon"), values, {"units": "m3/m3"})},
        coords={
            "time": (
                "time",
                np.arange(days.size),
                {"units": "days since 2000-01-01", "calendar": "standard"},
            ),
            "depth": [2.5, 7.5, 15.0, 35.0, 80.0],
            "lat": [33.05, 33.15, 33.25],
            "lon": [95.05, 95.15, 95.25, 95.35],
        },
    )
    path = stage.root / "amsmqtp" / "AMSMQTP_ensemble_2000.nc"
    path.parent.mkdir(parents=True)
    ds.to_netcdf(path, encoding={"SM": {"_FillValue": None}})
    return path


# ------------------------------------------------------------------------- refused inputs


def ismn_nul_line(stage):
    path = _ismn(stage)
    _edit_line(path, 5, "2010/01/04 12:00 \x00\x00\x00\x00 G M")
    return (lambda: stations(stage), [str(path), "line 5", "NUL bytes", "header values"])


def ismn_html_line(stage):
    path = _ismn(stage)
    _edit_line(path, 3, "<html><body>503 Service Unavailable</body></html>")
    return (lambda: stations(stage), [str(path), "line 3", "is HTML", "YYYY/MM/DD HH:MM"])


def ismn_impossible_date(stage):
    path = _ismn(stage)
    _edit_line(path, 4, "2011/13/45 12:00   0.2150 G M")
    return (lambda: stations(stage), [str(path), "line 4", "impossible timestamp 2011/13/45"])


def ismn_value_not_a_number(stage):
    path = _ismn(stage)
    _edit_line(path, 6, "2010/01/05 12:00   n/a G M")
    return (lambda: stations(stage), [str(path), "line 6", "'n/a' is not a number"])


def ismn_duplicated_station_file(stage):
    path = _ismn(stage)
    copy = path.with_name("copy_of_" + path.name)
    shutil.copy(path, copy)
    return (lambda: stations(stage), [str(copy), str(path), "same sensor", "keep one"])


def ismn_empty_zip(stage):
    target = stage.root / "ismn.zip"
    with zipfile.ZipFile(target, "w"):
        pass

    def run():
        table, _ = station_table(target, None, NETWORKS, 1, settings=STRICT)
        write_station_table(table, stage.out / "stations.parquet")

    return (run, [str(target), "holds no .stm station file", "an ISMN download"])


def ismn_all_outside_the_grid(stage):
    _ismn(stage)
    for stm in (stage.root / "ismn").rglob("*.stm"):
        lines = stm.read_text().splitlines()
        lines[0] = lines[0].replace(lines[0].split()[3], "45.00000")
        stm.write_text("\n".join(lines) + "\n")
    return (
        lambda: stations(stage, cma=False),
        [str(stage.root / "ismn"), "no usable station", "stations in the box"],
    )


def ismn_mostly_sentinels(stage):
    _ismn(stage)
    for stm in (stage.root / "ismn").rglob("*.stm"):
        lines = stm.read_text().splitlines()
        body = [" ".join([*line.split()[:2], "-9999", "G", "M"]) for line in lines[1:]]
        stm.write_text("\n".join([lines[0], *body]) + "\n")
    return (
        lambda: stations(stage, cma=False),
        ["ismn lost 100% of its values", "qc.max_drop_fraction", "NAQU/NQ-"],
    )


def cma_impossible_date(stage):
    raw = _cma(stage)
    raw.loc[4, "date"] = "2015-02-30"
    raw.to_csv(stage.root / "cma.csv", index=False)
    return (
        lambda: stations(stage, ismn=False),
        [str(stage.root / "cma.csv"), "line 6", "'2015-02-30' is not a valid YYYY-MM-DD"],
    )


def cma_empty_csv(stage):
    (stage.root / "cma.csv").write_text("")
    return (
        lambda: stations(stage, ismn=False),
        [str(stage.root / "cma.csv"), "empty file", "station_id,lat,lon"],
    )


def cma_header_only(stage):
    (stage.root / "cma.csv").write_text("station_id,lat,lon,elevation_m,date,depth_cm,sm\n")
    return (lambda: stations(stage, ismn=False), [str(stage.root / "cma.csv"), "no data rows"])


def cma_not_a_number(stage):
    raw = _cma(stage)
    raw["sm"] = raw["sm"].astype(object)
    raw.loc[9, "sm"] = "abc"
    raw.to_csv(stage.root / "cma.csv", index=False)
    return (lambda: stations(stage, ismn=False), ["line 11", "sm 'abc' is not a number"])


def cma_missing_coordinate(stage):
    raw = _cma(stage)
    raw["lat"] = raw["lat"].astype(object)
    raw.loc[2, "lat"] = ""
    raw.to_csv(stage.root / "cma.csv", index=False)
    return (lambda: stations(stage, ismn=False), ["line 4", "lat '' is not given"])


def cma_html_page(stage):
    (stage.root / "cma.csv").write_text(
        "<!DOCTYPE html>\n<html><body>Login required</body></html>\n"
    )
    return (
        lambda: stations(stage, ismn=False),
        [str(stage.root / "cma.csv"), "missing columns", "station_id,lat,lon"],
    )


def cmip6_all_nan(stage):
    path = _cmip6(stage)
    with netCDF4.Dataset(path, "a") as ds:
        ds.variables["mrsos"][:] = np.nan
    return (lambda: cmip6(stage), [str(path), "every value is missing", "soil-moisture values"])


def cmip6_one_month_all_nan(stage):
    path = _cmip6(stage)
    with netCDF4.Dataset(path, "a") as ds:
        ds.variables["mrsos"][2] = np.nan
    return (lambda: cmip6(stage), [str(path), "1 time step(s) hold no value", "2000-03-01"])


def cmip6_constant(stage):
    path = _cmip6(stage)
    with netCDF4.Dataset(path, "a") as ds:
        ds.variables["mrsos"][:] = 25.0
    return (
        lambda: cmip6(stage),
        [str(path), "every value is the constant 0.25", "varies in space and time"],
    )


def cmip6_html_error_page(stage):
    path = stage.root / "cmip6" / "mrsos_Lmon_TESTMODEL_historical_r1i1p1f1_gn_200001-200112.nc"
    path.parent.mkdir(parents=True)
    path.write_text("<html><head><title>404 Not Found</title></head></html>\n")
    return (lambda: cmip6(stage), [str(path), "not a NetCDF file", "CMIP6 CMOR NetCDF"])


def cmip6_wrong_units(stage):
    path = _cmip6(stage, units="K")
    return (lambda: cmip6(stage), [str(path), "units 'K'", "units 'kg m-2'"])


def cmip6_unknown_calendar(stage):
    path = _cmip6(stage)
    with netCDF4.Dataset(path, "a") as ds:
        ds.variables["time"].calendar = "martian"
    return (lambda: cmip6(stage), [str(path), "martian"])


def cmip6_gap_across_two_files(stage):
    _cmip6(
        stage, "mrsos_Lmon_TESTMODEL_historical_r1i1p1f1_gn_200001-200012.nc", years=(2000, 2000)
    )
    path = _cmip6(
        stage, "mrsos_Lmon_TESTMODEL_historical_r1i1p1f1_gn_200101-200112.nc", years=(2001, 2001)
    )
    with xr.open_dataset(path) as ds:
        ds = ds.load()
    ds.isel(time=[m for m in range(12) if m != 5]).to_netcdf(path)
    return (
        lambda: cmip6(stage),
        ["TESTMODEL files (2)", "1 months missing (2001-06", "every month 2000-01..2001-12"],
    )


def cmip6_two_versions(stage):
    name = "mrsos_Lmon_TESTMODEL_historical_r1i1p1f1_gn_200001-200112.nc"
    old = _cmip6(stage, f"TESTMODEL/historical/r1i1p1f1/Lmon/mrsos/gn/v20190101/{name}")
    new = _cmip6(stage, f"TESTMODEL/historical/r1i1p1f1/Lmon/mrsos/gn/v20200101/{name}")
    return (
        lambda: find_cmor_files(stage.root / "cmip6", "TESTMODEL", "historical", "r1i1p1f1"),
        [str(old), str(new), "version"],
    )


def cmip6_overlapping_periods(stage):
    first = _cmip6(stage, "mrsos_Lmon_TESTMODEL_historical_r1i1p1f1_gn_200001-200112.nc")
    second = _cmip6(
        stage, "mrsos_Lmon_TESTMODEL_historical_r1i1p1f1_gn_200101-200112.nc", years=(2001, 2001)
    )
    return (
        lambda: find_cmor_files(stage.root / "cmip6", "TESTMODEL", "historical", "r1i1p1f1"),
        [first.name, second.name, "overlap"],
    )


def era5land_old_layout_units_changed(stage):
    path = _era5(stage, "old")
    with netCDF4.Dataset(path, "a") as ds:
        ds.variables["swvl2"].units = "K"
    return (lambda: era5land(stage), [str(path), "'swvl2' has units 'K'", "'m3 m-3'"])


def era5land_new_layout_units_changed(stage):
    path = _era5(stage, "new")
    with netCDF4.Dataset(path, "a") as ds:
        ds.variables["swvl3"].units = "kg m-2"
    return (lambda: era5land(stage), [str(path), "'swvl3' has units 'kg m-2'", "'m3 m-3'"])


def era5land_zip_holding_nothing(stage):
    path = stage.root / "era5land" / "era5land_2000-2001.nc"
    path.parent.mkdir(parents=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("README.txt", "no data")
    return (
        lambda: era5land(stage),
        [str(path), "zip archive holds no .nc member", "swvl1, swvl2, swvl3"],
    )


def era5land_html_error_page(stage):
    path = stage.root / "era5land" / "era5land_2000-2001.nc"
    path.parent.mkdir(parents=True)
    path.write_text("<!DOCTYPE html><html><body>The request failed</body></html>")
    return (lambda: era5land(stage), [str(path), "neither NetCDF nor zip", "ERA5-Land"])


def region_mask_with_sentinels(stage):
    grid = regular_grid(31.0, 38.0, 89.0, 104.0, 0.1)
    values = np.where(np.arange(grid.lon.size) < 40, 1.0, -9999.0)[None, :].repeat(grid.lat.size, 0)
    path = stage.root / "yellow_0.1.nc"
    xr.Dataset(
        {"Band1": (("lat", "lon"), values)}, coords={"lat": grid.lat, "lon": grid.lon}
    ).to_netcdf(path)

    def run():
        masks = read_region_masks(grid, netcdf={"yellow": path})
        masks.to_netcdf(stage.out.mkdir(parents=True) or stage.out / "regions.nc")

    return (run, [str(path), "mask values -9999", "1 inside the region, 0 or missing outside"])


REFUSED = [
    region_mask_with_sentinels,
    ismn_nul_line,
    ismn_html_line,
    ismn_impossible_date,
    ismn_value_not_a_number,
    ismn_duplicated_station_file,
    ismn_empty_zip,
    ismn_all_outside_the_grid,
    ismn_mostly_sentinels,
    cma_impossible_date,
    cma_empty_csv,
    cma_header_only,
    cma_not_a_number,
    cma_missing_coordinate,
    cma_html_page,
    cmip6_all_nan,
    cmip6_one_month_all_nan,
    cmip6_constant,
    cmip6_html_error_page,
    cmip6_wrong_units,
    cmip6_unknown_calendar,
    cmip6_gap_across_two_files,
    cmip6_two_versions,
    cmip6_overlapping_periods,
    era5land_old_layout_units_changed,
    era5land_new_layout_units_changed,
    era5land_zip_holding_nothing,
    era5land_html_error_page,
]


@pytest.mark.parametrize("case", REFUSED, ids=[case.__name__ for case in REFUSED])
def test_refused_with_file_line_and_expectation(case: Callable, stage: Stage):
    run, fragments = case(stage)
    with pytest.raises(InputError) as err:
        run()
    message = str(err.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in: {message}"
    assert "\n" not in message  # one message, not a traceback's worth
    assert stage.left_behind() == []


# ------------------------------------------------------------------------- dropped values


def _rows(qc: pd.DataFrame, check: str) -> pd.DataFrame:
    rows = qc[qc["check"].str.contains(check, regex=False)]
    assert len(rows), f"{check!r} in {qc.to_dict('records')}"
    return rows


def ismn_sentinel_value(stage):
    path = _ismn(stage)
    _edit_line(path, 8, "2010/01/07 12:00 -9999 G M")
    return lambda: stations(stage, cma=False), "sentinel value (-9999)", 1, "NQ-01"


def ismn_above_porosity(stage):
    path = _ismn(stage)
    _edit_line(path, 8, "2010/01/07 12:00   0.9500 G M")
    return lambda: stations(stage, cma=False), "above the porosity ceiling 0.6", 1, path.name


def ismn_duplicated_timestamp(stage):
    path = _ismn(stage)
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines[:3], lines[2], *lines[3:]]) + "\n")
    return lambda: stations(stage, cma=False), "duplicated timestamp", 1, path.name


def ismn_flags_counted(stage):
    path = _ismn(stage)
    _edit_line(path, 2, path.read_text().splitlines()[1].rsplit(" ", 2)[0] + " D02 M")
    return lambda: stations(stage, cma=False), "quality flag D02 not kept", 1, path.name


def ismn_station_outside_the_grid(stage):
    _ismn(stage)
    folder = stage.root / "ismn" / "NAQU" / "NQ-02"
    values = 0
    for stm in folder.glob("*.stm"):
        lines = stm.read_text().splitlines()
        lines[0] = lines[0].replace(lines[0].split()[3], "45.00000")
        stm.write_text("\n".join(lines) + "\n")
        values += len(lines) - 1
    return (lambda: stations(stage, cma=False), "outside the grid box", values, "NQ-02")


def cma_sentinel_value(stage):
    raw = _cma(stage)
    raw.loc[7, "sm"] = -9999
    raw.to_csv(stage.root / "cma.csv", index=False)
    return lambda: stations(stage, ismn=False), "sentinel value (-9999)", 1, "cma.csv"


def cma_above_porosity(stage):
    raw = _cma(stage)
    raw.loc[[3, 8], "sm"] = 0.75
    raw.to_csv(stage.root / "cma.csv", index=False)
    return lambda: stations(stage, ismn=False), "above the porosity ceiling 0.6", 2, "cma.csv"


def cma_duplicated_row(stage):
    raw = _cma(stage)
    pd.concat([raw, raw.iloc[[5]]]).to_csv(stage.root / "cma.csv", index=False)
    return (
        lambda: stations(stage, ismn=False),
        "duplicated (station_id, date, depth_cm)",
        1,
        "cma.csv",
    )


def cma_station_outside_the_grid(stage):
    raw = _cma(stage)
    first = raw["station_id"].iloc[0]
    raw.loc[raw["station_id"] == first, "lon"] = 120.0
    raw.to_csv(stage.root / "cma.csv", index=False)
    return (
        lambda: stations(stage, ismn=False),
        "outside the grid box",
        int((raw["station_id"] == first).sum()),
        "cma.csv",
    )


def cmip6_sentinel_value(stage):
    path = _cmip6(stage)
    _set_values(path, "mrsos", (0, slice(0, 2), 0), 1e20)
    return lambda: cmip6(stage), "sentinel value (1e+20)", 2, path.name


def cmip6_above_porosity(stage):
    path = _cmip6(stage)
    _set_values(path, "mrsos", (3, 1, slice(0, 3)), 70.0)  # kg m-2 in the top 10 cm: 0.7
    return lambda: cmip6(stage), "above the porosity ceiling 0.6", 3, path.name


def era5land_sentinel_value(stage):
    path = _era5(stage, "new")
    _set_values(path, "swvl1", (1, 2, 3), -9999.0)
    return lambda: era5land(stage), "sentinel value (-9999)", 1, path.name


def amsmqtp_sentinel_value(stage):
    path = _amsmqtp(stage)
    _set_values(path, "SM", (10, 0, 1, 1), -9999.0)
    return lambda: amsmqtp(stage), "sentinel value (-9999)", 1, path.name


def amsmqtp_above_porosity(stage):
    path = _amsmqtp(stage)
    _set_values(path, "SM", (20, 4, slice(None), 0), 0.8)
    return lambda: amsmqtp(stage), "above the porosity ceiling 0.6", 3, path.name


DROPPED = [
    ismn_sentinel_value,
    ismn_above_porosity,
    ismn_duplicated_timestamp,
    ismn_flags_counted,
    ismn_station_outside_the_grid,
    cma_sentinel_value,
    cma_above_porosity,
    cma_duplicated_row,
    cma_station_outside_the_grid,
    cmip6_sentinel_value,
    cmip6_above_porosity,
    era5land_sentinel_value,
    amsmqtp_sentinel_value,
    amsmqtp_above_porosity,
]


@pytest.mark.parametrize("case", DROPPED, ids=[case.__name__ for case in DROPPED])
def test_dropped_and_counted_in_the_qc_table(case: Callable, stage: Stage):
    run, check, count, file = case(stage)
    qc = run()
    rows = _rows(qc, check)
    assert rows["dropped"].sum() == count
    assert rows["file"].str.contains(file, regex=False).all()
    assert (rows["of"] >= rows["dropped"]).all()
    if stage.out.joinpath("stations.parquet").exists():
        sm = pd.read_parquet(stage.out / "stations.parquet")["sm"]
        assert sm.between(0.0, STRICT.porosity).all()
    for result in stage.out.glob("*.nc"):
        with xr.open_dataarray(result) as data:
            values = data.values[np.isfinite(data.values)]
        assert ((values >= 0) & (values <= STRICT.porosity)).all()


# --------------------------------------------------------------------------------- config


def _config_error(tmp_path: Path, overlay: dict) -> str:
    config = yaml.safe_load((CONFIG / "demo.yaml").read_text())
    for key, value in overlay.items():
        config[key] = (
            {**config[key], **value}
            if isinstance(value, dict) and isinstance(config.get(key), dict)
            else value
        )
    mine = tmp_path / "mine.yaml"
    mine.write_text(yaml.safe_dump(overlay))
    schema = yaml.safe_load((CONFIG / "schema.yaml").read_text())
    with pytest.raises(ConfigError) as err:
        check_config(config, schema, [CONFIG / "demo.yaml", mine])
    return str(err.value)


@pytest.mark.parametrize(
    ("overlay", "fragments"),
    [
        (
            {"trainig": {"guard": "warn"}},
            ["config key trainig", "mine.yaml", "did you mean 'training'?"],
        ),
        (
            {"qc": {"porosity": "high"}},
            ["config key qc.porosity", "mine.yaml", "'high' is not of type"],
        ),
        (
            {"regrid": {"method": "nearest"}},
            ["config key regrid.method", "'nearest' is not allowed", "'conservative', 'bilinear'"],
        ),
        (
            {"sources": {"ismn": {"provider": "local", "keep_flags": ["good"]}}},
            ["config key sources.ismn.keep_flags.0", "mine.yaml"],
        ),
    ],
    ids=["misspelt top-level key", "wrong type", "unknown enum value", "bad ISMN flag"],
)
def test_config_errors_in_a_few_lines(tmp_path, overlay, fragments):
    message = _config_error(tmp_path, overlay)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in: {message}"
    assert message.count("\n") <= 3
