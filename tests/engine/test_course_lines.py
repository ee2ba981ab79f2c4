"""Lines over the whole course (issue 13, point 10): a drug given from a day counted from another
drug's first dose to one counted from its last, as the pemetrexed label writes its vitamins.

Worked by hand for the bundled carboplatin-pemetrexed-pembrolizumab, from Monday 2026-12-07 with
6 cycles of 21 days: induction cycles 1-4 start 2026-12-07, 12-28, 2027-01-18 and 02-08;
maintenance cycles 1-2 start 03-01 and 03-22. Pemetrexed is given on each of those six days.

- Folic acid, "daily from 7 days before the first pemetrexed until 21 days after the last": from
  2026-11-30 (12-07 - 7) to 2027-04-12 (03-22 + 21), every day: 1 (Nov 30) + 31 + 31 + 28 + 31
  + 12 = 134 doses. 2026-11-30 is cycle 1's day -7 (no day 0: day -1 is 12-06), study day -7;
  2027-04-12 is maintenance cycle 2's day 22 (03-22 is day 1), study day 127 (12-07 is day 1,
  2027-04-12 is 126 days later).
- Vitamin B12, "7 days before the first pemetrexed, then every 9 weeks": 2026-11-30, then 63 days
  later 2027-02-01 (induction cycle 3 day 15), then 2027-04-05, after 03-22, the last pemetrexed:
  no dose (the line's end is the last pemetrexed where it says none).
- Dexamethasone twice on each of the day before, the day of and the day after each pemetrexed:
  12-06/07/08, 12-27/28/29, 01-17/18/19, 02-07/08/09, 02-28/03-01/03-02, 03-21/22/23.
- Carboplatin only in induction: 12-07, 12-28, 01-18, 02-08.
- Carboplatin AUC 5 for a 60-year-old man of 70 kg with a creatinine of 1.0 mg/dL: Cockcroft-Gault
  (140 - 60) x 70 / (72 x 1.0) = 77.78 mL/min, Calvert 5 x (77.78 + 25) = 513.9 mg.

A course that holds pemetrexed on its last cycle ends folic acid 21 days after the one before:
2027-03-01 + 21 = 03-22. A delay of induction cycle 3 by 7 days moves pemetrexed to 01-25, 02-15,
03-08 and 03-29: folic acid runs on every day between (cycle 2's days 22-28 are 01-18 to 01-24),
to 03-29 + 21 = 04-19; B12 stays on 02-01 (9 weeks from the first injection, which no delay moves).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import dosecal
from dosecal.cli.main import cli
from dosecal.engine.table import Status
from dosecal.language.load import loads
from dosecal.model.adjust import CycleRef, Delay, Hold, Withheld
from dosecal.model.measures import Measures
from dosecal.render import protocol_text

from ..conftest import load, refused

d = dt.date
START = d(2026, 12, 7)
MEASURES = Measures(weight_kg=70, height_cm=170)
BUNDLED = "carboplatin-pemetrexed-pembrolizumab"
DONE_WHEN = [
    *("expand", BUNDLED, "--start", "2026-12-07", "--cycles", "6", "--weight", "70"),
    *("--height", "170", "--age", "60", "--sex", "male", "--creatinine", "1.0 mg/dL"),
]
PEMETREXED_DAYS = [
    d(2026, 12, 7),
    d(2026, 12, 28),
    d(2027, 1, 18),
    d(2027, 2, 8),
    d(2027, 3, 1),
    d(2027, 3, 22),
]

SMALL = """\
regimen small "Two phases and the vitamins"
  phase induction
    cycle 21 days, 2 cycles
    pemetrexed 500 mg/m2 IV
      day 1
  phase maintenance
    cycle 21 days, until progression
    pemetrexed 500 mg/m2 IV
      day 1
  folic acid 400 to 1000 mcg PO, diary
    daily from 7 days before the first pemetrexed until 21 days after the last pemetrexed
  vitamin b12 1 mg IM
    7 days before the first pemetrexed, then every 9 weeks
"""


def _csv(args: list[str]) -> list[dict[str, str]]:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output.removeprefix("\ufeff"))))


def _dates(rows: list[dict[str, str]], agent: str) -> list[dt.date]:
    return [dt.date.fromisoformat(r["date"]) for r in rows if r["agent"] == agent]


def _expand(text: str = SMALL, cycles: int = 4, *adjustments: object) -> list[dosecal.Administration]:
    course = dosecal.Course(START, cycles=cycles, measures=MEASURES, adjustments=adjustments)  # type: ignore[arg-type]
    return list(dosecal.expand(loads(text, "r.regimen"), course))


def _on(rows: list[dosecal.Administration], agent: str, status: Status = Status.PLANNED) -> list[dt.date]:
    return [a.date for a in rows if a.agent == agent and a.status is status]


def _every_day(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def test_the_bundled_regimen_gives_what_the_issue_asks_worked_out_by_hand() -> None:
    rows = _csv(DONE_WHEN)
    assert _dates(rows, "pemetrexed") == PEMETREXED_DAYS
    folic = _dates(rows, "folic acid")
    assert folic[0] == d(2026, 11, 30) and folic[-1] == d(2027, 4, 12)
    assert folic == _every_day(d(2026, 11, 30), d(2027, 4, 12)) and len(folic) == 134
    assert _dates(rows, "vitamin b12") == [d(2026, 11, 30), d(2027, 2, 1)]
    dexamethasone = _dates(rows, "dexamethasone")
    expected = [p + dt.timedelta(days=k) for p in PEMETREXED_DAYS for k in (-1, 0, 1) for _ in range(2)]
    assert dexamethasone == expected
    carboplatin = [r for r in rows if r["agent"] == "carboplatin"]
    assert [r["date"] for r in carboplatin] == ["2026-12-07", "2026-12-28", "2027-01-18", "2027-02-08"]
    assert {r["phase"] for r in carboplatin} == {"induction"}
    assert {r["computed_amount"] for r in carboplatin} == {"513.9"}


def test_rows_over_the_course_are_placed_in_the_cycle_their_date_falls_in() -> None:
    rows = {(r["agent"], r["date"]): r for r in _csv(DONE_WHEN)}
    first, last = rows[("folic acid", "2026-11-30")], rows[("folic acid", "2027-04-12")]
    assert (first["phase"], first["cycle"], first["cycle_day"], first["study_day"]) == (
        "induction",
        "1",
        "-7",
        "-7",
    )
    assert (last["phase"], last["cycle"], last["cycle_day"], last["study_day"]) == (
        "maintenance",
        "2",
        "22",
        "127",
    )
    b12 = rows[("vitamin b12", "2027-02-01")]
    assert (b12["phase"], b12["cycle"], b12["cycle_day"]) == ("induction", "3", "15")
    assert b12["dose_amount"] == "1" and b12["dose_unit"] == "mg" and b12["route"] == "IM"
    assert first["source_line"] == str(_line_of(BUNDLED, "daily from 7 days before"))
    # A range stays a range: no dose is picked within it.
    assert (first["dose_amount"], first["dose_min"], first["dose_max"]) == ("", "400", "1000")
    # On a day shared with the phase's drugs, it comes after their doses of the same slot.
    day1 = {(r["agent"], r["slot"]): int(r["order"]) for r in _csv(DONE_WHEN) if r["date"] == "2026-12-07"}
    assert day1[("folic acid", "1")] == 1 + max(
        n for (a, s), n in day1.items() if s == "1" and a != "folic acid"
    )


def _line_of(name: str, text: str) -> int:
    path = dosecal.bundled_path(name) if hasattr(dosecal, "bundled_path") else None
    from pathlib import Path

    source = Path(path) if path else Path(__file__).parents[2] / "schedules" / f"{name}.regimen"
    return next(n for n, line in enumerate(source.read_text().split("\n"), 1) if text in line)


def test_the_ids_are_unique_and_the_same_each_time() -> None:
    once, again = _csv(DONE_WHEN), _csv(DONE_WHEN)
    assert once == again
    ids = [r["administration_id"] for r in once]
    assert len(ids) == len(set(ids))


def test_a_held_last_dose_ends_the_line_21_days_after_the_dose_before() -> None:
    """SMALL, 4 cycles: pemetrexed 12-07, 12-28, 01-18 and 02-08; the last held."""
    hold = Hold("pemetrexed", Withheld.HELD, CycleRef("maintenance", 2), 1, 1, False, "creatinine", 3)
    rows = _expand(SMALL, 4, hold)
    assert _on(rows, "pemetrexed", Status.HELD) == [d(2027, 2, 8)]
    assert _on(rows, "folic acid") == _every_day(d(2026, 11, 30), d(2027, 2, 8))
    # The injection every 9 weeks stops with the last dose given, 01-18: none on 02-01.
    assert _on(rows, "vitamin b12") == [d(2026, 11, 30)]


def test_a_held_first_dose_still_begins_the_line_and_keeps_its_ids() -> None:
    """What goes before a first dose is begun before a hold can be decided on its day: the first dose
    in the schedule, held or not, is where the line is counted from; rows and ids stay."""
    hold = Hold("pemetrexed", Withheld.HELD, CycleRef("induction", 1), 1, 1, False, "infection", 3)
    rows, plain = _expand(SMALL, 4, hold), _expand(SMALL, 4)
    assert _on(rows, "pemetrexed", Status.HELD) == [d(2026, 12, 7)]
    assert _on(rows, "folic acid") == _every_day(d(2026, 11, 30), d(2027, 3, 1))
    assert _on(rows, "vitamin b12") == [d(2026, 11, 30), d(2027, 2, 1)]
    ids = {(a.agent, a.date): a.administration_id for a in plain}
    assert all(ids[(a.agent, a.date)] == a.administration_id for a in rows if a.agent != "pemetrexed")


def test_an_omitted_drug_ends_the_line_with_its_last_dose_given() -> None:
    """Omitted from maintenance on: the last pemetrexed given is induction cycle 2's, 12-28."""
    omit = Hold("pemetrexed", Withheld.OMITTED, CycleRef("maintenance", 1), None, None, True, "toxicity", 3)
    rows = _expand(SMALL, 4, omit)
    assert _on(rows, "folic acid") == _every_day(d(2026, 11, 30), d(2027, 1, 18))
    assert _on(rows, "vitamin b12") == [d(2026, 11, 30)]


def test_ids_go_by_the_dose_not_by_its_cycle_and_day() -> None:
    """A delay or one more cycle expanded moves which cycle a date falls in, not the dose's id, nor
    do a cycle's delays or a phase's notes show on its rows."""
    plain = {(a.agent, a.date, a.slot): a.administration_id for a in _expand(SMALL, 4)}
    delay = Delay(CycleRef("induction", 2), 7, "ANC 0.8", 2)
    delayed = [a for a in _expand(SMALL, 4, delay) if a.agent in ("folic acid", "vitamin b12")]
    moved = [a for a in delayed if (a.agent, a.date, a.slot) in plain]
    assert len(moved) > 60 and any(a.cycle == 1 and a.cycle_day == 22 for a in moved)
    assert all(plain[(a.agent, a.date, a.slot)] == a.administration_id for a in moved)
    more = {(a.agent, a.date, a.slot): a.administration_id for a in _expand(SMALL, 5)}
    assert all(more[k] == v for k, v in plain.items())
    noted = SMALL.replace(
        "    cycle 21 days, 2 cycles\n", '    cycle 21 days, 2 cycles\n    note "Induction."\n'
    )
    assert {a.notes for a in _expand(noted, 4) if a.agent == "folic acid"} == {""}


def test_a_creatinine_measured_after_the_vitamins_began_still_doses_the_course() -> None:
    """The course's first dose is its phases' (12-07): labs of 12-05 are before it."""
    rows = _csv([*DONE_WHEN[:-1], "1.0 mg/dL on 2026-12-05"])
    assert _dates(rows, "folic acid")[0] == d(2026, 11, 30)


def test_a_delay_moves_the_end_but_not_the_injections_counted_in_weeks() -> None:
    delay = Delay(CycleRef("maintenance", 1), 7, "ANC 0.8", 2)
    rows = _expand(SMALL, 4, delay)
    # Pemetrexed: 12-07, 12-28, then 7 days later 01-25 and 02-15.
    assert _on(rows, "pemetrexed") == [d(2026, 12, 7), d(2026, 12, 28), d(2027, 1, 25), d(2027, 2, 15)]
    folic = [a for a in rows if a.agent == "folic acid"]
    assert [a.date for a in folic] == _every_day(d(2026, 11, 30), d(2027, 3, 8))
    gap = [a for a in folic if d(2027, 1, 18) <= a.date <= d(2027, 1, 24)]
    assert [(a.phase, a.cycle, a.cycle_day) for a in gap] == [("induction", 2, n) for n in range(22, 29)]
    # The delay is its cycle's; no line over the course is moved by it.
    assert all(not a.adjustment for a in folic)
    assert _on(rows, "vitamin b12") == [d(2026, 11, 30), d(2027, 2, 1)]


SPELLINGS = """\
regimen spell "Spellings"
  cycle 14 days, 6 cycles
  drugx 10 mg IV
    day 1
{drug}
"""


def _spelled(line: str, head: str = "  drugy 1 mg PO") -> list[dosecal.Administration]:
    rows = _expand(SPELLINGS.format(drug=f"{head}\n    {line}"), 6)
    return [a for a in rows if a.agent == "drugy"]


def test_the_spellings_of_a_line_over_the_course() -> None:
    """drugx on 12-07, 12-21, 01-04, 01-18, 02-01 and 02-15 (a regimen without phases)."""
    once = _spelled("7 days before the first dose of drugx")
    assert [a.date for a in once] == [d(2026, 11, 30)]
    weekly = _spelled("the first drugx, then every week until 3 days after the last drugx, for 3 doses")
    assert [a.date for a in weekly] == [d(2026, 12, 7), d(2026, 12, 14), d(2026, 12, 21)]
    until = _spelled("the day after the first drugx, then every 3 weeks until the last drugx")
    assert [a.date for a in until] == [d(2026, 12, 8), d(2026, 12, 29), d(2027, 1, 19), d(2027, 2, 9)]
    twice = _spelled("twice daily from the last drugx until 2 days after the last drugx")
    assert [(a.date, a.slot) for a in twice] == [(d(2027, 2, 15 + n), s) for n in range(3) for s in (1, 2)]
    assert {(a.phase, a.cycle) for a in twice} == {("", 6)}
    counted = _spelled("3 days after the last drugx")
    assert [(a.date, a.cycle, a.cycle_day) for a in counted] == [(d(2027, 2, 18), 6, 4)]


def test_show_says_each_line_and_where_it_ends() -> None:
    text = protocol_text.render(loads(SMALL, "r.regimen"))
    assert text.split("\n")[-6:] == [
        "over the whole course, counted from the doses the phases give",
        "  folic acid, 400 to 1000 mcg, PO (oral), taken at home (diary)",
        "    daily from 7 days before the first pemetrexed until 21 days after the last pemetrexed",
        "  vitamin b12, 1 mg, IM (intramuscular)",
        "    7 days before the first pemetrexed, then every 9 weeks until the last pemetrexed"
        " (no dose after it)",
        "",
    ]


def test_a_supplied_dose_fills_the_range_and_says_so() -> None:
    rows = _csv([*DONE_WHEN, "--dose", "folic acid=1000 mcg"])
    folic = [r for r in rows if r["agent"] == "folic acid"]
    assert {r["dose_amount"] for r in folic} == {"1000"}
    assert {r["dose_source"] for r in folic} == {"supplied (--dose)"}
    assert "this dose was supplied (--dose)" in folic[0]["dose_basis"]
    result = CliRunner().invoke(cli, [*DONE_WHEN, "--dose", "folic acid=5 mg"])
    assert result.exit_code != 0
    assert "--dose gives folic acid 5 mg, outside the regimen's 400 to 1000 mcg" in result.output


def test_an_anchor_not_given_gives_the_line_no_dose() -> None:
    """A drug of the phases the course does not reach: nothing is counted from it."""
    text = SMALL.replace(
        "    pemetrexed 500 mg/m2 IV\n      day 1\n  folic", "    drugz 1 mg IV\n      day 1\n  folic"
    )
    text = text.replace("the first pemetrexed, then", "the first drugz, then")
    rows = _expand(text, 2)  # induction only: drugz is maintenance's
    assert _on(rows, "vitamin b12") == []
    assert _on(rows, "folic acid") == _every_day(d(2026, 11, 30), d(2027, 1, 18))


@settings(max_examples=60, deadline=None)
@given(
    cycles=st.integers(1, 8),
    before=st.integers(0, 30),
    after=st.integers(0, 40),
    every=st.integers(1, 70),
    delay=st.integers(0, 10),
)
def test_a_line_over_the_course_counts_from_the_doses_given(
    cycles: int, before: int, after: int, every: int, delay: int
) -> None:
    """The rule: the dates are the first anchor dose moved by the first shift, then every N days,
    none past the end; each row's cycle and day say its date (that cycle's day 1 moved by the day's
    offset), and a day is given once."""
    text = SMALL.replace(
        "7 days before the first pemetrexed until 21 days after",
        f"{before} days before the first pemetrexed until {after} days after",
    )
    text = text.replace("then every 9 weeks", f"then every {every} days")
    text = text.replace(" 0 days before", " the day of").replace(
        "until 0 days after the last", "until the last"
    )
    text = text.replace("from the day of the first", "from the first")
    moves = (Delay(CycleRef("maintenance", 1), delay, "ANC", 2),) if delay and cycles > 2 else ()
    rows = _expand(text, cycles, *moves)
    given_on = _on(rows, "pemetrexed")
    folic = _on(rows, "folic acid")
    first, last = given_on[0] - dt.timedelta(days=before), given_on[-1] + dt.timedelta(days=after)
    assert folic == _every_day(first, last)
    b12, injected = _on(rows, "vitamin b12"), given_on[0] - dt.timedelta(days=7)
    assert b12 == [injected + dt.timedelta(days=every * k) for k in range(len(b12))]
    assert b12[-1] <= given_on[-1] < b12[-1] + dt.timedelta(days=every)
    starts = {(a.phase, a.cycle): a.date for a in rows if a.agent == "pemetrexed"}
    for a in rows:
        offset = a.cycle_day - 1 if a.cycle_day > 0 else a.cycle_day
        assert a.date == starts[(a.phase, a.cycle)] + dt.timedelta(days=offset)


def test_refusals_say_where_and_what_to_write() -> None:
    in_phase = SMALL.replace(
        "      day 1\n  phase maintenance",
        "      day 1\n    folic acid 1 mg PO\n"
        "      daily from the first pemetrexed until the last pemetrexed\n  phase maintenance",
    )
    assert refused(in_phase)[:4] == [
        "e.regimen:7:7: folic acid is given over the whole course: it belongs to no phase",
        "          daily from the first pemetrexed until the last pemetrexed",
        "          ^" + "^" * 56,
        "    hint: write it under the regimen line, after the phases",
    ]
    mixed = SMALL.replace(
        "    7 days before the first pemetrexed, then",
        "    day 1\n    7 days before the first pemetrexed, then",
    )
    assert refused(mixed)[0] == "e.regimen:13:5: vitamin b12 is given over the whole course (line 14)"
    two = SMALL + "    the last pemetrexed\n"
    assert (
        refused(two)[0]
        == "e.regimen:14:5: vitamin b12 already has its line over the whole course, on line 13"
    )
    after = SMALL.replace("vitamin b12 1 mg IM", "vitamin b12 1 mg IM, after pemetrexed")
    assert (
        refused(after)[0]
        == "e.regimen:12:24: vitamin b12 is given over the whole course, not among a phase's drugs"
    )
    unknown = SMALL.replace("the first pemetrexed, then", "the first pemetrexd, then")
    report = refused(unknown)
    assert report[0] == "e.regimen:13:29: 'pemetrexd' is not a drug of this regimen's cycles"
    assert report[3] == "    hint: did you mean 'pemetrexed'?"
    own = SMALL.replace("the first pemetrexed, then", "the first vitamin b12, then")
    assert refused(own)[0] == "e.regimen:13:29: vitamin b12's days cannot be counted from its own doses"
    of_course = SMALL.replace("the first pemetrexed, then", "the first folic acid, then")
    assert refused(of_course)[0] == "e.regimen:13:29: 'folic acid' is not a drug of this regimen's cycles"
    backwards = SMALL.replace("until 21 days after the last", "until 21 days before the first")
    assert refused(backwards)[0] == (
        "e.regimen:11:57: this line ends (21 days before the first pemetrexed) before it starts "
        "(7 days before the first pemetrexed)"
    )
    last_first = SMALL.replace(
        "from 7 days before the first pemetrexed until 21 days after the last",
        "from the last pemetrexed until 21 days after the first",
    )
    assert refused(last_first)[0].endswith(
        "a line that starts from the last pemetrexed cannot end by the first"
    )
    step = SMALL.replace("    7 days before the first", "    step-up 7 days before the first")
    assert refused(step)[0].endswith("a step-up dose is a cycle's: a line over the whole course has none")
    condition = SMALL.replace("then every 9 weeks", "then every 9 weeks if weight >= 45 kg")
    assert refused(condition)[0].endswith(
        "a line over the whole course is given with the drug it is counted from"
    )
    zero = SMALL.replace(
        "7 days before the first pemetrexed, then", "0 days before the first pemetrexed, then"
    )
    assert refused(zero)[0].endswith("days before or after a dose are a whole number of days, at least 1")
    far = SMALL.replace(
        "7 days before the first pemetrexed, then", "400 days before the first pemetrexed, then"
    )
    assert refused(far)[0].endswith("a day counted from pemetrexed's dose is at most 366 days away")
    loose = SMALL.replace(
        "  folic acid 400 to 1000 mcg PO, diary\n",
        "  folic acid 400 to 1000 mcg PO, diary\n    days 1-21\n",
        1,
    )
    assert "folic acid is given over the whole course (line 12)" in refused(loose)[0]


def test_every_3_cycles_gets_the_spelling_and_no_follow_on_mistake() -> None:
    """The label's "every 3 cycles thereafter": one mistake, the line's, with the accepted spelling."""
    report = refused(SMALL.replace("then every 9 weeks", "then every 3 cycles"))
    assert report == [
        "e.regimen:13:54: unexpected 'cycles'",
        "        7 days before the first pemetrexed, then every 3 cycles",
        " " * (4 + 53) + "^^^^^^",  # column 54, under "cycles"
        "    hint: a line over the whole course counts days or weeks, which no delay moves: "
        "say them, e.g. 'then every 9 weeks' for every 3 cycles of 21 days",
        "",
        "1 error in e.regimen",
    ]
    early = refused(SMALL.replace(" until 21 days after the last pemetrexed", ""))
    assert early[0] == "e.regimen:11:50: the line ends too early"
    assert early[3] == "    hint: expected 'until'"


def test_the_mistakes_a_review_found_are_said_at_the_line() -> None:
    """A drug over the course named by a phase's drug, an anchor that runs over days, weeks before a
    dose, a count on a daily line, the drug named once: one message each, at the line."""
    after = SMALL.replace(
        "    pemetrexed 500 mg/m2 IV\n      day 1\n  phase",
        "    pemetrexed 500 mg/m2 IV, after folic acid\n      day 1\n  phase",
    )
    assert refused(after)[0] == (
        "e.regimen:4:36: folic acid is given over the whole course, not among phase induction's drugs"
    )
    premedication = SMALL.replace(
        "  folic acid", "    dexamethasone 4 mg PO\n      the day before folic acid\n  folic acid"
    )
    assert refused(premedication)[0] == (
        "e.regimen:11:22: folic acid is given over the whole course, not among phase maintenance's drugs"
    )
    infusion = (
        'regimen b "B"\n  cycle 42 days, 2 cycles\n  blinatumomab IV continuous infusion\n'
        "    days 1-28 at 28 mcg/day\n  acyclovir 400 mg PO, diary\n"
        "    daily from the first blinatumomab until 7 days after the last blinatumomab\n"
    )
    report = refused(infusion)
    assert report[0] == "e.regimen:6:26: blinatumomab runs as a continuous infusion over days"
    assert report[-1] == "1 error in e.regimen"
    weeks = refused(
        SMALL.replace("7 days before the first pemetrexed, then", "1 week before the first pemetrexed, then")
    )
    assert weeks[3] == "    hint: days before or after a dose are counted in days: '7 days before'"
    count = refused(SMALL.replace("after the last pemetrexed\n", "after the last pemetrexed, for 5 doses\n"))
    assert count[3].startswith("    hint: a daily line gives a dose on each day from one day to the other")
    once = refused(
        SMALL.replace(
            "from 7 days before the first pemetrexed until 21 days after the last pemetrexed",
            "from the first until the last pemetrexed",
        )
    )
    assert once[0] == "e.regimen:11:51: the line ends too early"
    assert once[3] == (
        "    hint: name the drug after 'the first', as after 'the last': "
        "'the first pemetrexed until the last pemetrexed'"
    )
    double = SMALL.replace(
        "folic acid 400 to 1000 mcg PO, diary", "folic acid 1 mg/day PO continuous infusion"
    )
    assert refused(double)[-1] == "1 error in e.regimen"


def test_a_line_past_the_size_of_a_course_is_refused_before_its_rows_are_made() -> None:
    text = (
        'regimen big "Big"\n  cycle 366 days, 200 cycles\n  drugx 500 mg IV\n    day 1\n'
        "  drugy 1 mg PO\n"
        "    six times daily from 366 days before the first drugx until 366 days after the last drugx\n"
    )
    with pytest.raises(dosecal.CourseError) as caught:
        _expand(text, 200)
    assert str(caught.value).startswith(
        "drugy's line over the whole course (regimen line 6) would make the course more than "
        "20,000 administrations"
    )


def test_a_roster_checks_the_creatinine_against_the_same_first_dose() -> None:
    """The roster's fast path (`batch.tables`) says what `expand` says: labs of 2 days before the
    start dose the course (its phases' first dose is the day before it), labs of the start do not; for
    the first patient and for the next, made from the first one's shape."""
    from dosecal.batch.tables import CombinedTables
    from dosecal.model.measures import Creatinine, CreatinineUnit, Sex
    from dosecal.render.csv_table import Profile

    regimen = load(BUNDLED)
    tables = CombinedTables(next(iter(Profile)))
    for start in (START, START + dt.timedelta(days=7)):
        for days, fine in ((-2, True), (0, False)):
            renal = Creatinine(Decimal("1.0"), CreatinineUnit.MG_DL, start + dt.timedelta(days=days))
            measures = Measures(weight_kg=70, height_cm=170, age=60, sex=Sex.MALE, creatinine=renal)
            course = dosecal.Course(start, cycles=6, measures=measures)
            if fine:
                text, _, _ = tables.patient("p1", regimen, course)
                assert text.count("\n") == len(dosecal.expand(regimen, course)) == 188
                continue
            # Dexamethasone of the day before day 1 is the first dose of the phases.
            with pytest.raises(dosecal.CourseError, match="measured after the course's first dose, 20"):
                tables.patient("p1", regimen, course)
            with pytest.raises(dosecal.CourseError, match="measured after the course's first dose, 20"):
                dosecal.expand(regimen, course)


def test_a_labelled_drug_is_counted_from_by_its_label() -> None:
    """Maintenance's pemetrexed, labelled, is a drug of its own: folic acid ends 21 days after its
    last dose (02-08 + 21), vitamin B12 starts 7 days before its first (01-18 - 7)."""
    text = SMALL.replace(
        "    pemetrexed 500 mg/m2 IV\n      day 1\n  folic",
        "    pemetrexed (maintenance) 500 mg/m2 IV\n      day 1\n  folic",
    )
    text = text.replace("after the last pemetrexed", "after the last pemetrexed (maintenance)")
    text = text.replace(
        "before the first pemetrexed, then", "before the first pemetrexed (maintenance), then"
    )
    rows = _expand(text, 4)
    assert _on(rows, "folic acid") == _every_day(d(2026, 11, 30), d(2027, 3, 1))
    assert _on(rows, "vitamin b12") == [d(2027, 1, 11)]


def test_levels_and_dose_changes_reach_a_drug_over_the_course_from_their_cycle() -> None:
    """Level 2 from maintenance cycle 1 (01-18) gives vitamin B12 2 mg from then; a course's change
    of folic acid to 1000 mcg from induction cycle 2 (12-28) fills its range from that day."""
    from dosecal.model.adjust import DoseFrom, LevelFrom
    from dosecal.model.regimen import UNITS, Amount

    text = SMALL + "  level 1: vitamin b12 1 mg\n  level 2: vitamin b12 2 mg\n"
    regimen = loads(text, "r.regimen")
    moves = (
        LevelFrom("2", CycleRef("maintenance", 1), "RP2D", 2),
        DoseFrom("folic acid", Amount(Decimal(1000), UNITS["mcg"]), CycleRef("induction", 2), "tablets", 3),
    )
    course = dosecal.Course(START, cycles=4, level="1", measures=MEASURES, adjustments=moves)  # type: ignore[arg-type]
    rows = list(dosecal.expand(regimen, course))
    b12 = [(a.date, a.dose_amount) for a in rows if a.agent == "vitamin b12"]
    assert b12 == [(d(2026, 11, 30), Decimal(1)), (d(2027, 2, 1), Decimal(2))]
    folic = {a.date: a.dose_amount for a in rows if a.agent == "folic acid"}
    assert folic[d(2026, 12, 27)] is None and folic[d(2026, 12, 28)] == Decimal(1000)


def test_ids_go_by_the_number_and_the_dose_of_the_day_and_notes_stay_the_phases() -> None:
    """Twice daily over the course: each dose its own id, the first by number 1 (identity's
    `course_place`); a phase's note stays on its drugs' rows."""
    from dosecal.engine.identity import administration_id, course_place

    text = SMALL.replace(
        "  folic acid 400 to 1000 mcg PO, diary\n    daily",
        "  folic acid 400 to 1000 mcg PO, diary\n    twice daily",
    )
    text = text.replace(
        "    cycle 21 days, 2 cycles\n", '    cycle 21 days, 2 cycles\n    note "Induction."\n'
    )
    rows = _expand(text, 4)
    folic = [a for a in rows if a.agent == "folic acid"]
    assert len({a.administration_id for a in folic}) == len(folic) == 2 * 92  # 11-30 to 03-01
    assert folic[0].administration_id == administration_id("small", course_place("folic acid", 1, 1))
    assert folic[1].administration_id == administration_id("small", course_place("folic acid", 1, 2))
    assert {a.notes for a in rows if a.agent == "pemetrexed" and a.phase == "induction"} == {"Induction."}


def test_a_hold_of_a_drug_over_the_course_keeps_its_rows_held() -> None:
    """`hold folic acid from maintenance cycle 1`: its rows from 01-18 on are held, with the line."""
    hold = Hold("folic acid", Withheld.HELD, CycleRef("maintenance", 1), None, None, True, "rash", 5)
    rows = [a for a in _expand(SMALL, 4, hold) if a.agent == "folic acid"]
    assert {a.status for a in rows if a.date < d(2027, 1, 18)} == {Status.PLANNED}
    assert {a.status for a in rows if a.date >= d(2027, 1, 18)} == {Status.HELD}
    assert rows[-1].adjustment[0].line == 5


def test_a_course_change_naming_the_levels_dose_reaches_a_drug_over_the_course() -> None:
    """Level 1 gives vitamin B12 2 mg (its own dose is 1 mg); 'change vitamin b12 2 mg to 3 mg from
    induction cycle 2' names the level's dose, so the injection of 02-01 (cycle 3) is 3 mg."""
    from dosecal.model.adjust import DoseFrom
    from dosecal.model.regimen import UNITS, Amount

    regimen = loads(SMALL + "  level 1: vitamin b12 2 mg\n", "r.regimen")
    mg = UNITS["mg"]
    change = DoseFrom(
        "vitamin b12", Amount(Decimal(3), mg), CycleRef("induction", 2), "x", 2, Amount(Decimal(2), mg)
    )
    course = dosecal.Course(START, cycles=4, level="1", measures=MEASURES, adjustments=(change,))
    b12 = [(a.date, a.dose_amount) for a in dosecal.expand(regimen, course) if a.agent == "vitamin b12"]
    assert b12 == [(d(2026, 11, 30), Decimal(2)), (d(2027, 2, 1), Decimal(3))]


def test_the_size_of_a_course_counts_the_phases_rows_with_the_course_lines() -> None:
    """100 cycles of 100 days, drugx every day: 10,000 rows; drugy every day from its first to its
    last dose: 10,000 more, 20,000 in all, the most a course has; one day more is refused."""
    text = (
        'regimen big "Big"\n  cycle 100 days, 100 cycles\n  drugx 1 mg IV\n    days 1-100\n'
        "  drugy 1 mg PO\n    daily from the first drugx until the last drugx\n"
    )
    assert len(_expand(text, 100)) == 20_000
    with pytest.raises(dosecal.CourseError) as caught:
        _expand(text.replace("until the last drugx", "until 1 day after the last drugx"), 100)
    assert str(caught.value) == (
        "drugy's line over the whole course (regimen line 6) would make the course more than 20,000 "
        "administrations, more than dosecal makes for one patient: check its days and doses a day, "
        "or expand fewer cycles (--cycles N)"
    )
