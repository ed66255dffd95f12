"""Model calendars relabelled to month starts, so every source shares one monthly time axis."""

from __future__ import annotations

from os import PathLike

import cftime
import numpy as np

from smdown.errors import InputError

KNOWN_CALENDARS = frozenset(
    {
        "standard",
        "gregorian",
        "proleptic_gregorian",
        "noleap",
        "365_day",
        "all_leap",
        "366_day",
        "360_day",
        "julian",
    }
)


def decode_times(
    values: np.ndarray, units: str | None, calendar: str | None, source: str | PathLike
) -> list:
    """Decode numeric CF times into cftime/datetime objects, refusing unknown calendars."""
    calendar = (calendar or "standard").lower()
    if calendar not in KNOWN_CALENDARS:
        raise InputError(
            source, f"unknown calendar {calendar!r}", f"one of {', '.join(sorted(KNOWN_CALENDARS))}"
        )
    if not units or " since " not in units:
        raise InputError(source, f"time has no usable units ({units!r})", "'<unit> since <date>'")
    try:
        return list(
            cftime.num2date(
                np.asarray(values), units, calendar=calendar, only_use_cftime_datetimes=True
            )
        )
    except Exception as exc:
        raise InputError(source, f"times cannot be decoded ({exc})", "CF time values") from exc


def to_month_starts(times: list, source: str | PathLike) -> np.ndarray:
    """Map each time to the first day of its month as datetime64[ns]; duplicates are refused."""
    starts = np.array([f"{t.year:04d}-{t.month:02d}-01" for t in times], dtype="datetime64[M]")
    if np.unique(starts).size != starts.size:
        raise InputError(source, "more than one time step in the same month", "monthly data")
    return starts.astype("datetime64[ns]")


def month_range(first_year: int, last_year: int) -> np.ndarray:
    """All month starts from January of `first_year` to December of `last_year`."""
    return np.arange(
        f"{first_year:04d}-01", f"{last_year + 1:04d}-01", dtype="datetime64[M]"
    ).astype("datetime64[ns]")


def check_complete(
    starts: np.ndarray, first_year: int, last_year: int, source: str | PathLike
) -> None:
    """Refuse a monthly axis that lacks any month of the requested years."""
    missing = np.setdiff1d(month_range(first_year, last_year), starts)
    if missing.size:
        shown = ", ".join(str(m)[:7] for m in missing[:3])
        raise InputError(
            source,
            f"{missing.size} months missing ({shown}...)",
            f"every month {first_year}-01..{last_year}-12",
        )
