"""A roster row -> its regimen and course (dosecal.batch.courses)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from dosecal.batch.courses import Regimens, course
from dosecal.batch.roster_file import Entry
from dosecal.errors import CourseError
from dosecal.model.dosing import BsaFormula


def test_a_row_becomes_a_course_with_the_patient_as_its_id(tmp_path: Path) -> None:
    """Every cell is read by its column's rule; the patient id is the course id."""
    entry = Entry(
        2,
        "p2",
        "nct04083898",
        "2027-01-04",
        "2",
        "",
        "phase2",
        "70",
        "170.5",
        "DuBois",
        "bendamustine=90 mg/m2",
    )
    regimen, made = course(entry, tmp_path, Regimens(tmp_path))
    assert regimen.name == "nct04083898"
    assert (made.start, made.cycles, made.level, made.course_id) == (dt.date(2027, 1, 4), 2, "phase2", "p2")
    assert (made.measures.weight_kg, made.measures.height_cm) == (Decimal(70), Decimal("170.5"))
    assert made.measures.bsa_formula is BsaFormula.DUBOIS
    assert [(name, str(amount)) for name, amount in made.doses] == [("bendamustine", "90 mg/m2")]


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"start": "2026-02-30"}, "start: 2026-02-30 is not a date: February 2026 has 28 days"),
        ({"cycles": "two"}, "cycles: 'two' is not a whole number of cycles"),
        ({"cycles": "201"}, "201 cycles is not plausible (expected 1-200)"),
        ({"weight": "70kg"}, "weight: '70kg' is not a plain number such as 70 or 72.5"),
        ({"bsa": "haycock"}, "bsa: 'haycock' is not a BSA formula (mosteller or dubois)"),
        (
            {"doses": "bendamustine 90"},
            'doses: \'bendamustine 90\' should read "DRUG=AMOUNT UNIT", e.g. "bendamustine=75 mg/m2"',
        ),
        (
            {"regimen": "no-such"},
            "no regimen 'no-such': not a file beside the roster, and not a bundled regimen",
        ),
    ],
)
def test_a_bad_cell_is_one_sentence_naming_its_column(
    tmp_path: Path, cells: dict[str, str], message: str
) -> None:
    """A row's mistake is a `CourseError`: the column and what is wrong, nothing else."""
    values = {"regimen": "nct05922501", "start": "2026-12-07", "cycles": "2", **cells}
    with pytest.raises(CourseError) as caught:
        course(Entry(3, "p3", **values), tmp_path, Regimens(tmp_path))
    assert str(caught.value) == message


def test_a_regimen_is_read_once_per_roster(tmp_path: Path) -> None:
    """Two rows naming the same regimen get the same object: the file is parsed once."""
    regimens = Regimens(tmp_path)
    one, _ = course(Entry(2, "a", "nct05922501", "2026-12-07", "1"), tmp_path, regimens)
    two, _ = course(Entry(3, "b", "nct05922501", "2027-01-04", "1"), tmp_path, regimens)
    assert one is two


def test_a_broken_regimen_is_told_once_then_pointed_at(tmp_path: Path) -> None:
    """The first row naming a broken file gets its mistakes; later rows a line pointing there."""
    (tmp_path / "bad.regimen").write_text(
        'regimen bad "Bad"\n  cycle 28 days\n  x IV\n    days 30\n', "utf-8"
    )
    regimens = Regimens(tmp_path)
    with pytest.raises(CourseError) as first:
        course(Entry(2, "a", "bad.regimen", "2026-12-07", "1"), tmp_path, regimens)
    assert "day 30 is outside a 28-day cycle" in str(first.value)
    with pytest.raises(CourseError) as later:
        course(Entry(5, "b", "bad.regimen", "2026-12-07", "1"), tmp_path, regimens)
    assert str(later.value) == f"{tmp_path / 'bad.regimen'} has mistakes (listed under line 2)"
