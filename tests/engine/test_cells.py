"""A dose of cells by body weight, with a cap in cells (issue 12, point 6), worked by hand.

The YESCARTA (axicabtagene ciloleucel) label: "The target YESCARTA dose is 2 x 10^6 CAR-positive
viable T cells per kg body weight, with a maximum of 2 x 10^8 CAR-positive viable T cells."
Written as a regimen: `2 x 10^6 cells/kg IV, max 2 x 10^8 cells`, day 1 of one 28-day cycle.

- 70 kg: 2,000,000 x 70 = 140,000,000 cells = 1.4 x 10^8, below the cap.
- 100 kg: 2,000,000 x 100 = 200,000,000 = 2 x 10^8, the cap itself: not above it, so not capped.
- 120 kg: 2,000,000 x 120 = 240,000,000 = 2.4 x 10^8, above the cap: capped at 2 x 10^8.

In the table the amounts are plain numbers (2000000, 140000000); in words, by a power of ten.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner, Result

import dosecal
from dosecal.cli.main import cli
from dosecal.errors import RegimenError
from dosecal.io.read import load_course
from dosecal.model.measures import Measures

REGIMEN = (
    'regimen axicel "Axicabtagene ciloleucel"\n'
    "  cycle 28 days, 1 cycle\n"
    "  axicabtagene ciloleucel 2 x 10^6 cells/kg IV, max 2 x 10^8 cells\n"
    "    day 1\n"
)
# The same, its dose left to be chosen when expanding (--dose, or a course file's `dose` line).
OPEN = (
    'regimen axicel-open "Axicabtagene ciloleucel, dose to be chosen"\n'
    "  cycle 28 days, 1 cycle\n"
    "  axicabtagene ciloleucel dose required IV, max 2 x 10^8 cells\n"
    "    day 1\n"
)
START = "2026-12-07"


def _row(weight: int) -> dosecal.Administration:
    """The one administration of the regimen for a patient of `weight` kg."""
    regimen = dosecal.loads(REGIMEN, "axicel.regimen")
    course = dosecal.Course(dt.date(2026, 12, 7), cycles=1, measures=Measures(Decimal(weight), None))
    (row,) = dosecal.expand(regimen, course)
    return row


def test_70_kg_is_1_4_x_10_8_cells() -> None:
    """2 x 10^6 cells/kg x 70 kg = 140,000,000 cells, said 1.4 x 10^8, below the cap."""
    row = _row(70)
    assert (row.date, row.cycle, row.cycle_day) == (dt.date(2026, 12, 7), 1, 1)
    assert (row.dose_amount, row.dose_unit) == (Decimal(2000000), "cells/kg")
    assert (row.computed_amount, row.computed_unit) == (Decimal(140000000), "cells")
    assert row.dose_basis == "2 x 10^6 cells/kg x 70 kg = 1.4 x 10^8 cells"


def test_100_kg_is_the_cap_itself_and_not_capped() -> None:
    """2 x 10^6 cells/kg x 100 kg = 200,000,000 = 2 x 10^8 cells: the cap, not above it, so the
    basis says no cap."""
    row = _row(100)
    assert (row.computed_amount, row.computed_unit) == (Decimal(200000000), "cells")
    assert row.dose_basis == "2 x 10^6 cells/kg x 100 kg = 2 x 10^8 cells"


def test_120_kg_is_capped_at_2_x_10_8_cells() -> None:
    """2 x 10^6 cells/kg x 120 kg = 240,000,000 = 2.4 x 10^8 cells, above the cap: 2 x 10^8."""
    row = _row(120)
    assert (row.computed_amount, row.computed_unit) == (Decimal(200000000), "cells")
    assert row.dose_basis == (
        "2 x 10^6 cells/kg x 120 kg = 2.4 x 10^8 cells, capped at max 2 x 10^8 cells = 2 x 10^8 cells"
    )


def _run(*args: str) -> Result:
    """The command line, as dosecal (a refusal exits through SystemExit, never a traceback)."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def _csv(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output.removeprefix("\ufeff"))))


def test_the_csv_gives_the_cells_as_plain_numbers(tmp_path: Path) -> None:
    """The table's cells: dose 2000000 cells/kg, computed 140000000 cells, the basis in words."""
    path = tmp_path / "axicel.regimen"
    path.write_text(REGIMEN, "utf-8")
    result = _run("expand", str(path), "--start", START, "--weight", "70")
    assert result.exit_code == 0, result.stderr
    (row,) = _csv(result.output)
    assert (row["dose_amount"], row["dose_unit"]) == ("2000000", "cells/kg")
    assert (row["computed_amount"], row["computed_unit"]) == ("140000000", "cells")
    assert row["dose_basis"] == "2 x 10^6 cells/kg x 70 kg = 1.4 x 10^8 cells"
    assert (row["rate_amount"], row["rate_unit"], row["end_date"]) == ("", "", "")


def test_the_calendar_says_the_cells_by_a_power_of_ten(tmp_path: Path) -> None:
    """The clinic visit's event says the dose as a person reads it: 1.4 x 10^8 cells, in the summary
    and the description, never 140000000."""
    path = tmp_path / "axicel.regimen"
    path.write_text(REGIMEN, "utf-8")
    result = _run("ics", str(path), "--start", START, "--weight", "70")
    assert result.exit_code == 0, result.stderr
    (event,) = icalendar.Calendar.from_ical(result.output).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Clinic: axicabtagene ciloleucel 1.4 x 10^8 cells"
    lines = str(event["DESCRIPTION"]).splitlines()
    assert "1. axicabtagene ciloleucel: 2 x 10^6 cells/kg = 1.4 x 10^8 cells; IV" in lines
    assert "   computed: 2 x 10^6 cells/kg x 70 kg = 1.4 x 10^8 cells" in lines
    assert "140000000" not in str(event["SUMMARY"]) + str(event["DESCRIPTION"])


# ---- the dose chosen when expanding ----------------------------------------------------------


@pytest.mark.parametrize("written", ["2 x 10^6 cells/kg", "2 x10^6 cells/kg"])
def test_dose_option_by_a_power_of_ten(tmp_path: Path, written: str) -> None:
    """`--dose "axicabtagene ciloleucel=2 x 10^6 cells/kg"` fills the open dose: 70 kg gives
    140000000 cells, as the regimen's own dose did; its source says it was supplied."""
    path = tmp_path / "open.regimen"
    path.write_text(OPEN, "utf-8")
    dose = f"axicabtagene ciloleucel={written}"
    result = _run("expand", str(path), "--start", START, "--weight", "70", "--dose", dose)
    assert result.exit_code == 0, result.stderr
    (row,) = _csv(result.output)
    assert (row["dose_amount"], row["dose_unit"], row["dose_source"]) == (
        "2000000",
        "cells/kg",
        "supplied (--dose)",
    )
    assert (row["computed_amount"], row["computed_unit"]) == ("140000000", "cells")
    assert row["dose_basis"] == "2 x 10^6 cells/kg x 70 kg = 1.4 x 10^8 cells"


def test_dose_option_with_a_power_of_13_is_refused(tmp_path: Path) -> None:
    """10^13 is past 10^12: a usage error (exit 2), the text quoted cut at 40 characters (it has 42:
    23 of the name, the =, and 18 of the amount)."""
    path = tmp_path / "open.regimen"
    path.write_text(OPEN, "utf-8")
    dose = "axicabtagene ciloleucel=2 x 10^13 cells/kg"
    result = _run("expand", str(path), "--start", START, "--weight", "70", "--dose", dose)
    assert result.exit_code == 2
    assert result.stderr == (
        "dosecal expand: Invalid value for --dose: '10^13' is not a power of ten an amount is written "
        "with in 'axicabtagene ciloleucel=2 x 10^13 cells…' (42 characters); write a power from 10^1 "
        "to 10^12, e.g. '2 x 10^6 cells/kg' (see 'dosecal expand --help')\n"
    )


def test_dose_option_with_an_unknown_unit_is_refused(tmp_path: Path) -> None:
    """`cell/kg` is no unit: a usage error naming it, with every unit there is."""
    path = tmp_path / "open.regimen"
    path.write_text(OPEN, "utf-8")
    dose = "axicabtagene ciloleucel=2 x 10^6 cell/kg"
    result = _run("expand", str(path), "--start", START, "--weight", "70", "--dose", dose)
    assert result.exit_code == 2
    assert result.stderr == (
        "dosecal expand: Invalid value for --dose: unknown unit 'cell/kg' in "
        "'axicabtagene ciloleucel=2 x 10^6 cell/kg'; units are mg, g, mcg, units and cells, flat or "
        "per kg or m2 (mg/kg, mg/m2), or a day (mg/day, mg/m2/day; not cells), AUC, written "
        "before its number (AUC 5), and Gy or cGy for radiotherapy (see 'dosecal expand --help')\n"
    )


COURSE = """course pt-1
  regimen "open.regimen"
  start 2026-12-07
  cycles 1
  weight 70 kg
  dose axicabtagene ciloleucel {dose}
"""


def _course_file(folder: Path, dose: str) -> Path:
    """A course file of the open regimen (beside it) whose `dose` line gives `dose`."""
    (folder / "open.regimen").write_text(OPEN, "utf-8")
    path = folder / "pt.course"
    path.write_text(COURSE.format(dose=dose), "utf-8")
    return path


def _mistakes(folder: Path, dose: str) -> str:
    """The whole report of the course file's mistakes, its path said as pt.course."""
    path = _course_file(folder, dose)
    with pytest.raises(RegimenError) as caught:
        load_course(path)
    return caught.value.render().replace(str(path), "pt.course")


def test_course_file_dose_by_a_power_of_ten(tmp_path: Path) -> None:
    """`dose axicabtagene ciloleucel 2 x 10^6 cells/kg` is the --dose of a course file: 70 kg gives
    140,000,000 cells = 1.4 x 10^8."""
    regimen, course = load_course(_course_file(tmp_path, "2 x 10^6 cells/kg"))
    (row,) = dosecal.expand(regimen, course)
    assert (row.dose_amount, row.dose_unit, row.dose_source) == (
        Decimal(2000000),
        "cells/kg",
        "supplied (--dose)",
    )
    assert (row.computed_amount, row.computed_unit) == (Decimal(140000000), "cells")
    assert row.dose_basis == "2 x 10^6 cells/kg x 70 kg = 1.4 x 10^8 cells"


def test_course_file_dose_with_a_power_of_13_is_refused_at_the_power(tmp_path: Path) -> None:
    """10^13 is refused at the `x 10^13` of the dose line (column 34: two spaces, `dose`, the name's
    23 characters, the 2, and three spaces before it)."""
    assert _mistakes(tmp_path, "2 x 10^13 cells/kg") == (
        "pt.course:6:34: '10^13' is not a power of ten an amount is written with\n"
        "      dose axicabtagene ciloleucel 2 x 10^13 cells/kg\n"
        "                                     ^^^^^^^\n"
        "    hint: write a power from 10^1 to 10^12, e.g. '2 x 10^6 cells/kg'\n"
        "\n"
        "1 error in pt.course"
    )


def test_course_file_dose_with_an_unknown_unit_is_refused_at_the_unit(tmp_path: Path) -> None:
    """`cell/kg` is refused at the unit, after `x 10^6 ` (column 41), with every unit there is."""
    assert _mistakes(tmp_path, "2 x 10^6 cell/kg") == (
        "pt.course:6:41: unknown dose unit 'cell/kg'\n"
        "      dose axicabtagene ciloleucel 2 x 10^6 cell/kg\n"
        "                                            ^^^^^^^\n"
        "    hint: units are mg, g, mcg, units and cells, flat or per kg or m2 (mg/kg, mg/m2), or a day "
        "(mg/day, mg/m2/day; not cells), AUC, written before its number (AUC 5), and Gy or cGy for "
        "radiotherapy\n"
        "\n"
        "1 error in pt.course"
    )
