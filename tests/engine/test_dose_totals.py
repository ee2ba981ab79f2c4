"""A drug's doses in the whole course (issue 13, point 10: KEYNOTE-189's "pembrolizumab for at most
35 doses in all"): `at most N doses in all` under the drug.

Worked by hand. TOTAL below, from Monday 2026-12-07, 21-day cycles: induction cycles 1-2 start
2026-12-07 and 12-28, maintenance cycles 1-4 start 2027-01-18, 02-08, 03-01 and 03-22. With 6
cycles, pembrolizumab's four doses in all are 12-07, 12-28, 01-18 and 02-08 (the line that says
four stands in maintenance and counts induction's doses too); none on 03-01 or 03-22. Pemetrexed
has no total: all four maintenance days. Dexamethasone, the day before and the day of each
pembrolizumab dose, goes with them: 12-06, 12-07, 12-27, 12-28, 01-17, 01-18, 02-07, 02-08, and
nothing on 02-28, 03-01, 03-21, 03-22.

A hold of pembrolizumab on maintenance cycle 1 day 1 keeps its row (held) and is not a dose given:
the fourth given dose is then 03-01, with its dexamethasone on 02-28 and 03-01.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

import dosecal
from dosecal.engine.table import Status
from dosecal.language.load import loads
from dosecal.model.adjust import CycleRef, Hold, Withheld
from dosecal.model.measures import Measures
from dosecal.render import protocol_text

from ..conftest import refused

START = dt.date(2026, 12, 7)
MEASURES = Measures(weight_kg=70, height_cm=170)
TOTAL = """\
regimen total "Pembrolizumab for at most four doses in all"
  phase induction
    cycle 21 days, 2 cycles
    pembrolizumab 200 mg IV
      day 1
    dexamethasone 4 mg PO
      the day before and the day of pembrolizumab
  phase maintenance
    cycle 21 days, until progression
    pembrolizumab 200 mg IV
      day 1
      at most {n} doses in all
    pemetrexed 500 mg/m2 IV
      day 1
    dexamethasone 4 mg PO
      the day before and the day of pembrolizumab
"""
d = dt.date


def expand(n: int = 4, cycles: int = 6, *adjustments: object) -> list[dosecal.Administration]:
    regimen = loads(TOTAL.format(n=n), "r.regimen")
    made = dosecal.Course(START, cycles=cycles, measures=MEASURES, adjustments=adjustments)  # type: ignore[arg-type]
    return list(dosecal.expand(regimen, made))


def dates(rows: list[dosecal.Administration], agent: str, status: Status = Status.PLANNED) -> list[dt.date]:
    return [a.date for a in rows if a.agent == agent and a.status is status]


def test_the_doses_in_all_count_every_phase_as_worked_out_by_hand() -> None:
    rows = expand()
    assert dates(rows, "pembrolizumab") == [d(2026, 12, 7), d(2026, 12, 28), d(2027, 1, 18), d(2027, 2, 8)]
    assert dates(rows, "pemetrexed") == [d(2027, 1, 18), d(2027, 2, 8), d(2027, 3, 1), d(2027, 3, 22)]
    assert dates(rows, "dexamethasone") == [
        d(2026, 12, 6), d(2026, 12, 7), d(2026, 12, 27), d(2026, 12, 28),
        d(2027, 1, 17), d(2027, 1, 18), d(2027, 2, 7), d(2027, 2, 8),
    ]  # fmt: skip
    assert not [a for a in rows if a.status is not Status.PLANNED]


def test_a_held_dose_is_not_given_and_does_not_count() -> None:
    hold = Hold("pembrolizumab", Withheld.HELD, CycleRef("maintenance", 1), 1, 1, False, "rash", 1)
    rows = expand(4, 6, hold)
    assert dates(rows, "pembrolizumab", Status.HELD) == [d(2027, 1, 18)]
    assert dates(rows, "pembrolizumab") == [d(2026, 12, 7), d(2026, 12, 28), d(2027, 2, 8), d(2027, 3, 1)]
    assert dates(rows, "dexamethasone", Status.HELD) == [d(2027, 1, 17), d(2027, 1, 18)]
    assert dates(rows, "dexamethasone")[-2:] == [d(2027, 2, 28), d(2027, 3, 1)]
    assert d(2027, 3, 22) not in dates(rows, "pembrolizumab") + dates(rows, "dexamethasone")


def test_a_course_shorter_than_the_total_gives_every_dose() -> None:
    rows = expand(4, 3)
    assert dates(rows, "pembrolizumab") == [d(2026, 12, 7), d(2026, 12, 28), d(2027, 1, 18)]


def test_show_says_the_total_in_each_phase_the_drug_is_given() -> None:
    said = protocol_text.render(loads(TOTAL.format(n=35), "r.regimen"))
    assert said.count("    at most 35 doses in all, every phase together (line 12)\n") == 2
    one = protocol_text.render(loads(TOTAL.format(n=1), "r.regimen"))
    assert "at most 1 dose in all," in one


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12))
def test_the_first_doses_up_to_the_total_are_given_and_their_premedication_with_them(
    n: int, cycles: int
) -> None:
    """Rule: of the doses the schedule gives, the first min(n, doses) are given, in date order, and
    nothing after; each premedication day goes with a dose given; other drugs are untouched."""
    rows = expand(n, cycles)
    starts = [START + dt.timedelta(days=21 * k) for k in range(cycles)]
    given_ = starts[: min(n, cycles)]
    assert dates(rows, "pembrolizumab") == given_
    assert dates(rows, "dexamethasone") == [day + dt.timedelta(days=k) for day in given_ for k in (-1, 0)]
    assert dates(rows, "pemetrexed") == starts[2:]


def test_refusals_say_where_and_what_to_write() -> None:
    text = TOTAL.format(n=4)
    twice = text.replace(
        "      at most 4 doses in all\n", "      at most 4 doses in all\n      at most 5 doses in all\n"
    )
    assert refused(twice) == [
        "e.regimen:13:7: pembrolizumab's doses in all are already said on line 12",
        "          at most 5 doses in all",
        "          ^^^^^^^^^^^^^^^^^^^^^^",
        "    hint: write 'at most N doses in all' once",
        "",
        "1 error in e.regimen",
    ]
    two = text.replace(
        "      day 1\n    dexamethasone", "      day 1\n      at most 3 doses in all\n    dexamethasone", 1
    )
    report = refused(two)
    assert report[:3] == [
        "e.regimen:13:7: line 6 says pembrolizumab is given at most 3 doses in all",
        "          at most 4 doses in all",
        "          ^^^^^^^^^^^^^^^^^^^^^^",
    ]
    assert report[3] == "    hint: a drug's doses in all count every phase: say it once, in one phase"
    # The same number in two phases says the same thing twice, and is read.
    same = text.replace(
        "      day 1\n    dexamethasone", "      day 1\n      at most 4 doses in all\n    dexamethasone", 1
    )
    assert loads(same, "r.regimen").phases[1].agents[0].total == (4, 6)
    assert refused(TOTAL.format(n=0))[:3] == [
        "e.regimen:12:15: 0 is out of range for the number of doses",
        "          at most 0 doses in all",
        "                  ^",
    ]


def test_the_spellings_of_protocols_get_a_hint_naming_the_accepted_one() -> None:
    hint = "    hint: a drug's doses in the whole course, every phase together: 'at most 35 doses in all'"
    for written, col in (("for up to 35 cycles", 7), ("at most 35 cycles in all", 18), ("up to 35 doses", 7)):
        report = refused(TOTAL.format(n=4).replace("at most 4 doses in all", written))
        assert report[0].startswith(f"e.regimen:12:{col}: unexpected '")
        assert report[3] == hint


ISATUXIMAB = """\
regimen isa "Isatuximab for at most 5 doses in all, with a premedication"
  cycle 28 days, 3 cycles
  cetirizine 10 mg PO tablet, diary
    2 days before and the day of isatuximab
  isatuximab 10 mg/kg IV
    cycle 1: days 1, 8, 15, 22
    cycles 2+: days 1, 15
    at most 5 doses in all
"""


def test_a_premedication_of_a_drug_whose_days_change_between_cycles_stays_with_each_dose_given() -> None:
    """Worked by hand: isatuximab's five doses are cycle 1 days 1, 8, 15, 22 and cycle 2 day 1;
    cetirizine goes with each, 2 days before and on the day: cycle 1 days -2, 1, 6, 8, 13, 15, 20,
    22, cycle 2 days -2, 1, and nothing with cycle 2 day 15 or cycle 3 (found by review: the lines
    of cycle 1 and of cycles 2+ are two clauses of one source line)."""
    made = dosecal.Course(START, measures=MEASURES)
    rows = list(dosecal.expand(loads(ISATUXIMAB, "r.regimen"), made))
    assert [(a.cycle, a.cycle_day) for a in rows if a.agent == "isatuximab"] == [
        (1, 1), (1, 8), (1, 15), (1, 22), (2, 1)
    ]  # fmt: skip
    assert [(a.cycle, a.cycle_day) for a in rows if a.agent == "cetirizine"] == [
        (1, -2), (1, 1), (1, 6), (1, 8), (1, 13), (1, 15), (1, 20), (1, 22), (2, -2), (2, 1)
    ]  # fmt: skip


PAIRS = """\
regimen pairs "Doses in all, by hand"
  cycle 21 days, 3 cycles
  drug-a{label} 1 mg IV
    cycle 1: days 1, 8{twice}
    cycles 2+: days 1, 15{twice}
    at most {n} doses in all
  drug-p 2 mg PO
    the day {when} drug-a{label}
"""


def _pairs(n: int, label: str = "", twice: str = "", when: str = "after") -> list[dosecal.Administration]:
    text = PAIRS.format(n=n, label=label, twice=twice, when=when)
    return list(dosecal.expand(loads(text, "p.regimen"), dosecal.Course(START, measures=MEASURES)))


def test_a_total_counts_a_labelled_drug_and_its_premedication_by_the_line_of_its_cycle() -> None:
    """drug-a on 12-07, 12-14 (cycle 1), 12-28, 01-11 (cycle 2), 01-18, 02-01 (cycle 3); three in
    all: 12-07, 12-14, 12-28. drug-p the day after each dose given: 12-08, 12-15, 12-29; its day 16
    of cycle 2 (01-12, after day 15's dose, past the total) is not given: the line of cycles 2+ says
    which dose it goes with, not cycle 1's (where day 16 goes with none)."""
    for label in ("", " (q3w)"):
        rows = _pairs(3, label)
        assert dates(rows, "drug-a") == [d(2026, 12, 7), d(2026, 12, 14), d(2026, 12, 28)]
        assert dates(rows, "drug-p") == [d(2026, 12, 8), d(2026, 12, 15), d(2026, 12, 29)]


def test_a_day_whose_first_dose_is_given_keeps_its_premedication() -> None:
    """Twice daily, three in all: cycle 1 day 1 gives two, day 8 one (its second is past the total).
    The day before day 8 (12-13) goes with a dose given: it stays; none after."""
    rows = _pairs(3, twice=", twice daily", when="before")
    assert [(a.date, a.slot) for a in rows if a.agent == "drug-a"] == [
        (d(2026, 12, 7), 1), (d(2026, 12, 7), 2), (d(2026, 12, 14), 1),
    ]  # fmt: skip
    assert dates(rows, "drug-p") == [d(2026, 12, 6), d(2026, 12, 13)]


def test_a_total_out_of_place_or_in_total_gets_the_spelling() -> None:
    text = 'regimen x "X"\n  cycle 21 days\n  at most 35 doses in all\n  drugx 200 mg IV\n    day 1\n'
    assert refused(text)[:4] == [
        "e.regimen:3:20: unexpected 'in'",
        "      at most 35 doses in all",
        "                       ^^",
        "    hint: a drug's doses in all are said under the drug: indent the line under the drug's line",
    ]
    total = 'regimen x "X"\n  cycle 21 days\n  drugx 200 mg IV\n    day 1\n    at most 35 doses in total\n'
    assert refused(total)[3] == "    hint: write 'at most 35 doses in all'"
