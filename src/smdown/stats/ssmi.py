"""The standardised soil moisture index (SSMI, Zhou et al. 2019) of the CMIP6DL study.

Each month's soil moisture becomes a z-score against the same calendar month over a base
period (the study: 2015-2100 of each scenario), so months of different climates compare on
one scale: below 0 is a deficit against that month's normal, above 0 a surplus.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from smdown.errors import InputError
from smdown.stats.seasons import check_monthly, year_ranges

SSMI_BASE = (2015, 2100)


def ssmi(sm: xr.DataArray, base: tuple[int, int] = SSMI_BASE, ddof: int = 1) -> xr.DataArray:
    """(SM - mean_m) / std_m for every month, m its calendar month, both over the `base` years.

    The standard deviation divides by n - `ddof` (1: the sample standard deviation). Every
    calendar month of every base year must be present (a partial base would standardise
    against another climate); a month whose base values are all equal gives NaN, not infinity.
    """
    check_monthly(sm)
    first, last = base
    years = sm["time"].dt.year
    in_base = sm.isel(time=((years >= first) & (years <= last)).values)
    wanted = {(y, m) for y in range(first, last + 1) for m in range(1, 13)}
    present = set(
        zip(
            in_base["time"].dt.year.values.tolist(),
            in_base["time"].dt.month.values.tolist(),
            strict=True,
        )
    )
    if missing := wanted - present:
        raise InputError(
            sm.name or "soil moisture",
            f"{len(missing)} months of the SSMI base {first}-{last} are missing "
            f"(years {year_ranges(np.array([y for y, _ in missing]))})",
            f"every month of {first}-{last}",
        )
    climate = in_base.groupby("time.month")
    mean = climate.mean("time")
    spread = climate.std("time", ddof=ddof)
    spread = spread.where(spread > 0)
    index = (sm.groupby("time.month") - mean).groupby("time.month") / spread
    index = index.drop_vars("month", errors="ignore").rename("ssmi")
    index.attrs = {
        "long_name": "standardised soil moisture index",
        "units": "1",
        "base_period": f"{first}-{last}",
        "ddof": ddof,
    }
    return index
