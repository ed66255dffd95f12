"""Checks of the sources that cannot be downloaded (registration-only or not public).

Each check either returns the files to use or stops with one message that says what is
missing, what the workflow expects on disk and where the data are published.
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from os import PathLike
from pathlib import Path

from smdown.errors import InputError
from smdown.sources.cma import CMA_COLUMNS, read_cma_csv
from smdown.sources.ismn import check_archive

WHERE = {
    "amsmqtp": (
        "AMSMQTP (daily 0.1 degree, 5 layers, 2000-2021) is distributed after "
        "registration by the National Cryosphere Desert Data Center "
        "(http://www.ncdc.ac.cn/portal/metadata/4d94e0b3-a10c-43f6-b971-23e2df62c8ff)"
    ),
    "ismn": (
        "ISMN data (networks CTP_SMTMN, MAQU, NAQU) are downloaded after registration at "
        "https://ismn.earth/en/ as an archive in 'header values' or CEOP format"
    ),
    "cma": (
        "CMA station soil moisture is not public; obtain it from the China Meteorological "
        "Administration and write it as CSV"
    ),
}


def check_amsmqtp(folder: str | PathLike, pattern: str) -> list[Path]:
    """The AMSMQTP files matching `pattern` in `folder` (sorted); none is an error."""
    files = sorted(Path(p) for p in glob.glob(str(Path(folder) / pattern)))
    if not files:
        raise InputError(
            Path(folder) / pattern,
            "no AMSMQTP files found",
            f"the daily NetCDF files there; {WHERE['amsmqtp']}",
        )
    return files


def check_ismn(path: str | PathLike, networks: Sequence[str]) -> list[Path]:
    """The station files of an unpacked ISMN archive; each network must have a folder, and every
    station file is checked line by line as rule station_table will read it."""
    path = Path(path)
    if not path.is_dir():
        raise InputError(
            path,
            "ISMN archive folder not found",
            f"the unpacked archive with one folder per network; {WHERE['ismn']}",
        )
    missing = [n for n in networks if not (path / n).is_dir()]
    if missing:
        raise InputError(
            path, f"networks {missing} missing", f"folders {list(networks)}; {WHERE['ismn']}"
        )
    files = sorted(p for n in networks for p in (path / n).rglob("*") if p.is_file())
    if not any(p.suffix == ".stm" for p in files):
        raise InputError(path, "no .stm station files", f"'header values' files; {WHERE['ismn']}")
    for network in networks:
        check_archive(path / network)
    return files


def check_cma(path: str | PathLike) -> list[Path]:
    """The CMA CSV, parsed as rule station_table will parse it (every line checked)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(
            path,
            "CMA station CSV not found",
            f"a CSV with columns {','.join(CMA_COLUMNS)}; {WHERE['cma']}",
        )
    read_cma_csv(path)
    return [path]
