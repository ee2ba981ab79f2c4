"""Doses by renal function from the command line, a course file and a roster: the issue's checks.

The figures are the hand-worked ones of tests/engine/test_carboplatin_etoposide.py: 60 years,
male, 70 kg, 170 cm, creatinine 1.0 mg/dL gives carboplatin 513.9 mg; 0.4 mg/dL meets the
125 mL/min cap, 750 mg.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dosecal.cli.main import cli

PATIENT = ["--weight", "70", "--height", "170", "--age", "60", "--sex", "male"]
EXPAND = ["expand", "carboplatin-etoposide", "--start", "2026-12-07", "--cycles", "4", *PATIENT]


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def carboplatin(text: str) -> list[dict[str, str]]:
    return [
        r for r in csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))) if r["agent"] == "carboplatin"
    ]


def test_the_issues_command_gives_513_9_mg_on_day_1_of_each_cycle() -> None:
    """`dosecal expand carboplatin-etoposide ... --creatinine "1.0 mg/dL"`: 513.9 mg, four times."""
    result = run(*EXPAND, "--creatinine", "1.0 mg/dL")
    assert result.exit_code == 0, result.stderr
    rows = carboplatin(result.stdout)
    assert [(r["date"], r["cycle_day"], r["computed_amount"], r["computed_unit"]) for r in rows] == [
        ("2026-12-07", "1", "513.9", "mg"),
        ("2026-12-28", "1", "513.9", "mg"),
        ("2027-01-18", "1", "513.9", "mg"),
        ("2027-02-08", "1", "513.9", "mg"),
    ]
    assert "(Cockcroft-Gault, actual weight)" in rows[0]["dose_basis"]
    assert "= 513.9 mg (Calvert)" in rows[0]["dose_basis"]


def test_without_the_creatinine_one_line_names_it() -> None:
    """Refused with exit 1 and one line on stderr that names the creatinine and how to give it."""
    result = run(*EXPAND)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "dosecal: carboplatin AUC 5 is dosed from the creatinine clearance (Cockcroft-Gault, regimen "
        'line 39), which needs the patient\'s serum creatinine; give --creatinine "VALUE mg/dL" '
        "(in a course file or a roster: the 'creatinine' line or column)"
    ]


def test_a_low_creatinine_is_capped_at_125_ml_min() -> None:
    """0.4 mg/dL: 194.44 mL/min capped at 125, 750 mg, and the basis says so."""
    rows = carboplatin(run(*EXPAND, "--creatinine", "0.4 mg/dL").stdout)
    assert {r["computed_amount"] for r in rows} == {"750"}
    assert "194.44 mL/min (Cockcroft-Gault, actual weight), capped at max 125 mL/min" in rows[0]["dose_basis"]


def test_a_creatinine_in_umol_l_is_the_same_patient() -> None:
    """88.4 umol/L is 1.0 mg/dL: the same 513.9 mg, with the division shown."""
    rows = carboplatin(run(*EXPAND, "--creatinine", "88.4 umol/L").stdout)
    assert rows[0]["computed_amount"] == "513.9"
    assert "(72 x 88.4 umol/L / 88.4)" in rows[0]["dose_basis"]


@pytest.mark.parametrize(
    ("flag", "value", "code", "message"),
    [
        ("--creatinine", "1.0 mmol/L", 2, "unknown creatinine unit 'mmol/L': write mg/dL or umol/L"),
        ("--creatinine", "one mg/dL", 2, "one is not a number for a creatinine in mg/dL"),
        ("--creatinine", "1.0", 2, "'1.0' is not a serum creatinine"),
        (
            "--creatinine",
            "40 mg/dL",
            1,
            "a serum creatinine of 40 mg/dL is not plausible (expected 0.1-20 mg/dL)",
        ),
        ("--creatinine", "1.0 mg/dL on 2026-02-30", 2, "2026-02-30 is not a date"),
        (
            "--creatinine",
            "1.0 mg/dL on 2026-12-08",
            1,
            "the creatinine of 2026-12-08 is measured after the start",
        ),
        ("--age", "sixty", 2, "'sixty' is not an age: give whole years, such as 64"),
        ("--age", "130", 1, "age 130 years is not plausible (expected 0-120 years)"),
        ("--sex", "other", 2, "'other' is not one of 'female', 'male'"),
    ],
)
def test_a_wrong_patient_value_is_one_line(flag: str, value: str, code: int, message: str) -> None:
    """Malformed is a usage error (2); implausible is invalid input (1); never a traceback."""
    given = {"--age": "60", "--sex": "male", "--creatinine": "1.0 mg/dL", flag: value}
    args = ["expand", "carboplatin-etoposide", "--start", "2026-12-07", "--weight", "70", "--height", "170"]
    result = run(*args, *(x for pair in given.items() for x in pair))
    assert result.exit_code == code, result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_course_file_gives_the_values_and_a_date_of_birth(tmp_path: Path) -> None:
    """`born` gives the age at the start (60 on 2026-12-07 for 1966-12-07), and the result is the
    command line's; the creatinine's day is shown in the basis."""
    course = tmp_path / "pt-9.course"
    course.write_text(
        "course pt-9\n  regimen carboplatin-etoposide\n  start 2026-12-07\n  cycles 4\n"
        "  weight 70 kg\n  height 170 cm\n  born 1966-12-07\n  sex male\n"
        "  creatinine 1.0 mg/dL on 2026-12-01\n",
        "utf-8",
    )
    rows = carboplatin(run("expand", "--course", str(course)).stdout)
    assert rows[0]["computed_amount"] == "513.9"
    assert "(140 - 60)" in rows[0]["dose_basis"]
    assert "(Cockcroft-Gault, actual weight; creatinine of 2026-12-01)" in rows[0]["dose_basis"]
    # A day later birthday: still 59 on the start day.
    course.write_text(course.read_text("utf-8").replace("born 1966-12-07", "born 1966-12-08"), "utf-8")
    rows = carboplatin(run("expand", "--course", str(course)).stdout)
    assert "(140 - 59)" in rows[0]["dose_basis"]


def test_a_course_file_and_the_flags_do_not_mix(tmp_path: Path) -> None:
    """--course gives the whole course: --age beside it is a usage error naming it."""
    course = tmp_path / "c.course"
    course.write_text("course c\n  regimen carboplatin-etoposide\n  start 2026-12-07\n", "utf-8")
    result = run("expand", "--course", str(course), "--age", "60", "--creatinine", "1.0 mg/dL")
    assert result.exit_code == 2
    assert "--course gives the whole course: leave out --age, --creatinine" in result.stderr


def test_a_roster_has_age_sex_and_creatinine_columns(tmp_path: Path) -> None:
    """Each row's values are its own: 1.0 and 0.4 mg/dL give 513.9 and 750 mg; a missing
    creatinine refuses that row alone, naming the value."""
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "patient_id,regimen,start,cycles,weight,height,age,sex,creatinine\n"
        "a1,carboplatin-etoposide,2026-12-07,4,70,170,60,male,1.0 mg/dL\n"
        "a2,carboplatin-etoposide,2026-12-07,4,70,170,60,male,0.4 mg/dL\n"
        "a3,carboplatin-etoposide,2026-12-07,4,70,170,60,male,\n",
        "utf-8",
    )
    result = run("batch", str(roster), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "patient a3: carboplatin AUC 5 is dosed from the creatinine clearance" in result.stderr
    table = (tmp_path / "out" / "administrations.csv").read_text("utf-8")
    got = {
        (r["patient_id"], r["computed_amount"])
        for r in csv.DictReader(io.StringIO(table.removeprefix("\ufeff")))
        if r["agent"] == "carboplatin"
    }
    assert got == {("a1", "513.9"), ("a2", "750")}
