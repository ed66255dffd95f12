"""Quality control at the source: what each reader drops, how much of it, and why.

Raw data are dirty: sentinels (-9999), fill values left undecoded, quality flags, values no soil
can hold, timestamps given twice. Every reader screens the values where they enter and records
each drop in a `QCLog` row (source, file, check, how many of how many); a source that loses more
than `max_drop_fraction` of its values is refused with one error naming the worst file. The
rows become the run's QC table, which the report shows.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd

from smdown.errors import InputError
from smdown.io import atomic_path

log = logging.getLogger(__name__)

QC_COLUMNS = ("source", "file", "check", "dropped", "of", "kind")
# kinds of drop: a value no soil holds or a missing one, a duplicated row, a value its provider
# flagged and the config does not keep, or a station or sensor outside the grid box or the
# layers; flags and places do not count toward a source's refusal (they are choices, not faults)
KINDS = ("value", "row", "flag", "place")
NOT_FAULTS = ("flag", "place")


@dataclass(frozen=True)
class QCSettings:
    """Physical limits and policy: volumetric soil moisture must lie in [0, porosity] m3 m-3;
    values equal to a sentinel are missing; a source losing more than `max_drop_fraction` of
    its values is refused."""

    porosity: float = 1.0
    sentinels: tuple[float, ...] = (-9999.0, -999.0, 1.0e20)
    max_drop_fraction: float = 0.5

    @classmethod
    def from_config(cls, qc: Mapping[str, Any]) -> QCSettings:
        """The settings of the config's `qc` section."""
        return cls(
            float(qc["porosity"]),
            tuple(float(v) for v in qc["sentinels"]),
            float(qc["max_drop_fraction"]),
        )


@dataclass
class QCLog:
    """The drops of one source's reading, per file and check, and how many values each file
    had; `refuse_if_too_much` enforces the source's policy."""

    source: str
    settings: QCSettings = field(default_factory=QCSettings)
    rows: list[dict[str, Any]] = field(default_factory=list)
    read: dict[str, int] = field(default_factory=dict)

    def count(self, file: str | PathLike, values: int) -> None:
        """Record that `file` delivered `values` values (the base of its fractions)."""
        self.read[str(file)] = self.read.get(str(file), 0) + int(values)

    def drop(self, file: str | PathLike, check: str, dropped: int, kind: str = "value") -> None:
        """Record `dropped` values of `file` removed by `check` (nothing when 0); `kind` is one
        of `KINDS`."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind of drop {kind!r}; allowed: {', '.join(KINDS)}")
        if dropped:
            self.rows.append(
                {
                    "source": self.source,
                    "file": str(file),
                    "check": check,
                    "dropped": int(dropped),
                    "of": self.read.get(str(file), 0),
                    "kind": kind,
                }
            )
            log.info("%s %s: dropped %d value(s): %s", self.source, file, dropped, check)

    def is_sentinel(self, values: np.ndarray) -> np.ndarray:
        """Where `values` equal a sentinel, to float32 precision (1e20 stored as float32 is
        1.00000002e20)."""
        values = np.asarray(values, dtype=float)
        found = np.zeros(values.shape, dtype=bool)
        for sentinel in self.settings.sentinels:
            found |= np.isclose(values, sentinel, rtol=1e-6, atol=0.0)
        return found

    def screen(self, values: np.ndarray | pd.Series, file: str | PathLike) -> np.ndarray:
        """Boolean mask of the soil-moisture values of `file` to keep: missing values,
        sentinels and values outside [0, porosity] m3 m-3 are dropped and counted (`count`
        the file's values first)."""
        values = np.asarray(values, dtype=float)
        sentinel = self.is_sentinel(values)
        missing = np.isnan(values) & ~sentinel
        high = values > self.settings.porosity
        low = values < 0
        outside = (high | low) & ~sentinel
        self.drop(file, f"sentinel value ({_listing(values[sentinel])})", int(sentinel.sum()))
        self.drop(file, "missing value (NaN)", int(missing.sum()))
        self.drop(
            file,
            f"above the porosity ceiling {self.settings.porosity:g} m3 m-3 "
            f"(largest {_largest(values[high & ~sentinel])})",
            int((high & ~sentinel).sum()),
        )
        self.drop(
            file,
            f"negative (smallest {_smallest(values[low & ~sentinel])})",
            int((low & ~sentinel).sum()),
        )
        return ~(sentinel | missing | outside)

    def screen_field(
        self,
        values: np.ndarray,
        file: str | PathLike,
        times: Sequence[Any] | None = None,
        every_step: bool = True,
    ) -> np.ndarray:
        """A gridded source's values with sentinels and values outside [0, porosity] set to
        NaN (counted); NaN itself is the grid's "no land here" and is not counted. A file
        whose values are all missing or all one constant is refused, and with `every_step`
        also one with a time step (axis 0, named by `times`) that is all missing."""
        values = np.array(values, dtype=float)
        finite = np.isfinite(values)
        self.count(file, int(finite.sum()))
        kept = self.screen(np.where(finite, values, 0.0), file)
        values[~kept] = np.nan
        _refuse_empty_or_constant(values, file, times if every_step else None, every_step)
        return values

    def fraction(self) -> float:
        """The share of the source's values dropped as faults (flags and places not counted)."""
        total = sum(self.read.values())
        return sum(row["dropped"] for row in self._counted()) / total if total else 0.0

    def _counted(self, file: str | None = None) -> list[dict[str, Any]]:
        return [
            row
            for row in self.rows
            if row["kind"] not in NOT_FAULTS and (file is None or row["file"] == file)
        ]

    def refuse_if_too_much(self) -> None:
        """Refuse the source when it lost more than `max_drop_fraction` of its values."""
        share = self.fraction()
        if share > self.settings.max_drop_fraction:
            worst = max(self.read, key=lambda f: self.dropped_of(f) / max(self.read[f], 1))
            raise InputError(
                worst,
                f"{self.source} lost {share:.0%} of its values to quality "
                f"control (this file {self.dropped_of(worst)} of "
                f"{self.read[worst]}; the QC log lists every file)",
                f"at most {self.settings.max_drop_fraction:.0%} dropped (qc.max_drop_fraction)",
            )

    def dropped_of(self, file: str) -> int:
        """How many values of `file` quality control dropped as faults."""
        return sum(row["dropped"] for row in self._counted(file))

    def table(self) -> pd.DataFrame:
        """One row per (file, check) with drops; a row "none" when the source was clean."""
        if not self.rows:
            return pd.DataFrame(
                [
                    {
                        "source": self.source,
                        "file": f"{len(self.read)} file(s)",
                        "check": "none",
                        "dropped": 0,
                        "of": sum(self.read.values()),
                        "kind": "",
                    }
                ],
                columns=list(QC_COLUMNS),
            )
        return pd.DataFrame(self.rows, columns=list(QC_COLUMNS))


def qc_table(logs: Sequence[QCLog]) -> pd.DataFrame:
    """The QC tables of several sources, one after the other."""
    return pd.concat([entry.table() for entry in logs], ignore_index=True)


def _refuse_empty_or_constant(
    values: np.ndarray, file: str | PathLike, times: Sequence[Any] | None, every_step: bool
) -> None:
    """Refuse a field that holds no value, one constant, or (`every_step`) a time step with
    no value."""
    finite = np.isfinite(values)
    if not finite.any():
        raise InputError(
            file,
            "every value is missing (after _FillValue, missing_value and the sentinels)",
            "soil-moisture values",
        )
    present = values[finite]
    if present.size > 1 and np.all(present == present[0]):
        raise InputError(
            file,
            f"every value is the constant {present[0]:g}",
            "a field that varies in space and time",
        )
    if every_step and values.ndim > 1:
        empty = ~finite.reshape(values.shape[0], -1).any(axis=1)
        if empty.any():
            first = int(np.argmax(empty))
            when = times[first] if times is not None else f"time step {first}"
            raise InputError(
                file,
                f"{int(empty.sum())} time step(s) hold no value (the first {str(when)[:10]})",
                "a value in every time step",
            )


def write_qc_table(table: pd.DataFrame, path: str | PathLike) -> None:
    """Write a QC table as CSV atomically (no half-written file on failure)."""
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False)


def _listing(values: np.ndarray) -> str:
    return ", ".join(f"{v:g}" for v in np.unique(values)) or "none"


def _largest(values: np.ndarray) -> str:
    return f"{values.max():g}" if values.size else "none"


def _smallest(values: np.ndarray) -> str:
    return f"{values.min():g}" if values.size else "none"
