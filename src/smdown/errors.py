"""The exceptions a stage raises: bad input (naming the file and what was expected instead) and
a training result that must not be used."""

from __future__ import annotations

from os import PathLike


class InputError(ValueError):
    """Bad input: names the offending file (or config key) and what was expected instead."""

    def __init__(self, source: str | PathLike, problem: str, expected: str | None = None):
        self.source = str(source)
        self.problem = problem
        self.expected = expected
        message = f"{self.source}: {problem}"
        if expected:
            message += f" (expected {expected})"
        super().__init__(message)


class TrainingFailed(RuntimeError):
    """A training job whose result must not be used (see `smdown.training.guard`)."""
