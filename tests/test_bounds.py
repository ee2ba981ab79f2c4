"""Bounded work, bounded messages (issue 9, points 4 and 5; DESIGN.md §5, "Bounded").

Every number of the languages has a range (`dosecal.limits`), checked where it
is read: for each kind the highest value allowed is read and one past it is
refused, with its whole message. A file's messages are capped at 50 with a
true count, a long line is shown as a window around the caret, and the
reproductions of the issue give small reports at once. No test here is timed
(speed lives in bench/): each asserts the bounded result, and even the big
cases run in well under a second.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dosecal import RegimenError, limits, loads
from dosecal.cli.main import cli
from dosecal.engine.occurrences import occurrences
from dosecal.errors import MAX_SHOWN, Diagnostic, Findings
from dosecal.io.read import load_course
from dosecal.language import overlaps
from dosecal.model.adjust import MAX_MOVE_DAYS
from dosecal.model.dosing import HEIGHT_CM, WEIGHT_KG
from dosecal.model.regimen import (
    Agent,
    Clause,
    CycleRange,
    CycleSelector,
    DayRule,
    IntervalRule,
    Parity,
    Phase,
    Slot,
    Unstated,
)
from dosecal.source import Source, Span

DOCS = Path(__file__).resolve().parents[1] / "docs" / "templates"
BIG = "9" * 5000  # past the 4,300 digits Python turns into an int


def report(text: str, name: str = "t.regimen") -> str:
    with pytest.raises(RegimenError) as caught:
        loads(text, name)
    return caught.value.render()


def course_report(folder: Path, text: str) -> str:
    path = folder / "t.course"
    path.write_text(text, "utf-8")
    with pytest.raises(RegimenError) as caught:
        load_course(path)
    return caught.value.render().replace(str(path), "t.course")


# ---- the reproductions ---------------------------------------------------

HANG = 'regimen big "Big"\n  cycle 28 days\n  pomalidomide 4 mg PO capsule, diary\n    cycle {n}: days 1-21\n'


@pytest.mark.parametrize("number", ["99999999999999999999999", "1000000000", "10000000", "201"])
def test_a_cycle_number_past_any_course_is_refused_at_once(number: str) -> None:
    """`cycle 99999999999999999999999:` hung `check`, `cycle 10000000:` passed after 3.9 s: now refused."""
    assert report(HANG.format(n=number)) == (
        f"t.regimen:4:11: {number} is out of range for a cycle number\n"
        f"        cycle {number}: days 1-21\n"
        f"              {'^' * len(number)}\n"
        "    hint: a cycle number runs from 1 to 200\n"
        "\n"
        "1 error in t.regimen"
    )


def test_the_last_cycle_a_course_can_reach_is_read() -> None:
    """`cycle 200:` in an open-ended regimen is the 200th cycle of the longest course: read."""
    regimen = loads(HANG.format(n="200"))
    assert regimen.phases[0].agents[0].clauses[0].rule == DayRule(
        CycleSelector((CycleRange(200, 200),)), tuple(range(1, 22))
    )


def listed(times: int) -> str:
    return 'regimen dup "D"\n  cycle 28 days\n  a 1 mg PO\n    days ' + ", ".join(["1"] * times) + "\n"


# Worked out by hand: "    days " is 9 characters, each "1, " 3 more, so the k-th repeat (k = 1..)
# stands at column 10 + 3k. The window is 100 characters: from the line's start for the
# first repeat; for the 50th (column 160) from 30 before the caret, character 129.
FIRST_BLOCK = (
    "t.regimen:4:13: day 1 is listed twice\n        days " + "1, " * 30 + "1…\n    " + " " * 12 + "^"
)
FIFTIETH_BLOCK = "t.regimen:4:160: day 1 is listed twice\n    …" + "1, " * 33 + "1…\n    " + " " * 31 + "^"


def test_a_day_listed_3000_times_gives_50_messages_and_the_true_count() -> None:
    """3,000 listings wrote 40 MB of messages (each reprinted the 9 KB line); now 50 short ones."""
    with pytest.raises(RegimenError) as caught:
        loads(listed(3000), "t.regimen")
    error = caught.value
    assert (error.count, len(error.diagnostics)) == (2999, MAX_SHOWN)
    blocks = error.render().split("\n\n")
    assert blocks[0] == FIRST_BLOCK
    assert blocks[49] == FIFTIETH_BLOCK
    assert blocks[50:] == ["2999 errors in t.regimen; the first 50 are shown"]
    assert len(error.render()) < 12_000


def test_a_day_listed_20000_times_reads_as_the_3000_one() -> None:
    """20,000 listings took 47 s and 8.7 GB: the same 50 messages now, with the count of all."""
    with pytest.raises(RegimenError) as caught:
        loads(listed(20_000), "t.regimen")
    small = report(listed(3000))
    assert caught.value.count == 19_999
    assert caught.value.render() == small.replace("2999 errors", "19999 errors")


def test_5000_digit_numbers_anywhere_in_a_regimen_are_refused_without_a_traceback() -> None:
    """Every number of the language, 5,000 digits long: one message each, the number cut short."""
    text = (
        'regimen huge "H"\n'
        f"  cycle 28 days, {BIG} cycles\n"
        f"  a {BIG} mg PO, max 0.{BIG} mg, over {BIG} hours\n"
        f"    cycle {BIG}: day {BIG}\n"
        f"    every {BIG} weeks from cycle 1 day 1, for {BIG} doses\n"
        f"  level 1: a {BIG} mg\n"
    )
    with pytest.raises(RegimenError) as caught:
        loads(text, "t.regimen")
    cut = "9" * 20 + "…"
    assert [(d.span.line, d.span.col, d.message) for d in caught.value.diagnostics] == [
        (2, 18, f"{cut} is out of range for the number of cycles"),
        (3, 5, f"{cut} is out of range for an amount"),
        (3, 5017, f"0.{'9' * 18}… has more than 6 decimal places"),
        (3, 10029, f"{cut} hours is out of range for a duration"),
        (4, 11, f"{cut} is out of range for a cycle number"),
        (4, 5017, f"day {cut} is outside a 28-day cycle"),
        (5, 11, f"{cut} weeks is out of range for an interval"),
        (5, 5042, f"{cut} is out of range for the number of doses"),
        (6, 14, f"{cut} is out of range for an amount"),
    ]
    assert len(caught.value.render()) < 9 * 400  # the file is 30 KB; each message a line and a window


# ---- every limit of a regimen file at its boundary --------------------------------

BASE = 'regimen b "B"\n  cycle {cycle}\n  a {dose} PO{options}\n    {clause}\n'


def base(cycle: str = "28 days", dose: str = "1 mg", options: str = "", clause: str = "day 1") -> str:
    return BASE.format(cycle=cycle, dose=dose, options=options, clause=clause)


def one(line: int, col: int, message: str, text: str, width: int, hint: str) -> str:
    """The report of one mistake, the caret under `width` characters from `col`."""
    return (
        f"t.regimen:{line}:{col}: {message}\n    {text}\n    {' ' * (col - 1)}{'^' * width}\n"
        f"    hint: {hint}\n\n1 error in t.regimen"
    )


CYCLE_HINT = "a cycle length runs from 1 to 366 days (52 weeks)"
INTERVAL_HINT = "an interval runs from 1 to 366 days (52 weeks)"
DURATION_HINT = "a duration runs from 1 to 527040 min (8784 hours, 366 days), with at most 2 decimal places"
AMOUNT_HINT = "an amount runs from 0.000001 to 1000000000000 (10^12), with at most 6 decimal places"

BOUNDARIES = [
    # (kind, the highest value allowed, one past it, the report for it)
    (
        "cycle length",
        base(cycle="366 days"),
        base(cycle="367 days"),
        one(2, 9, "367 days is out of range for a cycle length", "  cycle 367 days", 3, CYCLE_HINT),
    ),
    (
        "cycle length in weeks",
        base(cycle="52 weeks"),
        base(cycle="53 weeks"),
        one(2, 9, "53 weeks is out of range for a cycle length", "  cycle 53 weeks", 2, CYCLE_HINT),
    ),
    (
        "number of cycles",
        base(cycle="28 days, 200 cycles"),
        base(cycle="28 days, 201 cycles"),
        one(
            2,
            18,
            "201 is out of range for the number of cycles",
            "  cycle 28 days, 201 cycles",
            3,
            "the number of cycles runs from 1 to 200",
        ),
    ),
    (
        "cycle number",
        base(clause="cycles 2-200: day 1"),
        base(clause="cycles 2-201: day 1"),
        one(
            4,
            14,
            "201 is out of range for a cycle number",
            "    cycles 2-201: day 1",
            3,
            "a cycle number runs from 1 to 200",
        ),
    ),
    (
        "interval's first cycle",
        base(clause="every 1 week from cycle 200 day 1"),
        base(clause="every 1 week from cycle 201 day 1"),
        one(
            4,
            29,
            "201 is out of range for a cycle number",
            "    every 1 week from cycle 201 day 1",
            3,
            "a cycle number runs from 1 to 200",
        ),
    ),
    (
        "day",
        base(cycle="366 days", clause="day 366"),
        base(cycle="366 days", clause="day 367"),
        one(4, 9, "day 367 is outside a 366-day cycle", "    day 367", 3, "days run from 1 to 366"),
    ),
    (
        "interval",
        base(clause="every 366 days"),
        base(clause="every 367 days"),
        one(4, 11, "367 days is out of range for an interval", "    every 367 days", 3, INTERVAL_HINT),
    ),
    (
        "interval in weeks",
        base(clause="every 52 weeks"),
        base(clause="every 53 weeks"),
        one(4, 11, "53 weeks is out of range for an interval", "    every 53 weeks", 2, INTERVAL_HINT),
    ),
    (
        "number of doses",
        base(clause="every 1 day, for 1000 doses"),
        base(clause="every 1 day, for 1001 doses"),
        one(
            4,
            22,
            "1001 is out of range for the number of doses",
            "    every 1 day, for 1001 doses",
            4,
            "the number of doses runs from 1 to 1000",
        ),
    ),
    (
        "duration in hours",
        base(options=", over 8784 hours"),
        base(options=", over 8785 hours"),
        one(
            3,
            19,
            "8785 hours is out of range for a duration",
            "  a 1 mg PO, over 8785 hours",
            4,
            DURATION_HINT,
        ),
    ),
    (
        "duration in minutes",
        base(options=", over 527040 min"),
        base(options=", over 527041 min"),
        one(
            3,
            19,
            "527041 min is out of range for a duration",
            "  a 1 mg PO, over 527041 min",
            6,
            DURATION_HINT,
        ),
    ),
    (
        "amount",
        base(dose="1000000000000 mg"),
        base(dose="1000000000000.000001 mg"),
        one(
            3,
            5,
            "1000000000000.000001 is out of range for an amount",
            "  a 1000000000000.000001 mg PO",
            20,
            AMOUNT_HINT,
        ),
    ),
    (
        "smallest amount",
        base(dose="0.000001 mg"),
        base(dose="0.0000001 mg"),
        one(3, 5, "0.0000001 has more than 6 decimal places", "  a 0.0000001 mg PO", 9, AMOUNT_HINT),
    ),
    (
        "cap",
        base(dose="2 units", options=", max 200000000 units"),
        base(dose="2 units", options=", max 2000000000000 units"),
        one(
            3,
            21,
            "2000000000000 is out of range for an amount",
            "  a 2 units PO, max 2000000000000 units",
            13,
            AMOUNT_HINT,
        ),
    ),
]


@pytest.mark.parametrize(("kind", "highest", "past", "expected"), BOUNDARIES, ids=[b[0] for b in BOUNDARIES])
def test_each_limit_of_a_regimen_at_its_boundary(kind: str, highest: str, past: str, expected: str) -> None:
    """The highest value of each kind is read; one past it is refused at its number, with the range."""
    loads(highest)
    assert report(past) == expected


PHASES = """regimen b "B"
  phase induction
    cycle 28 days, 150 cycles
    a 1 mg PO
      day 1
  phase maintenance
    cycle 28 days, {n} cycles
    a 1 mg PO
      day 1
"""


def test_the_phases_together_have_at_most_200_cycles() -> None:
    """150 + 50 cycles make the longest course; 150 + 51 could never be expanded whole."""
    assert loads(PHASES.format(n=50)).total_cycles == 200
    assert report(PHASES.format(n=51)) == one(
        6,
        9,
        "the phases up to maintenance have 201 cycles, more than a course can have",
        "  phase maintenance",
        11,
        "a course has at most 200 cycles, all phases together",
    )


# ---- course files and rosters -------------------------------------------------------

COURSE = "course pt-1\n  regimen {regimen}\n  start 2026-12-07\n  cycles {cycles}\n{extra}"


def course_text(extra: str = "", cycles: str = "6", regimen: str = "nct05922501") -> str:
    return COURSE.format(regimen=regimen, cycles=cycles, extra=extra)


def course_one(line: int, col: int, message: str, text: str, width: int, hint: str | None = None) -> str:
    hinted = f"\n    hint: {hint}" if hint else ""
    return (
        f"t.course:{line}:{col}: {message}\n    {text}\n    {' ' * (col - 1)}{'^' * width}{hinted}\n\n"
        "1 error in t.course"
    )


PERCENT_HINT = "a rounding percent runs from 0.01 to 100, with at most 2 decimal places"
ROUNDING = "  level 1\n  weight 70 kg\n  height 170 cm\n  rounding nearest 5 mg within {}\n"

COURSE_BOUNDARIES = [
    (
        "number of cycles",
        course_text(cycles="200"),
        course_text(cycles="201"),
        course_one(4, 10, "201 cycles is not plausible (expected 1-200)", "  cycles 201", 3),
    ),
    (
        "delay",
        course_text('  delay cycle 2 by 366 days because "ANC 0.8"\n'),
        course_text('  delay cycle 2 by 367 days because "ANC 0.8"\n'),
        course_one(
            5,
            20,
            "a delay of 367 days is not plausible (expected 1-366 days)",
            '  delay cycle 2 by 367 days because "ANC 0.8"',
            3,
            "a delay runs from 1 to 366 days (52 weeks)",
        ),
    ),
    (
        "delay in weeks",
        course_text('  delay cycle 2 by 52 weeks because "ANC 0.8"\n'),
        course_text('  delay cycle 2 by 53 weeks because "ANC 0.8"\n'),
        course_one(
            5,
            20,
            "a delay of 371 days is not plausible (expected 1-366 days)",
            '  delay cycle 2 by 53 weeks because "ANC 0.8"',
            2,
            "a delay runs from 1 to 366 days (52 weeks)",
        ),
    ),
    (
        "cycle number",
        course_text('  delay cycle 200 by 7 days because "ANC 0.8"\n', cycles="200"),
        course_text('  delay cycle 201 by 7 days because "ANC 0.8"\n', cycles="200"),
        course_one(
            5,
            15,
            "201 is out of range for a cycle number",
            '  delay cycle 201 by 7 days because "ANC 0.8"',
            3,
            "a cycle number runs from 1 to 200",
        ),
    ),
    (
        "weight's decimals",
        course_text("  weight 70.12 kg\n"),
        course_text("  weight 70.123 kg\n"),
        course_one(
            5,
            10,
            "70.123 has more than 2 decimal places",
            "  weight 70.123 kg",
            6,
            "a weight runs from 1 to 300 kg, with at most 2 decimal places",
        ),
    ),
    (
        "height's decimals",
        course_text("  height 170.25 cm\n"),
        course_text("  height 170.255 cm\n"),
        course_one(
            5,
            10,
            "170.255 has more than 2 decimal places",
            "  height 170.255 cm",
            7,
            "a height runs from 30 to 250 cm, with at most 2 decimal places",
        ),
    ),
    (
        "amount",
        course_text("  dose isatuximab 1000000000000 mg\n"),
        course_text("  dose isatuximab 1000000000000.000001 mg\n"),
        course_one(
            5,
            19,
            "1000000000000.000001 is out of range for an amount",
            "  dose isatuximab 1000000000000.000001 mg",
            20,
            AMOUNT_HINT,
        ),
    ),
    (
        "rounding percent",
        course_text(ROUNDING.format("100 percent"), regimen="nct04083898"),
        course_text(ROUNDING.format("100.01 percent"), regimen="nct04083898"),
        course_one(
            8,
            32,
            "100.01 is out of range for a rounding percent",
            "  rounding nearest 5 mg within 100.01 percent",
            6,
            PERCENT_HINT,
        ),
    ),
    (
        "smallest rounding percent",
        course_text(ROUNDING.format("0.01 percent"), regimen="nct04083898"),
        course_text(ROUNDING.format("0.001 percent"), regimen="nct04083898"),
        course_one(
            8,
            32,
            "0.001 has more than 2 decimal places",
            "  rounding nearest 5 mg within 0.001 percent",
            5,
            PERCENT_HINT,
        ),
    ),
]


@pytest.mark.parametrize(
    ("kind", "highest", "past", "expected"), COURSE_BOUNDARIES, ids=[b[0] for b in COURSE_BOUNDARIES]
)
def test_each_limit_of_a_course_file_at_its_boundary(
    tmp_path: Path, kind: str, highest: str, past: str, expected: str
) -> None:
    """The highest value of each kind is read (and the course checked); one past it is refused at it."""
    (tmp_path / "ok.course").write_text(highest, "utf-8")
    load_course(tmp_path / "ok.course")
    assert course_report(tmp_path, past) == expected


def test_a_held_day_past_any_cycle_is_refused_when_read(tmp_path: Path) -> None:
    """Day 366 is read, and then is outside the regimen's 28-day cycle; day 367 is past any cycle."""
    hold = '  hold pomalidomide on cycle 2 day {} because "rash"\n'
    assert "day 366 is outside a 28-day cycle" in course_report(tmp_path, course_text(hold.format(366)))
    assert course_report(tmp_path, course_text(hold.format(367))) == course_one(
        5, 36, "367 is out of range for a day", hold.format(367).rstrip("\n"), 3, "a day runs from 1 to 366"
    )


def test_5000_digit_numbers_in_a_course_file_are_refused_without_a_traceback(tmp_path: Path) -> None:
    """int() of 5,000 digits raised ValueError (an internal error); now each is a message, cut short."""
    text = course_text(
        f'  weight 70.{BIG} kg\n  height {BIG} cm\n  delay cycle 2 by {BIG} weeks because "x"\n'
        f'  hold pomalidomide on cycle {BIG} day 1 because "y"\n  dose isatuximab {BIG} mg\n',
        cycles=BIG,
    )
    (tmp_path / "t.course").write_text(text, "utf-8")
    with pytest.raises(RegimenError) as caught:
        load_course(tmp_path / "t.course")
    cut = "9" * 20 + "…"
    assert [(d.span.line, d.span.col, d.message) for d in caught.value.diagnostics] == [
        (4, 10, f"{cut} cycles is not plausible (expected 1-200)"),
        (5, 10, f"70.{'9' * 17}… has more than 2 decimal places"),
        (6, 10, f"height {cut} cm is not plausible (expected 30-250 cm)"),
        (7, 20, f"a delay of {cut} weeks is not plausible (expected 1-366 days)"),
        (8, 30, f"{cut} is out of range for a cycle number"),
        (9, 19, f"{cut} is out of range for an amount"),
    ]


def test_year_0_is_not_a_date(tmp_path: Path) -> None:
    """The pattern YYYY-MM-DD allows 0000, which no calendar has (it raised ValueError)."""
    text = "course pt-1\n  regimen nct05922501\n  start 0000-01-01\n  cycles 1\n"
    assert course_report(tmp_path, text) == course_one(
        3, 9, "0000-01-01 is not a date: there is no year 0", "  start 0000-01-01", 10
    )


def test_roster_cells_have_the_ranges_of_the_command_line(tmp_path: Path) -> None:
    """cycles 200 and 2 decimal places are read; 201 cycles, a 5,000-digit count and 3 decimals are not."""
    roster = tmp_path / "r.csv"
    roster.write_text(
        "patient_id,regimen,start,cycles,weight,height\n"
        "ok1,nct05922501,2026-12-07,200,70.12,170.55\n"
        "p2,nct05922501,2026-12-07,201,70,170\n"
        f"p3,nct05922501,2026-12-07,{BIG},70,170\n"
        "p4,nct05922501,2026-12-07,2,70.123,170\n"
        "p5,nct05922501,2026-12-07,2,70,170.555\n",
        "utf-8",
    )
    result = CliRunner().invoke(cli, ["batch", str(roster), "-o", str(tmp_path / "out"), "--no-packets"])
    assert result.exit_code == 1
    assert [line for line in result.stderr.splitlines() if line.startswith(str(roster))] == [
        f"{roster}:3: patient p2: 201 cycles is not plausible (expected 1-200)",
        f"{roster}:4: patient p3: {'9' * 20}… cycles is not plausible (expected 1-200)",
        f"{roster}:5: patient p4: weight: 70.123 has more than 2 decimal places",
        f"{roster}:6: patient p5: height: 170.555 has more than 2 decimal places",
    ]
    visits = (tmp_path / "out" / "appointments.csv").read_text("utf-8").splitlines()
    assert sum(1 for v in visits if v.startswith("ok1,")) >= 200  # each of the 200 cycles has a visit


# ---- the message cap -----------------------------------------------------------------


def diagnostic(line: int, col: int = 1) -> Diagnostic:
    return Diagnostic(Span(line, col), f"mistake at {line}:{col}")


def test_findings_keep_the_first_50_in_file_order_whatever_order_they_come_in() -> None:
    """Found last to first, merged from two collectors: the 50 earliest positions, and the count of all."""
    first = Findings(diagnostic(n) for n in range(70, 20, -1))  # lines 70..21
    second = Findings([diagnostic(5, 9), diagnostic(5, 2), diagnostic(200)])
    first.extend(second)
    first.unshown()
    assert first.count == 50 + 3 + 1
    assert [(d.span.line, d.span.col) for d in first] == [(5, 2), (5, 9)] + [(n, 1) for n in range(21, 69)]


def test_ties_keep_the_order_they_were_found_in() -> None:
    """Two mistakes at one place are shown in the order found (as a stable sort would)."""
    found = Findings([Diagnostic(Span(3, 1), "b"), Diagnostic(Span(3, 1), "a")])
    assert [d.message for d in found] == ["b", "a"]


def test_50_mistakes_are_all_shown_and_51_say_how_many_are_not() -> None:
    """At 50 the closing line is the plain count; past 50 it says that the first 50 are shown."""
    source = Source("x\n" * 60, "f.regimen")
    assert (
        RegimenError(source, [diagnostic(n) for n in range(1, 51)])
        .render()
        .endswith("\n\n50 errors in f.regimen")
    )
    error = RegimenError(source, [diagnostic(n) for n in range(51, 0, -1)])
    assert len(error.diagnostics) == 50 and error.diagnostics[-1].span.line == 50
    assert error.render().endswith(
        "mistake at 50:1\n    x\n    ^\n\n51 errors in f.regimen; the first 50 are shown"
    )


def test_61_lines_of_one_drug_on_the_same_day_are_counted_all() -> None:
    """The dry run words the first 50 lines that repeat a day of a drug, and counts the rest."""
    text = 'regimen r "R"\n  cycle 7 days\n  a 1 mg PO\n' + "    day 1\n" * 61
    with pytest.raises(RegimenError) as caught:
        loads(text, "t.regimen")
    error = caught.value
    assert error.count == 60
    assert [d.span.line for d in error.diagnostics] == list(range(5, 55))
    assert {d.message for d in error.diagnostics} == {"a is already given on cycle 1 day 1 by line 4"}
    assert error.render().endswith("\n\n60 errors in t.regimen; the first 50 are shown")


def test_a_course_file_with_60_mistakes_shows_50(tmp_path: Path) -> None:
    """Course files go through the same cap: 60 lines that cannot be read, 50 shown, 60 counted."""
    text = "course pt-1\n" + "  frobnicate\n" * 60
    rendered = course_report(tmp_path, text)
    assert rendered.count("unexpected 'frobnicate'") == 50
    assert "t.course:51:3: unexpected 'frobnicate'" in rendered
    assert rendered.endswith("\n\n60 errors in t.course; the first 50 are shown")


# ---- long lines: a window around the caret ---------------------------------------------


def caret(line: str, col: int, length: int = 1) -> str:
    return Source(line).caret(Span(1, col, length))


def test_a_short_line_is_shown_whole() -> None:
    """100 characters or fewer: the line as it is, as before."""
    line = "x" * 99 + "Y"
    assert caret(line, 100) == f"    {line}\n    {' ' * 99}^"


def test_a_long_line_is_cut_around_the_caret() -> None:
    """300 characters, the mistake at 151: 30 before it, 100 in all, '…' at both cut ends."""
    line = "a" * 150 + "BAD" + "b" * 147
    assert caret(line, 151, 3) == "    …" + "a" * 30 + "BAD" + "b" * 67 + "…\n    " + " " * 31 + "^^^"


def test_a_long_line_with_the_caret_near_its_start_is_cut_at_the_end_only() -> None:
    """The window starts with the line when the caret is in its first 30 characters."""
    line = "    days " + "1, " * 100
    assert caret(line, 5, 4) == "    " + line[:100] + "…\n        ^^^^"


def test_a_caret_past_the_end_of_a_long_line_is_under_the_last_window() -> None:
    """'the line ends too early' stands one past the last character: the window ends with the line."""
    line = "z" * 300
    assert caret(line, 301) == "    …" + "z" * 100 + "\n    " + " " * 101 + "^"


def test_a_whole_statement_caret_stops_at_the_window() -> None:
    """A span to the end of the line's code (length 0) is drawn up to the window's end."""
    line = "  a 1 mg PO" + ", after b" * 40
    assert caret(line, 3, 0) == "    " + line[:100] + "…\n      " + "^" * 98


def test_tabs_are_widened_before_the_window_is_cut() -> None:
    """The caret stays under its text when a tab stands before it in a long line."""
    line = "\t" + "a" * 200 + "X" + "b" * 100
    # The tab is 8 columns: X is at column 209 of the widened line; the window starts 30 before.
    assert caret(line, 202) == "    …" + "a" * 30 + "X" + "b" * 69 + "…\n    " + " " * 31 + "^"


def test_a_source_splits_its_text_once() -> None:
    """Each diagnostic asks for its line: the text is split once, not once a diagnostic."""
    source = Source("one\ntwo\nthree")
    assert source.line_text(2) is source.line_text(2)
    assert [source.line_text(n) for n in (0, 1, 3, 4)] == ["", "one", "three", ""]


# ---- the dry run (overlaps) against a cycle-by-cycle one ---------------------------------


def naive(phase: Phase, cycles: int) -> list[tuple[int, str]]:
    """What overlaps finds, found the slow way: every dose of every cycle, one by one."""
    found: list[tuple[int, str]] = []
    for agent in phase.agents:
        seen: dict[tuple[int, int, int], int] = {}
        reported: set[int] = set()
        for occ in (o for o in occurrences(phase, cycles) if o.agent is agent):
            for slot in occ.clause.slots:
                first = seen.setdefault((occ.cycle, occ.day, slot.number), occ.clause.line)
                if first != occ.clause.line and occ.clause.line not in reported:
                    reported.add(occ.clause.line)
                    message = (
                        f"{agent.key} is already given on cycle {occ.cycle} day {occ.day} by line {first}"
                    )
                    found.append((occ.clause.line, message))
    earliest: dict[tuple[str, int, int], tuple[str, int]] = {}
    for occ in occurrences(phase, cycles):
        for slot in occ.clause.slots:
            key = (occ.agent.key, occ.cycle, occ.day)
            if slot.time and (key not in earliest or slot.time < earliest[key][0]):
                earliest[key] = (slot.time, occ.clause.line)
    for agent in phase.agents:
        for before in dict.fromkeys(agent.after):
            days = sorted(
                (c, d)
                for (k, c, d), (time, _) in earliest.items()
                if k == agent.key and (before, c, d) in earliest and time < earliest[(before, c, d)][0]
            )
            if days:
                (time, line), (other, _) = earliest[(agent.key, *days[0])], earliest[(before, *days[0])]
                found.append(
                    (
                        line,
                        f"{agent.key} comes after {before}, but on cycle {days[0][0]} day {days[0][1]} it is "
                        f"given at {time} and {before} at {other}",
                    )
                )
    return found


TIMES = ["06:00", "08:00", "12:00", "20:00"]


@st.composite
def phases(draw: st.DrawFn) -> Phase:
    """Small phases with every kind of schedule line, doses a day, clock times and `after`."""
    days, count = draw(st.integers(1, 8)), draw(st.integers(1, 9))
    keys = [f"d{i}" for i in range(draw(st.integers(1, 3)))]
    agents, line = [], 1
    for key in keys:
        clauses = []
        for _ in range(draw(st.integers(1, 4))):
            line += 1
            if draw(st.booleans()):
                ranges = draw(
                    st.lists(
                        st.tuples(st.integers(1, count + 2), st.integers(0, 4), st.booleans()), max_size=3
                    )
                )
                selector = CycleSelector(
                    tuple(CycleRange(a, None if open_ else a + n) for a, n, open_ in ranges),
                    draw(st.sampled_from([None, Parity.ODD, Parity.EVEN])),
                )
                listed = draw(st.sets(st.integers(1, days), min_size=1))
                rule: DayRule | IntervalRule = DayRule(selector, tuple(sorted(listed)))
            else:
                rule = IntervalRule(
                    draw(st.integers(1, 10)),
                    draw(st.integers(1, count)),
                    draw(st.integers(1, days)),
                    draw(st.none() | st.integers(1, 6)),
                )
            per_day = draw(st.integers(1, 3))
            timed = sorted(draw(st.sets(st.sampled_from(TIMES), min_size=per_day, max_size=per_day)))
            times = timed if draw(st.booleans()) else [None] * per_day
            clauses.append(
                Clause(rule, None, tuple(Slot(i, t) for i, t in enumerate(times, 1)), False, None, line)
            )
        after = tuple(draw(st.lists(st.sampled_from(keys), max_size=2)))
        agents.append(
            Agent(
                key,
                None,
                Unstated(),
                None,
                "PO",
                None,
                None,
                tuple(a for a in after if a != key),
                False,
                (),
                None,
                tuple(clauses),
                line,
            )
        )
        line += 1
    return Phase(None, days, count, None, tuple(agents), (), 1)


@settings(max_examples=300, deadline=None)
@given(phases())
def test_the_dry_run_finds_what_a_cycle_by_cycle_one_finds(phase: Phase) -> None:
    """The bit-set dry run reports the same lines, days and first lines as going through every dose."""
    assert phase.cycle_count is not None
    found = [
        (f.line, f.message)
        for f in (
            *overlaps.twice(phase, phase.cycle_count),
            *overlaps.against_clock(phase, phase.cycle_count),
        )
    ]
    assert found == naive(phase, phase.cycle_count)


# ---- one table of limits: the code, the docs and the other checks agree ---------------------


def table(path: Path, heading: str) -> dict[str, str]:
    """First column -> last column of the Markdown table under `heading`."""
    section = path.read_text("utf-8").split(heading, 1)[1].split("\n#", 1)[0]
    rows = [r.strip("|").split(" | ") for r in section.splitlines() if r.startswith("| ") and "---" not in r]
    return {cells[0].strip(): cells[-1].strip() for cells in rows[1:]}


def plain_name(limit: limits.Limit) -> str:
    return re.sub(r"^(a|an|the) ", "", limit.what)


@pytest.mark.parametrize(
    ("doc", "heading", "kinds"),
    [
        ("language.md", "## 18. Limits", limits.REGIMEN_LIMITS),
        ("course.md", "### Limits", limits.COURSE_LIMITS),
    ],
)
def test_the_docs_tables_say_the_ranges_the_code_checks(
    doc: str, heading: str, kinds: tuple[limits.Limit, ...]
) -> None:
    """Each kind of number has its row, and the row says the range the check's hint says."""
    rows = table(DOCS / doc, heading)
    for limit in kinds:
        assert rows[plain_name(limit)].startswith(limit.range_text), plain_name(limit)


def test_the_other_bounds_are_the_limits() -> None:
    """Body measures (dosing) and delays (adjust) are checked against the same numbers."""
    assert (limits.WEIGHT.low, limits.WEIGHT.high) == WEIGHT_KG
    assert (limits.HEIGHT.low, limits.HEIGHT.high) == HEIGHT_CM
    assert limits.DELAY.high == MAX_MOVE_DAYS


# ---- the size of a file, and how far recovery reads ------------------------------------------


def test_a_file_larger_than_the_limit_is_refused_unread(tmp_path: Path) -> None:
    """Over 256 KB a regimen or course file is refused at once, unparsed (and not read past the limit)."""
    path = tmp_path / "huge.regimen"
    path.write_text('regimen huge "Huge"\n  cycle 28 days\n' + "# padding\n" * 30_000, "utf-8")
    assert path.stat().st_size > limits.FILE_BYTES
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}:1:1: this file is larger than 256 KB, the most a regimen or course file may be\n"
        "    \n    ^\n"
        "    hint: is it the right file? the largest bundled regimen is under 4 KB\n\n"
        f"1 error in {path}\n"
    )
    course = tmp_path / "huge.course"
    course.write_text("course pt-1\n" + "# padding\n" * 30_000, "utf-8")
    assert "the most a regimen or course file may be" in course_report(tmp_path, course.read_text())


def test_a_file_at_the_limit_is_read() -> None:
    """Exactly 256 KB (comments make up the size) is still a regimen."""
    text = 'regimen fits "Fits"\n  cycle 28 days\n  a 10 mg PO\n    days 1-21\n'
    text += "#" * (limits.FILE_BYTES - len(text) - 1) + "\n"
    assert len(text.encode()) == limits.FILE_BYTES
    assert loads(text).name == "fits"


def test_recovery_stops_after_reading_enough_and_says_so() -> None:
    """Each syntax error makes the parser read the file again up to the next one; past the budget
    it stops, and the closing line says that what follows was not checked."""
    drug = '  d{n} 10 mg PO\n    days 1-21\n    note "{pad}"\n'
    bad = "  d{n} 10 mg PO\n    dayz 1-21\n"
    pad = "x" * 100
    names = [chr(97 + i % 26) + chr(97 + i // 26 % 26) for i in range(600)]
    body = "".join(
        (bad if i >= 560 else drug).replace("{n}", n).replace("{pad}", pad) for i, n in enumerate(names)
    )
    text = 'regimen big "Big"\n  cycle 28 days\n' + body
    # The first error is near 560 x 130 characters in, ~73,000: the budget of 512,000 allows 7 parses.
    rendered = report(text, "big.regimen")
    closing = rendered.rsplit("\n\n", 1)[-1]
    shown = rendered.count("big.regimen:")
    assert 1 < shown < MAX_SHOWN
    assert closing.startswith(f"{shown} errors in big.regimen; reading stopped at line ")
    assert closing.endswith(", so there may be more after it: fix these and check again")


def test_recovery_that_gives_up_at_fifty_says_so() -> None:
    """Fifty syntax errors: the parser stops there, and the count is not pretended to be complete."""
    lines = ['regimen many "Many"', "  cycle 28 days"] + [
        f"  d{chr(97 + i % 26)}{chr(97 + i // 26)} 10 mg PO\n    dayz 1" for i in range(60)
    ]
    rendered = report("\n".join(lines) + "\n", "many.regimen")
    closing = rendered.rsplit("\n\n", 1)[-1]
    assert closing.startswith("50 errors in many.regimen; reading stopped at line ")


# ---- what one course may ask for ---------------------------------------------------------------


def test_a_course_of_more_than_twenty_thousand_doses_is_refused() -> None:
    """A valid 89-byte regimen asked for 200 x 366 x 6 = 439,200 rows (18.8 s, 680 MB): refused first."""
    text = 'regimen tiny "x"\n  cycle 366 days, 200 cycles\n  d 1 mg PO\n    days 1-366 six times daily\n'
    tiny = loads(text, "tiny.regimen")
    import datetime as dt

    from dosecal import Course, CourseError, expand

    with pytest.raises(CourseError) as caught:
        expand(tiny, Course(dt.date(2026, 1, 1)))
    assert str(caught.value) == (
        f"200 cycles of tiny would be more than {limits.MAX_ADMINISTRATIONS:,} administrations, more than "
        "dosecal makes for one patient: expand fewer cycles (--cycles N), or check the regimen's doses a day"
    )
    # 9 cycles are 9 x 366 x 6 = 19,764 doses: within the limit; 10 are 21,960: past it.
    assert len(expand(tiny, Course(dt.date(2026, 1, 1), cycles=9))) == 19_764
    with pytest.raises(CourseError):
        expand(tiny, Course(dt.date(2026, 1, 1), cycles=10))


def test_at_most_twenty_four_clock_times_a_day() -> None:
    """A list of 1,440 times (every minute) passed check and gave 288,000 rows: refused at the 25th."""
    # 24 times; "    day 1 at " is 13 characters and each "HH:MM, " 7, so the 25th is at column 182.
    times = ", ".join(f"{h:02d}:{m:02d}" for h in range(2) for m in range(0, 60, 5))
    ok = f'regimen t "t"\n  cycle 28 days\n  d 1 mg PO\n    day 1 at {times}\n'
    assert len(loads(ok).phases[0].agents[0].clauses[0].slots) == 24
    rendered = report(ok.replace(times, times + ", 02:00"), "t.regimen")
    assert "t.regimen:4:182: 25 clock times a day are more than a drug is given" in rendered
    assert "hint: give at most 24 times a day" in rendered
