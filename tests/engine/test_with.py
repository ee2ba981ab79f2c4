"""Drugs started together: `with X` beside `after X` (issue 13, point 3; docs/language.md §36).

FOLFOX as the mFOLFOX6 schedule writes it: "oxaliplatin 85 mg/m2 IV over 2 hours and leucovorin
400 mg/m2 IV over 2 hours, given at the same time (Y-site), then fluorouracil 400 mg/m2 IV bolus,
then 2400 mg/m2 IV over 46 hours". Every expected time below is worked out by hand:

- a visit at 09:00 (Paris, CET = UTC+1 in December: 08:00 UTC) starts oxaliplatin and leucovorin
  together at 09:00; both run 120 minutes, so the bolus starts at 11:00 and, over 5 minutes, the
  pump at 11:05; the visit ends at 11:05 (the pump runs on and books no chair).
- With leucovorin over 3 hours instead, the bolus waits for it: 12:00, the pump 12:05.
- Chair minutes: the two together count once, by the longer (120, or 180), then the bolus's 5:
  125, or 185; never 245 (the sum that treats them as one after the other).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

import dosecal
from dosecal.engine.table import Administration
from dosecal.language.load import loads
from dosecal.model.measures import Measures
from dosecal.render import protocol_text
from dosecal.views import visit_times
from dosecal.views import visits as visit_view
from dosecal.views.events import CalendarOptions, events

from ..conftest import refused

PARIS = ZoneInfo("Europe/Paris")
MEASURES = Measures(weight_kg=70, height_cm=170)


def folfox(leucovorin_hours: int = 2, leucovorin_first: bool = False) -> str:
    leucovorin = f"  leucovorin 400 mg/m2 IV over {leucovorin_hours} hours, with oxaliplatin\n    day 1\n"
    oxaliplatin = "  oxaliplatin 85 mg/m2 IV over 2 hours\n    day 1\n"
    # Written before oxaliplatin, it is still given beside it: `with` places it.
    drugs = (leucovorin + oxaliplatin) if leucovorin_first else (oxaliplatin + leucovorin)
    return (
        'regimen folfox "mFOLFOX6 (illustration)"\n  cycle 14 days, 2 cycles\n'
        + drugs
        + "  fluorouracil (bolus) 400 mg/m2 IV over 5 min, after oxaliplatin\n    day 1\n"
        "  fluorouracil (infusion) 2400 mg/m2 IV over 46 hours, after fluorouracil (bolus)\n    day 1\n"
    )


def _rows(text: str) -> list[Administration]:
    regimen = loads(text, "folfox.regimen")
    return list(dosecal.expand(regimen, dosecal.Course(dt.date(2026, 12, 7), cycles=1, measures=MEASURES)))


def _starts(text: str) -> list[tuple[str, str]]:
    rows = [a for a in _rows(text) if a.date == dt.date(2026, 12, 7)]
    steps = visit_times.steps(rows, PARIS, dt.time(9, 0))
    return [(a.drug, f"{at.astimezone(PARIS):%H:%M}") for a, at in steps]


def test_a_drug_with_another_is_right_behind_it_and_says_so() -> None:
    for first in (False, True):
        rows = _rows(folfox(leucovorin_first=first))
        assert [(a.drug, a.order, a.after, a.given_with) for a in rows] == [
            ("oxaliplatin", 1, "", ""),
            ("leucovorin", 2, "", "oxaliplatin"),
            ("fluorouracil (bolus)", 3, "oxaliplatin", ""),
            ("fluorouracil (infusion)", 4, "fluorouracil (bolus)", ""),
        ]


def test_two_drugs_together_start_at_once_and_the_next_waits_for_both() -> None:
    assert _starts(folfox()) == [
        ("oxaliplatin", "09:00"),
        ("leucovorin", "09:00"),
        ("fluorouracil (bolus)", "11:00"),
        ("fluorouracil (infusion)", "11:05"),
    ]
    assert _starts(folfox(leucovorin_hours=3)) == [
        ("oxaliplatin", "09:00"),
        ("leucovorin", "09:00"),
        ("fluorouracil (bolus)", "12:00"),
        ("fluorouracil (infusion)", "12:05"),
    ]


def test_the_visit_ends_when_the_longer_of_two_together_ends() -> None:
    """Leucovorin over 3 hours, given with a 2-hour oxaliplatin and nothing after them: the visit
    ends at 12:00 (11:00 UTC), not when oxaliplatin does."""
    text = (
        'regimen two "two"\n  cycle 14 days, 1 cycle\n  oxaliplatin 85 mg/m2 IV over 2 hours\n    day 1\n'
        "  leucovorin 400 mg/m2 IV over 3 hours, with oxaliplatin\n    day 1\n"
    )
    schedule = dosecal.expand(
        loads(text, "two.regimen"), dosecal.Course(dt.date(2026, 12, 7), cycles=1, measures=MEASURES)
    )
    [visit] = events(schedule, CalendarOptions(zone=PARIS, visit_time=dt.time(9, 0)))
    assert (visit.start, visit.end) == (
        dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 7, 11, 0, tzinfo=dt.UTC),
    )
    assert "2. 09:00 leucovorin: 400 mg/m2 = 728 mg; IV, over 3 hours, started with oxaliplatin" in (
        visit.description
    )


def test_chair_minutes_count_drugs_together_once_by_the_longer() -> None:
    for hours, minutes in ((2, 125), (3, 185)):
        regimen = loads(folfox(leucovorin_hours=hours), "folfox.regimen")
        schedule = dosecal.expand(regimen, dosecal.Course(dt.date(2026, 12, 7), cycles=1, measures=MEASURES))
        [visit] = visit_view.visits(schedule, "p1")
        assert (visit.chair_minutes_min, visit.chair_minutes_max) == (minutes, minutes)


def test_a_drug_with_another_not_given_that_day_starts_on_its_own() -> None:
    """Leucovorin with oxaliplatin, but on day 8 oxaliplatin is not given: leucovorin starts the
    visit and the bolus after it, as one after the other."""
    text = (
        'regimen d8 "d8"\n  cycle 14 days, 1 cycle\n  oxaliplatin 85 mg/m2 IV over 2 hours\n    day 1\n'
        "  leucovorin 400 mg/m2 IV over 2 hours, with oxaliplatin\n    days 1, 8\n"
        "  fluorouracil 400 mg/m2 IV over 5 min, after leucovorin\n    days 1, 8\n"
    )
    rows = [a for a in _rows(text) if a.date == dt.date(2026, 12, 14)]
    steps = visit_times.steps(rows, PARIS, dt.time(9, 0))
    assert [(a.drug, f"{at.astimezone(PARIS):%H:%M}") for a, at in steps] == [
        ("leucovorin", "09:00"),
        ("fluorouracil", "11:00"),
    ]


def test_show_says_with() -> None:
    text = protocol_text.render(loads(folfox(), "folfox.regimen"))
    assert "  leucovorin, 400 mg/m2, IV (intravenous), over 2 hours, started with oxaliplatin\n" in text


def test_with_the_same_clock_time_is_accepted_and_another_is_refused() -> None:
    head = 'regimen t "t"\n  cycle 14 days, 1 cycle\n  oxaliplatin 85 mg/m2 IV\n    day 1 at 09:00\n'
    same = head + "  leucovorin 400 mg/m2 IV, with oxaliplatin\n    day 1 at 09:00\n"
    assert [a.time for a in _rows(same)] == ["09:00", "09:00"]
    assert refused(head + "  leucovorin 400 mg/m2 IV, with oxaliplatin\n    day 1 at 10:00\n") == [
        "e.regimen:6:5: leucovorin is given with oxaliplatin, but on cycle 1 day 1 it is given at 10:00 "
        "and oxaliplatin at 09:00",
        "        day 1 at 10:00",
        "        ^^^^^^^^^^^^^^",
        "    hint: give the two the same clock time, or write 'after' for one given later",
        "",
        "1 error in e.regimen",
    ]


def test_mistakes_of_with_are_refused_each_at_its_place() -> None:
    text = (
        'regimen t "t"\n  cycle 14 days, 1 cycle\n'
        "  oxaliplatin 85 mg/m2 IV\n    day 1\n"
        "  leucovorin 400 mg/m2 IV, with oxaliplatin, after oxaliplatin\n    day 1\n"
        "  drugb 1 mg IV, with drugb\n    day 1\n"
        "  drugc 1 mg PO, diary, with oxaliplatin\n    day 1\n"
        "  drugd 1 mg IV, with druge\n    day 1\n"
        "  druge 1 mg IV, with drugd\n    day 1\n"
        "  drugf 1 mg IV, with oxaliplatn\n    day 1\n"
        "  drugg 1 mg IV, with oxaliplatin, with drugb\n    day 1\n"
    )
    assert refused(text) == [
        "e.regimen:5:46: leucovorin is given with oxaliplatin: it starts when oxaliplatin does",
        "      leucovorin 400 mg/m2 IV, with oxaliplatin, after oxaliplatin",
        "                                                 ^^^^^^^^^^^^^^^^^",
        "    hint: leave out 'after', and write it on oxaliplatin's line",
        "",
        "e.regimen:7:23: drugb cannot be given with itself",
        "      drugb 1 mg IV, with drugb",
        "                          ^^^^^",
        "",
        "e.regimen:9:30: drugc is taken at home (diary) and oxaliplatin is given in the clinic: they do "
        "not start together",
        "      drugc 1 mg PO, diary, with oxaliplatin",
        "                                 ^^^^^^^^^^^",
        "    hint: leave out 'with', or give both in the clinic",
        "",
        "e.regimen:11:3: these 'after' and 'with' options go round in a circle: drugd -> druge",
        "      drugd 1 mg IV, with druge",
        "      ^^^^^",
        "",
        "e.regimen:15:23: 'oxaliplatn' is not a drug of this regimen",
        "      drugf 1 mg IV, with oxaliplatn",
        "                          ^^^^^^^^^^",
        "    hint: did you mean 'oxaliplatin'?",
        "",
        "e.regimen:17:36: this option is given twice",
        "      drugg 1 mg IV, with oxaliplatin, with drugb",
        "                                       ^^^^^^^^^^",
        "    hint: first on column 18",
        "",
        "6 errors in e.regimen",
    ]


def test_a_drug_over_the_whole_course_has_no_with() -> None:
    text = (
        'regimen t "t"\n  cycle 21 days, 2 cycles\n  pemetrexed 500 mg/m2 IV\n    day 1\n'
        "  folic acid 400 mcg PO, with pemetrexed\n"
        "    daily from 7 days before the first pemetrexed until the last pemetrexed\n"
    )
    lines = refused(text)
    assert lines[0] == "e.regimen:5:26: folic acid is given over the whole course, not among a phase's drugs"


@given(
    first=st.integers(min_value=1, max_value=300),
    second=st.integers(min_value=1, max_value=300),
    third=st.integers(min_value=1, max_value=300),
)
def test_the_drug_after_two_together_starts_when_the_longer_ends(first: int, second: int, third: int) -> None:
    """The rule: the drugs of a group start at once; the next starts at the latest end of the group;
    chair minutes are the sum of each group's longest. Stated against the visit's start, in minutes."""
    text = (
        'regimen p "p"\n  cycle 14 days, 1 cycle\n'
        f"  druga 1 mg IV over {first} min\n    day 1\n"
        f"  drugb 1 mg IV over {second} min, with druga\n    day 1\n"
        f"  drugc 1 mg IV over {third} min, after drugb\n    day 1\n"
    )
    rows = _rows(text)
    steps = visit_times.steps(rows, dt.UTC, dt.time(0, 0))
    begun = steps[0][1]
    assert [int((at - begun).total_seconds() // 60) for _, at in steps] == [0, 0, max(first, second)]
    schedule = dosecal.expand(loads(text, "p.regimen"), dosecal.Course(dt.date(2026, 12, 7), cycles=1))
    [visit] = visit_view.visits(schedule, "p1")
    assert visit.chair_minutes_max == max(first, second) + third


def test_a_second_dose_of_the_day_is_not_with_the_other_drugs_first() -> None:
    """Leucovorin twice daily with a once-daily oxaliplatin: its first dose starts with oxaliplatin
    at 09:00; its second is a dose of its own, after both end (11:00), and says no `with`. The chair
    minutes are 120 (the two together) + 120 (the second dose): 240."""
    text = (
        'regimen b "b"\n  cycle 14 days, 1 cycle\n  oxaliplatin 85 mg/m2 IV over 2 hours\n    day 1\n'
        "  leucovorin 400 mg/m2 IV over 2 hours, with oxaliplatin\n    day 1, twice daily\n"
    )
    assert _starts(text) == [("oxaliplatin", "09:00"), ("leucovorin", "09:00"), ("leucovorin", "11:00")]
    assert [(a.slot, a.given_with) for a in _rows(text) if a.agent == "leucovorin"] == [
        (1, "oxaliplatin"),
        (2, ""),
    ]
    schedule = dosecal.expand(
        loads(text, "b.regimen"), dosecal.Course(dt.date(2026, 12, 7), cycles=1, measures=MEASURES)
    )
    [visit] = visit_view.visits(schedule, "p1")
    assert visit.chair_minutes_max == 240


def test_the_drug_it_is_with_is_of_its_own_phase() -> None:
    """Phase one gives oxaliplatin on its day 14 (2026-12-20); phase two starts 12-21 and gives
    leucovorin `with oxaliplatin` on its day -1, the same date, where its own oxaliplatin is not
    given: leucovorin starts on its own after phase one's oxaliplatin (11:00), fluorouracil after it
    (13:00)."""
    text = (
        'regimen ph "ph"\n  phase one\n    cycle 14 days, 1 cycle\n    oxaliplatin 85 mg/m2 IV over 2 hours\n'
        "      day 14\n  phase two\n    cycle 14 days, 1 cycle\n    oxaliplatin 85 mg/m2 IV over 2 hours\n"
        "      day 1\n    leucovorin 400 mg/m2 IV over 2 hours, with oxaliplatin\n      day -1\n"
        "    fluorouracil 400 mg/m2 IV over 5 min\n      day -1\n"
    )
    regimen = loads(text, "ph.regimen")
    course = dosecal.Course(dt.date(2026, 12, 7), cycles=2, measures=MEASURES)  # a cycle of each phase
    rows = [a for a in dosecal.expand(regimen, course) if a.date == dt.date(2026, 12, 20)]
    steps = visit_times.steps(rows, PARIS, dt.time(9, 0))
    assert [(a.drug, f"{at.astimezone(PARIS):%H:%M}") for a, at in steps] == [
        ("oxaliplatin", "09:00"),
        ("leucovorin", "11:00"),
        ("fluorouracil", "13:00"),
    ]
    assert [a.given_with for a in rows] == ["", "", ""]


def test_with_is_not_said_on_a_day_the_other_drug_is_not_given() -> None:
    """Leucovorin with oxaliplatin on days 1 and 8, oxaliplatin on day 1 alone: day 8's row and
    calendar say no `with` (a nurse would look for an oxaliplatin never ordered)."""
    text = (
        'regimen d8 "d8"\n  cycle 14 days, 1 cycle\n  oxaliplatin 85 mg/m2 IV over 2 hours\n    day 1\n'
        "  leucovorin 400 mg/m2 IV over 2 hours, with oxaliplatin\n    days 1, 8\n"
    )
    assert [(a.cycle_day, a.given_with) for a in _rows(text) if a.agent == "leucovorin"] == [
        (1, "oxaliplatin"),
        (8, ""),
    ]
    schedule = dosecal.expand(
        loads(text, "d8.regimen"), dosecal.Course(dt.date(2026, 12, 7), cycles=1, measures=MEASURES)
    )
    day_1, day_8 = events(schedule, CalendarOptions(zone=PARIS, visit_time=dt.time(9, 0)))
    assert "started with oxaliplatin" in day_1.description
    assert "started with" not in day_8.description


def test_the_visit_ends_when_the_longer_first_drug_ends() -> None:
    """Oxaliplatin over 3 hours with a 2-hour leucovorin, written last: the visit ends at 12:00
    (11:00 UTC), when oxaliplatin does, not when the last drug listed does (11:00)."""
    text = (
        'regimen two "two"\n  cycle 14 days, 1 cycle\n  oxaliplatin 85 mg/m2 IV over 3 hours\n    day 1\n'
        "  leucovorin 400 mg/m2 IV over 2 hours, with oxaliplatin\n    day 1\n"
    )
    schedule = dosecal.expand(
        loads(text, "two.regimen"), dosecal.Course(dt.date(2026, 12, 7), cycles=1, measures=MEASURES)
    )
    [visit] = events(schedule, CalendarOptions(zone=PARIS, visit_time=dt.time(9, 0)))
    assert visit.end == dt.datetime(2026, 12, 7, 11, 0, tzinfo=dt.UTC)
