"""A roster on regimens with continuous infusions over days (issue 12, point 5): the combined table's
end_date shifts with each patient's start as the date does (dosecal.batch.tables' fast path).

Each patient's rows in the combined administrations.csv must be what expanding that patient alone
gives; the end dates over a year end and a leap day are also worked out by hand.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dosecal.cli.main import cli

SEVEN_THREE = """regimen seven-three "Cytarabine and daunorubicin (7+3)"
  cycle 28 days, 2 cycles
  cytarabine 100 mg/m2/day IV continuous infusion
    days 1-7
  daunorubicin 60 mg/m2/day IV
    days 1-3
"""
BLINCYTO = """regimen blincyto "Blinatumomab, 4 weeks of continuous infusion and 2 weeks off"
  cycle 42 days, 3 cycles
  blinatumomab IV continuous infusion
    cycle 1: days 1-7 at 9 mcg/day
    cycle 1: days 8-28 at 28 mcg/day
    cycles 2+: days 1-28 at 28 mcg/day
"""
OPEN = """regimen open-ara "Cytarabine by continuous infusion, its dose left open"
  cycle 28 days, 1 cycle
  cytarabine dose required IV continuous infusion
    days 1-7
"""
# Course files of one shape (the fast path shifts them): cycle 2 delayed, cycle 1's infusion held.
ADJUSTED = """course {pid}
  regimen "seven-three.regimen"
  start {start}
  weight 70 kg
  height 170 cm
  delay cycle 2 by 7 days because "ANC 0.4"
  hold cytarabine on cycle 1 day 1 because "fever"
"""
HEADER = "patient_id,regimen,start,cycles,until,level,weight,height,bsa,doses,course"
ROWS = [
    # patient, regimen, start, cycles, until, level, weight, height, bsa, doses, course
    ("s1", "seven-three.regimen", "2026-12-07", "", "", "", "70", "170", "", "", ""),
    ("s2", "seven-three.regimen", "2026-12-28", "", "", "", "70", "170", "", "", ""),  # over a year end
    ("s3", "seven-three.regimen", "2028-02-26", "", "", "", "70", "170", "", "", ""),  # over 29 February
    ("s4", "seven-three.regimen", "2024-02-29", "", "", "", "70", "170", "", "", ""),  # on a leap day
    ("b1", "blincyto.regimen", "2026-12-07", "", "", "", "", "", "", "", ""),
    ("b2", "blincyto.regimen", "2027-12-20", "", "", "", "", "", "", "", ""),  # a year end and a leap day
    ("o1", "open-ara.regimen", "2027-12-27", "", "", "", "70", "170", "", "cytarabine=100 mg/m2/day", ""),
    ("o2", "open-ara.regimen", "2028-02-28", "", "", "", "70", "170", "", "cytarabine=100 mg/m2/day", ""),
    ("c1", "", "", "", "", "", "", "", "", "", "c1.course"),
    ("c2", "", "", "", "", "", "", "", "", "", "c2.course"),
]


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def records(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def write_roster(folder: Path) -> Path:
    """The three regimen files, the two course files and the roster, side by side in `folder`."""
    (folder / "seven-three.regimen").write_text(SEVEN_THREE, "utf-8")
    (folder / "blincyto.regimen").write_text(BLINCYTO, "utf-8")
    (folder / "open-ara.regimen").write_text(OPEN, "utf-8")
    (folder / "c1.course").write_text(ADJUSTED.format(pid="c1", start="2027-12-06"), "utf-8")
    (folder / "c2.course").write_text(ADJUSTED.format(pid="c2", start="2028-01-03"), "utf-8")
    roster = folder / "roster.csv"
    roster.write_text("\n".join([HEADER, *(",".join(r) for r in ROWS)]) + "\n", "utf-8")
    return roster


def alone_args(folder: Path, row: tuple[str, ...]) -> list[str]:
    """The same patient for `dosecal expand`, written as options."""
    pid, regimen, start, _cycles, _until, _level, weight, height, _bsa, doses, course = row
    if course:
        return ["--course", str(folder / course)]
    args = [str(folder / regimen), "--start", start, "--course-id", pid]
    for option, value in [("--weight", weight), ("--height", height), ("--dose", doses)]:
        if value:
            args += [option, value]
    return args


def combined(folder: Path, profile: str) -> list[list[str]]:
    """The combined administrations.csv of the roster, as records with its header."""
    out = folder / f"out-{profile}"
    result = run("batch", str(write_roster(folder)), "-o", str(out), "--no-packets", "--jobs", "1",
                 "--csv-profile", profile)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return records((out / "administrations.csv").read_text("utf-8"))


@pytest.mark.parametrize("profile", ["spreadsheet", "machine"])
def test_combined_table_equals_each_patient_expanded_alone(tmp_path: Path, profile: str) -> None:
    """Every patient's rows, end_date included, are exactly `expand` of that patient alone, with the
    patient id in front: shifting the template's end dates changes nothing."""
    table = combined(tmp_path, profile)
    assert table[0][:6] == ["patient_id", "administration_id", "date", "weekday", "end_date", "phase"]
    expected: list[list[str]] = []
    for row in ROWS:
        alone = run("expand", *alone_args(tmp_path, row), "--csv-profile", profile)
        assert alone.exit_code == 0, alone.stderr
        expected += [[row[0], *r] for r in records(alone.stdout)[1:]]
    assert table[1:] == expected


def test_the_end_dates_by_hand(tmp_path: Path) -> None:
    """Each patient's infusions (date, end_date), worked on a calendar: 7+3's cytarabine runs days
    1-7 of cycles 1 and 2 (28 days apart); 12-28 runs over the year end to 01-03; 2028-02-26 over 29
    February to 03-03; 2024-02-29 to 03-06. BLINCYTO from 2027-12-20: 12-20 to 12-26, 12-27 to
    2028-01-16, cycle 2 from 12-20 + 42 = 2028-01-31 to 02-27, cycle 3 from 01-31 + 42 = 03-13
    (2028 has 29 February) to 04-09. The course files: cycle 2 delayed 7 days (35 days after day 1),
    cycle 1's infusion held (still one row, its end date kept)."""
    table = combined(tmp_path, "machine")
    header = table[0]
    at = {name: header.index(name) for name in ("patient_id", "date", "end_date", "agent", "status")}
    found: dict[str, list[tuple[str, str, str]]] = {}
    for r in table[1:]:
        if r[at["end_date"]]:
            found.setdefault(r[at["patient_id"]], []).append(
                (r[at["date"]], r[at["end_date"]], r[at["status"]])
            )
        else:  # only the continuous infusions have an end date
            assert r[at["agent"]] == "daunorubicin"
    planned = "planned"
    assert found == {
        "s1": [("2026-12-07", "2026-12-13", planned), ("2027-01-04", "2027-01-10", planned)],
        "s2": [("2026-12-28", "2027-01-03", planned), ("2027-01-25", "2027-01-31", planned)],
        "s3": [("2028-02-26", "2028-03-03", planned), ("2028-03-25", "2028-03-31", planned)],
        "s4": [("2024-02-29", "2024-03-06", planned), ("2024-03-28", "2024-04-03", planned)],
        "b1": [
            ("2026-12-07", "2026-12-13", planned),
            ("2026-12-14", "2027-01-03", planned),
            ("2027-01-18", "2027-02-14", planned),
            ("2027-03-01", "2027-03-28", planned),
        ],
        "b2": [
            ("2027-12-20", "2027-12-26", planned),
            ("2027-12-27", "2028-01-16", planned),
            ("2028-01-31", "2028-02-27", planned),
            ("2028-03-13", "2028-04-09", planned),
        ],
        "o1": [("2027-12-27", "2028-01-02", planned)],
        "o2": [("2028-02-28", "2028-03-05", planned)],
        "c1": [("2027-12-06", "2027-12-12", "held"), ("2028-01-10", "2028-01-16", planned)],
        "c2": [("2028-01-03", "2028-01-09", "held"), ("2028-02-07", "2028-02-13", planned)],
    }
