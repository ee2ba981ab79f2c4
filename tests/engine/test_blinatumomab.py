"""The bundled blinatumomab-all regimen, expanded by hand from BLINCYTO's Table 1.

"A single cycle of treatment of BLINCYTO induction or consolidation consists of 28 days of
continuous intravenous infusion followed by a 14-day treatment-free interval (total 42 days)";
continued therapy "a 56-day treatment-free interval (total 84 days)"; "up to 2 cycles ... for
induction followed by 3 additional cycles for consolidation and up to 4 additional cycles of
continued therapy". Doses: 45 kg or more, "Days 1-7 9 mcg/day", "Days 8-28 28 mcg/day" in
induction cycle 1, then "Days 1-28 28 mcg/day"; under 45 kg, "5 mcg/m2/day (not to exceed
9 mcg/day)" and "15 mcg/m2/day (not to exceed 28 mcg/day)".

By hand, from Monday 2026-12-07: induction cycle 1 day 1 is 2026-12-07, day 7 2026-12-13, day 8
2026-12-14, day 28 2027-01-03 (27 days on); cycle 2 starts 42 days later, 2027-01-18, and ends
its infusion on day 28, 2027-02-14; consolidation starts 2027-03-01, 2027-04-12, 2027-05-24;
continued therapy 2027-07-05 and every 84 days: 2027-09-27, 2027-12-20, 2028-03-13.
Totals: 9 x 7 = 63 mcg, 28 x 21 = 588 mcg, 28 x 28 = 784 mcg.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import dosecal
from dosecal.errors import CourseError, Subject
from dosecal.model.measures import Measures

from ..conftest import load

START = dt.date(2026, 12, 7)


def _expand(weight: str, height: str | None = None) -> list[dosecal.Administration]:
    measures = Measures(weight_kg=Decimal(weight), height_cm=Decimal(height) if height else None)
    return list(dosecal.expand(load("blinatumomab-all"), dosecal.Course(START, measures=measures)))


# (phase, cycle, day, first date, end date, rate mcg/day, total mcg): worked out above.
FIXED = [
    ("induction", 1, 1, "2026-12-07", "2026-12-13", "9", "63"),
    ("induction", 1, 8, "2026-12-14", "2027-01-03", "28", "588"),
    ("induction", 2, 1, "2027-01-18", "2027-02-14", "28", "784"),
    ("consolidation", 1, 1, "2027-03-01", "2027-03-28", "28", "784"),
    ("consolidation", 2, 1, "2027-04-12", "2027-05-09", "28", "784"),
    ("consolidation", 3, 1, "2027-05-24", "2027-06-20", "28", "784"),
    ("continued", 1, 1, "2027-07-05", "2027-08-01", "28", "784"),
    ("continued", 2, 1, "2027-09-27", "2027-10-24", "28", "784"),
    ("continued", 3, 1, "2027-12-20", "2028-01-16", "28", "784"),
    ("continued", 4, 1, "2028-03-13", "2028-04-09", "28", "784"),
]


@pytest.mark.parametrize("weight", ["70", "45"])
def test_from_45_kg_the_fixed_doses_run_as_table_1_says(weight: str) -> None:
    """45 kg or more (45 itself included: "Greater than or equal to 45 kg"): ten infusions, each one
    row from its first day to its last, its rate and its total as worked out by hand."""
    rows = _expand(weight)
    got = [
        (
            a.phase,
            a.cycle,
            a.cycle_day,
            a.date.isoformat(),
            str(a.end_date),
            str(a.rate_amount),
            str(a.computed_amount),
        )
        for a in rows
    ]
    assert got == FIXED
    assert {(a.rate_unit, a.dose_unit, a.computed_unit, a.route, a.form) for a in rows} == {
        ("mcg/day", "mcg", "mcg", "IV", "continuous infusion")
    }
    assert [a.dose_amount for a in rows] == [Decimal(t) for *_, t in FIXED]  # flat: prescribed = given
    assert rows[0].dose_basis == (
        "9 mcg/day (flat dose); 9 mcg/day x 7 days = 63 mcg; "
        f"schedule line 41 if weight >= 45 kg: the patient weighs {weight} kg, so given"
    )
    assert [a.duration_min for a in rows[:3]] == [7 * 1440, 21 * 1440, 28 * 1440]


def test_under_45_kg_the_doses_are_by_bsa_as_table_1_says() -> None:
    """40 kg, 150 cm: BSA = sqrt(150 x 40 / 3600) = sqrt(1.6667) = 1.29099 = 1.29 m2; 5 mcg/m2/day x
    1.29 = 6.45 mcg/day (under 9), x 7 days = 45.15 mcg; 15 x 1.29 = 19.35 mcg/day (under 28), x 21
    days = 406.35 mcg, x 28 days = 541.8 mcg. The same dates as the fixed doses."""
    rows = _expand("40", "150")
    assert [(a.date.isoformat(), str(a.end_date)) for a in rows] == [(d, e) for _, _, _, d, e, _, _ in FIXED]
    assert [(a.rate_amount, a.rate_unit) for a in rows[:2]] == [
        (Decimal(5), "mcg/m2/day"),
        (Decimal(15), "mcg/m2/day"),
    ]
    assert [a.computed_amount for a in rows] == [Decimal("45.15"), Decimal("406.35")] + [Decimal("541.8")] * 8
    assert [(a.dose_amount, a.dose_unit) for a in rows[:3]] == [
        (Decimal(35), "mcg/m2"),
        (Decimal(315), "mcg/m2"),
        (Decimal(420), "mcg/m2"),
    ]
    assert rows[0].dose_basis == (
        "5 mcg/m2/day x 1.29 m2 = 6.45 mcg/day; 6.45 mcg/day x 7 days = 45.15 mcg; "
        "BSA 1.29 m2 = Mosteller sqrt(150 cm x 40 kg / 3600) = 1.2910, rounded to 0.01 m2; "
        "schedule line 42 if weight < 45 kg: the patient weighs 40 kg, so given"
    )


def test_without_a_weight_the_course_is_refused_naming_it() -> None:
    """The dose depends on the weight: a course without one is refused, in one sentence naming it."""
    with pytest.raises(CourseError) as caught:
        _expand_without_measures()
    assert caught.value.subject is Subject.WEIGHT
    assert caught.value.message == (
        "blinatumomab has a schedule line for patients with weight >= 45 kg (regimen line 41), "
        "which needs the patient's weight"
    )


def _expand_without_measures() -> list[dosecal.Administration]:
    return list(dosecal.expand(load("blinatumomab-all"), dosecal.Course(START)))


def test_under_45_kg_without_a_height_the_dose_is_not_computed() -> None:
    """Under 45 kg without a height the BSA cannot be found: the rows say so, never a guess."""
    rows = _expand("40")
    assert rows[0].computed_amount is None
    assert rows[0].dose_basis.startswith("not computed: needs weight and height (--weight, --height)")
