"""Days counted from another drug's doses (issue 13, point 1, second part): `the day before, the
day of and the day after pemetrexed`, `2 days before isatuximab`.

Worked by hand. PEMETREXED below, from Monday 2026-12-07 (21-day cycles): pemetrexed on day 1 of
each cycle, 2026-12-07, 12-28, 2027-01-18; dexamethasone 4 mg twice daily on the day before, the
day of and the day after each: 12-06, 12-07, 12-08; 12-27, 12-28, 12-29; 2027-01-17, 01-18, 01-19
(cycle days -1, 1, 2, as there is no day 0), two doses each day.

ISATUXIMAB (28-day cycles): isatuximab on days 1, 8, 15, 22 of cycle 1 and days 1, 15 later;
cetirizine 2 days before and on the day of each: cycle 1 days -2, 1, 6, 8, 13, 15, 20, 22, cycle 2
days -2, 1, 13, 15. A hold of isatuximab on cycle 1 day 8 holds cetirizine on days 6 and 8 of
cycle 1 and nothing else; an omission from cycle 2 omits cetirizine from cycle 2's day -2 on.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dosecal
from dosecal.engine.table import Status
from dosecal.language.load import loads
from dosecal.model.adjust import CycleRef, Delay, Hold, StartOn, Withheld
from dosecal.model.measures import Measures
from dosecal.render import protocol_text

from ..conftest import refused

START = dt.date(2026, 12, 7)
MEASURES = Measures(weight_kg=70, height_cm=170)
PEMETREXED = """\
regimen pem "Pemetrexed with its premedication"
  cycle 21 days, 3 cycles
  dexamethasone 4 mg PO tablet, diary
    the day before, the day of and the day after pemetrexed, twice daily
  pemetrexed 500 mg/m2 IV
    day 1
"""
ISATUXIMAB = """\
regimen isa "Isatuximab with a premedication"
  cycle 28 days, 2 cycles
  cetirizine 10 mg PO
    2 days before and the day of isatuximab
  isatuximab 10 mg/kg IV
    cycle 1: days 1, 8, 15, 22
    cycles 2+: days 1, 15
"""


def expand(text: str, *adjustments: object, **course: object) -> list[dosecal.Administration]:
    regimen = loads(text, "r.regimen")
    made = dosecal.Course(START, measures=MEASURES, adjustments=adjustments, **course)  # type: ignore[arg-type]
    return list(dosecal.expand(regimen, made))


def test_the_day_before_the_day_of_and_the_day_after_as_worked_out_by_hand() -> None:
    rows = [a for a in expand(PEMETREXED) if a.agent == "dexamethasone"]
    d = dt.date
    dates = [d(2026, 12, 6), d(2026, 12, 7), d(2026, 12, 8), d(2026, 12, 27), d(2026, 12, 28),
             d(2026, 12, 29), d(2027, 1, 17), d(2027, 1, 18), d(2027, 1, 19)]  # fmt: skip
    assert [(a.date, a.slot) for a in rows] == [(day, slot) for day in dates for slot in (1, 2)]
    assert [a.cycle_day for a in rows if a.slot == 1] == [-1, 1, 2] * 3
    assert [a.cycle for a in rows if a.slot == 1] == [1, 1, 1, 2, 2, 2, 3, 3, 3]
    assert {a.source_line for a in rows} == {4}


def test_days_counted_from_each_line_of_the_other_drug() -> None:
    rows = [a for a in expand(ISATUXIMAB) if a.agent == "cetirizine"]
    assert [(a.cycle, a.cycle_day) for a in rows] == [
        (1, -2), (1, 1), (1, 6), (1, 8), (1, 13), (1, 15), (1, 20), (1, 22), (2, -2), (2, 1), (2, 13), (2, 15)
    ]  # fmt: skip
    assert rows[0].date == dt.date(2026, 12, 5) and rows[8].date == dt.date(2027, 1, 2)


def test_they_move_with_the_other_drug_when_its_cycle_is_delayed() -> None:
    delay = Delay(CycleRef(None, 2), 7, "ANC 0.9", 1)
    rows = [a.date for a in expand(PEMETREXED, delay) if a.agent == "dexamethasone" and a.cycle == 2]
    assert sorted(set(rows)) == [dt.date(2027, 1, 3), dt.date(2027, 1, 4), dt.date(2027, 1, 5)]


def test_a_held_dose_holds_its_premedication_and_only_its() -> None:
    """Decided (docs/language.md §28): the premedication is for that dose; it is held with it."""
    hold = Hold("isatuximab", Withheld.HELD, CycleRef(None, 1), 8, 8, False, "infusion reaction", 5)
    rows = expand(ISATUXIMAB, hold)
    held = [(a.agent, a.cycle, a.cycle_day) for a in rows if a.status is Status.HELD]
    assert held == [("cetirizine", 1, 6), ("cetirizine", 1, 8), ("isatuximab", 1, 8)]
    said = next(a for a in rows if a.agent == "cetirizine" and a.cycle_day == 6).adjustment
    assert [c.text for c in said] == ["isatuximab held on cycle 1 day 8 (infusion reaction)"]


def test_an_omission_omits_the_premedication_with_it() -> None:
    omit = Hold("isatuximab", Withheld.OMITTED, CycleRef(None, 2), None, None, True, "progression", 6)
    rows = expand(ISATUXIMAB, omit)
    omitted = [(a.cycle, a.cycle_day) for a in rows if a.agent == "cetirizine" and a.status is Status.OMITTED]
    assert omitted == [(2, -2), (2, 1), (2, 13), (2, 15)]


def test_a_day_two_doses_share_is_held_only_when_both_are() -> None:
    """`the day after and the day before` doses on days 1 and 3: day 2 goes with both."""
    text = """\
regimen two "Two doses, one day between"
  cycle 21 days, 1 cycle
  antiemetic 8 mg PO
    the day before and the day after chemo
  chemo 100 mg IV
    days 1, 3
"""
    one = Hold("chemo", Withheld.HELD, CycleRef(None, 1), 1, 1, False, "counts", 5)
    rows = [a for a in expand(text, one) if a.agent == "antiemetic"]
    assert [(a.cycle_day, a.status) for a in rows] == [
        (-1, Status.HELD),
        (2, Status.PLANNED),
        (4, Status.PLANNED),
    ]
    both = Hold("chemo", Withheld.HELD, CycleRef(None, 1), 1, 3, False, "counts", 5)
    rows = [a for a in expand(text, both) if a.agent == "antiemetic"]
    assert [a.status for a in rows] == [Status.HELD] * 3


def test_a_hold_of_the_premedication_itself_holds_it_alone() -> None:
    hold = Hold("dexamethasone", Withheld.HELD, CycleRef(None, 2), 1, 1, False, "hyperglycaemia", 5)
    rows = [(a.agent, a.cycle, a.cycle_day) for a in expand(PEMETREXED, hold) if a.status is Status.HELD]
    assert rows == [("dexamethasone", 2, 1), ("dexamethasone", 2, 1)]


def test_show_gives_the_days_and_the_words() -> None:
    text = protocol_text.render(loads(ISATUXIMAB, "i.regimen"))
    assert (
        "    cycle 1: days -2, 1, 6, 8, 13, 15, 20, 22 (2 days before and the day of isatuximab, line 6)\n"
        in text
    )
    assert (
        "    cycles 2 and later: days -2, 1, 13, 15 (2 days before and the day of isatuximab, line 7)\n"
        in text
    )
    pem = protocol_text.render(loads(PEMETREXED, "p.regimen"))
    expected = "every cycle: days -1, 1, 2 (the day before, the day of and the day after pemetrexed, line 6)"
    assert f"    {expected}, twice daily\n" in pem


refusal = refused


HEAD = 'regimen x "X"\n  cycle 21 days, 3 cycles\n  dexamethasone 4 mg PO\n'
PEM = "  pemetrexed 500 mg/m2 IV\n    day 1\n"


@pytest.mark.parametrize(
    ("text", "first", "hint"),
    [
        (HEAD + "    the day before and the day before pemetrexed\n" + PEM,
         "e.regimen:4:24: this day is listed twice", "it is listed first at column 5"),
        (HEAD + "    the day before pemetrexd\n" + PEM,
         "e.regimen:4:20: 'pemetrexd' is not a drug of this regimen", "did you mean 'pemetrexed'?"),
        (HEAD + "    the day before dexamethasone\n",
         "e.regimen:4:20: dexamethasone's days cannot be counted from its own doses",
         "name the drug they go with"),
        (HEAD + "    the day before pemetrexed\n  pemetrexed 500 mg/m2 IV\n    every 3 weeks\n",
         "e.regimen:4:20: pemetrexed is given at an interval, or by a condition: "
         "its doses are not days of the cycle",
         "write these days as days of the cycle ('days -1, 1, 2')"),
        (HEAD + "    21 days before pemetrexed\n" + PEM,
         "e.regimen:4:5: a day counted from pemetrexed's dose is at most a cycle away",
         "in a 21-day cycle, up to 20 days before or after"),
        (HEAD + "    the day before pemetrexed if age >= 70\n" + PEM,
         "e.regimen:4:31: a line counted from pemetrexed's doses is given with them",
         "give the condition to pemetrexed's line instead"),
        (HEAD + "    the day before pemetrexed\n  pemetrexed 500 mg/m2 IV\n    the day after dexamethasone\n",
         "e.regimen:4:20: pemetrexed's own days are counted from another drug's doses",
         "count these days from that drug too"),
        (HEAD + "    the day before cytarabine\n"
         "  cytarabine 100 mg/m2/day IV continuous infusion\n    days 1-7\n",
         "e.regimen:4:20: cytarabine runs as a continuous infusion over days",
         "write these days as days of the cycle ('days -1, 1')"),
        (HEAD + "    the day before pemetrexed\n    day -1\n" + PEM,
         "e.regimen:5:5: dexamethasone is already given on cycle 1 day -1 by line 4", "list each day once"),
    ],
)  # fmt: skip
def test_a_line_that_cannot_be_counted_is_refused_at_it(text: str, first: str, hint: str) -> None:
    report = refusal(text)
    assert report[0] == first
    assert report[3].startswith(f"    hint: {hint}")


@settings(max_examples=120, deadline=None)
@given(
    days=st.lists(st.integers(1, 14), min_size=1, max_size=4, unique=True),
    shifts=st.lists(st.integers(-6, 6), min_size=1, max_size=3, unique=True),
    held=st.sets(st.integers(0, 3), max_size=4),
)
def test_each_premedication_is_its_shifts_from_each_dose_and_held_with_them(
    days: list[int], shifts: list[int], held: set[int]
) -> None:
    """Rule: the premedication's dates are the dates `shift` days from each dose of the drug it goes
    with, once each; and a date is held exactly when every dose it goes with is held."""
    words = {-1: "the day before", 0: "the day of", 1: "the day after"}
    said = [words.get(k) or (f"{-k} days before" if k < 0 else f"{k} days after") for k in shifts]
    text = 'regimen p "P"\n  cycle 14 days, 1 cycle\n  premed 1 mg PO\n'
    text += f"    {' and '.join(said)} chemo\n  chemo 1 mg IV\n    days {', '.join(map(str, sorted(days)))}\n"
    holds = tuple(
        Hold("chemo", Withheld.HELD, CycleRef(None, 1), d, d, False, "x", 9)
        for i, d in enumerate(sorted(days)) if i in held
    )  # fmt: skip
    rows = expand(text, *holds)
    doses = {a.date: a.status for a in rows if a.agent == "chemo"}
    goes_with: dict[dt.date, list[dt.date]] = {}
    for dose in doses:
        for k in shifts:
            goes_with.setdefault(dose + dt.timedelta(days=k), []).append(dose)
    premed = {a.date: a.status for a in rows if a.agent == "premed"}
    assert sorted(premed) == sorted(goes_with)
    assert len(premed) == len([a for a in rows if a.agent == "premed"])
    for date, status in premed.items():
        all_held = all(doses[d] is Status.HELD for d in goes_with[date])
        assert (status is Status.HELD) == all_held


def test_a_day_two_lines_of_the_other_drug_both_give_is_one_day() -> None:
    """Pemetrexed on day 1 of every cycle and on cycle 1 day 3: in cycle 1 the day after day 1 is
    the day before day 3, one dose of dexamethasone going with both (days -1, 2, 4); later cycles
    have days -1 and 2. A hold of day 1 alone leaves day 2 given."""
    text = """\
regimen two "Two lines of the other drug"
  cycle 21 days, 2 cycles
  dexamethasone 4 mg PO
    the day before and the day after pemetrexed
  pemetrexed 500 mg IV
    day 1
    cycle 1: day 3
"""
    got = [(a.cycle, a.cycle_day) for a in expand(text) if a.agent == "dexamethasone"]
    assert got == [(1, -1), (1, 2), (1, 4), (2, -1), (2, 2)]
    hold = Hold("pemetrexed", Withheld.HELD, CycleRef(None, 1), 1, 1, False, "x", 5)
    held = [
        (a.cycle_day, a.status) for a in expand(text, hold) if a.agent == "dexamethasone" and a.cycle == 1
    ]
    assert held == [(-1, Status.HELD), (2, Status.PLANNED), (4, Status.PLANNED)]
    said = protocol_text.render(loads(text, "t.regimen"))
    assert "    cycle 1: days -1, 2, 4 (the day before and the day after pemetrexed, lines 6, 7)\n" in said
    assert "    cycle 2: days -1, 2 (the day before and the day after pemetrexed, line 6)\n" in said


def test_days_counted_more_than_a_cycle_before_day_1_are_refused() -> None:
    text = HEAD.replace(
        "dexamethasone 4 mg PO\n", "ondansetron 8 mg PO\n    day -20\n  aprepitant 80 mg PO\n"
    )
    report = refusal(text + "    20 days before ondansetron\n")
    assert (
        report[0] == "e.regimen:6:5: this is day -40 of ondansetron's cycle, more than a cycle before day 1"
    )
    assert report[3] == "    hint: days before day 1 go back to day -20 of a 21-day cycle"


def test_the_labels_comma_before_and_is_read() -> None:
    """ALIMTA writes 'the day before, the day of, and the day after': the comma before 'and' too."""
    text = PEMETREXED.replace("the day of and the day after", "the day of, and the day after")
    assert [a.date for a in expand(text)] == [a.date for a in expand(PEMETREXED)]


def test_they_move_with_a_cycle_started_on_a_set_date() -> None:
    """Cycle 2 started on Thursday 2027-01-07 (planned 2026-12-28): its days are 01-06, 01-07, 01-08."""
    start = StartOn(CycleRef(None, 2), dt.date(2027, 1, 7), "holiday", 1)
    got = sorted({a.date for a in expand(PEMETREXED, start) if a.agent == "dexamethasone" and a.cycle == 2})
    assert got == [dt.date(2027, 1, 6), dt.date(2027, 1, 7), dt.date(2027, 1, 8)]


@pytest.mark.parametrize("days", ["2.5 days before", "0 days before"])
def test_days_from_a_dose_are_whole_and_at_least_1(days: str) -> None:
    report = refusal(HEAD + f"    {days} pemetrexed\n" + PEM)
    assert report[0] == "e.regimen:4:5: days before or after a dose are a whole number of days, at least 1"
    assert report[3] == "    hint: write e.g. '2 days before', or 'the day of' for the dose's own day"
