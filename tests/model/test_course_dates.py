"""The day a creatinine was measured, against the course's start (dosecal.model.course).

A dose by renal function is decided once, at the start, from what is known then. A creatinine
measured after the start was not known; one measured more than a year before it is not the
patient's renal function now. Counted by hand, for a start of 2026-12-07 (2026 has 365 days):
- 2026-12-07: the start day itself, 0 days before: used;
- 2026-12-08: one day after the start: refused;
- 2025-12-06: 365 + 1 = 366 days before: used (the limit is "more than 366 days");
- 2025-12-05: 367 days before: refused.
The Python API (`plan`) and a course file refuse the same days in the same words.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import dosecal
from dosecal import Course, CourseError
from dosecal.engine.plan import plan
from dosecal.errors import Subject
from dosecal.language.load import loads_course
from dosecal.model.course import STALE_DAYS, check_dates, measured_problem
from dosecal.model.measures import Creatinine, CreatinineUnit, Measures, Sex

from ..conftest import load

START = dt.date(2026, 12, 7)
AFTER = (
    "the creatinine of 2026-12-08 is measured after the start, 2026-12-07",
    "doses by renal function are computed once, from the value known at the start",
)
STALE = (
    "the creatinine of 2025-12-05 was measured more than a year before the start, 2026-12-07",
    "give a creatinine measured for this course",
)


def _course(measured: dt.date | None, creatinine: bool = True) -> Course:
    """A 60-year-old man, 70 kg, 170 cm, creatinine 1.0 mg/dL measured on `measured`."""
    value = Creatinine(Decimal("1.0"), CreatinineUnit.MG_DL, measured) if creatinine else None
    measures = Measures(Decimal(70), Decimal(170), age=60, sex=Sex.MALE, creatinine=value)
    return Course(START, cycles=1, measures=measures)


@pytest.mark.parametrize(
    ("measured", "problem"),
    [
        (dt.date(2026, 12, 7), None),
        (dt.date(2026, 12, 8), AFTER),
        (dt.date(2025, 12, 6), None),
        (dt.date(2025, 12, 5), STALE),
    ],
    ids=["on-the-start-day", "a-day-after", "366-days-before", "367-days-before"],
)
def test_the_days_a_creatinine_may_be_measured(measured: dt.date, problem: tuple[str, str] | None) -> None:
    """On the start day and 366 days before it: used; a day after, or 367 days before: refused,
    with the message and the hint of each."""
    assert measured_problem(measured, START) == problem


def test_a_year_is_366_days() -> None:
    """The limit is a leap year's length, so that the same date a year before is never stale."""
    assert STALE_DAYS == 366
    assert measured_problem(dt.date(2024, 2, 29), dt.date(2025, 3, 1)) is None  # 366 days
    assert measured_problem(dt.date(2024, 2, 28), dt.date(2025, 3, 1)) is not None  # 367 days


@pytest.mark.parametrize(
    ("measured", "expected"),
    [(dt.date(2026, 12, 8), AFTER), (dt.date(2025, 12, 5), STALE)],
    ids=["after", "stale"],
)
def test_the_api_refuses_the_creatinines_day_about_the_creatinine(
    measured: dt.date, expected: tuple[str, str]
) -> None:
    """`plan` refuses a Course built in Python the course file would refuse: the message, the hint
    and the subject (the creatinine, so a course file or a page points at its line)."""
    with pytest.raises(CourseError) as caught:
        plan(load("carboplatin-etoposide"), _course(measured))
    error = caught.value
    assert (error.message, error.hint, error.subject) == (*expected, Subject.CREATININE)
    assert error.line is None
    assert str(error) == f"{expected[0]}; {expected[1]}"


@pytest.mark.parametrize(
    "measured", [dt.date(2026, 12, 7), dt.date(2025, 12, 6)], ids=["on-the-start-day", "366-days-before"]
)
def test_the_api_doses_from_a_creatinine_of_the_start_day_or_of_a_year_before(measured: dt.date) -> None:
    """Within the limits the creatinine is used: the plan is made, and says the day in the basis."""
    schedule = dosecal.expand(load("carboplatin-etoposide"), _course(measured))
    carboplatin = [a for a in schedule if a.agent == "carboplatin"]
    assert carboplatin
    assert all(f"creatinine of {measured}" in a.dose_basis for a in carboplatin)


@pytest.mark.parametrize("creatinine", [True, False], ids=["no-day", "no-creatinine"])
def test_a_creatinine_without_a_day_or_none_at_all_is_not_dated(creatinine: bool) -> None:
    """Nothing to hold against the start: `check_dates` accepts the course."""
    check_dates(_course(None, creatinine))


def test_check_dates_checks_the_start_first() -> None:
    """A start that can only be a typo is refused before the creatinine is looked at."""
    course = Course(dt.date(1899, 12, 31), measures=_course(dt.date(2026, 12, 8)).measures)
    with pytest.raises(CourseError) as caught:
        check_dates(course)
    assert caught.value.subject is Subject.START


@pytest.mark.parametrize(
    ("day", "expected"),
    [("2026-12-08", AFTER), ("2025-12-05", STALE)],
    ids=["after", "stale"],
)
def test_a_course_file_refuses_the_same_days_at_the_creatinine_line(
    day: str, expected: tuple[str, str]
) -> None:
    """The course file's report is at its `creatinine` line (line 9), with the same message and hint."""
    text = (
        "course pt-9\n  regimen carboplatin-etoposide\n  start 2026-12-07\n  cycles 1\n"
        f"  weight 70 kg\n  height 170 cm\n  age 60\n  sex male\n  creatinine 1.0 mg/dL on {day}\n"
    )
    read = loads_course(text, "pt-9.course")
    assert read.course is None
    [found] = read.diagnostics
    assert (found.span.line, found.message, found.hint) == (9, *expected)
