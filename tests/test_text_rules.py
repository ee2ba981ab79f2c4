"""Characters that must not reach an output (issue 9, point 6; dosecal.text).

Control characters (C0 but tab, DEL, C1, U+2028, U+2029) and bidirectional
embedding, override and isolate characters (U+202A-U+202E, U+2066-U+2069) are
refused where they are written: anywhere in a regimen or course file (a tab
stays allowed), and in roster cells, `--patient-id`, `--course-id`, `--dose`
and the ids and reasons of the Python API (a tab is refused there too).
Expected texts are written out by hand; the refused set is listed here from
the issue, not taken from dosecal.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

import dosecal
from dosecal import Course, CourseError, RegimenError, loads
from dosecal.batch.roster_file import Refusal, read
from dosecal.cli.main import cli
from dosecal.errors import Diagnostic
from dosecal.io.read import load_course
from dosecal.model.adjust import CycleRef, Delay
from dosecal.source import Span
from dosecal.text import screen

from .conftest import SCHEDULES, load

# The list, written out: C0 but tab (LF and CR are a file's own line ends), DEL, C1,
# the line and paragraph separators, and the bidirectional controls.
REFUSED_IN_FILES = tuple(
    chr(c)
    for c in (
        *range(0x00, 0x09),
        0x0B,
        0x0C,
        *range(0x0E, 0x20),
        *range(0x7F, 0xA0),
        0x2028,
        0x2029,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    )
)
REFUSED_IN_VALUES = (*REFUSED_IN_FILES, "\t", "\n", "\r")
BIDI = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))

INVISIBLE = "delete it: it cannot be seen (a copy and paste may have brought it)"
BREAKS = "delete it: some programs end a line there and others do not (a copy and paste may have brought it)"
REORDERS = (
    "delete it: it changes the order in which the text around it is shown, "
    "so the line would not read as dosecal reads it"
)

NOTE_REGIMEN = (
    'regimen t "T"\n'
    "  cycle 21 days, 2 cycles\n"
    "  capecitabine 1000 mg PO tablet, diary\n"
    "    days 1-3\n"
    '    note "Take with food.{}END:VCALENDAR"\n'
)


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def report(text: str, name: str = "t.regimen") -> str:
    with pytest.raises(RegimenError) as caught:
        loads(text, name)
    return caught.value.render()


# ---- regimen files -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("char", "named", "hint"),
    [
        ("\u2028", "U+2028 LINE SEPARATOR", BREAKS),
        ("\x85", "U+0085 NEXT LINE", BREAKS),
        ("\x0b", "U+000B VERTICAL TABULATION", BREAKS),
        ("\x0c", "U+000C FORM FEED", BREAKS),
        ("\x00", "U+0000 NULL", INVISIBLE),
    ],
    ids=["LS", "NEL", "VT", "FF", "NUL"],
)
def test_note_with_a_control_character_fails_check(
    char: str, named: str, hint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's reproductions: each passed `check` and reached the calendar raw; now exit 1,
    at line 5 column 26, the character shown as U+FFFD so nothing invisible reaches the terminal."""
    monkeypatch.chdir(tmp_path)
    Path("t.regimen").write_text(NOTE_REGIMEN.format(char), "utf-8")
    result = run("check", "t.regimen")
    assert result.exit_code == 1
    assert result.stderr == (
        f"t.regimen:5:26: {named} (an invisible control character) cannot be written in a regimen file\n"
        '        note "Take with food.\ufffdEND:VCALENDAR"\n'
        f"    {' ' * 25}^\n"
        f"    hint: {hint}\n"
        "\n"
        "1 error in t.regimen\n"
    )
    calendar = run("ics", "t.regimen", "--start", "2026-01-05")
    assert calendar.exit_code == 1
    assert calendar.stdout == ""


def test_bidirectional_override_in_a_note() -> None:
    """Refused in quoted text too: it would show the rest of the line reversed, digits included."""
    assert report(NOTE_REGIMEN.format("").replace('"Take', '"\u202eTake')) == (
        "t.regimen:5:11: U+202E RIGHT-TO-LEFT OVERRIDE (a character that reorders text) "
        "cannot be written in a regimen file\n"
        '        note "\ufffdTake with food.END:VCALENDAR"\n'
        f"    {' ' * 10}^\n"
        f"    hint: {REORDERS}\n"
        "\n"
        "1 error in t.regimen"
    )


def test_next_line_in_a_comment() -> None:
    """A comment is refused too: an editor that ends lines at NEL would show 'days 1-21' as a line
    of the schedule, while dosecal reads it as part of the comment."""
    text = NOTE_REGIMEN.format("").replace("    days 1-3\n", "    days 1-3  # was 1-14\x85    days 1-21\n")
    assert report(text) == (
        "t.regimen:4:25: U+0085 NEXT LINE (an invisible control character) "
        "cannot be written in a regimen file\n"
        "        days 1-3  # was 1-14\ufffd    days 1-21\n"
        f"    {' ' * 24}^\n"
        f"    hint: {BREAKS}\n"
        "\n"
        "1 error in t.regimen"
    )


def test_form_feed_between_words() -> None:
    """The grammar would skip a form feed as a blank; it is refused like any control character."""
    text = NOTE_REGIMEN.format("").replace("cycle 21 days", "cycle 21\x0cdays")
    assert report(text) == (
        "t.regimen:2:11: U+000C FORM FEED (an invisible control character) "
        "cannot be written in a regimen file\n"
        "      cycle 21\ufffddays, 2 cycles\n"
        f"    {' ' * 10}^\n"
        f"    hint: {BREAKS}\n"
        "\n"
        "1 error in t.regimen"
    )


def test_the_file_s_other_mistakes_are_reported_with_it() -> None:
    """Parsing goes on past a refused character (read as a blank): every mistake comes at once, in order."""
    text = NOTE_REGIMEN.format("\x00").replace("days 1-3", "days 1-3, 30")
    assert report(text) == (
        "t.regimen:4:15: day 30 is outside a 21-day cycle\n"
        "        days 1-3, 30\n"
        "                  ^^\n"
        "    hint: days run from 1 to 21\n"
        "\n"
        "t.regimen:5:26: U+0000 NULL (an invisible control character) cannot be written in a regimen file\n"
        '        note "Take with food.\ufffdEND:VCALENDAR"\n'
        f"    {' ' * 25}^\n"
        f"    hint: {INVISIBLE}\n"
        "\n"
        "2 errors in t.regimen"
    )


def test_a_file_full_of_them_gets_twenty_and_a_count() -> None:
    """Past 20 refused characters (most likely not a text file), one more message counts the rest."""
    text = NOTE_REGIMEN.format("") + "  # " + "\x01" * 60 + "\n"
    with pytest.raises(RegimenError) as caught:
        loads(text, "t.regimen")
    found = caught.value.diagnostics
    assert len(found) == 21
    assert [(d.span.line, d.span.col) for d in found[:20]] == [(6, 5 + i) for i in range(20)]
    assert found[0].message == "U+0001 (an invisible control character) cannot be written in a regimen file"
    assert (found[20].span.line, found[20].span.col) == (6, 25)
    assert found[20].message == "40 more characters that cannot be written in a regimen file, from here on"
    assert found[20].hint == "is this a text file? save it as plain text"


@pytest.mark.parametrize(
    ("count", "last"),
    [
        (20, None),
        (21, "1 more character that cannot be written in a regimen file, from here on"),
        (22, "2 more characters that cannot be written in a regimen file, from here on"),
    ],
)
def test_twenty_are_reported_one_by_one(count: int, last: str | None) -> None:
    """Exactly 20 refused characters: 20 messages and no count; 21: the 21st is counted from
    where it stands (line 6 column 25), in the singular; 22: two from there."""
    text = NOTE_REGIMEN.format("") + "  # " + "\x01" * count + "\n"
    with pytest.raises(RegimenError) as caught:
        loads(text, "t.regimen")
    found = caught.value.diagnostics
    assert [(d.span.line, d.span.col) for d in found[:20]] == [(6, 5 + i) for i in range(20)]
    assert [d.message for d in found[20:]] == ([last] if last else [])
    assert [(d.span.line, d.span.col) for d in found[20:]] == ([(6, 25)] if last else [])


def test_a_file_that_starts_with_an_empty_line() -> None:
    """Lines and columns count from the file's very first character: a line feed at character 0
    makes the NULL after it line 2 column 1, and the ESCAPE at the end line 3 column 4."""
    screened = screen("\n\x00 a\nab \x1b\n", "regimen file")
    assert screened.diagnostics == (
        Diagnostic(
            Span(2, 1),
            "U+0000 NULL (an invisible control character) cannot be written in a regimen file",
            INVISIBLE,
        ),
        Diagnostic(
            Span(3, 4),
            "U+001B ESCAPE (an invisible control character) cannot be written in a regimen file",
            INVISIBLE,
        ),
    )
    assert (screened.text, screened.shown) == ("\n  a\nab  \n", "\n\ufffd a\nab \ufffd\n")


def test_allowed_text_is_kept() -> None:
    """Accents, Greek, Chinese, Hebrew with a right-to-left mark, and tabs (indentation and in a
    note) pass, and the note reaches the calendar exactly as written."""
    note = "Avec de la nourriture: é, ü; Ελληνικά; 与食物同服; עברית\u200f;\tfin"
    text = 'regimen t "T"\n\tcycle 21 days, 2 cycles\n\tcapecitabine 1000 mg PO\n\t\tdays 1-3\n'
    text += f'\t\tnote "{note}"\n'
    regimen = loads(text)
    assert regimen.phases[0].agents[0].notes == (note,)
    from dosecal.render import ics
    from dosecal.views.events import CalendarOptions

    schedule = dosecal.expand(regimen, Course(dt.date(2026, 1, 5), cycles=1))
    calendar = ics.render(schedule, CalendarOptions(), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    descriptions = [str(e["DESCRIPTION"]) for e in icalendar.Calendar.from_ical(calendar).walk("VEVENT")]
    assert descriptions
    assert all(note in d for d in descriptions)


@settings(max_examples=150, deadline=None)
@given(
    char=st.sampled_from(REFUSED_IN_FILES),
    before=st.text(alphabet="abc XYZ é,.", max_size=12),
    after=st.text(alphabet="abc XYZ é,.", max_size=12),
)
def test_every_refused_character_in_a_note(char: str, before: str, after: str) -> None:
    """Anywhere in a note, each refused character is the file's one mistake, at its column, named by
    its code; the message never holds the character itself."""
    text = NOTE_REGIMEN.replace("Take with food.{}END:VCALENDAR", f"{before}{char}{after}")
    with pytest.raises(RegimenError) as caught:
        loads(text, "t.regimen")
    (only,) = caught.value.diagnostics
    assert (only.span.line, only.span.col) == (5, 11 + len(before))
    assert only.message.startswith(f"U+{ord(char):04X} ")
    kind = "a character that reorders text" if char in BIDI else "an invisible control character"
    assert only.message.endswith(f"({kind}) cannot be written in a regimen file")
    assert char not in caught.value.render()


@settings(max_examples=150, deadline=None)
@given(char=st.sampled_from(REFUSED_IN_FILES), cut=st.integers(1, 11))
def test_every_refused_character_in_a_drug_name(char: str, cut: int) -> None:
    """Inside a drug's name, each refused character is reported at its column (and never shown)."""
    name = "capecitabine"
    text = NOTE_REGIMEN.format("").replace(name, name[:cut] + char + name[cut:])
    with pytest.raises(RegimenError) as caught:
        loads(text, "t.regimen")
    first = caught.value.diagnostics[0]
    assert (first.span.line, first.span.col) == (3, 3 + cut)
    assert first.message.startswith(f"U+{ord(char):04X} ")
    assert first.message.endswith("cannot be written in a regimen file")
    assert char not in caught.value.render()


# ---- course files ----------------------------------------------------------------------

COURSE = (
    "course pt-1\n"
    "  regimen capox\n"
    "  start 2026-01-05\n"
    "  cycles 2\n"
    '  delay cycle 2 by 7 days because "ANC low{}END:VCALENDAR"\n'
)


def test_course_file_reason_with_a_line_separator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reason reaches every output; a line separator in it is refused at its line and column."""
    monkeypatch.chdir(tmp_path)
    Path("p.course").write_text(COURSE.format("\u2028"), "utf-8")
    expected = (
        "p.course:5:43: U+2028 LINE SEPARATOR (an invisible control character) "
        "cannot be written in a course file\n"
        '      delay cycle 2 by 7 days because "ANC low\ufffdEND:VCALENDAR"\n'
        f"    {' ' * 42}^\n"
        f"    hint: {BREAKS}\n"
        "\n"
        "1 error in p.course"
    )
    with pytest.raises(RegimenError) as caught:
        load_course("p.course")
    assert caught.value.render() == expected
    result = run("ics", "--course", "p.course")
    assert result.exit_code == 1
    assert result.stderr == expected + "\n"


def test_course_file_keeps_its_other_mistakes(tmp_path: Path) -> None:
    """A refused character and a syntax mistake of the same file are reported together, in order."""
    path = tmp_path / "p.course"
    path.write_text(COURSE.format("\x1b").replace("cycles 2", "cycles two"), "utf-8")
    with pytest.raises(RegimenError) as caught:
        load_course(path)
    assert [(d.span.line, d.span.col, d.message) for d in caught.value.diagnostics] == [
        (4, 10, "unexpected 'two'"),
        (5, 43, "U+001B ESCAPE (an invisible control character) cannot be written in a course file"),
    ]


# ---- roster cells --------------------------------------------------------------------


def test_roster_cell_names_the_column_and_the_character() -> None:
    """A cell's refused character is named with its column and its place in the cell as written;
    blanks around a cell are dropped, whatever they are, so a trailing separator harms nothing."""
    text = (
        "patient_id,regimen,start,level\n"
        "p1,nct04083898,2026-01-05, 2\u2028x\n"
        "p\t2,nct04083898,2026-01-05,2\n"
        "p3,nct04083898,2026-01-05,2\u2028\n"
        "p4,nct\u202e04083898,2026-01-05,2\n"
    )
    entries, refused = read(text, "r.csv")
    assert [e.patient_id for e in entries] == ["p3"]
    assert entries[0].level == "2"
    assert refused == [
        Refusal(
            2,
            "p1",
            "the cell 'level' holds U+2028 LINE SEPARATOR (an invisible control character) "
            "at character 3; delete it",
        ),
        Refusal(
            3,
            "",
            "the cell 'patient_id' holds U+0009 TAB (an invisible control character) "
            "at character 2; delete it",
        ),
        Refusal(
            5,
            "p4",
            "the cell 'regimen' holds U+202E RIGHT-TO-LEFT OVERRIDE (a character that reorders text) "
            "at character 4; delete it",
        ),
    ]


def test_batch_reports_the_cell(tmp_path: Path) -> None:
    """`dosecal batch` refuses that row alone, with the line and the same sentence."""
    roster = tmp_path / "r.csv"
    roster.write_text("patient_id,regimen,start,cycles\np1,capox,2026-01-05,1\np2,capox,2026-01-05,1\x852\n")
    result = run("batch", str(roster), "-o", str(tmp_path / "out"), "--no-packets", "--jobs", "1")
    assert result.exit_code == 1
    assert (
        f"{roster}:3: patient p2: the cell 'cycles' holds U+0085 NEXT LINE (an invisible control character) "
        "at character 2; delete it"
    ) in result.stderr.splitlines()


@settings(max_examples=100, deadline=None)
@given(
    char=st.sampled_from((*REFUSED_IN_FILES, "\t")),
    before=st.text(alphabet="abcé-", min_size=1, max_size=8),
)
def test_every_refused_character_in_a_roster_cell(char: str, before: str) -> None:
    """Inside a cell (not at its edges, which are dropped), every refused character refuses the row.
    (CR and LF end the roster's line itself: no cell holds a line break.)"""
    _, refused = read(f"patient_id,regimen,start,level\np1,capox,2026-01-05,{before}{char}z\n", "r.csv")
    (only,) = refused
    assert only.message.startswith(f"the cell 'level' holds U+{ord(char):04X}")
    assert only.message.endswith(f"at character {len(before) + 1}; delete it")


# ---- command-line values and the Python API ----------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["diary", "capox", "--start", "2026-01-05", "--cycles", "1", "--patient-id", "A\r\nB"],
            "dosecal diary: Invalid value for '--patient-id': the value holds U+000D CARRIAGE RETURN "
            "(an invisible control character) at character 2; delete it (see 'dosecal diary --help')",
        ),
        (
            ["appointments", "capox", "--start", "2026-01-05", "--cycles", "1", "--patient-id", "pt\x1b[2J"],
            "dosecal appointments: Invalid value for '--patient-id': the value holds U+001B ESCAPE "
            "(an invisible control character) at character 3; delete it (see 'dosecal appointments --help')",
        ),
        (
            ["expand", "capox", "--start", "2026-01-05", "--cycles", "1", "--course-id", "pt\u202e1"],
            "dosecal expand: Invalid value for '--course-id': the value holds U+202E RIGHT-TO-LEFT OVERRIDE "
            "(a character that reorders text) at character 3; delete it (see 'dosecal expand --help')",
        ),
        (
            [
                *["expand", "nct04083898", "--start", "2026-01-05", "--level", "phase2"],
                *["--dose", "bendamustine=50\x00 mg/m2"],
            ],
            "dosecal expand: Invalid value for '--dose': the value holds U+0000 NULL "
            "(an invisible control character) at character 16; delete it (see 'dosecal expand --help')",
        ),
    ],
    ids=["patient-id-crlf", "patient-id-escape", "course-id-override", "dose-nul"],
)
def test_command_line_values(args: list[str], message: str, tmp_path: Path) -> None:
    """Refused as a usage error (exit 2) before anything is made; the value itself is not echoed."""
    output = tmp_path / "out.pdf"
    result = run(*args, *(["-o", str(output)] if args[0] == "diary" else []))
    assert result.exit_code == 2
    assert result.stderr == message + "\n"
    assert result.stdout == ""
    assert not output.exists()


@settings(max_examples=100, deadline=None)
@given(char=st.sampled_from(REFUSED_IN_VALUES), before=st.text(alphabet="abc-1", max_size=8))
def test_every_refused_character_in_a_course_id(char: str, before: str) -> None:
    """Every refused character, tab and line breaks included, refuses `--course-id` at its place,
    in one line that does not hold it."""
    course = ["--start", "2026-01-05", "--cycles", "1"]
    result = run("expand", "capox", *course, "--course-id", f"{before}{char}z")
    assert result.exit_code == 2
    message = result.stderr.removesuffix("\n")
    assert f"the value holds U+{ord(char):04X}" in message
    assert f"at character {len(before) + 1}; delete it" in message
    assert char not in message


def test_python_api_course_id_and_reason() -> None:
    """`Course(course_id=...)` and an adjustment's reason given in Python are checked by `expand`."""
    capox = load("capox")
    with pytest.raises(CourseError) as caught:
        dosecal.expand(capox, Course(dt.date(2026, 1, 5), cycles=1, course_id="pt\x001"))
    assert str(caught.value) == (
        "the course id holds U+0000 NULL (an invisible control character) at character 3; delete it"
    )
    delay = Delay(CycleRef(None, 2), 7, "ANC\u2028low", 9)
    with pytest.raises(CourseError) as caught:
        dosecal.expand(capox, Course(dt.date(2026, 1, 5), cycles=2, adjustments=(delay,)))
    assert str(caught.value) == (
        "course line 9: the reason holds U+2028 LINE SEPARATOR (an invisible control character) "
        "at character 4; delete it"
    )
    tabbed = Delay(CycleRef(None, 2), 7, "ANC\t0.8", 9)  # a tab, as a course file allows in a reason
    assert len(dosecal.expand(capox, Course(dt.date(2026, 1, 5), cycles=2, adjustments=(tabbed,))))


# ---- our own outputs ------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(SCHEDULES.glob("*.regimen")), ids=lambda p: p.stem)
def test_bundled_outputs_hold_no_refused_character(path: Path) -> None:
    """The calendar, the table and the visit list of every bundled regimen hold no refused character
    but their own CRLF line ends, so a reader splitting lines as str.splitlines does sees our lines."""
    # A regimen without cycles ends on its last dose: --cycles is refused for it (language §34).
    runs = all(p.run for p in dosecal.load(path).phases)
    course = [
        "--start",
        "2026-01-05",
        *([] if runs else ["--cycles", "2"]),
        "--weight",
        "70",
        "--height",
        "170",
    ]
    course += ["--level", "2"] if path.stem == "nct04083898" else []
    course += (
        ["--age", "60", "--sex", "male", "--creatinine", "1.0 mg/dL"] if "carboplatin" in path.stem else []
    )
    for command in (["ics"], ["ics", "--per-administration"], ["expand"], ["appointments"]):
        result = run(*command, str(path), *course)
        assert result.exit_code == 0, result.stderr
        text = result.stdout_bytes.decode("utf-8")  # `stdout` would turn CRLF into LF
        assert text.splitlines() == text.removesuffix("\r\n").split("\r\n"), command
        assert not [c for c in text.replace("\r\n", "") if c in REFUSED_IN_VALUES], command
