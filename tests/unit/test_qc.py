"""Quality control at the source: the QC log's screening and policy, and the ISMN station
files' line-by-line format check."""

from __future__ import annotations

import numpy as np
import pytest

from smdown.errors import InputError
from smdown.qc import QCLog, QCSettings, qc_table
from smdown.sources.ismn import check_stm, stm_problem

from ..conftest import ISMN_SDIST_DATA

HEADER = (
    "CTP-SMTMN  CTP-SMTMN       CST-01            31.54000    91.93000 4500.00    0.05    0.05 EC-5"
)
GOOD = ["2012/07/01 12:00   0.2150 G M", "2012/07/02 12:00   0.2170 G M"]


def test_screen_drops_and_counts_sentinels_missing_and_impossible_values():
    qc = QCLog("ismn", QCSettings(porosity=0.5))
    values = np.array([0.2, -9999.0, np.nan, 0.55, -0.01, 0.0, 0.5, 1e20])
    qc.count("a.stm", values.size)
    kept = qc.screen(values, "a.stm")
    assert kept.tolist() == [True, False, False, False, False, True, True, False]
    table = qc.table().set_index("check")["dropped"]
    assert table["sentinel value (-9999, 1e+20)"] == 2
    assert table["missing value (NaN)"] == 1
    assert table["above the porosity ceiling 0.5 m3 m-3 (largest 0.55)"] == 1
    assert table["negative (smallest -0.01)"] == 1
    assert (qc.table()["of"] == 8).all() and qc.fraction() == pytest.approx(5 / 8)


def test_a_source_that_loses_too_much_is_refused_naming_its_worst_file():
    qc = QCLog("cma", QCSettings(max_drop_fraction=0.3))
    for name, values in (("good.csv", [0.2] * 8), ("bad.csv", [-9999.0] * 6 + [0.2] * 2)):
        qc.count(name, len(values))
        qc.screen(np.array(values), name)
    with pytest.raises(InputError, match="^bad.csv: cma lost 38% of its values") as err:
        qc.refuse_if_too_much()
    assert "at most 30% dropped (qc.max_drop_fraction)" in str(err.value)
    QCLog("cma", QCSettings(max_drop_fraction=0.4)).refuse_if_too_much()  # nothing read


def test_a_clean_source_has_one_row_saying_so():
    qc = QCLog("era5land")
    qc.count("e.nc", 10)
    qc.screen(np.full(10, 0.3), "e.nc")
    assert qc.table().to_dict("records") == [
        {
            "source": "era5land",
            "file": "1 file(s)",
            "check": "none",
            "dropped": 0,
            "of": 10,
            "kind": "",
        }
    ]
    assert list(qc_table([qc, QCLog("cma")])["source"]) == ["era5land", "cma"]


def test_flags_are_listed_but_do_not_count_toward_refusal():
    qc = QCLog("ismn", QCSettings(max_drop_fraction=0.1))
    qc.count("f.stm", 10)
    qc.drop("f.stm", "flag D01 (not kept)", 6, kind="flag")
    qc.drop("f.stm", "duplicated timestamp", 1, kind="row")
    assert qc.fraction() == pytest.approx(0.1)
    qc.refuse_if_too_much()
    assert list(qc.table()["kind"]) == ["flag", "row"]
    with pytest.raises(ValueError, match="unknown kind of drop 'bad'"):
        qc.drop("f.stm", "x", 1, kind="bad")


def test_settings_from_the_config():
    assert QCSettings.from_config(
        {"porosity": 0.45, "sentinels": [-9999, -99], "max_drop_fraction": 0.2}
    ) == QCSettings(0.45, (-9999.0, -99.0), 0.2)


# ---------------------------------------------------------------------- ISMN station files


def _stm(tmp_path, *lines: str, name="x.stm"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_ismn_packages_own_sample_files_pass():
    if not ISMN_SDIST_DATA.is_dir():
        pytest.skip(f"{ISMN_SDIST_DATA} missing: run tests/setup.sh")
    files = [p for p in ISMN_SDIST_DATA.rglob("*.stm") if "malformed" not in p.parts]
    assert len(files) >= 6
    assert [stm_problem(p) for p in files] == [None] * len(files)


CORRUPT = [
    ("<html><body>502 Bad Gateway</body></html>", "line 3: is HTML, not data"),
    ("\x00\x00\x00\x00\x00\x00", "line 3: holds NUL bytes"),
    ("2011/13/45 12:00   0.2000 G M", "line 3: impossible timestamp 2011/13/45 12:00"),
    ("2012/07/03 12:00   0.2O00 G M", "line 3: value '0.2O00' is not a number"),
    ("2012/07/03 12:00", "line 3: has 2 columns, not at least 4"),
]


@pytest.mark.parametrize(("bad", "problem"), CORRUPT)
def test_a_corrupt_line_is_named_with_its_number(tmp_path, bad, problem):
    path = _stm(tmp_path, HEADER, GOOD[0], bad, GOOD[1])
    assert stm_problem(path).startswith(problem)
    with pytest.raises(InputError, match=f"^{path}: line 3: ") as err:
        check_stm(path)
    assert "expected ISMN 'header values' lines" in str(err.value)


def test_whole_files_that_are_no_station_file(tmp_path):
    (tmp_path / "zero.stm").write_bytes(b"")
    assert stm_problem(tmp_path / "zero.stm") == "line 1: the file is empty"
    page = _stm(tmp_path, "<!DOCTYPE html>", "<html><body>Sign in</body></html>")
    assert stm_problem(page).startswith("line 1: '<!DOCTYPE html>' looks like an HTML page")
    assert stm_problem(_stm(tmp_path, HEADER, GOOD[0], "", GOOD[1])) is None  # blank lines
