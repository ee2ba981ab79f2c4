"""What reaches the terminal: one line, no traceback, and never a raw control or bidi character.

Issue 9 point 9, and the defects an adversarial review found in the first fixes:
values echoed in messages (a regimen name, a zone, a level, a file name) are
shown with their invisible characters escaped; values that could not be
read (bytes that are not UTF-8, dates past year 9999) are one clear line,
not an internal error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dosecal.cli.main import cli
from dosecal.text import visible

COURSE = ["capox", "--start", "2026-12-07", "--cycles", "1"]


def run(*args: str, env: dict[str, str] | None = None) -> object:
    return CliRunner().invoke(cli, list(args), env=env)


def test_visible_escapes_what_a_terminal_would_act_on() -> None:
    """ESC, BEL, NEL, U+2028, a bidi override, a tab and a lone surrogate become escapes; text stays."""
    assert visible("a\x1b]0;t\x07b") == "a\\x1b]0;t\\x07b"
    assert visible("x\x85y\u2028z\u202e!") == "x\\x85y\\u2028z\\u202e!"
    assert visible("tab\there\nand\udcff") == "tab\\x09here\\x0aand\\udcff"
    assert visible("line one\nline two", lines=True) == "line one\nline two"
    assert visible("é, 患者, עברית\u200f") == "é, 患者, עברית\u200f"  # letters and the RLM mark stay


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["expand", "capox\x85", "--start", "2026-12-01"], "no regimen 'capox\\x85'"),
        (["ics", *COURSE, "--tz", "Europe/Berlin\u202e", "--visit-time", "09:00"], "'Europe/Berlin\\u202e'"),
        (["appointments", *COURSE, "--holidays", "X\x85"], "'X\\x85' is not a country"),
        (["check", "no\x1b]0;title\x07such"], "cannot read no\\x1b]0;title\\x07such"),
    ],
    ids=["regimen", "zone", "holidays", "check"],
)
def test_echoed_values_are_escaped(args: list[str], shown: str) -> None:
    """The value is named, escaped: one line, and nothing a terminal would act on."""
    result = run(*args)
    assert result.exit_code in (1, 2)
    assert shown in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not any(c in result.stderr for c in "\x1b\x07\x85\u202e")


def test_a_level_is_screened_like_an_id() -> None:
    """--level with an ESC (a terminal title sequence) is refused, and the value is not repeated."""
    result = run("show", "capox", "--level", "x\x1b]0;pwn\x07")
    assert result.exit_code == 2
    assert result.stderr == (
        "dosecal show: Invalid value for '--level': the value holds U+001B ESCAPE (an invisible control "
        "character) at character 2; delete it (see 'dosecal show --help')\n"
    )


def test_a_file_name_with_a_line_break_is_one_line(tmp_path: Path) -> None:
    """'wrote new\\nline.csv' would read as two lines: the line feed is shown as its escape."""
    target = tmp_path / "new\nline.csv"
    result = run("expand", *COURSE, "-o", str(target))
    assert result.exit_code == 0
    assert result.stderr == f"wrote {tmp_path}/new\\x0aline.csv (29 administrations)\n"
    assert target.exists()


@pytest.mark.parametrize("option", ["--course-id", "--patient-id", "--level"])
def test_bytes_that_are_not_utf8_are_one_line(option: str) -> None:
    """A shell passes b'\\xff' as a lone surrogate; it used to end in an internal error (exit 70)."""
    command = "diary" if option == "--patient-id" else "expand"
    extra = ["-o", "x.pdf"] if command == "diary" else []
    result = run(command, *COURSE, option, "\udcff", *extra)
    assert result.exit_code == 2
    assert f"Invalid value for '{option}': the value is not UTF-8 text" in result.stderr
    assert "internal error" not in result.stderr


@pytest.mark.parametrize("stamp", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_a_revision_time_past_the_calendar_is_one_line(stamp: str) -> None:
    """Its UTC would be before year 1 or after 9999: an OverflowError used to escape (exit 70)."""
    result = run("ics", *COURSE, "--generated-at", stamp)
    assert result.exit_code == 2
    assert result.stderr == (
        f"dosecal ics: Invalid value for --generated-at: '{stamp}' is not a date and time with its offset, "
        "e.g. 2026-11-20T09:00:00Z (see 'dosecal ics --help')\n"
    )


@pytest.mark.parametrize("epoch", ["99999999999999", "12x", "-5"])
def test_source_date_epoch_out_of_range_is_one_line(epoch: str) -> None:
    """SOURCE_DATE_EPOCH of year 3,170,843 used to crash; a non-number is refused the same way."""
    result = run("ics", *COURSE, env={"SOURCE_DATE_EPOCH": epoch})
    assert result.exit_code == 2
    assert result.stderr == (
        "dosecal ics: SOURCE_DATE_EPOCH must be whole seconds since 1970 (before the year 10000), "
        f"not '{epoch}' (see 'dosecal ics --help')\n"
    )


def test_source_date_epoch_in_range_sets_dtstamp() -> None:
    """1700000000 is 2023-11-14T22:13:20Z."""
    result = run("ics", *COURSE, env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.exit_code == 0
    assert b"DTSTAMP:20231114T221320Z\r\n" in result.stdout_bytes
