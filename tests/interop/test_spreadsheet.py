"""What a spreadsheet makes of the spreadsheet profile: LibreOffice opens it and no cell is a formula.

LibreOffice (Debian's `libreoffice-calc-nogui`, which CI installs) converts
our CSV files to xlsx with its CSV filter options pinned, and openpyxl reads
the result back. The options are the worst case for us:

    SEP,34,76,1,,1033,false,true,false,false,true,0,true

field separator SEP (comma, then `;` as Excel uses in much of Europe, then
tab as Excel's text import does), `"` quotes, UTF-8, from line 1, standard
cell formats, English (US) so `136.5` is a number, quoted fields not forced
to text, special numbers detected, (two export-only tokens), *trim spaces*
(so ` =1+1` becomes a formula), sheet 0, *evaluate formulas* (token 13,
LibreOffice 7.x; sc/source/ui/dbgui/asciiopt.cxx).

Each file comes with its control, the same rows in the machine profile: the
control has formulas in every one of the three ways of opening, so this
test would see one that got through.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import subprocess
import typing
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.worksheet.worksheet import Worksheet

from dosecal.cli.main import cli
from dosecal.engine.expand import expand
from dosecal.engine.table import COLUMNS, Administration, Schedule
from dosecal.io.read import load, resolve
from dosecal.model.course import Course
from dosecal.render import csv_table as csv
from dosecal.render import csv_visits as appointments
from dosecal.views.visits import COLUMNS as VISIT_COLUMNS
from dosecal.views.visits import Visit, visits

# Text as a user could type it, each formula-like one tagged (1+1, 1+2, ...)
# so that a formula in the control says which text made it.
HOSTILE = (
    "=1+1",
    " =1+2",
    "\u00a0=1+3",
    "\u3000=1+4",
    "\uff1d1+5",  # full-width ＝
    "\uff0b1",
    "\uff0d1",
    "\uff20SUM(A1)",
    "\ufe661+1",  # small ﹦: LibreOffice runs none of these look-alikes either
    "\u22121",  # minus sign −
    "ok;=1+6",
    'ok; =HYPERLINK("http://x")',
    "ok\t=1+7",
    "@SUM(A1)",
    "+1",
    "-1",
    "-1+1",
    "=cmd|' /C calc'!A0",
    "x;",
    "x\t",
    "\t=1+8",
    "x\n=1+9",  # only through the writers: the languages refuse a line break in text
    "x\n",
    "plain text",
)
INTS = (-1, 0, 12)
DECIMALS = (Decimal("136.5"), Decimal("0"), Decimal("-1"), None)
# The formulas each control must hold (by tag), for each way of opening.
SEPARATORS = {
    "comma": ("44", ("=1+1", "=1+2", "cmd")),
    "semicolon": ("59", ("=1+6", "HYPERLINK", "=1+9")),
    "tab": ("9", ("=1+7", "=1+8", "=1+9")),
}
FILTER = "Text - txt - csv (StarCalc):{sep},34,76,1,,1033,false,true,false,false,true,0,true"
STARTERS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")

HOSTILE_REGIMEN = (
    'regimen hostile "Hostile"\n'
    "  cycle 7 days\n"
    "  drug 10 mg IV\n"
    "    day 1\n"
    '    note " =1+2"\n'
    "  other 136.5 mg IV\n"
    "    day 2\n"
    '    note "ok;=1+6"\n'
    "  third 1 mg IV\n"
    "    day 3\n"
    '    note "ok\t=1+7"\n'
    "  fourth 2 mg IV\n"
    "    day 4\n"
    '    note "\u00a0=1+3; \u3000=1+4"\n'
    "  level -1: drug 5 mg\n"
    "  level 1: drug 10 mg\n"
)


def soffice() -> str:
    """Debian's LibreOffice; CI installs it (.ci/run), so there it must be present."""
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("soffice is not installed; .ci/run installs libreoffice-calc-nogui")
        pytest.skip("soffice is not installed here (CI installs libreoffice-calc-nogui)")
    return path


def fields_of(kind: type, types: tuple[object, ...]) -> list[str]:
    hints = typing.get_type_hints(kind)
    return [name for name, hint in hints.items() if hint in types]


def hostile_schedule() -> Schedule:
    """One row per hostile text: the text in every text column but the id (a UUID, never typed),
    numbers cycling through -1, 0, 12."""
    schedule = expand(load(resolve("nct05922501")), Course(start=dt.date(2026, 12, 7), cycles=1))
    template = schedule.administrations[0]
    rows = []
    for i, text in enumerate(HOSTILE):
        changes: dict[str, Any] = dict.fromkeys(fields_of(Administration, (str,)), text)
        changes["administration_id"] = f"id{i}"
        changes |= dict.fromkeys(fields_of(Administration, (int, int | None)), INTS[i % 3])
        changes |= dict.fromkeys(fields_of(Administration, (Decimal | None,)), DECIMALS[i % 4])
        rows.append(dataclasses.replace(template, **changes))
    return Schedule(schedule.plan, tuple(rows))


def hostile_visits() -> list[Visit]:
    """One visit per hostile text, in every text column and every list; numbers -1, 0, 12."""
    schedule = expand(load(resolve("nct05922501")), Course(start=dt.date(2026, 12, 7), cycles=1))
    template = visits(schedule, "p1")[0]
    out = []
    for i, text in enumerate(HOSTILE):
        changes: dict[str, Any] = dict.fromkeys(fields_of(Visit, (str,)), text)
        changes |= dict.fromkeys(fields_of(Visit, (tuple[str, ...],)), (text, text))
        changes |= dict.fromkeys(fields_of(Visit, (int, int | None)), INTS[i % 3])
        out.append(dataclasses.replace(template, **changes))
    return out


def write_files(folder: Path) -> None:
    """The CSV files to open: each writer's, in the spreadsheet profile, and their controls."""
    schedule, found = hostile_schedule(), hostile_visits()
    for profile in csv.Profile:
        name = profile.value
        (folder / f"table-{name}.csv").write_text(csv.render(schedule, profile), "utf-8", newline="")
        (folder / f"visits-{name}.csv").write_text(appointments.render(found, profile), "utf-8", newline="")
    (folder / "hostile.regimen").write_text(HOSTILE_REGIMEN, "utf-8")
    roster = folder / "roster.csv"
    roster.write_text(
        f"patient_id,regimen,start,cycles,level\np1,{folder / 'hostile.regimen'},2026-01-05,2,-1\n"
    )
    result = CliRunner().invoke(cli, ["batch", str(roster), "-o", str(folder / "batch"), "--no-packets"])
    assert result.exit_code == 0, result.stderr
    for table in ("administrations", "appointments"):
        shutil.copy(folder / "batch" / f"{table}.csv", folder / f"batch-{table}-spreadsheet.csv")


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Worksheet]]:
    """Every file as LibreOffice opened it, by way of opening and file name: one soffice run a way."""
    program = soffice()
    folder = tmp_path_factory.mktemp("spreadsheet")
    write_files(folder)
    files = sorted(folder.glob("*.csv"))
    profile = (folder / "libreoffice-profile").as_uri()
    out: dict[str, dict[str, Worksheet]] = {}
    for way, (sep, _) in SEPARATORS.items():
        target = folder / way
        done = subprocess.run(
            [
                program,
                f"-env:UserInstallation={profile}",
                "--headless",
                f"--infilter={FILTER.format(sep=sep)}",
                "--convert-to",
                "xlsx",
                "--outdir",
                str(target),
                *map(str, files),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        made = {f.stem: target / f"{f.stem}.xlsx" for f in files}
        missing = [n for n, p in made.items() if not p.exists()]
        assert done.returncode == 0 and not missing, f"soffice made no {missing}: {done.stdout}{done.stderr}"
        out[way] = {name: openpyxl.load_workbook(path).active for name, path in made.items()}
    return out


def cells(sheet: Worksheet) -> Iterator[tuple[str, str, object]]:
    """(coordinate, openpyxl data type, value) of every cell."""
    for row in sheet.iter_rows():
        for cell in row:
            yield cell.coordinate, cell.data_type, cell.value


def formulas(sheet: Worksheet) -> list[tuple[str, object]]:
    """Cells that are formulas, or text that a spreadsheet could take for one."""
    return [
        (where, value)
        for where, kind, value in cells(sheet)
        if kind == "f" or (isinstance(value, str) and value.lstrip().startswith(STARTERS))
    ]


@pytest.mark.parametrize("way", list(SEPARATORS))
def test_no_cell_of_the_spreadsheet_profile_is_a_formula(
    sheets: dict[str, dict[str, Worksheet]], way: str
) -> None:
    """Opened with `,`, `;` or tab as the separator: no formula and no text starting like one, in the
    administration table, the appointments and the roster's combined tables."""
    opened = sheets[way]
    names = [n for n in opened if n.endswith("-spreadsheet")]
    assert len(names) == 4
    assert {n: formulas(opened[n]) for n in names} == {n: [] for n in names}


@pytest.mark.parametrize("way", list(SEPARATORS))
def test_the_machine_profile_control_does_hold_formulas(
    sheets: dict[str, dict[str, Worksheet]], way: str
) -> None:
    """The same rows unneutralised: LibreOffice makes formulas of them (` =1+2` through trimmed
    spaces, `ok;=1+6` split at `;`, `ok<tab>=1+7` at the tab, `x<LF>=1+9` at the line break)."""
    _, expected = SEPARATORS[way]
    found = " ".join(
        str(v)
        for name in ("table-machine", "visits-machine")
        for _, kind, v in cells(sheets[way][name])
        if kind == "f"
    )
    assert [tag for tag in expected if tag not in found] == [], found


def column(sheet: Worksheet, name: str) -> list[object]:
    header = [c.value for c in sheet[1]]
    index = header.index(name)
    return [row[index] for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.mark.parametrize(
    ("name", "columns", "numbers"),
    [
        ("table", COLUMNS, csv.NUMBERS),
        ("visits", VISIT_COLUMNS, appointments.NUMBERS),
    ],
)
def test_number_columns_stay_numbers(
    sheets: dict[str, dict[str, Worksheet]], name: str, columns: tuple[str, ...], numbers: frozenset[int]
) -> None:
    """Opened with `,`: every number column reads the same numbers in both profiles (-1, 0, 12,
    136.5; never '-1), while a text column holding `-1` reads as the text '-1."""
    sheet, control = sheets["comma"][f"{name}-spreadsheet"], sheets["comma"][f"{name}-machine"]
    assert column(sheet, "cycle_day") == [INTS[i % 3] for i in range(len(HOSTILE))]
    for index in numbers:
        values = column(sheet, columns[index])
        assert values == column(control, columns[index])
        assert all(v is None or type(v) in (int, float) for v in values), (columns[index], values)
    if name == "table":
        assert column(sheet, "dose_amount")[:4] == [136.5, 0, -1, None]
        assert column(sheet, "level")[HOSTILE.index("-1")] == "'-1"
        assert column(control, "level")[HOSTILE.index("-1")] == -1
