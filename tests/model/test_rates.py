"""model/rates.py: a course's doses held to the rule of doses a day, line by line.

A change that names the dose it replaces (`change drugx 100 mg/day to 80 mg/day`) changes only the
lines whose dose is that one, so only those lines' rule applies to it: here a line of a dose a day
once daily, beside a line of 50 mg twice daily, which a dose a day could not stand on.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import dosecal
from dosecal.errors import CourseError, Subject
from dosecal.model.adjust import CycleRef, DoseFrom
from dosecal.model.regimen import UNITS, Amount

REGIMEN = """regimen drugx-two "Two lines"
  cycle 28 days, 2 cycles
  drugx PO tablet
    days 1-7 at 100 mg/day
    days 8-14 at 50 mg, twice daily
"""


def _change(amount: str, unit: str, replaces: Amount | None) -> dosecal.Schedule:
    change = DoseFrom("drugx", Amount(Decimal(amount), UNITS[unit]), CycleRef(None, 1), "nausea", 7, replaces)
    course = dosecal.Course(dt.date(2026, 12, 7), cycles=1, adjustments=(change,))
    return dosecal.expand(dosecal.loads(REGIMEN), course)


def test_a_change_naming_a_dose_a_day_is_held_to_that_line_only() -> None:
    """`change drugx 100 mg/day to 80 mg/day`: the days 1-7 line (once daily) takes it; the twice
    daily line keeps its 50 mg, and is not asked to stand a dose a day."""
    rows = list(_change("80", "mg/day", Amount(Decimal(100), UNITS["mg/day"])))
    assert [(a.cycle_day, a.slot, a.dose_amount, a.dose_unit) for a in rows if a.cycle_day in (1, 8)] == [
        (1, 1, Decimal(80), "mg/day"),
        (8, 1, Decimal(50), "mg"),
        (8, 2, Decimal(50), "mg"),
    ]


def test_a_change_to_a_dose_a_day_on_the_twice_daily_line_is_refused_at_its_line() -> None:
    """`change drugx 50 mg to 40 mg/day`: the line it changes gives two doses a day, which a dose a
    day cannot be split over: refused at the course line, with the rule's words."""
    with pytest.raises(CourseError) as caught:
        _change("40", "mg/day", Amount(Decimal(50), UNITS["mg"]))
    error = caught.value
    assert (error.subject, error.line) == (Subject.ADJUSTMENT, 7)
    assert error.message == (
        "drugx 40 mg/day: 40 mg/day is an amount a day; a drug given 2 times a day needs the dose of each"
    )
    assert error.hint == (
        "write the dose of each administration as the protocol states it; dosecal does not divide it"
    )
