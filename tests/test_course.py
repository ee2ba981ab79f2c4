"""Course checks: what may be supplied, how far a course may run, caps on supplied doses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import dosecal
from dosecal import Amount, Course, CourseError
from dosecal.model import UNITS

MIXED = """regimen mixed "A step-up dose stated, the later doses to be chosen"
  cycle 28 days
  drug dose required SC
    step-up cycle 1: day 1 at 1 mg
    days 8, 15
"""


def supply(text: str) -> tuple[tuple[str, Amount], ...]:
    name, amount = text.split("=")
    value, unit = amount.split()
    return ((name, Amount(Decimal(value), UNITS[unit])),)


def test_required_dose_beside_a_stated_one() -> None:
    """The step-up dose stays as stated; the later doses take the supplied one."""
    regimen = dosecal.loads(MIXED)
    start = dt.date(2026, 1, 5)
    with pytest.raises(CourseError, match="leaves the drug dose to be chosen"):
        dosecal.expand(regimen, Course(start, cycles=1))
    rows = dosecal.expand(regimen, Course(start, cycles=1, doses=supply("drug=5 mg")))
    assert [(a.cycle_day, a.dose_amount, a.dose_source) for a in rows] == [
        (1, Decimal(1), "regimen line 4"),
        (8, Decimal(5), "supplied (--dose)"),
        (15, Decimal(5), "supplied (--dose)"),
    ]


def test_until_beyond_the_longest_course() -> None:
    """--until that would need more than 200 cycles is refused, not cut short."""
    regimen = dosecal.loads('regimen w "W"\n  cycle 7 days, until progression\n  d 1 mg\n    day 1\n')
    with pytest.raises(CourseError, match="would be more than 200"):
        dosecal.expand(regimen, Course(dt.date(2026, 1, 5), until=dt.date(2031, 1, 1)))
    # Cycle 200 starts 199 weeks on: +156 weeks is 2029-01-01, +43 more is 2029-10-29.
    rows = dosecal.expand(regimen, Course(dt.date(2026, 1, 5), until=dt.date(2029, 10, 29)))
    assert len(rows) == 200
    with pytest.raises(CourseError, match="would be more than 200"):
        dosecal.expand(regimen, Course(dt.date(2026, 1, 5), until=dt.date(2029, 11, 5)))


CAPPED = """regimen capped "A drug with a cap and a dose to be chosen"
  cycle 21 days
  vincristine dose required IV, max 2 mg
    day 1
"""


@pytest.mark.parametrize(
    ("dose", "message"),
    [
        ("vincristine=3 mg", "above its cap of 2 mg"),
        ("vincristine=2 units", "cannot be held against its cap"),
    ],
)
def test_supplied_dose_against_the_cap(dose: str, message: str) -> None:
    """A supplied flat dose above the cap, or in a unit the cap cannot compare, is refused."""
    with pytest.raises(CourseError, match=message):
        dosecal.expand(dosecal.loads(CAPPED), Course(dt.date(2026, 1, 5), cycles=1, doses=supply(dose)))


def test_cap_compares_across_mass_units() -> None:
    """2 mcg/kg x 70 kg = 140 mcg is under a cap of 2 mg (2000 mcg): not capped."""
    rows = dosecal.expand(
        dosecal.loads(CAPPED),
        Course(
            dt.date(2026, 1, 5),
            cycles=1,
            doses=supply("vincristine=2 mcg/kg"),
            measures=dosecal.Measures(Decimal(70)),
        ),
    )
    assert (rows.administrations[0].computed_amount, rows.administrations[0].computed_unit) == (
        Decimal(140),
        "mcg",
    )
    assert "capped" not in rows.administrations[0].dose_basis
