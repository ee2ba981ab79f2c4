"""Calendar arithmetic on the model (dosecal.engine.occurrences): which cycle and day each dose falls on.

Worked by hand from the rules (docs/language.md, sections 7 and 9): a day rule
gives its days in every cycle its selector names; an interval rule gives a dose
every N days from its anchor, for `count` doses or to the end of the last cycle,
each dose in whichever cycle and day it falls.
"""

from __future__ import annotations

import dosecal
from dosecal.engine.occurrences import interval_days, occurrences
from dosecal.model.regimen import IntervalRule


def days(
    every: int, cycle: int, day: int, count: int | None, cycle_days: int, cycles: int
) -> list[tuple[int, int]]:
    """(cycle, day) of each dose of `every N days from cycle C day D[, for COUNT doses]`."""
    return list(interval_days(IntervalRule(every, cycle, day, count), cycle_days, cycles))


def test_every_7_days_runs_to_the_end_of_the_last_cycle() -> None:
    """21-day cycles, 2 of them (42 days): days 0, 7, ..., 35 of the course; 42 is past the end."""
    assert days(7, 1, 1, None, 21, 2) == [(1, 1), (1, 8), (1, 15), (2, 1), (2, 8), (2, 15)]


def test_a_dose_on_the_last_day_of_the_last_cycle_is_given() -> None:
    """Every 6 days, 2 cycles of 9 days (18 days, course days 0-17): 0, 6, 12 and then 18, which
    is past the end; from day 6 instead: 5, 11, 17 (the last day, cycle 2 day 9)."""
    assert days(6, 1, 1, None, 9, 2) == [(1, 1), (1, 7), (2, 4)]
    assert days(6, 1, 6, None, 9, 2) == [(1, 6), (2, 3), (2, 9)]


def test_an_anchor_in_a_later_cycle() -> None:
    """Every 10 days from cycle 2 day 3, 14-day cycles, 3 of them: course days 16, 26, 36, which
    are cycle 2 day 3, cycle 2 day 13 and cycle 3 day 9; 46 is past day 41."""
    assert days(10, 2, 3, None, 14, 3) == [(2, 3), (2, 13), (3, 9)]


def test_an_interval_longer_than_a_cycle() -> None:
    """Every 8 weeks in 28-day cycles, 5 cycles: cycles 1, 3 and 5, day 1 each."""
    assert days(56, 1, 1, None, 28, 5) == [(1, 1), (3, 1), (5, 1)]


def test_a_count_stops_it_before_the_end() -> None:
    """For 2 doses: the first two of the first test's six. For 3 doses every 25 days in 42 days:
    course days 0 and 25 fit (cycle 1 day 1, cycle 2 day 5), 50 does not; the count is no promise."""
    assert days(7, 1, 1, 2, 21, 2) == [(1, 1), (1, 8)]
    assert days(25, 1, 1, 3, 21, 2) == [(1, 1), (2, 5)]


def test_an_anchor_past_the_end_gives_nothing() -> None:
    """From cycle 3 day 1 with 2 cycles expanded: no dose."""
    assert days(7, 3, 1, None, 21, 2) == []


REGIMEN = """regimen occ "Occurrences"
  cycle 7 days, 4 cycles
  alpha 10 mg IV
    cycle 1: days 1, 3
    cycles 3+: day 2
  beta 5 mg PO tablet, diary
    odd cycles: day 5
    even cycles: day 6
  gamma 1 mg SC
    every 10 days from cycle 1 day 4, for 3 doses
"""


def test_occurrences_agent_by_agent_then_clause_by_clause() -> None:
    """The first 3 cycles, in the order written: alpha's cycle 1 days 1 and 3, then its line for
    cycles 3+ (cycle 3 day 2); beta's odd cycles (1, 3) then its even cycle (2); gamma every 10
    days from cycle 1 day 4: course days 4, 14 (cycle 2 day 7) and 24 (cycle 4: not expanded)."""
    phase = dosecal.loads(REGIMEN).phases[0]
    found = [(o.agent.key, o.clause.line, o.cycle, o.day) for o in occurrences(phase, 3)]
    assert found == [
        ("alpha", 4, 1, 1),
        ("alpha", 4, 1, 3),
        ("alpha", 5, 3, 2),
        ("beta", 7, 1, 5),
        ("beta", 7, 3, 5),
        ("beta", 8, 2, 6),
        ("gamma", 10, 1, 4),
        ("gamma", 10, 2, 7),
    ]


def test_occurrences_of_every_cycle() -> None:
    """All 4 cycles: cycle 4 adds alpha day 2 and beta day 6, and gamma's third dose, course day
    24 = cycle 4 day 3."""
    phase = dosecal.loads(REGIMEN).phases[0]
    found = [(o.agent.key, o.cycle, o.day) for o in occurrences(phase, 4)]
    assert found == [
        ("alpha", 1, 1),
        ("alpha", 1, 3),
        ("alpha", 3, 2),
        ("alpha", 4, 2),
        ("beta", 1, 5),
        ("beta", 3, 5),
        ("beta", 2, 6),
        ("beta", 4, 6),
        ("gamma", 1, 4),
        ("gamma", 2, 7),
        ("gamma", 4, 3),
    ]
