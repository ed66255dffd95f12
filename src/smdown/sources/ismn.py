"""The ISMN station files' text formats, checked line by line before any reader parses them.

"Header values" files (`.stm`) hold one header line, then `YYYY/MM/DD HH:MM value flag
original_flag` per line; "CEOP separate" files hold 15 columns per line, the value in the
thirteenth. A failed download saved as data (an HTML page), NUL bytes from a broken copy or an
impossible date would otherwise surface deep in pandas without a file's name: `stm_problem`
names the first line that breaks the format.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator, Sequence
from os import PathLike
from pathlib import Path

from smdown.errors import InputError

STM_EXPECTED = (
    "ISMN 'header values' lines 'YYYY/MM/DD HH:MM value flag original_flag' after "
    "one header line (or CEOP lines of 15 columns)"
)
_STAMP = re.compile(r"^(\d{4})/(\d{2})/(\d{2})$")
_CLOCK = re.compile(r"^(\d{2}):(\d{2})$")
_HEADER_VALUES = (2, 4)  # (index of the value, least number of columns)
_CEOP = (12, 15)


def _timestamp_problem(date: str, clock: str) -> str | None:
    """Why `date clock` is no valid timestamp, or None."""
    day, time = _STAMP.match(date), _CLOCK.match(clock)
    if not (day and time):
        return f"{date} {clock!s:.20} is not a 'YYYY/MM/DD HH:MM' timestamp"
    try:
        dt.datetime(*(int(part) for part in (*day.groups(), *time.groups())))
    except ValueError as exc:
        return f"impossible timestamp {date} {clock} ({exc})"
    return None


def _line_problem(line: str, value_at: int, columns: int) -> str | None:
    """Why one data line breaks the format, or None."""
    if "\x00" in line:
        return "holds NUL bytes (a damaged file)"
    if line.lstrip().startswith("<"):
        return f"is HTML, not data (a failed download saved as data): {line.strip()[:60]!r}"
    tokens = line.split()
    if len(tokens) < columns:
        return f"has {len(tokens)} columns, not at least {columns}: {line.strip()[:60]!r}"
    problem = _timestamp_problem(tokens[0], tokens[1])
    if problem:
        return problem
    try:
        float(tokens[value_at])
    except ValueError:
        return f"value {tokens[value_at][:20]!r} is not a number"
    return None


def stm_problem(path: str | PathLike) -> str | None:
    """The first line of an ISMN station file that breaks its format ("line N: why"), or None."""
    return stm_text_problem(Path(path).read_bytes())


def stm_text_problem(content: bytes) -> str | None:
    """The first line of a station file's `content` that breaks its format, or None.

    The format is told by the first line: a timestamp opens a CEOP file, anything else is the
    header of a "header values" file. Blank lines are allowed (the readers skip them).
    """
    lines = content.decode("utf-8", errors="replace").splitlines()
    if not lines:
        return "line 1: the file is empty"
    first = lines[0].split()
    ceop = len(first) >= 2 and _timestamp_problem(first[0], first[1]) is None
    value_at, columns = _CEOP if ceop else _HEADER_VALUES
    start = 0 if ceop else 1
    if not ceop and "<" in lines[0]:
        return f"line 1: {lines[0].strip()[:60]!r} looks like an HTML page, not a station header"
    for number, line in enumerate(lines[start:], start=start + 1):
        if not line.strip():
            continue
        problem = _line_problem(line, value_at, columns)
        if problem:
            return f"line {number}: {problem}"
    return None


def check_stm(path: str | PathLike) -> None:
    """Refuse an ISMN station file that breaks its format, naming the file and the line."""
    problem = stm_problem(path)
    if problem:
        raise InputError(path, problem, STM_EXPECTED)


# -------------------------------------------------------------------------- a whole archive

ARCHIVE_EXPECTED = "an ISMN download (folder or zip of network/station/*.stm files)"
_SENSOR_NAME = re.compile(r"_([A-Za-z]+)_(\d+\.\d+)_(\d+\.\d+)_")


def station_files(path: str | PathLike) -> Iterator[tuple[str, bytes]]:
    """(name, content) of every `.stm` file of an ISMN download, a folder or a zip; the name is
    the file's path as a user finds it (inside the zip: `archive.zip/member`)."""
    path = Path(path)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for member in sorted(archive.namelist()):
                if member.endswith(".stm"):
                    yield f"{path}/{member}", archive.read(member)
    elif path.is_dir():
        for file in sorted(path.rglob("*.stm")):
            yield str(file), file.read_bytes()


def _sensor_key(name: str, content: bytes) -> tuple[str, ...] | None:
    """What makes a "header values" file one sensor's record: its folder, header line and the
    variable in its name; None for CEOP files (one file holds many depths)."""
    header = content.split(b"\n", 1)[0].decode("utf-8", errors="replace").split()
    if len(header) >= 2 and _timestamp_problem(header[0], header[1]) is None:
        return None
    variable = _SENSOR_NAME.search(Path(name).name)
    return (str(Path(name).parent), " ".join(header), variable.group(1) if variable else name)


def check_archive(path: str | PathLike) -> int:
    """Refuse an ISMN download holding a malformed station file (naming file and line) or two
    files of one sensor (naming both: the ismn reader would silently read only one); returns
    how many station files were checked."""
    seen: dict[tuple[str, ...], str] = {}
    count = 0
    for name, content in station_files(path):
        count += 1
        problem = stm_text_problem(content)
        if problem:
            raise InputError(name, problem, STM_EXPECTED)
        key = _sensor_key(name, content)
        if key is not None and key in seen:
            raise InputError(
                name,
                f"holds the same sensor as {seen[key]} (same station header "
                "and variable): a duplicated or overlapping station file",
                "one file per sensor; keep one of the two",
            )
        if key is not None:
            seen[key] = name
    if count == 0:
        kind = "zip" if zipfile.is_zipfile(path) else "download"
        raise InputError(path, f"the {kind} holds no .stm station file", ARCHIVE_EXPECTED)
    return count


def flag_kept(flag: str, keep: Sequence[str]) -> bool:
    """Whether an ISMN quality flag is kept: each of its comma-separated codes (G, D01, C03,
    ...) must be listed in `keep`, a one-letter entry standing for its whole family."""
    codes = [code.strip() for code in str(flag).split(",") if code.strip()]
    return bool(codes) and all(code in keep or code[:1] in keep for code in codes)
