"""`dosecal batch ROSTER.csv`: packets, combined tables, broken rows, and the fast path's fidelity.

The roster's combined tables are made by shifting one expansion per course
shape (dosecal.batch.tables). These tests hold them against what expanding each
patient on its own gives, row for row, byte for byte.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dosecal.cli.main import cli

COURSE_WITH_CHANGES = """course {pid}
  regimen nct04083898
  start {start}
  cycles 5
  level 2
  weight 70 kg
  height 170 cm
  bsa dubois
  delay cycle 3 by 7 days because "ANC 0.8 on day 1"
  hold isatuximab on cycle 2 day 15 because "infusion reaction"
  level 1 from cycle 4 because "DLT in cycle 3"
"""
COURSE_STARTED_ON = """course {pid}
  regimen nct05922501
  start {start}
  cycles 3
  start cycle 2 on 2027-01-11 because "patient travelling"
"""

GOOD_ROWS = [
    # patient, regimen, start, cycles, until, level, weight, height, bsa, doses, course
    ("a1", "nct05922501", "2026-12-07", "3", "", "", "", "", "", "", ""),
    ("a2", "nct05922501", "2027-12-25", "3", "", "", "", "", "", "", ""),  # over a year end
    ("a3", "nct05922501", "2028-02-01", "3", "", "", "", "", "", "", ""),  # over a leap day
    ("a4", "nct05922501", "2026-12-05", "2", "", "", "", "", "", "", ""),  # a Saturday: every visit closed
    ("b1", "nct04083898", "2026-12-07", "", "2027-02-15", "3", "82.5", "180", "dubois", "", ""),
    ("b2", "nct04083898", "2027-03-01", "2", "", "phase2", "60", "165", "", "bendamustine=90 mg/m2", ""),
    ("c1", "", "", "", "", "", "", "", "", "", "c1.course"),
    ("c2", "", "", "", "", "", "", "", "", "", "c2.course"),
    ("c3", "", "", "", "", "", "", "", "", "", "c3.course"),
]
HEADER = "patient_id,regimen,start,cycles,until,level,weight,height,bsa,doses,course"


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def write_roster(folder: Path, rows: list[tuple[str, ...]], extra: str = "") -> Path:
    (folder / "c1.course").write_text(COURSE_WITH_CHANGES.format(pid="c1", start="2026-12-07"), "utf-8")
    (folder / "c2.course").write_text(COURSE_WITH_CHANGES.format(pid="c2", start="2027-06-14"), "utf-8")
    (folder / "c3.course").write_text(COURSE_STARTED_ON.format(pid="c3", start="2026-12-07"), "utf-8")
    roster = folder / "roster.csv"
    roster.write_text("\n".join([HEADER, *(",".join(r) for r in rows)]) + "\n" + extra, "utf-8")
    return roster


def single_patient_args(folder: Path, row: tuple[str, ...]) -> list[str]:
    """The same patient for `dosecal expand`/`appointments`, written as options."""
    pid, regimen, start, cycles, until, level, weight, height, bsa, doses, course = row
    if course:
        return ["--course", str(folder / course)]
    args = [regimen, "--start", start, "--course-id", pid]
    for option, value in [
        ("--cycles", cycles),
        ("--until", until),
        ("--level", level),
        ("--weight", weight),
        ("--height", height),
        ("--bsa", bsa),
        ("--dose", doses),
    ]:
        if value:
            args += [option, value]
    return args


def records(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


@pytest.mark.parametrize("profile", ["spreadsheet", "machine"])
@pytest.mark.parametrize("closed", [[], ["--holidays", "US", "--move-closed", "next"], ["--holidays", "GB"]])
def test_combined_tables_equal_each_patient_expanded_alone(
    tmp_path: Path, profile: str, closed: list[str]
) -> None:
    """Every patient's rows in the combined tables are exactly `expand` / `appointments` of that
    patient alone, with the patient id in front: the shifted expansion changes nothing."""
    roster = write_roster(tmp_path, GOOD_ROWS)
    out = tmp_path / "out"
    result = run(
        "batch", str(roster), "-o", str(out), "--no-packets", "--jobs", "1", "--csv-profile", profile, *closed
    )
    assert result.exit_code == 0, result.stderr
    table = (out / "administrations.csv").read_bytes()
    visits = (out / "appointments.csv").read_bytes()
    if profile == "spreadsheet":
        assert table.startswith(b"\xef\xbb\xbfpatient_id,administration_id,")
    expected_table: list[list[str]] = []
    expected_visits: list[list[str]] = []
    for row in GOOD_ROWS:
        args = single_patient_args(tmp_path, row)
        alone = run("expand", *args, "--csv-profile", profile)
        assert alone.exit_code == 0, alone.stderr
        expected_table += [[row[0], *r] for r in records(alone.stdout)[1:]]
        apps = run("appointments", *args, "--patient-id", row[0], "--csv-profile", profile, *closed)
        expected_visits += records(apps.stdout)[1:]
    assert records(table.decode("utf-8"))[1:] == expected_table
    assert records(visits.decode("utf-8"))[1:] == expected_visits
    assert len(expected_table) > 500 and len(expected_visits) > 50


def test_any_number_of_jobs_gives_the_same_bytes(tmp_path: Path) -> None:
    """One process or a pool of three: byte-identical combined tables (many small chunks)."""
    rows = [(f"p{n:03d}", "nct05922501", f"2027-01-{n % 28 + 1:02d}", "2", *[""] * 7) for n in range(40)]
    roster = write_roster(tmp_path, [*rows, *GOOD_ROWS])
    made = {}
    for jobs in ("1", "3"):
        out = tmp_path / f"out{jobs}"
        result = run("batch", str(roster), "-o", str(out), "--no-packets", "--jobs", jobs, "--holidays", "US")
        assert result.exit_code == 0, result.stderr
        made[jobs] = [(out / n).read_bytes() for n in ("administrations.csv", "appointments.csv")]
        assert not [p for p in out.iterdir() if p.name.startswith(".")], "no part files left behind"
    assert made["1"] == made["3"]


BROKEN = """nobody,nct05922501,2026-12-07,3,,,,,,,
x/1,nct05922501,2026-12-07,3,,,,,,,
d1,nct04083898,2026-12-07,3,,9,70,170,,,
d2,nct04083898,2026-02-30,3,,2,70,170,,,
d3,nct04083898,2026-12-07,3,,2,700,170,,,
d4,no-such-regimen,2026-12-07,3,,,,,,,
a1,nct05922501,2027-01-04,3,,,,,,,
,nct05922501,2026-12-07,3,,,,,,,
d5,nct05922501,2026-12-07,3,,,,,,,broken.course
d6,,,,,,,,,,broken.course
d7,nct05922501,2026-12-07,3,,,,,,,,too,many
d8,nct04083898,2026-12-07,3,,2,70,170,,bendamustine=75,
"""


def test_broken_rows_are_reported_and_spoil_nothing(tmp_path: Path) -> None:
    """Each bad row: its line and why, on stderr; no packet, no rows. Every good row is made; exit 1."""
    roster = write_roster(tmp_path, GOOD_ROWS[:2], extra=BROKEN)
    (tmp_path / "broken.course").write_text("course d6\n  regimen nct05922501\n  start 2026-13-01\n", "utf-8")
    out = tmp_path / "out"
    result = run("batch", str(roster), "-o", str(out))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    name = str(roster)
    expected = [
        f"{name}:5: patient id 'x/1' cannot name a folder",
        f"{name}:6: patient d1: nct04083898 has no dose level '9'; its levels are 1, 2, 3, phase2",
        f"{name}:7: patient d2: start: 2026-02-30 is not a date: February 2026 has 28 days",
        f"{name}:8: patient d3: weight 700 kg is not plausible (expected 1-300 kg)",
        f"{name}:9: patient d4: no regimen 'no-such-regimen': not a file beside the roster, "
        "and not a bundled regimen",
        f"{name}:10: patient a1: this patient id is already on line 2",
        f"{name}:11: no patient_id",
        f"{name}:12: patient d5: the course file gives the whole course: leave regimen, start, cycles empty",
        f"{name}:13: patient d6: {tmp_path / 'broken.course'} has mistakes:",
        f"{name}:14: patient d7: 13 cells, but the header names 11 columns",
        f"{name}:15: patient d8: doses: 'bendamustine=75' should read \"DRUG=AMOUNT UNIT\"",
    ]
    reported = [line for line in lines if line.startswith(f"{name}:")]
    assert len(reported) == len(expected)
    for got, want in zip(reported, expected, strict=True):
        assert got.startswith(want), (got, want)
    assert "2026-13-01 is not a date: there is no month 13" in result.stderr
    assert (
        lines[-1] == f"wrote {out}/: administrations.csv, appointments.csv; 3 of 14 patients; "
        "11 rows refused (above) and not in the tables"
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "a1",
        "a2",
        "administrations.csv",
        "appointments.csv",
        "nobody",
    ]
    table = records((out / "administrations.csv").read_text("utf-8"))
    assert {r[0] for r in table[1:]} == {"nobody", "a1", "a2"}


def test_a_roster_header_mistake_stops_everything(tmp_path: Path) -> None:
    """An unknown column is the roster's mistake, not a row's: one line, exit 1, nothing written."""
    roster = tmp_path / "roster.csv"
    roster.write_text("patient_id,regimen,start,wieght\np1,nct05922501,2026-12-07,70\n", "utf-8")
    out = tmp_path / "out"
    result = run("batch", str(roster), "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == f"dosecal: {roster}:1: unknown column 'wieght'; did you mean 'weight'?\n"
    assert not out.exists()


def test_packets_are_what_make_writes(tmp_path: Path) -> None:
    """A patient's packet from the roster has make's four files; its tables match the combined ones."""
    roster = write_roster(tmp_path, [GOOD_ROWS[0], GOOD_ROWS[6]])
    out = tmp_path / "out"
    result = run("batch", str(roster), "-o", str(out), "--paper", "a4")
    assert result.exit_code == 0, result.stderr
    for pid in ("a1", "c1"):
        packet = out / pid
        assert sorted(p.name for p in packet.iterdir()) == [
            "administrations.csv",
            "appointments.csv",
            "calendar.ics",
            "diary.pdf",
        ]
        own = records((packet / "administrations.csv").read_text("utf-8"))[1:]
        combined = records((out / "administrations.csv").read_text("utf-8"))[1:]
        assert [[pid, *r] for r in own] == [r for r in combined if r[0] == pid]
    alone = run("ics", *single_patient_args(tmp_path, GOOD_ROWS[0]))
    assert (out / "a1" / "calendar.ics").read_bytes() == alone.stdout_bytes


def test_progress_bar_only_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal, stderr shows a 'patients' progress bar; in a pipe or a log, it does not."""
    import sys

    roster = write_roster(tmp_path, GOOD_ROWS[:2])
    piped = run("batch", str(roster), "-o", str(tmp_path / "a"), "--no-packets")
    assert "patients" not in piped.stderr.split("wrote")[0]
    from dosecal.cli import batch as batchcli

    shown: list[int] = []

    class Bar:
        def __init__(self, **kw: object) -> None:
            shown.append(int(str(kw["length"])))

        def __enter__(self) -> Bar:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def update(self, n: int) -> None:
            shown.append(n)

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(batchcli.click, "progressbar", Bar)
    with batchcli._progress(2) as bar:
        bar.update(1)
        bar.update(1)
    assert shown == [2, 1, 1]


def test_spreadsheet_exports_and_hostile_rows(tmp_path: Path) -> None:
    """A leading blank line, an unnamed trailing column and trailing empty cells are a spreadsheet's
    habits and are read; an open quote, a course file with another id, a file that is not UTF-8,
    an absurd dose, a reserved or case-duplicate id and a control character each refuse one row."""
    (tmp_path / "other-id.course").write_text(
        "course someone-else\n  regimen nct05922501\n  start 2026-12-07\n  cycles 1\n", "utf-8"
    )
    (tmp_path / "latin1.course").write_bytes(
        b"course lat\n  regimen nct05922501\n  start 2026-12-07\n  cycles 1\n  # caf\xe9\n"
    )
    roster = tmp_path / "roster.csv"
    roster.write_bytes(
        b"\r\npatient_id,regimen,start,cycles,level,doses,course,\r\n"
        b"ok1,nct05922501,2026-12-07,1,,,,\r\n"
        b'open,nct05922501,2026-12-07,1,"2,,,\r\n'
        b"ok2,nct05922501,2026-12-14,1,,,,,,\r\n"
        b"mismatch,,,,,,other-id.course,\r\n"
        b"lat,,,,,,latin1.course,\r\n"
        b"big,nct04083898,2026-12-07,1,phase2,bendamustine=1e999999999 mg/m2,,\r\n"
        b"Appointments.CSV,nct05922501,2026-12-07,1,,,,\r\n"
        b"OK1,nct05922501,2026-12-07,1,,,,\r\n"
        b"ctl,nct05922501,2026-12-07\x00,1,,,,\r\n"
    )
    out = tmp_path / "out"
    result = run("batch", str(roster), "-o", str(out), "--no-packets", "--jobs", "1")
    assert result.exit_code == 1
    name = str(roster)
    reported = [line for line in result.stderr.splitlines() if line.startswith(f"{name}:")]
    assert [line.split(": ", 1)[0] for line in reported] == [f"{name}:{n}" for n in (4, 6, 7, 8, 9, 10, 11)]
    assert reported[0].endswith("a quote opened on this line is not closed")
    assert "the course file other-id.course is 'course someone-else'" in reported[1]
    assert reported[2].endswith("latin1.course has mistakes:")
    assert "not UTF-8 text" in result.stderr
    assert "'1e999999999' in 'bendamustine=1e999999999 mg/m2' is not a dose amount" in reported[3]
    assert reported[4].endswith(
        "patient id 'Appointments.CSV' is the name of a combined table; choose another"
    )
    assert reported[5].endswith("this patient id is already on line 3 (ids are compared ignoring case)")
    assert reported[6].endswith(
        "the cell 'start' holds U+0000 NULL (an invisible control character) at character 11; delete it"
    )
    table = records((out / "administrations.csv").read_text("utf-8"))
    assert sorted({r[0] for r in table[1:]}) == ["ok1", "ok2"]
    assert "internal error" not in result.stderr


def test_a_broken_regimen_is_read_once_and_reported_once(tmp_path: Path) -> None:
    """1,000 rows naming one broken regimen: its mistakes under the first row, a pointer under the others.

    It used to be parsed again for every row (22 s) and its 20-line report printed under each (5.8 MB).
    """
    (tmp_path / "bad.regimen").write_text('regimen bad "Bad"\n  cycle 28 days\n  d 1 mg PO\n    day 99\n')
    rows = "".join(f"P{n},bad.regimen,2026-12-07\n" for n in range(1000))
    roster = tmp_path / "r.csv"
    roster.write_text("patient_id,regimen,start\n" + rows)
    result = CliRunner().invoke(
        cli, ["batch", str(roster), "-o", str(tmp_path / "o"), "--no-packets", "--jobs", "1"]
    )
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"{roster}:2: patient P0: {tmp_path / 'bad.regimen'} has mistakes:"
    assert result.stderr.count("day 99 is outside a 28-day cycle") == 1
    pointer = f"{tmp_path / 'bad.regimen'} has mistakes (listed under line 2)"
    assert [line for line in lines if line.endswith(pointer)] == [
        f"{roster}:{n + 2}: patient P{n}: {pointer}" for n in range(1, 1000)
    ]


def test_a_batch_run_again_revises_the_calendars_it_made(tmp_path: Path) -> None:
    """As make: the calendar in a patient's folder is the one replaced, so a moved course's events
    get the next SEQUENCE (a subscribed calendar updates); a folder of another regimen is refused."""
    roster = tmp_path / "roster.csv"
    out = tmp_path / "out"
    roster.write_text("patient_id,regimen,start,cycles\np1,nct05922501,2026-12-07,1\n", "utf-8")
    assert run("batch", str(roster), "-o", str(out), "--jobs", "1").exit_code == 0
    assert b"SEQUENCE:1" not in (out / "p1" / "calendar.ics").read_bytes()
    roster.write_text("patient_id,regimen,start,cycles\np1,nct05922501,2026-12-14,1\n", "utf-8")
    assert run("batch", str(roster), "-o", str(out), "--jobs", "1").exit_code == 0
    moved = (out / "p1" / "calendar.ics").read_bytes()
    assert b"SEQUENCE:1" in moved and b"SEQUENCE:0" not in moved
    roster.write_text("patient_id,regimen,start,cycles,level\np1,nct04083898,2027-06-07,1,1\n", "utf-8")
    other = run("batch", str(roster), "-o", str(out), "--jobs", "1")
    assert other.exit_code == 1
    calendar = out / "p1" / "calendar.ics"
    assert other.stderr.startswith(
        f"{roster}:2: patient p1: {calendar}: the previous calendar is of another regimen (Isatuximab + "
        "Belantamab mafodotin + Pomalidomide + Dexamethasone): it is another course's calendar; the "
        "patient's folder holds another course's packet: write this roster into another -o\n"
    )
    assert calendar.read_bytes() == moved
