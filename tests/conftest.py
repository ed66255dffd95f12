"""Shared fixtures: the target grid, small CMOR-like files, and paths to the shared masks."""

from __future__ import annotations

import os
import socket
import warnings
from pathlib import Path

import cftime
import numpy as np
import pytest
import xarray as xr
from compliance_checker.runner import CheckSuite

from smdown.geometry import regular_grid

REPO = Path(__file__).resolve().parents[1]
# the study authors' published TRSR basin masks (lizhuoq/UNet-Gan, bound/*_0.1.nc), where a
# developer has them: SMDOWN_TRSR_MASKS names the folder; the tests that need them skip without
SHARED_MASKS = Path(os.environ.get("SMDOWN_TRSR_MASKS", REPO / ".cache" / "trsr_masks"))
ISMN_SDIST_DATA = REPO / ".cache" / "ismn-1.5.4" / "tests" / "test_data"  # from tests/setup.sh


@pytest.fixture(scope="session")
def target():
    """The study's 0.1 degree TRSR grid."""
    return regular_grid(31.0, 38.0, 89.0, 104.0, 0.1)


def write_small_cmip6(
    path: Path,
    *,
    calendar: str = "noleap",
    units: str | None = "kg m-2",
    years: tuple[int, int] = (2000, 2001),
    variable: str = "mrsos",
    lat: np.ndarray | None = None,
    lon: np.ndarray | None = None,
    source_id: str = "TESTMODEL",
    value: float = 25.0,
) -> Path:
    """A minimal CMOR-like mrsos file (mid-month times in `calendar`, 2 degree grid with bounds)."""
    lat = np.arange(27.0, 43.0, 2.0) if lat is None else lat
    lon = np.arange(84.0, 110.0, 2.0) if lon is None else lon
    months = [(y, m) for y in range(years[0], years[1] + 1) for m in range(1, 13)]
    mids = [cftime.datetime(y, m, 15, calendar=calendar) for y, m in months]
    t = cftime.date2num(mids, "days since 1850-01-01", calendar=calendar)
    rng = np.random.default_rng(0)
    data = value + rng.normal(0, 1, (len(months), lat.size, lon.size)).astype(np.float32)
    attrs = {"standard_name": "mass_content_of_water_in_soil_layer"}
    if units is not None:
        attrs["units"] = units
    ds = xr.Dataset(
        {
            variable: (("time", "lat", "lon"), data, attrs),
            "lat_bnds": (("lat", "bnds"), np.stack([lat - 1, lat + 1], 1)),
            "lon_bnds": (("lon", "bnds"), np.stack([lon - 1, lon + 1], 1)),
        },
        coords={
            "time": ("time", t, {"units": "days since 1850-01-01", "calendar": calendar}),
            "lat": ("lat", lat, {"bounds": "lat_bnds"}),
            "lon": ("lon", lon, {"bounds": "lon_bnds"}),
        },
        attrs={"source_id": source_id, "variable_id": variable},
    )
    ds.to_netcdf(path)
    return path


@pytest.fixture
def disk_full(monkeypatch):
    """Matplotlib's savefig writes some bytes, then fails as a full disk would: for the tests
    that a figure writer leaves no half file and closes its figure."""
    from matplotlib.figure import Figure

    def broken(self, fname, **kwargs):
        with open(fname, "wb") as fh:
            fh.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", broken)


@pytest.fixture
def offline(monkeypatch):
    """Fail any attempt to open a network connection during the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the test tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def _failures(results, lines: list[str], path: str = "") -> None:
    """Collect every scored result (children included) that did not get full marks."""
    for result in results:
        name = f"{path}/{result.name}"
        _failures(result.children, lines, name)
        value = result.value
        passed = value is None or (value[0] == value[1] if isinstance(value, tuple) else value)
        if not passed:
            lines.append(f"priority {result.weight} {name}: {'; '.join(result.msgs)}")


def cf_failures(path: Path) -> list[str]:
    """The IOOS compliance checker's CF 1.8 results for `path` that are not full marks (all
    priorities), plus any check that crashed; empty when the file passes."""
    suite = CheckSuite()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The ioos_sos checker is deprecated")
        suite.load_all_available_checkers()
    ds = suite.load_dataset(str(path))
    try:
        groups, errors = suite.run_all(ds, ["cf:1.8"], skip_checks=[])["cf:1.8"]
    finally:
        ds.close()
    lines = [f"crashed: {errors}"] if errors else []
    if not groups:
        lines.append("no CF checks ran")
    _failures(groups, lines)
    return lines
