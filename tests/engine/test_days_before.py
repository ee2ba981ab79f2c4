"""Day 0 and days before day 1 (issue 13, point 1, first part).

Worked by hand from the ALIMTA label's premedication ("dexamethasone 4 mg orally twice daily the
day before, the day of, and the day after pemetrexed") written as `days -1, 1, 2` of 21-day cycles,
started on Monday 2026-12-07 (cycle 1 day 1; cycle 2 day 1 is 2026-12-28):

- cycle 1: day -1 is Sunday 2026-12-06 (study day -1: CDISC has no study day 0), day 1 12-07
  (study day 1), day 2 12-08 (2);
- cycle 2: day -1 is 2026-12-27 (study day 21), day 1 12-28 (22), day 2 12-29 (23).

A regimen that numbers a day 0 (lymphodepletion on days -5 to -3, a cell infusion on day 0):
day 0 is the day before day 1, 2026-12-06 (study day -1); day -3 is 2026-12-03 (-4), day -5
2026-12-01 (-6).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dosecal
from dosecal.errors import RegimenError
from dosecal.language.load import loads
from dosecal.model.adjust import CycleRef, Delay, Hold, Withheld
from dosecal.model.measures import Measures
from dosecal.render import protocol_text
from dosecal.views import diary

from ..conftest import refused

START = dt.date(2026, 12, 7)
PREMEDICATION = """\
regimen premed "Pemetrexed with dexamethasone the day before, of and after"
  cycle 21 days, 4 cycles
  dexamethasone 4 mg PO tablet, diary
    days -1, 1, 2, twice daily
  pemetrexed 500 mg/m2 IV
    day 1
"""
DAY_ZERO = """\
regimen dayzero "Lymphodepletion and a cell infusion on day 0"
  cycle 28 days, 1 cycle
  fludarabine 30 mg/m2 IV
    days -5 to -3
  cell product 1 x 10^6 cells/kg IV
    day 0
"""
MEASURES = Measures(weight_kg=70, height_cm=170)


def rows(text: str, **course: object) -> list[dosecal.Administration]:
    return list(dosecal.expand(loads(text, "r.regimen"), dosecal.Course(START, measures=MEASURES, **course)))  # type: ignore[arg-type]


def test_premedication_the_day_before_as_worked_out_by_hand() -> None:
    got = [(a.date, a.cycle, a.cycle_day, a.study_day, a.slot) for a in rows(PREMEDICATION, cycles=2)
           if a.agent == "dexamethasone"]  # fmt: skip
    d = dt.date
    assert got == [
        (d(2026, 12, 6), 1, -1, -1, 1), (d(2026, 12, 6), 1, -1, -1, 2),
        (d(2026, 12, 7), 1, 1, 1, 1), (d(2026, 12, 7), 1, 1, 1, 2),
        (d(2026, 12, 8), 1, 2, 2, 1), (d(2026, 12, 8), 1, 2, 2, 2),
        (d(2026, 12, 27), 2, -1, 21, 1), (d(2026, 12, 27), 2, -1, 21, 2),
        (d(2026, 12, 28), 2, 1, 22, 1), (d(2026, 12, 28), 2, 1, 22, 2),
        (d(2026, 12, 29), 2, 2, 23, 1), (d(2026, 12, 29), 2, 2, 23, 2),
    ]  # fmt: skip


def test_a_regimen_that_numbers_day_0_counts_through_it() -> None:
    got = [(a.date, a.agent, a.cycle_day, a.study_day) for a in rows(DAY_ZERO)]
    d = dt.date
    assert got == [
        (d(2026, 12, 1), "fludarabine", -5, -6),
        (d(2026, 12, 2), "fludarabine", -4, -5),
        (d(2026, 12, 3), "fludarabine", -3, -4),
        (d(2026, 12, 6), "cell product", 0, -1),
    ]


def test_days_before_day_1_move_with_their_cycle() -> None:
    """A delay of cycle 2 by 7 days: its day 1 is 2027-01-04, its day -1 2027-01-03."""
    delay = Delay(CycleRef(None, 2), 7, "ANC 0.9", 1)
    got = [(a.date, a.cycle, a.cycle_day) for a in rows(PREMEDICATION, cycles=2, adjustments=(delay,))
           if a.agent == "dexamethasone" and a.slot == 1 and a.cycle == 2]  # fmt: skip
    assert got == [(dt.date(2027, 1, 3), 2, -1), (dt.date(2027, 1, 4), 2, 1), (dt.date(2027, 1, 5), 2, 2)]


def test_a_hold_from_a_cycle_on_holds_its_days_before_day_1() -> None:
    hold = Hold("dexamethasone", Withheld.HELD, CycleRef(None, 2), None, None, True, "hyperglycaemia", 1)
    held = [(a.cycle, a.cycle_day) for a in rows(PREMEDICATION, cycles=2, adjustments=(hold,))
            if a.agent == "dexamethasone" and a.slot == 1 and a.status.value == "held"]  # fmt: skip
    assert held == [(2, -1), (2, 1), (2, 2)]


def test_show_says_how_the_phase_counts() -> None:
    assert "  no day 0: day -1 is the day before day 1\n" in protocol_text.render(loads(PREMEDICATION, "p"))
    zero = protocol_text.render(loads(DAY_ZERO, "z"))
    assert "  days counted from day 0: day -1 is the day before day 0, day 0 the day before day 1\n" in zero
    assert "    every cycle: days -5 to -3\n" in zero
    plain = PREMEDICATION.replace("days -1, 1, 2", "days 1, 2")
    assert "day 0" not in protocol_text.render(loads(plain, "p"))


def test_a_hold_from_day_1_of_a_cycle_leaves_its_day_before() -> None:
    """`hold dexamethasone on cycle 2 from day 1`: the days it names; day -1 comes before them."""
    hold = Hold("dexamethasone", Withheld.HELD, CycleRef(None, 2), 1, None, False, "hyperglycaemia", 1)
    held = [(a.cycle, a.cycle_day, a.status.value) for a in rows(PREMEDICATION, cycles=2, adjustments=(hold,))
            if a.agent == "dexamethasone" and a.slot == 1 and a.cycle == 2]  # fmt: skip
    assert held == [(2, -1, "planned"), (2, 1, "held"), (2, 2, "held")]


def test_the_diary_keeps_a_day_before_day_1_on_its_cycles_sheet() -> None:
    """Cycle 2's day -1 is dated among cycle 1's days, and is still on cycle 2's sheet, in date order."""
    schedule = dosecal.expand(
        loads(PREMEDICATION, "p.regimen"), dosecal.Course(START, cycles=2, measures=MEASURES)
    )
    sheets = diary.build(schedule).sheets
    assert [s.title for s in sheets] == ["Cycle 1", "Cycle 2"]
    assert [s.start for s in sheets] == [START, dt.date(2026, 12, 28)]
    assert [(r.cycle_day, r.date) for r in sheets[1].rows] == [
        (-1, dt.date(2026, 12, 27)), (1, dt.date(2026, 12, 28)), (2, dt.date(2026, 12, 29))
    ]  # fmt: skip
    assert (sheets[0].rows[0].cycle_day, sheets[0].rows[0].date) == (-1, dt.date(2026, 12, 6))


refusal = refused


HEAD = 'regimen e "E"\n  cycle 21 days, 3 cycles\n  dexamethasone 4 mg PO\n'


@pytest.mark.parametrize(
    ("lines", "first", "hint"),
    [
        (
            ["days -1, 1, 2", "day 21"],
            "e.regimen:5:5: dexamethasone on cycle 1 day 21 is already given on that date by line 4, "
            "as its cycle 2 day -1",
            "list each day once",
        ),
        (
            ["day 21", "days -1, 1, 2"],
            "e.regimen:5:5: dexamethasone on cycle 2 day -1 is already given on that date by line 4, "
            "as its cycle 1 day 21",
            "list each day once",
        ),
        (
            ["days -1, 1, 21"],
            "e.regimen:4:5: dexamethasone on cycle 2 day -1 is already given on that date by this line, "
            "as its cycle 1 day 21",
            "list each day once",
        ),
        (
            ["cycle 1: day -1", "day -1"],
            "e.regimen:5:5: dexamethasone is already given on cycle 1 day -1 by line 4",
            "list each day once",
        ),
        (
            ["days -21, 1"],
            "e.regimen:4:10: day -21 is more than a cycle before day 1",
            "days before day 1 go back to day -20 of a 21-day cycle",
        ),
        (
            ["days -3--5"],
            "e.regimen:4:10: the day range -3 to -5 runs backwards",
            "did you mean -5 to -3?",
        ),
        (
            ["every 3 weeks from cycle 1 day 0"],
            "e.regimen:4:36: an interval's first dose is on day 1 or later, not day 0",
            "a dose before day 1 is written as a day: 'cycle 1: day -1'",
        ),
        (
            ["days -99999999999999"],
            "e.regimen:4:10: day -99999999999999 is more than a cycle before day 1",
            "days before day 1 go back to day -20 of a 21-day cycle",
        ),
    ],
)
def test_days_before_day_1_that_cannot_be_are_refused_at_them(
    lines: list[str], first: str, hint: str
) -> None:
    report = refusal(HEAD + "".join(f"    {line}\n" for line in lines))
    assert report[0] == first
    assert report[3].startswith(f"    hint: {hint}")


def test_a_line_in_cycles_that_do_not_follow_each_other_gives_each_date_once() -> None:
    """`odd cycles: days -1, 21`: cycle 3's day -1 is cycle 2's day 21, which the line does not give."""
    regimen = loads(HEAD + "    odd cycles: days -1, 21\n", "e.regimen")
    got = [(a.date, a.cycle, a.cycle_day) for a in dosecal.expand(regimen, dosecal.Course(START))]
    assert got == [
        (dt.date(2026, 12, 6), 1, -1), (dt.date(2026, 12, 27), 1, 21),
        (dt.date(2027, 1, 17), 3, -1), (dt.date(2027, 2, 7), 3, 21),
    ]  # fmt: skip


def test_a_continuous_infusion_runs_from_day_1_or_later() -> None:
    text = 'regimen e "E"\n  cycle 28 days, 1 cycle\n'
    text += "  cytarabine 100 mg/m2/day IV continuous infusion\n    days -1, 1 to 5\n"
    assert refusal(text)[0] == "e.regimen:4:5: a continuous infusion over days runs from day 1 or later"


def test_a_cycle_number_below_1_is_refused() -> None:
    assert (
        refusal(HEAD + "    cycles -1: day 1\n")[0] == "e.regimen:4:12: -1 is not a number for a cycle number"
    )


def test_numbers_that_are_not_days_keep_their_sign_rules() -> None:
    """Only a day may be negative: 1-5 is still a range, and a dose of -5 mg is not read."""
    assert loads(HEAD + "    days 1-5\n", "e").phases[0].agents[0].clauses[0].rule.days == (1, 2, 3, 4, 5)  # type: ignore[union-attr]
    assert refusal('regimen e "E"\n  cycle 21 days\n  d -5 mg PO\n    day 1\n')[0].startswith(
        "e.regimen:3:5:"
    )


@settings(max_examples=150, deadline=None)
@given(
    length=st.integers(2, 12),
    zero=st.booleans(),
    first=st.lists(st.integers(-11, 12), min_size=1, max_size=5, unique=True),
    second=st.lists(st.integers(-11, 12), min_size=1, max_size=5, unique=True),
    cycles=st.integers(1, 4),
)
def test_two_lines_clash_exactly_when_they_give_one_date(
    length: int, zero: bool, first: list[int], second: list[int], cycles: int
) -> None:
    """Rule: a drug's two lines are refused exactly when, worked out by dates, they give it twice on
    one date (two lines, or one line in two cycles): day d of cycle c is the cycle's start + (d - 1),
    or + d for d < 1 where no day 0 is numbered (a third drug on day 0 makes the phase number one)."""
    first = [d for d in first if 1 - length <= d <= length and (zero or d != 0)]
    second = [d for d in second if 1 - length <= d <= length and (zero or d != 0)]
    if not first or not second:
        return
    offset = {d: (d - 1 if d > 0 or zero else d) for d in range(1 - length, length + 1)}
    dates = lambda days: [(c - 1) * length + offset[d] for c in range(1, cycles + 1) for d in days]  # noqa: E731
    text = f'regimen e "E"\n  cycle {length} days, {cycles} cycles\n  a 1 mg PO\n'
    text += f"    days {', '.join(map(str, first))}\n    days {', '.join(map(str, second))}\n"
    if zero:
        text += "  b 1 mg PO\n    day 0\n"
    every = dates(first) + dates(second)
    clash = len(set(every)) < len(every)
    try:
        regimen = loads(text, "e.regimen")
    except RegimenError as error:
        assert clash, error.render()
        assert "already given" in error.render()
        return
    assert not clash
    got = [a.date for a in dosecal.expand(regimen, dosecal.Course(START)) if a.agent == "a"]
    expected = sorted(START + dt.timedelta(days=p) for p in every)
    assert got == expected
    assert all(a.study_day != 0 for a in dosecal.expand(regimen, dosecal.Course(START)))


@pytest.mark.parametrize(("days", "said"), [("days -1 to 2", "-1 to 2"), ("days -5-3", "-5 to 3")])
def test_a_range_across_day_0_is_refused(days: str, said: str) -> None:
    """Whether day 0 lies inside it is the protocol's numbering, which a range cannot say."""
    report = refusal(HEAD + f"    {days}\n")
    assert report[0] == f"e.regimen:4:10: the day range {said} runs across day 0"
    assert report[3] == (
        "    hint: list the days before day 1 apart from the others ('days -2, -1, 1, 2'), "
        "with 'day 0' where the protocol numbers one"
    )


def test_an_interval_of_one_day_is_said_in_the_singular() -> None:
    regimen = loads(HEAD + "    every 1 day, for 3 doses\n", "e.regimen")
    assert "    every day from cycle 1 day 1, for 3 doses\n" in protocol_text.render(regimen)
