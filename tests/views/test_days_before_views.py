"""What people see of a day before day 1 (issue 13, point 1), after an adversarial review.

By hand, MIX (21-day cycles from Monday 2026-03-02): 2026-03-22 is cycle 1's day 21 (pemetrexed,
lenalidomide) and cycle 2's day -1 (ondansetron, dexamethasone). Its clinic visit is named after
cycle 1 day 21 and keeps one UID whether 1 or 2 cycles are expanded.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import dosecal
from dosecal.errors import CourseError
from dosecal.language.load import loads
from dosecal.model.measures import Creatinine, CreatinineUnit, Measures, Sex
from dosecal.views import diary, visits
from dosecal.views.events import CalendarOptions, events

START = dt.date(2026, 3, 2)
MIX = """\
regimen mix "Two cycles on one date"
  cycle 21 days, 2 cycles
  dexamethasone 4 mg PO tablet, diary
    days -1, 1, 2
  lenalidomide 10 mg PO capsule, diary
    days 1-21
  ondansetron 8 mg IV
    day -1
  pemetrexed 500 mg IV
    days 1, 21
"""


def schedule(text: str, cycles: int) -> dosecal.Schedule:
    return dosecal.expand(loads(text, "m.regimen"), dosecal.Course(START, cycles=cycles))


def test_a_visit_on_two_cycles_date_is_named_after_the_days_own_cycle_and_keeps_its_uid() -> None:
    day = dt.date(2026, 3, 22)
    one = [v for v in visits.visits(schedule(MIX, 1), "p") if v.date == day]
    two = [v for v in visits.visits(schedule(MIX, 2), "p") if v.date == day]
    assert [(v.cycle, v.cycle_day) for v in one] == [(1, 21)]
    assert [(v.cycle, v.cycle_day) for v in two] == [(1, 21)]
    assert one[0].visit_id == two[0].visit_id
    uids_one = {e.uid for e in events(schedule(MIX, 1), CalendarOptions()) if e.start == day}
    uids_two = {e.uid for e in events(schedule(MIX, 2), CalendarOptions()) if e.start == day}
    assert uids_one == uids_two and len(uids_one) == 2  # the clinic's and the home event


def test_diary_sheets_are_in_cycle_order() -> None:
    """Cycle 2's day -5 (2026-03-18) comes before cycle 1's day 21 (03-22): sheets stay 1, 2, 3."""
    text = """\
regimen order "Order"
  cycle 21 days, 3 cycles
  folic acid 1 mg PO tablet, diary
    day 21
  dexamethasone 4 mg PO tablet, diary
    cycles 2+: day -5
"""
    assert [s.title for s in diary.build(schedule(text, 3)).sheets] == ["Cycle 1", "Cycle 2", "Cycle 3"]


def test_a_creatinine_measured_after_a_dose_before_the_start_is_refused() -> None:
    text = """\
regimen carbo "Carboplatin the day before"
  cycle 21 days, 1 cycle
  CrCl Cockcroft-Gault, actual weight, max 125 mL/min
  carboplatin AUC 5 IV
    day -1
"""
    creatinine = Creatinine(Decimal("1.0"), CreatinineUnit.MG_DL, dt.date(2026, 3, 2))
    measures = Measures(Decimal(70), Decimal(170), age=60, sex=Sex.MALE, creatinine=creatinine)
    with pytest.raises(CourseError) as caught:
        dosecal.expand(loads(text, "c.regimen"), dosecal.Course(START, measures=measures))
    assert caught.value.message == (
        "the creatinine of 2026-03-02 is measured after the course's first dose, 2026-03-01"
    )
    assert (
        caught.value.hint
        == "doses by renal function are computed once, from the value known before the first dose"
    )
    # Measured on the day of the first dose, as a creatinine on the start date is allowed.
    on_the_day = Creatinine(Decimal("1.0"), CreatinineUnit.MG_DL, dt.date(2026, 3, 1))
    measures = Measures(Decimal(70), Decimal(170), age=60, sex=Sex.MALE, creatinine=on_the_day)
    rows = dosecal.expand(loads(text, "c.regimen"), dosecal.Course(START, measures=measures)).administrations
    assert [(a.date, a.cycle_day) for a in rows] == [(dt.date(2026, 3, 1), -1)]
