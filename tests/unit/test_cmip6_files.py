"""Finding CMOR files below a `provider: local` folder: the layouts accepted and the refusals.

Only names matter to the search, so the files are empty.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from smdown.errors import InputError
from smdown.sources.cmip6_files import find_cmor_files

MODEL, EXPERIMENT, MEMBER = "MIROC6", "historical", "r1i1p1f1"
DRS = Path("CMIP/MIROC/MIROC6/historical/r1i1p1f1/Lmon/mrsos/gn")


def name(
    period: str,
    grid: str = "gn",
    model: str = MODEL,
    experiment: str = EXPERIMENT,
    member: str = MEMBER,
    variable: str = "mrsos",
) -> str:
    """A CMOR file name."""
    return f"{variable}_Lmon_{model}_{experiment}_{member}_{grid}_{period}.nc"


def touch(folder: Path, *names: str) -> list[Path]:
    """Empty files `folder/<name>`, with their folders."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / n for n in names]
    for p in paths:
        p.touch()
    return paths


def find(folder: Path) -> list[Path]:
    return find_cmor_files(folder, MODEL, EXPERIMENT, MEMBER)


def test_flat_folder(tmp_path):
    files = touch(tmp_path, name("185001-194912"), name("195001-201412"))
    assert find(tmp_path) == files


def test_model_experiment_folders(tmp_path):
    files = touch(tmp_path / MODEL / EXPERIMENT, name("185001-201412"))
    touch(tmp_path / MODEL / "ssp585", name("201501-210012", experiment="ssp585"))
    assert find(tmp_path) == files


def test_drs_tree_with_version_folder(tmp_path):
    files = touch(tmp_path / DRS / "v20190710", name("185001-194912"), name("195001-201412"))
    assert find(tmp_path) == files


def test_other_models_members_experiments_variables_ignored(tmp_path):
    files = touch(tmp_path, name("185001-201412"))
    touch(
        tmp_path,
        name("185001-201412", model="MIROC6-X"),
        name("185001-201412", model="MIR"),
        name("185001-201412", member="r2i1p1f1"),
        name("185001-201412", member="r1i1p1f11"),
        name("201501-210012", experiment="ssp585"),
        name("185001-201412", variable="mrso"),
        name("185001-201412").replace("Lmon", "Emon"),
        name("185001-201412") + ".part",
        "README.txt",
    )
    assert find(tmp_path) == files


def test_result_ordered_by_period_start(tmp_path):
    late = touch(tmp_path / "a", name("195001-201412"))
    early = touch(tmp_path / "b" / "c", name("185001-194912"))
    assert find(tmp_path) == early + late


def test_two_version_folders_refused_with_both_names(tmp_path):
    touch(tmp_path / DRS / "v20190710", name("185001-201412"))
    touch(tmp_path / DRS / "v20200101", name("185001-201412"))
    with pytest.raises(InputError, match="two versions") as err:
        find(tmp_path)
    assert "v20190710" in str(err.value) and "v20200101" in str(err.value)
    assert "keep one" in str(err.value)


def test_same_period_on_two_grid_labels_refused_with_both_names(tmp_path):
    touch(tmp_path, name("185001-201412", grid="gn"), name("185001-201412", grid="gr1"))
    with pytest.raises(InputError, match="two versions") as err:
        find(tmp_path)
    message = str(err.value)
    assert name("185001-201412", grid="gn") in message
    assert name("185001-201412", grid="gr1") in message


def test_overlapping_periods_refused_with_both_names(tmp_path):
    touch(tmp_path, name("185001-201412"), name("200001-201412"))
    with pytest.raises(InputError, match="overlaps") as err:
        find(tmp_path)
    assert name("185001-201412") in str(err.value) and name("200001-201412") in str(err.value)


def test_gap_between_files_is_not_refused(tmp_path):
    files = touch(tmp_path, name("185001-189912"), name("195001-201412"))
    assert find(tmp_path) == files


@pytest.mark.parametrize("period", ["2015-2100", "201501-2100", "201513-210012", "210012-201501"])
def test_unreadable_period_refused_naming_the_file(tmp_path, period):
    touch(tmp_path / "x", name(period))
    with pytest.raises(InputError, match=r"period") as err:
        find(tmp_path)
    assert name(period) in str(err.value)


def test_nothing_found_names_folder_pattern_and_layouts(tmp_path):
    touch(tmp_path, name("185001-201412", member="r2i1p1f1"))
    with pytest.raises(InputError) as err:
        find(tmp_path)
    message = str(err.value)
    assert message.startswith(f"{tmp_path}:")
    assert "mrsos_Lmon_MIROC6_historical_r1i1p1f1_<grid_label>_<YYYYMM>-<YYYYMM>.nc" in message
    assert "recursive" in message and "<model>/<experiment>/" in message
    assert "<member_id>/<table>/<variable>/<grid_label>/<version>/" in message


def test_missing_folder_said_so(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        find(tmp_path / "absent")
