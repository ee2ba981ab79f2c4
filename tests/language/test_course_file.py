"""Course files: reading them, their mistakes, --course, and regenerating a packet after a change."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import icalendar
import pypdf
import pytest
from click.testing import CliRunner

import dosecal
from dosecal import CourseError, RegimenError
from dosecal.cli.main import cli
from dosecal.engine.table import adjustment_text
from dosecal.errors import Subject
from dosecal.io.read import load_course
from dosecal.language import course_file, values
from dosecal.model.adjust import CycleRef, Delay, LevelFrom
from dosecal.source import Source, Span

from ..conftest import course, load

GOLDEN = Path(__file__).parents[1] / "golden"
ERRORS = sorted((GOLDEN / "course-errors").glob("*.course"))


@pytest.mark.parametrize("path", ERRORS, ids=lambda p: p.stem)
def test_error_report(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every mistake of a course file, with file:line:col, the line and a caret (reviewed goldens)."""
    monkeypatch.chdir(path.parent)
    with pytest.raises(RegimenError) as caught:
        load_course(path.name)
    assert caught.value.render() + "\n" == path.with_suffix(".expected").read_text("utf-8")


def test_course_file_means_what_the_api_says() -> None:
    """wu-017.course is the course of test_adjust: level 2, cycle 3 delayed 7 days, level 1 from cycle 4."""
    regimen, from_file = load_course(GOLDEN / "courses" / "wu-017.course")
    assert regimen.name == "nct04083898"
    direct = course(
        "2026-12-07",
        cycles=5,
        level="2",
        weight="70",
        height="170",
        course_id="wu-017",
        adjustments=(
            Delay(CycleRef(None, 3), 7, "ANC 0.8 on day 1", 9),
            LevelFrom("1", CycleRef(None, 4), "DLT in cycle 3", 10),
        ),
    )
    assert from_file == direct
    assert dosecal.expand(regimen, from_file) == dosecal.expand(load("nct04083898"), direct)


def test_course_option_and_its_conflicts(tmp_path: Path) -> None:
    """--course replaces REGIMEN and the course options; giving both is a usage error."""
    path = GOLDEN / "courses" / "mgh-042.course"
    result = CliRunner().invoke(cli, ["expand", "--course", str(path)])
    rows = list(csv.DictReader(io.StringIO(result.output.removeprefix("\ufeff"))))
    assert {
        r["status"]
        for r in rows
        if r["agent"] == "pomalidomide" and r["cycle"] == "1" and int(r["cycle_day"]) >= 15
    } == {"held"}
    both = CliRunner().invoke(cli, ["expand", "nct05922501", "--course", str(path), "--cycles", "3"])
    assert both.exit_code == 2
    assert "--course gives the whole course: leave out REGIMEN, --cycles" in both.stderr
    neither = CliRunner().invoke(cli, ["expand", "--cycles", "3"])
    assert neither.exit_code == 2 and "give REGIMEN and --start DATE, or --course FILE" in neither.stderr


def test_held_doses_in_calendar_and_diary() -> None:
    """Held pomalidomide reads 'Do not take' in the calendar and 'do not take (held)' in the diary."""
    path = GOLDEN / "courses" / "mgh-042.course"
    calendar = CliRunner().invoke(cli, ["ics", "--course", str(path)]).output
    events: dict[str, set[str]] = {}
    for event in icalendar.Calendar.from_ical(calendar).walk("VEVENT"):
        events.setdefault(event["DTSTART"].dt.isoformat(), set()).add(str(event["SUMMARY"]))
    assert events["2026-12-20"] == {"Take: pomalidomide"}  # cycle 1 day 14
    assert events["2026-12-21"] == {"Take: dexamethasone", "Clinic: isatuximab"}  # day 15: pomalidomide held
    assert events["2026-12-23"] == {"Do not take: pomalidomide"}  # day 17
    regimen, the_course = load_course(path)
    from dosecal.render.pdf_diary import render
    from dosecal.views.diary import build

    text = "\n".join(
        p.extract_text()
        for p in pypdf.PdfReader(io.BytesIO(render(build(dosecal.expand(regimen, the_course))))).pages
    )
    assert text.count("do not take (held)") == 7 and text.count("do not take (omitted)") == 2
    assert "pomalidomide held on cycle 1 from day 15 (rash grade 2)" in text


def packet(folder: Path, course_text: str) -> dict[str, bytes]:
    path = folder / "pt.course"
    path.write_text(course_text, "utf-8")
    result = CliRunner().invoke(cli, ["make", "--course", str(path), "-o", str(folder / "out")])
    assert result.exit_code == 0, result.stderr
    target = folder / "out" / "wu-017"  # the course file's course id
    return {p.name: p.read_bytes() for p in target.iterdir()}


PLANNED = """course wu-017
  regimen nct04083898
  start 2026-12-07
  cycles 5
  level 2
  weight 70 kg
  height 170 cm
"""
ADJUSTED = (
    PLANNED
    + """  delay cycle 3 by 7 days because "ANC 0.8 on day 1"
  level 1 from cycle 4 because "DLT in cycle 3"
"""
)


def test_regenerated_packet_changes_exactly_the_affected_rows(tmp_path: Path) -> None:
    """'cycle 3 delayed 7 days; bendamustine level 1 from cycle 4' changes cycles 3-5 in every output:
    the table's rows, the calendar's events (next SEQUENCE) and the diary's cycle pages; nothing before."""
    before = packet(tmp_path, PLANNED)
    after = packet(tmp_path, ADJUSTED)

    def table(data: bytes, key: str = "administration_id") -> dict[str, dict[str, str]]:
        return {r[key]: r for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))}

    old, new = table(before["administrations.csv"]), table(after["administrations.csv"])
    assert old.keys() == new.keys()
    assert {i for i in old if old[i] != new[i]} == {i for i, r in old.items() if int(r["cycle"]) >= 3}
    benda = [r for r in new.values() if r["agent"] == "bendamustine" and int(r["cycle"]) >= 4]
    assert {(r["dose_amount"], r["computed_amount"], r["dose_change"]) for r in benda} == {
        ("50", "91", "reduced")
    }

    # The visit list: the same visits, exactly those of cycles 3-5 on later dates.
    old, new = table(before["appointments.csv"], "visit_id"), table(after["appointments.csv"], "visit_id")
    assert old.keys() == new.keys()
    assert {i for i in old if old[i] != new[i]} == {i for i, r in old.items() if int(r["cycle"]) >= 3}
    assert all(int(v["cycle"]) < 3 or v["date"] > old[i]["date"] for i, v in new.items())

    def sequences(data: bytes) -> dict[str, tuple[str, int]]:
        return {
            str(e["UID"]): (e["DTSTART"].dt.isoformat(), int(e["SEQUENCE"]))
            for e in icalendar.Calendar.from_ical(data).walk("VEVENT")
        }

    first, second = sequences(before["calendar.ics"]), sequences(after["calendar.ics"])
    assert first.keys() == second.keys()
    moved = {uid for uid in second if second[uid][1] == 1}
    assert moved == {uid for uid in second if first[uid][0] >= "2027-02-01"}  # cycle 3 on
    assert all(second[uid] == first[uid] for uid in second if uid not in moved)

    def cycle_pages(data: bytes) -> dict[str, str]:
        pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages]
        return {p.splitlines()[0]: p for p in pages if p.startswith("Drug diary: Cycle")}

    old_pages, new_pages = cycle_pages(before["diary.pdf"]), cycle_pages(after["diary.pdf"])
    assert [k for k in old_pages if old_pages[k] != new_pages[k]] == [
        "Drug diary: Cycle 3",
        "Drug diary: Cycle 4",
        "Drug diary: Cycle 5",
    ]
    assert "Cycle 3 starts on 8 Feb 2027" in new_pages["Drug diary: Cycle 3"]
    assert Decimal("91") == Decimal(next(r["computed_amount"] for r in benda))


def test_golden_course_with_dubois_worked_by_hand() -> None:
    """wu-018: 70 kg, 170 cm, DuBois 0.007184 x 70^0.425 x 170^0.725 = 1.8098 -> 1.81 m2.
    Bendamustine level 2 = 75 mg/m2 x 1.81 = 135.75 mg on days 1, 2; cycle 3 delayed 7 days
    (2026-12-07 + 56 + 7 = 2027-02-08), cycle 4 at level 1 = 50 mg/m2 x 1.81 = 90.5 mg from
    2027-03-08; isatuximab 10 mg/kg x 70 kg = 700 mg, held on cycle 2 day 15 (2027-01-18)."""
    regimen, planned = load_course(GOLDEN / "courses" / "wu-018.course")
    rows = list(dosecal.expand(regimen, planned))
    benda = [
        (a.date.isoformat(), a.cycle, a.computed_amount, a.dose_change)
        for a in rows
        if a.agent == "bendamustine"
    ]
    assert benda == [
        ("2026-12-07", 1, Decimal("135.75"), ""),
        ("2026-12-08", 1, Decimal("135.75"), ""),
        ("2027-01-04", 2, Decimal("135.75"), ""),
        ("2027-01-05", 2, Decimal("135.75"), ""),
        ("2027-02-08", 3, Decimal("135.75"), ""),
        ("2027-02-09", 3, Decimal("135.75"), ""),
        ("2027-03-08", 4, Decimal("90.5"), "reduced"),
        ("2027-03-09", 4, Decimal("90.5"), "reduced"),
    ]
    first = next(a for a in rows if a.agent == "bendamustine")
    assert "DuBois" in first.dose_basis and "1.81 m2" in first.dose_basis
    isa = {(a.cycle, a.cycle_day): a for a in rows if a.agent == "isatuximab"}
    assert isa[(2, 15)].date.isoformat() == "2027-01-18" and isa[(2, 15)].status == "held"
    assert "infusion reaction" in adjustment_text(isa[(2, 15)].adjustment)
    assert {a.computed_amount for a in isa.values()} == {Decimal(700)}
    assert [k for k, a in isa.items() if a.status != "planned"] == [(2, 15)]


def read(folder: Path, text: str) -> tuple[dosecal.Regimen, dosecal.Course]:
    path = folder / "pt.course"
    path.write_text(text, "utf-8")
    return load_course(path)


def mistakes(folder: Path, text: str) -> str:
    with pytest.raises(RegimenError) as caught:
        read(folder, text)
    return caught.value.render().replace(str(folder / "pt.course"), "pt.course")


LEAP = """course pt-1
  regimen nct04083898
  start {start}
  cycles 2
  level 1
  start cycle 2 on {date} because "clinic"
"""


@pytest.mark.parametrize(
    ("start", "date"),
    [
        # Cycle 1 from 29 February 2028 runs 28 days, to 27 March; cycle 2 as planned on 28 March.
        ("2028-02-29", "2028-03-28"),
        # Cycle 1 from 31 January 2028 runs to 27 February; cycle 2, planned on 28 February, a day late.
        ("2028-01-31", "2028-02-29"),
    ],
)
def test_29_february_of_a_leap_year(tmp_path: Path, start: str, date: str) -> None:
    """2028 is a leap year: 29 February 2028 is a date, as a course's start and as a set start."""
    regimen, the_course = read(tmp_path, LEAP.format(start=start, date=date))
    rows = dosecal.expand(regimen, the_course)
    assert sorted({a.date.isoformat() for a in rows if a.cycle_day == 1}) == [start, date]


def test_29_february_of_a_year_that_is_not_leap(tmp_path: Path) -> None:
    """2027 and 2100 are not leap years (2100 is divisible by 100, not by 400): each 29 February is
    refused where it is written, with its reason."""
    assert mistakes(tmp_path, LEAP.format(start="2027-02-29", date="2100-02-29")) == (
        "pt.course:3:9: 2027-02-29 is not a date: February 2027 has 28 days\n"
        "      start 2027-02-29\n"
        "            ^^^^^^^^^^\n"
        "\n"
        "pt.course:6:20: 2100-02-29 is not a date: February 2100 has 28 days\n"
        '      start cycle 2 on 2100-02-29 because "clinic"\n'
        "                       ^^^^^^^^^^\n"
        "\n"
        "2 errors in pt.course"
    )


BODY = """course pt-1
  regimen nct04083898
  start 2026-12-07
  cycles 1
  level 1
  weight {weight} kg
  height {height} cm
"""


def test_body_measures_at_the_limits(tmp_path: Path) -> None:
    """1 kg, 300 kg, 30 cm and 250 cm are read; 0.99 kg and 250.01 cm are refused at their number."""
    for weight, height in (("1", "30"), ("300", "250")):
        _, the_course = read(tmp_path, BODY.format(weight=weight, height=height))
        assert (the_course.measures.weight_kg, the_course.measures.height_cm) == (
            Decimal(weight),
            Decimal(height),
        )
    assert mistakes(tmp_path, BODY.format(weight="0.99", height="250.01")) == (
        "pt.course:6:10: weight 0.99 kg is not plausible (expected 1-300 kg)\n"
        "      weight 0.99 kg\n"
        "             ^^^^\n"
        "\n"
        "pt.course:7:10: height 250.01 cm is not plausible (expected 30-250 cm)\n"
        "      height 250.01 cm\n"
        "             ^^^^^^\n"
        "\n"
        "2 errors in pt.course"
    )


def test_two_level_changes_from_one_cycle(tmp_path: Path) -> None:
    """Two level changes from cycle 3 contradict each other: refused at the second, naming the first."""
    text = PLANNED + '  level 1 from cycle 3 because "DLT"\n  level 3 from cycle 3 because "no DLT"\n'
    assert mistakes(tmp_path, text) == (
        "pt.course:9:3: the dose level from cycle 3 is already set on course line 8\n"
        '      level 3 from cycle 3 because "no DLT"\n'
        "      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "\n"
        "1 error in pt.course"
    )


# ---- course errors, at the line their fields name ------------------------------------------

WEEKLY = 'regimen weekly "Weekly"\n  cycle 7 days, until progression\n  drug 1 mg\n    day 1\n'


def test_an_end_date_past_200_cycles_is_at_the_until_line(tmp_path: Path) -> None:
    """Weekly cycles up to 2031 would be 213: refused at the 'until' line, which the error is
    about (before, at the 'course' line: its words named no statement the file has)."""
    (tmp_path / "weekly.regimen").write_text(WEEKLY, "utf-8")
    text = 'course pt-1\n  regimen "weekly.regimen"\n  start 2026-12-07\n  until 2031-01-01\n'
    assert mistakes(tmp_path, text) == (
        "pt.course:4:3: cycles up to 2031-01-01 would be more than 200, which is not plausible\n"
        "      until 2031-01-01\n"
        "      ^^^^^^^^^^^^^^^^\n"
        "\n"
        "1 error in pt.course"
    )


@pytest.mark.parametrize(
    ("measure", "value", "expected"),
    [
        (
            "weight",
            Decimal(700),
            "pt.course:6:3: weight 700 kg is not plausible (expected 1-300 kg)\n"
            "      weight 70 kg\n"
            "      ^^^^^^^^^^^^",
        ),
        (
            "height",
            Decimal(10),
            "pt.course:7:3: height 10 cm is not plausible (expected 30-250 cm)\n"
            "      height 170 cm\n"
            "      ^^^^^^^^^^^^^",
        ),
    ],
)
def test_a_measure_refused_when_the_course_is_made_is_at_its_line(
    measure: str, value: Decimal, expected: str
) -> None:
    """A weight or height the measures check refuses is reported at its own line, found from the
    error's subject (each number is checked as it is read too, so only a changed value gets here)."""
    source = Source(BODY.format(weight="70", height="170"), "pt.course")
    parsed, found = course_file.parse(source)
    assert not found
    setattr(parsed, measure, value)
    the_course, diagnostics = course_file.to_course(parsed, source)
    assert the_course is None
    assert [d.render(source) for d in diagnostics] == [expected]


FIELDS = """course pt-1
  regimen nct04083898
  start 2026-12-07
  until 2027-01-01
  level 2
  delay cycle 2 by 7 days because "level 2: start late"
"""


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        # Words and a 'course line' in the text that would have sent a reader of it elsewhere.
        (
            CourseError("course line 5: the level of 'start'", subject=Subject.UNTIL, quoted="2027-01-01"),
            "pt.course:4:9: course line 5: the level of 'start'\n"
            "      until 2027-01-01\n"
            "            ^^^^^^^^^^",
        ),
        (
            CourseError("cycle 2 is past the start; and level", subject=Subject.ADJUSTMENT, line=6, hint="h"),
            "pt.course:6:3: cycle 2 is past the start; and level\n"
            '      delay cycle 2 by 7 days because "level 2: start late"\n'
            "      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
            "    hint: h",
        ),
        (
            CourseError("no level '7'", subject=Subject.LEVEL, quoted="7"),  # not on the line: all of it
            "pt.course:5:3: no level '7'\n      level 2\n      ^^^^^^^",
        ),
        (
            CourseError("the start", subject=Subject.WEIGHT),  # no weight line: the 'course' line
            "pt.course:1:1: the start\n    course pt-1\n    ^^^^^^^^^^^",
        ),
        (
            CourseError("course line 3: level"),  # no subject: the 'course' line
            "pt.course:1:1: course line 3: level\n    course pt-1\n    ^^^^^^^^^^^",
        ),
    ],
)
def test_a_course_error_is_located_by_its_fields_alone(error: CourseError, expected: str) -> None:
    """The line is the error's `line`, else its subject's statement, else the 'course' line; the
    caret goes under `quoted` when the line holds it; the message and hint are the error's own.
    Nothing is read from the error's text."""
    source = Source(FIELDS, "pt.course")
    parsed, found = course_file.parse(source)
    assert not found
    assert course_file.located(error, source, parsed.lines, parsed.dose_at).render(source) == expected


# ---- a supplied dose's mistakes, at its drug's name on its dose line --------------------------

DOSES = """course pt-1
  regimen nct04083898
  start 2026-12-07
  cycles 1
  level phase2
  dose fluorouracil  (bolus) 400 mg/m2
  dose bendamustine 90 mg/m2
  dose bendamustine 80 mg/m2
"""


def test_each_dose_line_is_recorded_by_drug() -> None:
    """Every dose is kept in file order; each drug's name on its first dose line is recorded
    (label and spaces as written), for a mistake about its dose to be shown there."""
    parsed, found = course_file.parse(Source(DOSES, "pt.course"))
    assert not found
    assert [(drug, str(amount)) for drug, amount in parsed.doses] == [
        ("fluorouracil (bolus)", "400 mg/m2"),
        ("bendamustine", "90 mg/m2"),
        ("bendamustine", "80 mg/m2"),
    ]
    assert parsed.dose_at == {"fluorouracil (bolus)": Span(6, 8, 21), "bendamustine": Span(7, 8, 12)}


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            CourseError(
                "--dose names 'fluorouracil (bolus)'", subject=Subject.DOSE, quoted="fluorouracil (bolus)"
            ),
            "pt.course:6:8: --dose names 'fluorouracil (bolus)'\n"
            "      dose fluorouracil  (bolus) 400 mg/m2\n"
            "           ^^^^^^^^^^^^^^^^^^^^^",
        ),
        (  # given twice: at the first
            CourseError("about bendamustine", subject=Subject.DOSE, quoted="bendamustine", hint="h"),
            "pt.course:7:8: about bendamustine\n"
            "      dose bendamustine 90 mg/m2\n"
            "           ^^^^^^^^^^^^\n"
            "    hint: h",
        ),
        (  # a drug without a dose line: the 'course' line
            CourseError("about isatuximab", subject=Subject.DOSE, quoted="isatuximab"),
            "pt.course:1:1: about isatuximab\n    course pt-1\n    ^^^^^^^^^^^",
        ),
        (  # a dose error that names no drug: the 'course' line, as before
            CourseError("a dose", subject=Subject.DOSE),
            "pt.course:1:1: a dose\n    course pt-1\n    ^^^^^^^^^^^",
        ),
        (  # about the level, though it names a drug: the level line
            CourseError("level phase2 and bendamustine", subject=Subject.LEVEL, quoted="bendamustine"),
            "pt.course:5:3: level phase2 and bendamustine\n      level phase2\n      ^^^^^^^^^^^^",
        ),
    ],
)
def test_a_dose_error_is_at_its_drug_on_its_dose_line(error: CourseError, expected: str) -> None:
    """A DOSE error quoting a drug with a dose line is shown under the drug's name there (before,
    every one was at the 'course' line); any other stays where its subject sends it."""
    source = Source(DOSES, "pt.course")
    parsed, found = course_file.parse(source)
    assert not found
    assert course_file.located(error, source, parsed.lines, parsed.dose_at).render(source) == expected


# ---- one rule for a date and an amount: the command line's (language/values.py) ---------------


@pytest.mark.parametrize("date", ["2026-02-30", "0000-01-01", "2026-13-01", "2027-02-29", "2026-06-31"])
def test_a_course_date_is_refused_in_the_words_of_the_command_line(date: str) -> None:
    """A date a course file refuses is refused by `values.parse_date` (--start, a roster's start)
    in the same sentence, under the date itself."""
    with pytest.raises(ValueError) as caught:
        values.parse_date(date)
    _, found = course_file.parse(Source(f"course pt-1\n  start {date}\n", "pt.course"))
    assert [(d.span, d.message, d.hint) for d in found] == [(Span(2, 9, 10), str(caught.value), None)]


@pytest.mark.parametrize(
    ("written", "column", "length"),
    [("75 mg/m^2", 24, 6), ("0 mg", 21, 1), ("0.0000001 mg", 21, 9), ("1000000000001 mg", 21, 13)],
)
def test_a_course_amount_is_refused_by_the_rule_of_the_command_line(
    written: str, column: int, length: int
) -> None:
    """`dose DRUG AMOUNT UNIT` is read by `values.amount`, the rule of --dose: the same sentence and
    hint, under the unit or the number, whichever the rule refuses."""
    with pytest.raises(values.AmountError) as caught:
        values.amount(*written.split())
    _, found = course_file.parse(Source(f"course pt-1\n  dose bendamustine {written}\n", "pt.course"))
    expected = (Span(2, column, length), caught.value.message, caught.value.hint)
    assert [(d.span, d.message, d.hint) for d in found] == [expected]
