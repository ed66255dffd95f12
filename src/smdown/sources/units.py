"""Unit checks and conversions to volumetric soil moisture (m3 m-3)."""

from __future__ import annotations

from os import PathLike

from smdown.catalog import MRSOS_DEPTH_M, WATER_DENSITY
from smdown.errors import InputError

_MASS_PER_AREA = {"kg m-2", "kg m**-2", "kg/m2", "kg m^-2", "kg.m-2", "kg/m^2", "kg m-2 "}
_VOLUMETRIC = {"m3 m-3", "m3/m3", "m**3 m**-3", "m^3 m^-3", "m3.m-3", "m^3/m^3", "1"}


def _normal(units: str | None) -> str | None:
    return None if units is None else " ".join(str(units).split())


def mrsos_factor(units: str | None, source: str | PathLike, variable: str = "mrsos") -> float:
    """Factor turning `mrsos` into m3 m-3: kg m-2 over the top 0.1 m is divided by 100."""
    u = _normal(units)
    if u in _MASS_PER_AREA:
        return 1.0 / (WATER_DENSITY * MRSOS_DEPTH_M)
    if u is None:
        raise InputError(source, f"variable {variable!r} has no units attribute", "units 'kg m-2'")
    raise InputError(source, f"variable {variable!r} has units {units!r}", "units 'kg m-2'")


def check_volumetric(units: str | None, source: str | PathLike, variable: str) -> None:
    """Refuse soil moisture that is not declared in m3 m-3."""
    u = _normal(units)
    if u not in _VOLUMETRIC:
        raise InputError(
            source,
            f"variable {variable!r} has units {units!r}",
            "volumetric units 'm3 m-3' (or 'm**3 m**-3')",
        )
