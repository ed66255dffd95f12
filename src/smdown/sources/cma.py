"""The CMA station CSV (`station_id,lat,lon,elevation_m,date,depth_cm,sm`), read and checked.

The CSV is not public, so users write it themselves: a value that is not a number, an
impossible date or a missing coordinate is refused with the file and its line, before any value
reaches a table. Sentinels and impossible soil moisture are quality control's business
(`smdown.qc`), not the parser's: they are numbers.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import pandas as pd

from smdown.errors import InputError

CMA_COLUMNS = ("station_id", "lat", "lon", "elevation_m", "date", "depth_cm", "sm")
CMA_EXPECTED = "a CSV with columns station_id,lat,lon,elevation_m,date,depth_cm,sm and data rows"
NUMBERS = ("lat", "lon", "depth_cm", "sm")


def _raw(path: Path) -> pd.DataFrame:
    """The CSV's text cells, every failure of pandas turned into an InputError naming the file."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError as exc:
        raise InputError(path, "file not found", CMA_EXPECTED) from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError(path, "empty file", CMA_EXPECTED) from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot be parsed ({exc})", CMA_EXPECTED) from exc
    missing = [column for column in CMA_COLUMNS if column not in raw.columns]
    if missing:
        raise InputError(path, f"missing columns {missing}", CMA_EXPECTED)
    if raw.empty:
        raise InputError(path, "no data rows (header only)", CMA_EXPECTED)
    return raw


def _refuse_first(path: Path, raw: pd.DataFrame, bad: pd.Series, column: str, what: str) -> None:
    """Refuse the file at the first row where `bad` holds, naming its line (header is line 1)."""
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            path,
            f"line {row + 2}: {column} {raw[column].iloc[row]!r} is not "
            f"{what} ({int(bad.sum())} such line(s))",
            CMA_EXPECTED,
        )


def read_cma_csv(path: str | PathLike) -> pd.DataFrame:
    """The CMA CSV with numbers and dates parsed: station_id, lat, lon, date, depth_cm, sm.

    Missing or unparsable coordinates, depths and dates are refused with their line; an empty
    `sm` cell is kept as NaN (quality control counts it).
    """
    path = Path(path)
    raw = _raw(path)
    parsed = {column: pd.to_numeric(raw[column], errors="coerce") for column in NUMBERS}
    for column in NUMBERS:
        unparsable = parsed[column].isna() & (raw[column].str.strip() != "")
        empty = raw[column].str.strip() == ""
        _refuse_first(path, raw, unparsable, column, "a number")
        if column != "sm":
            _refuse_first(path, raw, empty, column, "given")
    date = pd.to_datetime(raw["date"], format="%Y-%m-%d", errors="coerce")
    _refuse_first(path, raw, date.isna(), "date", "a valid YYYY-MM-DD date")
    return pd.DataFrame({"station_id": raw["station_id"], **parsed, "date": date})[
        ["station_id", "lat", "lon", "date", "depth_cm", "sm"]
    ]
