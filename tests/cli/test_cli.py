"""The command line, through click's CliRunner: outputs, one-line errors, exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dosecal.cli.main import cli

from ..conftest import LEVEL_2_EXAMPLE, ROOT

BAD = ROOT / "tests" / "golden" / "errors"


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    # A refusal exits through SystemExit; anything else would be a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_list_names_every_bundled_regimen() -> None:
    """`dosecal list` shows each bundled regimen with its title and source."""
    result = run("list")
    assert result.exit_code == 0
    assert "nct05922501" in result.output and "ClinicalTrials.gov NCT04083898" in result.output


def test_check_ok_and_broken() -> None:
    """`check` reports clean files on stdout and every mistake on stderr, exit 1."""
    good = run("check", str(ROOT / "schedules" / "nct05922501.regimen"))
    assert good.exit_code == 0 and good.output.startswith("ok: ")
    bad = run("check", str(ROOT / "schedules" / "capox.regimen"), str(BAD / "syntax-several.regimen"))
    assert bad.exit_code == 1
    assert "ok: " in bad.stdout and "3 errors in" in bad.stderr
    assert "syntax-several.regimen:2:12: unexpected 'dayz'" in bad.stderr


def test_show_counts_doses_per_cycle() -> None:
    """`show` prints the schedule in words and doses per cycle (4 then 2 for isatuximab)."""
    result = run("show", "nct05922501")
    assert result.exit_code == 0
    assert "    cycle 1: days 1, 8, 15, 22\n    cycles 2 and later: days 1, 15\n" in result.output
    isa = next(line for line in result.output.splitlines() if line.strip().startswith("isatuximab "))
    assert isa.split()[1:] == ["4", "2", "2", "2", "2", "2", "2"]


def test_show_level() -> None:
    """`show --level 2` gives that level's bendamustine dose."""
    result = run("show", "nct04083898", "--level", "2")
    assert "bendamustine, 75 mg/m2 (level 2)" in result.output


def test_expand_seed_csv() -> None:
    """The issue's first check: NCT05922501 from 2026-12-07, six cycles, no dose stated."""
    result = run("expand", "nct05922501", "--start", "2026-12-07", "--cycles", "6", "--format", "csv")
    assert result.exit_code == 0
    table = rows(result.output)
    assert len(table) == 14 + 3 + 126 + 48
    for column in ("date", "cycle", "cycle_day", "study_day", "agent", "dose_amount", "dose_unit", "route"):
        assert column in table[0]
    assert {r["dose_amount"] for r in table} == {""}
    bela = [(r["date"], r["cycle"], r["cycle_day"]) for r in table if r["agent"] == "belantamab mafodotin"]
    assert bela == [("2026-12-07", "1", "1"), ("2027-02-01", "3", "1"), ("2027-03-29", "5", "1")]


def test_expand_level_with_measures() -> None:
    """The issue's second check: bendamustine 75 mg/m2 on days 1 and 2 with its mg dose and basis."""
    result = run(*LEVEL_2_EXAMPLE)
    benda = [r for r in rows(result.output) if r["agent"] == "bendamustine"]
    assert [r["cycle_day"] for r in benda] == ["1", "2"] * 3
    assert {(r["dose_amount"], r["dose_unit"], r["computed_amount"], r["computed_unit"]) for r in benda} == {
        ("75", "mg/m2", "136.5", "mg")
    }
    assert benda[0]["dose_basis"].startswith("75 mg/m2 x 1.82 m2 = 136.5 mg; BSA 1.82 m2 = Mosteller")


def test_expand_json() -> None:
    """JSON carries the course and typed rows."""
    result = run(
        "expand",
        "nct04083898",
        "--start",
        "2026-12-07",
        "--cycles",
        "1",
        "--level",
        "1",
        "--weight",
        "70",
        "--height",
        "170",
        "--format",
        "json",
    )
    document = json.loads(result.output)
    assert document["course"]["level"] == "1"
    first = document["administrations"][0]
    assert (first["agent"], first["computed_amount"], first["route"]) == ("isatuximab", 700, None)


def test_phase2_dose_supplied_on_the_command_line() -> None:
    """--dose fills the RP2D that level phase2 leaves open."""
    result = run(
        "expand",
        "nct04083898",
        "--start",
        "2026-12-07",
        "--cycles",
        "1",
        "--level",
        "phase2",
        "--dose",
        "bendamustine=90 mg/m2",
    )
    benda = [r for r in rows(result.output) if r["agent"] == "bendamustine"]
    assert {(r["dose_amount"], r["dose_source"]) for r in benda} == {("90", "supplied (--dose)")}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["--start", "2026-02-30", "--cycles", "1"],
            2,
            "2026-02-30 is not a date: February 2026 has 28 days",
        ),
        (["--start", "7/12/2026", "--cycles", "1"], 2, "'7/12/2026' is not a date; write it as YYYY-MM-DD"),
        (["--start", "2026-12-07", "--cycles", "0"], 1, "0 cycles is not plausible (expected 1-200)"),
        (["--start", "2026-12-07", "--cycles", "400"], 1, "400 cycles is not plausible"),
        (["--start", "2026-12-07"], 1, "nct05922501 runs until progression, adverse events, or withdrawal"),
        (["--start", "2026-12-07", "--cycles", "1", "--until", "2027-01-01"], 2, "give --cycles or --until"),
        (["--start", "2026-12-07", "--cycles", "1", "--level", "2"], 1, "nct05922501 has no dose levels"),
        (["--start", "2026-12-07", "--cycles", "1", "--weight", "700"], 1, "weight 700 kg is not plausible"),
        (
            ["--start", "2026-12-07", "--cycles", "1", "--weight", "seventy"],
            2,
            "'seventy' is not a plain number such as 70",
        ),
        (["--start", "2026-12-07", "--cycles", "1", "--dose", "pomalidomide=4mg"], 2, '"DRUG=AMOUNT UNIT"'),
        (
            ["--start", "2026-12-07", "--cycles", "1", "--dose", "pomalidomid=4 mg"],
            1,
            "--dose names 'pomalidomid', which is not a drug of nct05922501",
        ),
    ],
)
def test_course_mistakes_get_one_clear_line(args: list[str], code: int, message: str) -> None:
    """Each command-line mistake is one line on stderr with exit 1 or 2, and no traceback."""
    result = run("expand", "nct05922501", *args)
    assert result.exit_code == code
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_level_mistakes() -> None:
    """An unknown level, and phase2 without its dose, are refused and say what to do."""
    unknown = run("expand", "nct04083898", "--start", "2026-12-07", "--cycles", "1", "--level", "4")
    assert unknown.exit_code == 1
    assert unknown.stderr == "dosecal: nct04083898 has no dose level '4'; its levels are 1, 2, 3, phase2\n"
    phase2 = run("expand", "nct04083898", "--start", "2026-12-07", "--cycles", "1", "--level", "phase2")
    assert phase2.exit_code == 1
    assert '--dose "bendamustine=AMOUNT UNIT"' in phase2.stderr


def test_unknown_regimen() -> None:
    """A name that is neither a file nor bundled lists the bundled ones."""
    result = run("show", "nct0000")
    assert result.exit_code == 2
    assert (
        "no regimen 'nct0000': not a file, and not a bundled regimen (blinatumomab-all, "
        "capecitabine-radiotherapy-rectal, capox," in result.stderr
    )


def test_broken_regimen_when_expanding() -> None:
    """Expanding a broken file prints its diagnostics, exit 1."""
    result = run("expand", str(BAD / "day-outside-cycle.regimen"), "--start", "2026-12-07", "--cycles", "1")
    assert result.exit_code == 1
    assert "day-outside-cycle.regimen:4:16: day 30 is outside a 28-day cycle" in result.stderr


def test_output_file_is_written_whole(tmp_path: Path) -> None:
    """-o writes the file and leaves no temporary file beside it."""
    target = tmp_path / "out" / "table.csv"
    target.parent.mkdir()
    result = run("expand", "nct05922501", "--start", "2026-12-07", "--cycles", "2", "-o", str(target))
    assert result.exit_code == 0
    # isatuximab 4 + 2, belantamab 1, pomalidomide 2 x 21, dexamethasone 2 x 8
    assert len(rows(target.read_text())) == 6 + 1 + 42 + 16
    assert target.read_bytes().count(b"\r\n") == 65 + 1  # RFC 4180 line ends
    assert [p.name for p in target.parent.iterdir()] == ["table.csv"]


def test_failed_run_leaves_nothing(tmp_path: Path) -> None:
    """A refused course writes nothing and leaves an existing file untouched."""
    target = tmp_path / "table.csv"
    target.write_text("previous\n")
    result = run("expand", "nct04083898", "--start", "2026-12-07", "--cycles", "1", "-o", str(target))
    assert result.exit_code == 1
    assert target.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_unwritable_output(tmp_path: Path) -> None:
    """An output path under a regular file is refused before any work: one line, exit 2, no file."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run(
        "expand", "nct05922501", "--start", "2026-12-07", "--cycles", "1", "-o", str(blocker / "x.csv")
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"dosecal expand: Invalid value for '-o' / '--output': {blocker / 'x.csv'} is under something "
        "that is not a folder (see 'dosecal expand --help')\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_console_script_has_no_traceback() -> None:
    """The installed entry point itself: a wrong date is one line and exit 2."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from dosecal.cli.main import main; main()",
            "expand",
            "nct05922501",
            "--start",
            "2026-02-30",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().endswith("February 2026 has 28 days (see 'dosecal expand --help')")


def test_start_date_far_away() -> None:
    """A start in year 9999 is refused as implausible instead of overflowing the calendar."""
    result = run("expand", "nct05922501", "--start", "9999-12-01", "--cycles", "12")
    assert result.exit_code == 1
    assert result.stderr == (
        "dosecal: a start date of 9999-12-01 is not plausible (expected 1900-01-01 to 2199-12-31)\n"
    )


def test_no_command_shows_help() -> None:
    """`dosecal` alone prints its help, not an error line."""
    result = CliRunner().invoke(cli, [], prog_name="dosecal")
    assert result.output.startswith("Usage: dosecal [OPTIONS] COMMAND [ARGS]...")
    assert "Commands:" in result.output


def test_internal_errors_are_not_tracebacks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Should a bug raise, the user sees one line that says it is a bug, exit 70."""
    import dosecal.cli.course as expand_module  # where the CLI calls `expand`

    def broken(*_: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(expand_module, "expand", broken)
    monkeypatch.delenv("DOSECAL_DEBUG", raising=False)
    result = run("expand", "nct05922501", "--start", "2026-12-07", "--cycles", "1")
    assert result.exit_code == 70
    assert result.stderr.startswith("dosecal: internal error (ZeroDivisionError: division by zero)")


def test_csv_cells_cannot_become_formulas(tmp_path: Path) -> None:
    """A note starting with '=' (or + - @) reaches the CSV as text, with a leading apostrophe."""
    regimen = tmp_path / "inject.regimen"
    regimen.write_text(
        'regimen inject "Injection"\n  cycle 7 days\n  drug 10 mg IV\n    day 1\n'
        "    note \"=HYPERLINK('http://example.invalid','Click')\"\n"
        '  other 1 mg IV\n    day 2\n    note "-2+3"\n'
    )
    table = rows(run("expand", str(regimen), "--start", "2026-01-05", "--cycles", "1").output)
    assert [r["notes"] for r in table] == ["'=HYPERLINK('http://example.invalid','Click')", "'-2+3"]
