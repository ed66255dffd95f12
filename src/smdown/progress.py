"""Progress of a long job as "i of N" with the time left, for its log and the console.

Lines go to the logger `smdown.progress`: `smdown.logs.route_to` writes them to the job's log
like every other line and also to stderr, which Snakemake shows as it runs the job. The time
left assumes the remaining steps take as long as the ones done in this attempt (a resumed job
counts from where it resumed).
"""

from __future__ import annotations

import logging
import time

log = logging.getLogger("smdown.progress")


def duration(seconds: float) -> str:
    """A short human duration: 42 s, 3.5 min, 1.2 h."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


class Progress:
    """Reports "`what` i of N `unit`" as it advances from `start` to `total` steps."""

    def __init__(
        self,
        what: str,
        total: float,
        unit: str = "",
        start: float = 0,
        scale: float = 1.0,
        precision: int = 0,
    ) -> None:
        self.what, self.total, self.unit, self.start = what, total, unit, start
        self.scale, self.precision = scale, precision
        self.began = time.monotonic()

    def _amount(self, value: float) -> str:
        return f"{value / self.scale:.{self.precision}f}"

    def message(self, done: float, detail: str = "") -> str:
        """The line for `done` steps (without logging it)."""
        elapsed = time.monotonic() - self.began
        unit = f" {self.unit}" if self.unit else ""
        line = (
            f"{self.what} {self._amount(done)} of {self._amount(self.total)}{unit} "
            f"({100 * done / self.total:.0f}%)"
            if self.total
            else f"{self.what} {self._amount(done)}{unit}"
        )
        ran = done - self.start
        if self.total and ran > 0 and done < self.total:
            line += f", about {duration(elapsed / ran * (self.total - done))} left"
        elif done >= self.total and self.total:
            line += f", {duration(elapsed)} in this attempt"
        return f"{line}{'; ' + detail if detail else ''}"

    def update(self, done: float, detail: str = "") -> None:
        """Log the line for `done` steps."""
        log.info(self.message(done, detail))

    def note(self, message: str) -> None:
        """Log a line about this progress that is not a step (an early stop, a skip)."""
        log.info(message)
