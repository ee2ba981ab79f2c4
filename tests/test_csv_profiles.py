"""CSV profiles: `machine` (plain RFC 4180) and `spreadsheet` (BOM, formula cells neutralised).

The injection cases are the usual ones (OWASP "CSV injection"): a cell that
starts with = + - @, a tab or a carriage return. They enter through every
door a user has: a regimen note, a dose level's name, a course's reason, a
patient id.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from dosecal.cli import cli
from dosecal.render.csv import Profile, field, record

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
    ],
)
def test_one_field(cell: str, spreadsheet: str, machine: str) -> None:
    """Neutralised only in the spreadsheet profile; quoted (quotes doubled) only when needed."""
    assert field(cell, Profile.SPREADSHEET) == spreadsheet
    assert field(cell, Profile.MACHINE) == machine


@pytest.mark.parametrize("profile", list(Profile))
def test_records_read_back_with_the_csv_module(profile: Profile) -> None:
    """Every record ends in CRLF and reads back as the cells written (apostrophe aside)."""
    cells = ["a,b", 'say "hi"', "line\nbreak", "=1", "plain"]
    text = record(cells, profile)
    assert text.endswith("\r\n")
    (back,) = list(csv.reader(io.StringIO(text, newline="")))
    expected = ["'=1" if c == "=1" and profile is Profile.SPREADSHEET else c for c in cells]
    assert back == expected


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
