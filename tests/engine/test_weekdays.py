"""Days of the week (issue 13, point 4): `Monday to Friday`, `on Mondays and Thursdays`, with a
count of days in the phase (NSABP R-04's radiotherapy "5 days/wk", 28 fractions).

Worked by hand. WEEK below, from Wednesday 2026-12-09, 21-day cycles: cycle 1 runs 12-09 to 12-29,
cycle 2 from 12-30. Capecitabine Monday to Friday, twice daily: cycle 1's weekdays are 12-09 to
12-11 (3), 12-14 to 12-18 (5), 12-21 to 12-25 (5), 12-28 and 12-29 (2): 15 days, 30 doses,
Christmas among them (no closed days are given, and a protocol's weekdays are not holidays).
The second drug, "cycles 1-2: on Mondays, Tuesdays and Thursdays, 8 sessions": 12-10 (Thu), 12-14,
12-15, 12-17, 12-21, 12-22, 12-24 and 12-28: the eighth is cycle 1's day 20; none in cycle 2.

RT below, from Monday 2026-12-07, one cycle of 42 days, Monday to Friday, 28 sessions: weeks of
5 from 12-07, 12-14, 12-21, 12-28 and 2027-01-04 make 25; then 01-11, 01-12 and 01-13: the last is
Wednesday 2027-01-13, as the issue's R-04 example says.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dosecal
from dosecal.engine.table import Status
from dosecal.language.load import loads
from dosecal.model.adjust import CycleRef, Delay, Hold, Withheld
from dosecal.model.measures import Measures
from dosecal.render import protocol_text

from ..conftest import refused

d = dt.date
MEASURES = Measures(weight_kg=70, height_cm=170)
WEEK = """\
regimen week "Days of the week"
  cycle 21 days
  capecitabine 825 mg/m2 PO, diary
    Monday to Friday, twice daily
  drugx 1 mg IV
    cycles 1-2: on Mondays, Tuesdays and Thursdays, 8 sessions
"""
RT = """\
regimen rt "Monday to Friday, 28 sessions"
  cycle 42 days, 1 cycle
  drugr 1.8 mg IV
    Monday to Friday, 28 sessions
"""


def _expand(
    text: str, start: dt.date, cycles: int | None = None, *moves: object
) -> list[dosecal.Administration]:
    course = dosecal.Course(start, cycles=cycles, measures=MEASURES, adjustments=moves)  # type: ignore[arg-type]
    return list(dosecal.expand(loads(text, "w.regimen"), course))


def _on(rows: list[dosecal.Administration], agent: str, status: Status = Status.PLANNED) -> list[dt.date]:
    return list(dict.fromkeys(a.date for a in rows if a.agent == agent and a.status is status))


def test_the_weekdays_worked_out_by_hand() -> None:
    rows = _expand(WEEK, d(2026, 12, 9), 2)
    first = [a for a in rows if a.agent == "capecitabine" and a.cycle == 1]
    assert len(first) == 30 and {a.slot for a in first} == {1, 2}
    assert _on(first, "capecitabine") == [
        *(d(2026, 12, n) for n in (9, 10, 11, 14, 15, 16, 17, 18, 21, 22, 23, 24, 25, 28, 29))
    ]
    assert _on(rows, "drugx") == [d(2026, 12, n) for n in (10, 14, 15, 17, 21, 22, 24, 28)]
    last = [a for a in rows if a.agent == "drugx"][-1]
    assert (last.cycle, last.cycle_day, last.weekday) == (1, 20, "Mon")


def test_28_sessions_monday_to_friday_end_on_wednesday_13_january() -> None:
    rows = _expand(RT, d(2026, 12, 7))
    dates = _on(rows, "drugr")
    assert len(dates) == len(rows) == 28
    assert dates[-1] == d(2027, 1, 13) and {x.weekday() for x in dates} == {0, 1, 2, 3, 4}
    assert d(2026, 12, 25) in dates and d(2027, 1, 1) in dates


def test_a_delay_moves_the_dates_and_the_weekdays_are_found_again() -> None:
    """Cycle 2 delayed 2 days starts Friday 01-01: its Monday to Friday are counted from it."""
    rows = _expand(WEEK, d(2026, 12, 9), 2, Delay(CycleRef(None, 2), 2, "ANC", 1))
    second = [a for a in rows if a.agent == "capecitabine" and a.cycle == 2]
    assert second[0].date == d(2027, 1, 1) and second[0].cycle_day == 1
    assert second[2].date == d(2027, 1, 4) and second[2].cycle_day == 4
    assert {a.date.weekday() for a in second} == {0, 1, 2, 3, 4}


def test_a_hold_keeps_the_row() -> None:
    hold = Hold("capecitabine", Withheld.HELD, CycleRef(None, 1), 6, 6, False, "diarrhoea", 1)
    rows = _expand(WEEK, d(2026, 12, 9), 1, hold)
    assert _on(rows, "capecitabine", Status.HELD) == [d(2026, 12, 14)]


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(d(2026, 1, 1), d(2028, 12, 31)),
    length=st.integers(1, 30),
    cycles=st.integers(1, 4),
    days=st.sets(st.integers(0, 6), min_size=1),
    count=st.none() | st.integers(1, 40),
)
def test_a_line_of_weekdays_gives_exactly_the_cycles_days_on_them(
    start: dt.date, length: int, cycles: int, days: set[int], count: int | None
) -> None:
    """The rule: the rows are the dates of the cycles' days 1 to their length that fall on the
    days of the week named, in date order, the first `count` of them; each row's day says its date."""
    names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    listed = " and ".join(f"{names[n]}s" for n in sorted(days))
    said = f", {count} sessions" if count else ""
    text = f'regimen p "P"\n  cycle {length} days\n  drugp 1 mg IV\n    on {listed}{said}\n'
    rows = _expand(text, start, cycles)
    every = [start + dt.timedelta(days=n) for n in range(length * cycles)]
    expected = [x for x in every if x.weekday() in days][:count]
    assert [a.date for a in rows] == expected
    for a in rows:
        assert a.date == start + dt.timedelta(days=(a.cycle - 1) * length + a.cycle_day - 1)


def test_show_says_the_days_and_counts_them_from_each_day_a_phase_may_start() -> None:
    text = protocol_text.render(loads(WEEK.replace("cycle 21 days", "cycle 10 days, 2 cycles"), "w.regimen"))
    assert "    every cycle: Monday to Friday, twice daily" in text
    assert "    cycles 1-2: Mondays, Tuesdays and Thursdays, the first 8 such days of the phase" in text
    # 10 days hold 6, 7 or 8 weekdays (twice daily: 12, 14 or 16 doses); drugx 4-5 then the rest.
    assert "  capecitabine       12/14/16  12/14/16" in text
    assert "  (by days of the week: a/b where the count depends on the day the phase starts)" in text


def test_a_roster_starting_on_other_days_of_the_week_gets_its_own_days() -> None:
    """The roster's fast path shares an expansion between patients only from the same weekday."""
    from dosecal.batch.tables import CombinedTables
    from dosecal.render.csv_table import Profile

    regimen = loads(RT, "w.regimen")
    tables = CombinedTables(next(iter(Profile)))
    for start in (d(2026, 12, 7), d(2026, 12, 9), d(2026, 12, 14), d(2026, 12, 16)):
        text, _, _ = tables.patient("p", regimen, dosecal.Course(start, measures=MEASURES))
        dates = [dt.date.fromisoformat(line.split(",")[2]) for line in text.splitlines()]
        assert dates == _on(_expand(RT, start), "drugr")


def test_refusals_say_where_and_what_to_write() -> None:
    both = WEEK.replace(
        "    Monday to Friday, twice daily\n", "    days 1-5\n    Monday to Friday, twice daily\n"
    )
    assert refused(both)[0] == "e.regimen:5:5: line 4 gives capecitabine in cycle 1 too"
    apart = WEEK.replace(
        "    Monday to Friday, twice daily\n", "    cycle 1: days 1-5\n    cycles 2+: Monday to Friday\n"
    )
    assert loads(apart, "w.regimen").phases[0].agents[0].clauses[1].weekdays is not None
    anchored = WEEK + "  dexamethasone 4 mg PO\n    the day before drugx\n"
    assert refused(anchored)[0] == (
        "e.regimen:8:20: drugx is given on days of the week: its doses are not days of the cycle"
    )
    same = WEEK.replace("Monday to Friday", "Monday to Monday")
    assert refused(same)[:4] == [
        "e.regimen:4:15: a span of days of the week runs from one day to another",
        "        Monday to Friday, twice daily".replace("Friday", "Monday"),
        "                  ^^^^^^",
        "    hint: for Mondays alone, write 'on Mondays'",
    ]
    twice = WEEK.replace("Mondays, Tuesdays", "Mondays, Mondays")
    assert refused(twice)[0] == "e.regimen:6:29: Monday is listed twice"
    zero = WEEK.replace("8 sessions", "0 sessions")
    assert "the number of doses" in refused(zero)[0]


def test_a_span_may_run_past_sunday() -> None:
    rows = _expand(RT.replace("Monday to Friday, 28 sessions", "Friday to Monday"), d(2026, 12, 7))
    assert {a.date.weekday() for a in rows} == {4, 5, 6, 0} and len(rows) == 6 * 4
    with pytest.raises(dosecal.CourseError):
        _expand(RT, d(2026, 12, 7), 2)  # the regimen has one cycle


def test_a_line_of_weekdays_meeting_a_day_before_day_1_is_refused_on_the_date() -> None:
    """From Wednesday 2026-12-09, 7-day cycles: cycle 1's Tuesday 12-15 is its day 7, and cycle 2's
    day -1 is the same date."""
    text = (
        'regimen o "O"\n  cycle 7 days, 2 cycles\n  cape 1 mg PO\n'
        "    cycle 1: Monday to Friday\n    cycle 2: days -1, 1-5\n"
    )
    with pytest.raises(dosecal.CourseError) as caught:
        _expand(text, d(2026, 12, 9))
    assert str(caught.value).startswith(
        "cape would be given twice on 2026-12-15: by regimen line 4 (cycle 1 day 7) and by line 5 "
        "(cycle 2 day -1); "
    )
    assert len(_expand(text, d(2026, 12, 7))) == 5 + 6  # from a Monday, day 7 is a Sunday
    phases = (
        'regimen o "O"\n  phase one\n    cycle 7 days, 1 cycle\n    cape 1 mg PO\n      Monday to Friday\n'
        "  phase two\n    cycle 21 days, 1 cycle\n    cape 1 mg PO\n      days -1, 1-14\n"
    )
    with pytest.raises(dosecal.CourseError, match="cape would be given twice on 2026-12-15"):
        _expand(phases, d(2026, 12, 9))


def test_a_delay_moves_the_sessions_and_each_keeps_its_id() -> None:
    text = 'regimen r "R"\n  cycle 7 days, 6 cycles\n  drugr 1.8 mg IV\n    Monday to Friday, 28 sessions\n'
    plain = _expand(text, d(2026, 12, 7))
    moved = _expand(text, d(2026, 12, 7), None, Delay(CycleRef(None, 2), 2, "x", 1))
    assert len(plain) == len(moved) == 28
    assert [a.administration_id for a in plain] == [a.administration_id for a in moved]
    assert [a.date for a in plain] != [a.date for a in moved]


def test_a_count_the_cycles_cannot_hold_is_refused() -> None:
    """21 days hold 15 days Monday to Friday from any start; 10 days hold 6 to 8."""
    never = 'regimen r "R"\n  cycle 21 days, 1 cycle\n  drugr 1.8 mg IV\n    Monday to Friday, 28 sessions\n'
    assert refused(never)[0] == (
        "e.regimen:4:5: 1 cycle of 21 days holds at most 15 days Monday to Friday, not the 28 of this line"
    )
    some = never.replace("21 days", "10 days").replace("28 sessions", "8 sessions")
    assert len(_expand(some, d(2026, 12, 7))) == 8  # Monday: days 1-5 and 8-10
    with pytest.raises(dosecal.CourseError) as caught:
        _expand(some, d(2026, 12, 12))  # Saturday: days 3-7 and 10
    assert str(caught.value).startswith(
        "regimen line 4 gives drugr on 8 days, but 1 cycle of 10 days from Sat 2026-12-12 holds 6 of them;"
    )


def test_lines_one_patient_never_has_together_or_on_other_days_are_accepted() -> None:
    text = (
        'regimen c "C"\n  cycle 21 days\n  cape 825 mg/m2 PO\n'
        "    Monday to Friday, twice daily if age >= 70\n    days 1-14, twice daily if age < 70\n"
        "  drugm 1 mg IV\n    cycle 1: on Mondays at 10 mg\n    cycle 1: on Thursdays at 20 mg\n"
    )
    regimen = loads(text, "c.regimen")
    assert [c.weekdays is not None for c in regimen.phases[0].agents[0].clauses] == [True, False]
    both = text.replace("on Thursdays at 20 mg", "on Mondays and Thursdays at 20 mg")
    assert refused(both)[0] == "e.regimen:8:5: line 7 gives drugm in cycle 1 too"


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("monday to friday", "'monday': days of the week are written in full, with a capital"),
        ("Mon to Fri", "'Mon': days of the week are written in full, with a capital"),
        ("Monday-Friday", "'Monday-Friday': name the days of the week"),
        ("weekdays", "'weekdays': name the days of the week"),
        ("5 days a week", "'days a week': name the days of the week"),
        ("Monday to Friday, twice daily, 28 sessions", "the count of days comes before a day's doses"),
        ("Monday to Friday, ten sessions", "write the count in digits: e.g. '28 sessions'"),
    ],
)
def test_the_ways_protocols_write_weekdays_get_the_accepted_spelling(line: str, hint: str) -> None:
    report = refused(f'regimen b "B"\n  cycle 21 days\n  cape 1 mg PO\n    {line}\n')
    assert report[3].startswith(f"    hint: {hint}") and report[-1] == "1 error in e.regimen"


def test_the_ids_of_days_of_the_week_go_by_the_line_and_the_number() -> None:
    """Each dose its own id (two drugs, twice daily), the first by its line's place among the drug's
    lines of days of the week and its number (identity's `weekday_place`)."""
    from dosecal.engine.identity import administration_id, weekday_place

    rows = _expand(WEEK, d(2026, 12, 9), 2)
    assert len({a.administration_id for a in rows}) == len(rows)
    first = rows[0]
    assert (first.agent, first.slot) == ("capecitabine", 1)
    assert first.administration_id == administration_id("week", weekday_place("", 1, 1, "capecitabine", 1))
    phased = _expand(
        'regimen p "P"\n  phase rt\n    cycle 7 days, 1 cycle\n    drugr 1 mg IV\n      Monday to Friday\n',
        d(2026, 12, 7),
    )
    assert phased[0].administration_id == administration_id("p", weekday_place("rt", 1, 1, "drugr", 1))


def test_two_lines_meeting_are_named_with_their_phases_and_labels_are_two_drugs() -> None:
    phases = (
        'regimen o "O"\n  phase one\n    cycle 7 days, 1 cycle\n    cape 1 mg PO\n      Monday to Friday\n'
        "  phase two\n    cycle 21 days, 1 cycle\n    cape 1 mg PO\n      days -1, 1-14\n"
    )
    with pytest.raises(dosecal.CourseError) as caught:
        _expand(phases, d(2026, 12, 9))
    assert str(caught.value) == (
        "cape would be given twice on 2026-12-15: by regimen line 5 (phase one cycle 1 day 7) and by line 9 "
        "(phase two cycle 1 day -1); a line of days of the week meets another line of the drug on this "
        "date: give the two lines days apart"
    )
    labelled = phases.replace("    cape 1 mg PO\n      days", "    cape (two) 1 mg PO\n      days")
    assert len(_expand(labelled, d(2026, 12, 9))) == 5 + 15


def test_a_count_is_held_to_where_its_phase_is_expanded_whole() -> None:
    """10-day cycles: cycle 1 every weekday, cycle 2 the first 8 weekdays. From Monday 12-07 cycle 2
    starts Thursday 12-17 and holds 7 weekdays (12-17, 18, 21-25): refused, with both cycles; with
    one cycle expanded, the course stops before cycle 2 and nothing is refused."""
    text = (
        'regimen c "C"\n  cycle 10 days, 2 cycles\n  drugr 1 mg IV\n'
        "    cycle 1: Monday to Friday\n    cycle 2: Monday to Friday, 8 sessions\n"
    )
    with pytest.raises(dosecal.CourseError) as caught:
        _expand(text, d(2026, 12, 7))
    assert str(caught.value) == (
        "regimen line 5 gives drugr on 8 days, but 2 cycles of 10 days from Mon 2026-12-07 hold 7 of them; "
        "the regimen's count and cycles disagree for this start: check them"
    )
    assert len(_expand(text, d(2026, 12, 7), 1)) == 8
    open_ended = 'regimen r "R"\n  cycle 7 days\n  drugr 1 mg IV\n    Monday to Friday, 28 sessions\n'
    assert len(_expand(open_ended, d(2026, 12, 7), 2)) == 10  # two cycles of a course that goes on
