"""A planned rest between two phases (issue 13, point 8): `rest 28 days` between the phases.

By hand, for REGIMEN from Monday 2026-12-07: induction cycle 1 is 12-07..12-27, cycle 2
12-28..2027-01-17; the rest of 2 weeks runs 01-18..01-31; consolidation cycle 1 starts on
Monday 2027-02-01 (study day 1 + 31 + 25 = 57) and gives drugy on 02-01, 02-02, 02-03.
A delay of 7 days of consolidation cycle 1 adds to the rest: it starts on 2027-02-08.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

import dosecal
from dosecal.errors import CourseError
from dosecal.language.load import loads
from dosecal.model.adjust import CycleRef, Delay, StartOn
from dosecal.render import protocol_text

from ..conftest import refused

REGIMEN = """\
regimen restdemo "Induction, a rest, consolidation"
  phase induction
    cycle 21 days, 2 cycles
    drugx 10 mg PO
      days 1-2
  rest 2 weeks
  phase consolidation
    cycle 28 days, 2 cycles
    drugy 5 mg PO
      days 1-3
"""
START = dt.date(2026, 12, 7)


def dates(course: dosecal.Course, agent: str | None = None) -> list[dt.date]:
    rows = dosecal.expand(loads(REGIMEN, "r.regimen"), course).administrations
    return [a.date for a in rows if agent is None or a.agent == agent]


def test_the_phase_after_a_rest_starts_when_worked_out_by_hand() -> None:
    rows = dosecal.expand(loads(REGIMEN, "r.regimen"), dosecal.Course(START, cycles=3)).administrations
    later = [(a.date, a.phase, a.cycle, a.cycle_day, a.study_day) for a in rows if a.agent == "drugy"]
    assert later == [
        (dt.date(2027, 2, 1), "consolidation", 1, 1, 57),
        (dt.date(2027, 2, 2), "consolidation", 1, 2, 58),
        (dt.date(2027, 2, 3), "consolidation", 1, 3, 59),
    ]
    assert dates(dosecal.Course(START, cycles=3), "drugx") == [
        dt.date(2026, 12, 7), dt.date(2026, 12, 8), dt.date(2026, 12, 28), dt.date(2026, 12, 29)
    ]  # fmt: skip


def test_a_rest_is_not_a_cycle() -> None:
    """--cycles counts cycles only: 2 are induction's, and the rest adds no row and no cycle."""
    assert dates(dosecal.Course(START, cycles=2), "drugy") == []
    assert len(dates(dosecal.Course(START, cycles=4), "drugy")) == 6
    with pytest.raises(CourseError, match="restdemo has 4 cycles"):
        dates(dosecal.Course(START, cycles=5))


def test_an_end_date_inside_the_rest_stops_before_the_next_phase() -> None:
    assert dates(dosecal.Course(START, until=dt.date(2027, 1, 31)), "drugy") == []
    # A cycle that starts by the end date is expanded whole, as any cycle is.
    assert dates(dosecal.Course(START, until=dt.date(2027, 2, 1)), "drugy") == [
        dt.date(2027, 2, 1), dt.date(2027, 2, 2), dt.date(2027, 2, 3)
    ]  # fmt: skip


def test_a_delay_of_the_first_cycle_after_a_rest_adds_to_it() -> None:
    delay = Delay(CycleRef("consolidation", 1), 7, "counts", 1)
    got = dates(dosecal.Course(START, cycles=3, adjustments=(delay,)), "drugy")
    assert got == [dt.date(2027, 2, 8), dt.date(2027, 2, 9), dt.date(2027, 2, 10)]


def test_a_start_date_may_not_shorten_the_rest() -> None:
    early = StartOn(CycleRef("consolidation", 1), dt.date(2027, 1, 25), "ward bed free", 3)
    with pytest.raises(CourseError) as caught:
        dates(dosecal.Course(START, cycles=3, adjustments=(early,)))
    assert caught.value.message == (
        "consolidation cycle 1 cannot start on 2027-01-25: "
        "the rest of 14 days before it runs until 2027-01-31"
    )
    later = StartOn(CycleRef("consolidation", 1), dt.date(2027, 2, 3), "ward bed free", 3)
    assert dates(dosecal.Course(START, cycles=3, adjustments=(later,)), "drugy")[0] == dt.date(2027, 2, 3)


def test_a_start_date_of_a_later_cycle_still_speaks_of_the_cycle_before() -> None:
    early = StartOn(CycleRef("consolidation", 2), dt.date(2027, 2, 20), "ward bed free", 3)
    with pytest.raises(CourseError, match="the cycle before it runs until 2027-02-28"):
        dates(dosecal.Course(START, adjustments=(early,)))


def test_show_says_the_rest_between_the_phases() -> None:
    text = protocol_text.render(loads(REGIMEN, "r.regimen"))
    assert (
        "  drugx                2    2\n\nrest 14 days between the phases (not a cycle)\n\n"
        "phase consolidation\n" in text
    )


refusal = refused


PHASE_A = "  phase a\n    cycle 21 days, 1 cycle\n    d 1 mg PO\n      day 1\n"
PHASE_B = "  phase b\n    cycle 21 days\n    d 1 mg PO\n      day 1\n"
TOP = 'regimen x "X"\n'


@pytest.mark.parametrize(
    ("text", "first", "hint"),
    [
        (
            TOP + "  rest 14 days\n" + PHASE_A + PHASE_B,
            "e.regimen:2:3: a rest stands between two phases: nothing comes before this one",
            "the course's start date is the first cycle's day 1; leave the rest out",
        ),
        (
            TOP + PHASE_A + "  rest 14 days\n",
            "e.regimen:6:3: a rest stands between two phases: no phase follows this one",
            "the course ends with the last cycle of its last phase; leave the rest out",
        ),
        (
            TOP + PHASE_A + "  rest 14 days\n  rest 1 week\n" + PHASE_B,
            "e.regimen:7:3: a rest already stands here, on line 6",
            "write the whole rest once, e.g. 'rest 42 days'",
        ),
        (
            TOP + "  cycle 21 days\n  d 1 mg PO\n    day 1\n  rest 14 days\n",
            "e.regimen:5:3: a rest stands between two phases, and this regimen has none",
            "write the regimen's phases with 'phase NAME' lines, the rest between them",
        ),
        (
            TOP + PHASE_A + "    rest 14 days\n" + PHASE_B,
            "e.regimen:6:5: unexpected 'rest'",
            "a rest stands between two phases: write 'rest 28 days' at the indent of the 'phase' lines",
        ),
        (
            TOP + PHASE_A + "  phase r\n    cycle 14 days, 1 cycle\n" + PHASE_B,
            "e.regimen:6:3: phase r gives no drugs",
            "for a planned rest between two phases, write 'rest 28 days' between them",
        ),
        (
            TOP + PHASE_A + "  rest 2 cycles\n" + PHASE_B,
            "e.regimen:6:10: unexpected 'cycles'",
            "a rest is not a cycle: give its days or weeks, e.g. 'rest 28 days'",
        ),
        (
            TOP + PHASE_A + "  rest 0 days\n" + PHASE_B,
            "e.regimen:6:8: 0 days is out of range for a rest",
            "a rest runs from 1 to 366 days (52 weeks)",
        ),
        (
            TOP + PHASE_A + "  rest 53 weeks\n" + PHASE_B,
            "e.regimen:6:8: 53 weeks is out of range for a rest",
            "a rest runs from 1 to 366 days (52 weeks)",
        ),
    ],
)
def test_a_rest_out_of_place_is_refused_at_it(text: str, first: str, hint: str) -> None:
    lines = refusal(text)
    assert lines[0] == first
    assert lines[3] == f"    hint: {hint}"


@given(
    lengths=st.lists(st.integers(1, 60), min_size=2, max_size=4),
    counts=st.lists(st.integers(1, 4), min_size=4, max_size=4),
    rests=st.lists(st.integers(0, 120), min_size=3, max_size=3),
)
def test_each_phase_starts_its_rest_after_the_last_cycle_before_it(
    lengths: list[int], counts: list[int], rests: list[int]
) -> None:
    """Rule: a phase's first cycle starts on the day after the phase before it has run all its
    cycles, plus its rest (0 when none is written); every later cycle follows its cycle's length."""
    text = 'regimen p "P"\n'
    for index, length in enumerate(lengths):
        if index and rests[index - 1]:
            text += f"  rest {rests[index - 1]} days\n"
        text += f"  phase p{index}\n    cycle {length} days, {counts[index]} cycles\n"
        text += "    d 1 mg PO\n      day 1\n"
    rows = dosecal.expand(loads(text, "p.regimen"), dosecal.Course(START)).administrations
    expected, day = [], START
    for index, length in enumerate(lengths):
        if index:
            day += dt.timedelta(days=rests[index - 1])
        for _ in range(counts[index]):
            expected.append(day)
            day += dt.timedelta(days=length)
    assert [a.date for a in rows] == expected
    assert [a.study_day for a in rows] == [(d - START).days + 1 for d in expected]


@pytest.mark.parametrize(
    ("between", "later", "first"),
    [
        ("", "days -1, 1, 2",
         "e.regimen:9:7: d on b cycle 1 day -1 is already given on that date by line 5, as a cycle 2 day 21"),
        ("  rest 1 day\n", "days -3 to -1, 1",
         "e.regimen:10:7: d on b cycle 1 day -3 is already given on that date by line 5, "
         "as a cycle 2 day 20"),
    ],
)  # fmt: skip
def test_a_day_before_day_1_on_a_date_of_the_phase_before_is_refused(
    between: str, later: str, first: str
) -> None:
    """Phase a gives d on days 1-21 of 2 cycles (its last day is its cycle 2 day 21); phase b's day
    -1 is that day without a rest, and after a rest of one day its day -3 is a's cycle 2 day 20."""
    text = 'regimen x "X"\n  phase a\n    cycle 21 days, 2 cycles\n    d 1 mg PO\n      days 1-21\n'
    text += between + f"  phase b\n    cycle 21 days, 2 cycles\n    d 1 mg PO\n      {later}\n"
    report = refusal(text)
    assert report[0] == first
    assert report[3].startswith("    hint: a phase's days before day 1 fall on the phase before it")


def test_a_day_before_day_1_inside_the_rest_is_given() -> None:
    """With a rest of 2 days, phase b's days -2 and -1 fall in the rest, and are given there."""
    text = 'regimen x "X"\n  phase a\n    cycle 21 days, 1 cycle\n    d 1 mg PO\n      days 1-21\n'
    text += "  rest 2 days\n  phase b\n    cycle 21 days, 1 cycle\n    d 1 mg PO\n      days -2, -1, 1\n"
    start = dt.date(2026, 11, 16)
    rows = dosecal.expand(loads(text, "x.regimen"), dosecal.Course(start)).administrations
    later = [(a.date, a.phase, a.cycle_day) for a in rows if a.phase == "b"]
    # a: 11-16 .. 12-06; rest 12-07, 12-08; b day 1 is 12-09, its day -2 12-07, day -1 12-08.
    assert later == [
        (dt.date(2026, 12, 7), "b", -2),
        (dt.date(2026, 12, 8), "b", -1),
        (dt.date(2026, 12, 9), "b", 1),
    ]
