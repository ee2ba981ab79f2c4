"""The bundled topotecan-oral regimen, expanded by hand from HYCAMTIN's label (issue 12, point 8).

"The recommended dosage of HYCAMTIN capsules is 2.3 mg/m2/day orally once daily ... for 5
consecutive days, starting on Day 1 of a 21-day cycle." "Round the dose to the nearest 0.25 mg and
prescribe the minimum number of 1 mg and 0.25 mg capsules. Prescribe the same number of capsules
for each of the 5 dosing days."

By hand, from Monday 2026-12-07: days 1-5 are 12-07 to 12-11, cycle 2 starts 21 days later,
12-28 (days 12-28 to 2027-01-01).
- 70 kg, 170 cm: BSA sqrt(170 x 70 / 3600) = 1.8181 = 1.82 m2; 2.3 x 1.82 = 4.186 mg/day;
  4.186 / 0.25 = 16.744, nearest 17: 4.25 mg = 4 x 1 mg + 1 x 0.25 mg (5 capsules), 1.5% away.
- 80 kg, 180 cm: BSA sqrt(180 x 80 / 3600) = sqrt(4) = 2 m2; 2.3 x 2 = 4.6 mg/day; 4.6 / 0.25 =
  18.4, nearest 18: 4.5 mg = 4 x 1 mg + 2 x 0.25 mg (6 capsules).
- 50 kg, 160 cm: BSA sqrt(160 x 50 / 3600) = 1.4907 = 1.49 m2; 2.3 x 1.49 = 3.427 mg/day;
  3.427 / 0.25 = 13.708, nearest 14: 3.5 mg = 3 x 1 mg + 2 x 0.25 mg.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import dosecal
from dosecal.model.measures import Measures
from dosecal.views import diary

from ..conftest import load

START = dt.date(2026, 12, 7)


def _expand(weight: str, height: str, cycles: int = 2) -> dosecal.Schedule:
    measures = Measures(weight_kg=Decimal(weight), height_cm=Decimal(height))
    return dosecal.expand(load("topotecan-oral"), dosecal.Course(START, cycles=cycles, measures=measures))


def test_five_days_of_each_21_day_cycle() -> None:
    """Days 1-5 of cycles 1 and 2, on the dates worked out above, one capsule dose a day."""
    rows = list(_expand("70", "170"))
    assert [(a.cycle, a.cycle_day, a.date.isoformat()) for a in rows] == [
        (1, 1, "2026-12-07"),
        (1, 2, "2026-12-08"),
        (1, 3, "2026-12-09"),
        (1, 4, "2026-12-10"),
        (1, 5, "2026-12-11"),
        (2, 1, "2026-12-28"),
        (2, 2, "2026-12-29"),
        (2, 3, "2026-12-30"),
        (2, 4, "2026-12-31"),
        (2, 5, "2027-01-01"),
    ]
    assert {(a.route, a.form, a.self_administered, a.dose_amount, a.dose_unit) for a in rows} == {
        ("PO", "capsule", True, Decimal("2.3"), "mg/m2/day")
    }


@pytest.mark.parametrize(
    ("weight", "height", "bsa", "exact", "dose", "pieces"),
    [
        ("70", "170", "1.82", "4.186", "4.25", "4 x 1 mg + 1 x 0.25 mg"),
        ("80", "180", "2", "4.6", "4.5", "4 x 1 mg + 2 x 0.25 mg"),
        ("50", "160", "1.49", "3.427", "3.5", "3 x 1 mg + 2 x 0.25 mg"),
    ],
)
def test_the_dose_is_rounded_to_the_fewest_capsules(
    weight: str, height: str, bsa: str, exact: str, dose: str, pieces: str
) -> None:
    """The nearest 0.25 mg, as the fewest 1 mg and 0.25 mg capsules, the same on every day."""
    rows = list(_expand(weight, height))
    assert {(a.computed_amount, a.computed_unit) for a in rows} == {(Decimal(dose), "mg/day")}
    assert rows[0].dose_basis.startswith(
        f"2.3 mg/m2/day x {bsa} m2 = {exact} mg/day, rounded to 0.25 mg and 1 mg capsules "
        f"(regimen line 34) = {dose} mg/day = {pieces}; BSA {bsa} m2 = Mosteller "
    )


def test_the_diary_says_the_capsules() -> None:
    """The diary's dose line names the capsules of each day's dose, for the patient to count."""
    sheet = diary.build(_expand("70", "170", cycles=1)).sheets[0]
    (drug,) = sheet.drugs
    assert drug.dose == "2.3 mg/m2/day = 4.25 mg/day (4 x 1 mg + 1 x 0.25 mg capsules)"
    assert drug.when == "once a day on days 1-5 of this cycle (5 days)"
