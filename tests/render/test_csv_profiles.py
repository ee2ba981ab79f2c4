"""CSV profiles: `machine` (plain RFC 4180) and `spreadsheet` (BOM, formula cells neutralised).

The injection cases are the usual ones (OWASP "CSV injection"): a cell that
starts with = + - @, a tab or a carriage return; and what a spreadsheet
still runs past that (issue 9): a formula behind spaces, a full-width ＝,
and a formula after a `;`, a tab or a line break, where a spreadsheet opening
the file with another separator splits. They enter through every door a user
has: a regimen note, a dose level's name, a course's reason, a patient id.
What LibreOffice makes of them is tests/interop/test_spreadsheet.py.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from dosecal.cli.main import cli
from dosecal.engine.expand import expand
from dosecal.engine.table import COLUMNS, Administration
from dosecal.io.read import load, resolve
from dosecal.model.course import Course
from dosecal.render import csv_table as csv_render
from dosecal.render import csv_visits as appointments
from dosecal.render.csv_table import Profile, field, number_columns, record
from dosecal.views.visits import COLUMNS as VISIT_COLUMNS
from dosecal.views.visits import Visit, visits

INJECT = (
    'regimen inject "Injection"\n'
    "  cycle 7 days\n"
    "  drug 10 mg IV\n"
    "    day 1\n"
    "    note \"=HYPERLINK('http://example.invalid','Click')\"\n"
    "  other 1 mg IV\n"
    "    day 2\n"
    "    note \"@SUM(1+1), then 'quoted'\"\n"
    "  level -1: drug 5 mg\n"
    "  level 1: drug 10 mg\n"
)


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.mark.parametrize(
    ("cell", "spreadsheet", "machine"),
    [
        ("=1+1", "'=1+1", "=1+1"),
        ("+1", "'+1", "+1"),
        ("-1", "'-1", "-1"),
        ("@A1", "'@A1", "@A1"),
        ("\tx", "'\tx", "\tx"),
        ("\rx", '"\'\rx"', '"\rx"'),
        ("a,b", '"a,b"', '"a,b"'),
        ('say "hi"', '"say ""hi"""', '"say ""hi"""'),
        ("line\nbreak", '"line\nbreak"', '"line\nbreak"'),
        ("1-2", "1-2", "1-2"),
        ("", "", ""),
        # Behind white space: ASCII, no-break and ideographic spaces, a tab.
        (" =1+1", "' =1+1", " =1+1"),
        ("\u00a0=1+1", "'\u00a0=1+1", "\u00a0=1+1"),
        ("\u3000=1+1", "'\u3000=1+1", "\u3000=1+1"),
        ("  -2", "'  -2", "  -2"),
        ("\t=1", "'\t'=1", "\t=1"),  # the cell starts with a tab; what follows the tab starts with =
        # Full-width forms.
        ("\uff1d1+1", "'\uff1d1+1", "\uff1d1+1"),
        ("\uff0b1", "'\uff0b1", "\uff0b1"),
        ("\uff0d1", "'\uff0d1", "\uff0d1"),
        ("\uff20A1", "'\uff20A1", "\uff20A1"),
        # After a ; a tab or a line break: the apostrophe goes right after it.
        ("ok;=1+1", "ok;'=1+1", "ok;=1+1"),
        ('ok; =HYPERLINK("http://x")', '"ok;\' =HYPERLINK(""http://x"")"', '"ok; =HYPERLINK(""http://x"")"'),
        ("=1;@2;x;-3", "'=1;'@2;x;'-3", "=1;@2;x;-3"),
        ("a;;+1", "a;;'+1", "a;;+1"),
        ("ok\t=1+1", "ok\t'=1+1", "ok\t=1+1"),
        ("ok;\t=1", "ok;'\t'=1", "ok;\t=1"),
        ("x\n=1", '"x\n\'=1"', '"x\n=1"'),
        ("x\r\n-1", "\"x\r'\n'-1\"", '"x\r\n-1"'),
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0"),
        # Left alone: no part starts like a formula.
        (" x", " x", " x"),
        ("a; b", "a; b", "a; b"),
        ("x;", "x;", "x;"),
        ("dose -1 level", "dose -1 level", "dose -1 level"),
        ("x =1+1", "x =1+1", "x =1+1"),
        ("\u22121", "\u22121", "\u22121"),  # a minus sign, which no spreadsheet runs
    ],
)
def test_one_field(cell: str, spreadsheet: str, machine: str) -> None:
    """Neutralised only in the spreadsheet profile; quoted (quotes doubled) only when needed."""
    assert field(cell, Profile.SPREADSHEET) == spreadsheet
    assert field(cell, Profile.MACHINE) == machine


@pytest.mark.parametrize(
    ("cell", "spreadsheet"),
    [("-1", "-1"), ("0", "0"), ("12", "12"), ("136.5", "136.5"), ("", ""), ("-1+1", "'-1+1"), ("=1", "'=1")],
)
def test_a_number_column_keeps_its_numbers(cell: str, spreadsheet: str) -> None:
    """In a number column a number is written as it is, so it stays a number; anything else there
    (no writer makes it) is neutralised as text is. The machine profile never changes a cell."""
    assert field(cell, Profile.SPREADSHEET, number=True) == spreadsheet
    assert field(cell, Profile.MACHINE, number=True) == cell
    assert record(["-1", "-1", "x"], Profile.SPREADSHEET, {1}) == "'-1,-1,x\r\n"


def test_the_number_columns_come_from_the_column_contract() -> None:
    """The columns holding an int or a Decimal (docs/table.md), and no other, are number columns."""
    table = {COLUMNS[i] for i in csv_render.NUMBERS}
    assert table == {
        "cycle",
        "cycle_day",
        "study_day",
        "slot",
        "dose_amount",
        "dose_min",
        "dose_max",
        "rate_amount",
        "computed_amount",
        "duration_min",
        "duration_max",
        "order",
        "source_line",
    }
    assert {VISIT_COLUMNS[i] for i in appointments.NUMBERS} == {
        "chair_minutes_min",
        "chair_minutes_max",
        "cycle",
        "cycle_day",
    }
    assert number_columns(Administration, ("patient_id", "cycle_day", "level")) == {1}


def test_a_negative_cycle_day_stays_a_number_and_a_level_named_minus_one_is_text() -> None:
    """cycle_day and study_day of -1 (a day before day 1) are written -1 in both tables; the text
    columns beside them (a level `-1`, a note) are neutralised."""
    schedule = expand(load(resolve("nct05922501")), Course(start=dt.date(2026, 12, 7), cycles=1))
    first = dataclasses.replace(
        schedule.administrations[0],
        cycle_day=-1,
        study_day=-1,
        level="-1",
        notes="-1",
        dose_amount=Decimal("136.5"),
    )
    text = csv_render.render(dataclasses.replace(schedule, administrations=(first,)))
    (row,) = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert [row[c] for c in ("cycle_day", "study_day", "dose_amount", "level", "notes")] == [
        "-1",
        "-1",
        "136.5",
        "'-1",
        "'-1",
    ]
    visit: Visit = dataclasses.replace(visits(schedule, "-1")[0], cycle_day=-1, chair_minutes_min=0)
    text = appointments.render([visit])
    (row,) = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert [row[c] for c in ("patient_id", "cycle_day", "chair_minutes_min")] == ["'-1", "-1", "0"]


@pytest.mark.parametrize("profile", list(Profile))
def test_records_read_back_with_the_csv_module(profile: Profile) -> None:
    """Every record ends in CRLF and reads back as the cells written (apostrophe aside)."""
    cells = ["a,b", 'say "hi"', "line\nbreak", "=1", "plain"]
    text = record(cells, profile)
    assert text.endswith("\r\n")
    (back,) = list(csv.reader(io.StringIO(text, newline="")))
    expected = ["'=1" if c == "=1" and profile is Profile.SPREADSHEET else c for c in cells]
    assert back == expected


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        (Profile.SPREADSHEET, "\ufeff'=h,n\r\n'@x,1\r\n"),
        (Profile.MACHINE, "=h,n\r\n@x,1\r\n"),
    ],
)
def test_a_whole_table_header_included(profile: Profile, expected: str) -> None:
    """`table`: the preamble, then the header record, then the rows; the header's cells are text
    cells like any other, so a spreadsheet header that starts a formula is neutralised too (ours
    never do; a caller's may). Column 1 is a number column: its 1 stays a number."""
    assert csv_render.table(["=h", "n"], [["@x", "1"]], profile, frozenset({1})) == expected


def expand_bytes(tmp_path: Path, profile: str) -> bytes:
    regimen = tmp_path / "inject.regimen"
    regimen.write_text(INJECT, "utf-8")
    out = tmp_path / f"{profile}.csv"
    args = ["expand", str(regimen), "--start", "2026-01-05", "--cycles", "1", "--level", "-1"]
    result = run(*args, "--csv-profile", profile, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    return out.read_bytes()


def test_spreadsheet_profile_is_the_default_and_neutralises(tmp_path: Path) -> None:
    """Default output: BOM, CRLF, and no cell of user text starting a formula, read by pandas."""
    regimen = tmp_path / "inject.regimen"
    regimen.write_text(INJECT, "utf-8")
    default = run("expand", str(regimen), "--start", "2026-01-05", "--cycles", "1", "--level", "-1")
    data = expand_bytes(tmp_path, "spreadsheet")
    assert default.stdout_bytes == data
    assert data.startswith(b"\xef\xbb\xbfadministration_id,")
    assert data.count(b"\r\n") == 3 and b"\n" not in data.replace(b"\r\n", b"")
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame["notes"]) == [
        "'=HYPERLINK('http://example.invalid','Click')",
        "'@SUM(1+1), then 'quoted'",
    ]
    assert list(frame["level"]) == ["'-1", "'-1"]
    text_cells = frame.to_numpy().ravel()
    assert not [c for c in text_cells if str(c).startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_machine_profile_keeps_the_text_exactly(tmp_path: Path) -> None:
    """Machine profile: no BOM, CRLF, every cell exactly as written, read by pandas."""
    data = expand_bytes(tmp_path, "machine")
    assert data.startswith(b"administration_id,")
    assert data.count(b"\r\n") == 3
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8", dtype=str, keep_default_na=False)
    assert list(frame["notes"]) == [
        "=HYPERLINK('http://example.invalid','Click')",
        "@SUM(1+1), then 'quoted'",
    ]
    assert list(frame["level"]) == ["-1", "-1"]
    assert list(frame["dose_amount"]) == ["5", "1"]


def test_appointments_neutralise_a_patient_id(tmp_path: Path) -> None:
    """A patient id typed as a formula is text in the spreadsheet profile, exact in the machine one."""
    evil = "=cmd|' /C calc'!A0"
    args = ["appointments", "nct05922501", "--start", "2026-12-07", "--cycles", "1", "--patient-id", evil]
    sheet = run(*args).stdout
    machine = run(*args, "--csv-profile", "machine").stdout
    assert [r["patient_id"] for r in csv.DictReader(io.StringIO(sheet.removeprefix("\ufeff")))] == [
        "'" + evil
    ] * 4
    assert [r["patient_id"] for r in csv.DictReader(io.StringIO(machine))] == [evil] * 4


def test_a_course_reason_cannot_start_a_formula(tmp_path: Path) -> None:
    """A reason is quoted inside the adjustment text, so it never starts a cell in either profile."""
    course = tmp_path / "p.course"
    course.write_text(
        "course p1\n  regimen nct05922501\n  start 2026-12-07\n  cycles 2\n"
        '  delay cycle 2 by 7 days because "=1+1"\n',
        "utf-8",
    )
    for profile in ("machine", "spreadsheet"):
        text = run("expand", "--course", str(course), "--csv-profile", profile).stdout
        rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
        moved = {r["adjustment"] for r in rows if r["cycle"] == "2"}
        assert len(moved) == 1
        assert moved.pop() == "course line 5: cycle 2 delayed 7 days (=1+1)"


HOSTILE_NOTES = (
    'regimen hostile "Hostile"\n'
    "  cycle 14 days\n"
    "  drug 10 mg IV\n"
    "    day 1\n"
    '    note " =1+1"\n'
    "  other 136.5 mg IV\n"
    "    day 2, 8\n"
    '    note "ok;=1+1; @x"\n'
    "  third 1 mg IV\n"
    "    day 3\n"
    '    note "ok\t=1+1"\n'
    "  fourth 2 mg IV\n"
    "    day 4\n"
    '    note "\u00a0\uff1d1+1"\n'
    "  level -1: drug 5 mg\n"
    "  level 1: drug 10 mg\n"
)


def test_batch_writes_the_same_neutralised_bytes_as_each_patient_alone(tmp_path: Path) -> None:
    """The roster's fast path (one expansion shifted) and its one-by-one path (an `until` course) give,
    byte for byte, the records `expand` and `appointments` give for each patient, hostile notes
    neutralised and numbers left as numbers."""
    (tmp_path / "hostile.regimen").write_text(HOSTILE_NOTES, "utf-8")
    regimen = str(tmp_path / "hostile.regimen")
    rows = [
        ("p1", "2026-01-05", "2", "", "-1"),
        ("p2", "2026-03-02", "2", "", "-1"),  # the same shape: shifted, not expanded again
        ("p3", "2026-01-05", "", "2026-01-25", "1"),  # an until date: expanded on its own
    ]
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "patient_id,regimen,start,cycles,until,level\n"
        + "".join(f"{p},{regimen},{s},{c},{u},{lv}\n" for p, s, c, u, lv in rows),
        "utf-8",
    )
    out = tmp_path / "out"
    result = run("batch", str(roster), "-o", str(out), "--no-packets", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    table, visits_text = b"", b""
    for pid, start, cycles, until, level in rows:
        args = [regimen, "--start", start, "--course-id", pid, "--level", level]
        args += ["--cycles", cycles] if cycles else ["--until", until]
        alone = run("expand", *args).stdout_bytes.split(b"\r\n")[1:-1]
        table += b"".join(pid.encode() + b"," + line + b"\r\n" for line in alone)
        visits_text += run("appointments", *args, "--patient-id", pid).stdout_bytes.split(b"\r\n", 1)[1]
    combined = (out / "administrations.csv").read_bytes()
    assert combined.split(b"\r\n", 1)[1] == table
    assert (out / "appointments.csv").read_bytes().split(b"\r\n", 1)[1] == visits_text
    notes = {r["notes"] for r in csv.DictReader(io.StringIO(combined.decode("utf-8-sig"), newline=""))}
    assert notes == {"' =1+1", "ok;'=1+1;' @x", "ok\t'=1+1", "'\u00a0\uff1d1+1"}
    assert b",-1," not in combined  # the level: '-1
