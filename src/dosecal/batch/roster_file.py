"""Roster files for `dosecal batch`: one patient a row (docs/course.md, "Rosters").

A roster is CSV with a header row. Each row names a patient and either a
course file (`course`) or the course itself (`regimen`, `start`, and the
optional `cycles`, `until`, `level`, `option`, `weight`, `height`, `bsa`, `age`, `sex`,
`creatinine`, `doses`),
the same values the command-line options take. A spreadsheet's export works
as it is: a byte order mark, CRLF, quoted cells and blank lines are fine.

A mistake in the header stops the roster (no row can be read without it); a
mistake in a row is that row's alone: `read` returns it beside the good
rows, with the row's line number, and the caller goes on with the others.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass

from dosecal import text
from dosecal.engine.identity import folder_id_problem
from dosecal.errors import CourseError

COLUMNS: tuple[str, ...] = (
    "patient_id",
    "regimen",
    "start",
    "cycles",
    "until",
    "level",
    "option",
    "weight",
    "height",
    "bsa",
    "age",
    "sex",
    "creatinine",
    "doses",
    "course",
)
_COURSE_COLUMNS = COLUMNS[1:-1]
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# The combined tables live beside the patients' folders; no patient may take their names.
RESERVED = frozenset({"administrations.csv", "appointments.csv"})
# A patient id names the patient's folder: nothing a file system could misread.


class RosterError(CourseError):
    """The roster as a whole cannot be read (its header)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One good row: the patient and the course values as written (empty when not given)."""

    line: int
    patient_id: str
    regimen: str = ""
    start: str = ""
    cycles: str = ""
    until: str = ""
    level: str = ""
    weight: str = ""
    height: str = ""
    bsa: str = ""
    doses: str = ""
    course: str = ""
    age: str = ""
    sex: str = ""
    creatinine: str = ""
    option: str = ""  # (last, after the fields a caller may give by position)


@dataclass(frozen=True, slots=True)
class Refusal:
    """A row that was not used, and why."""

    line: int
    patient_id: str
    message: str


def read(text: str, name: str) -> tuple[list[Entry], list[Refusal]]:
    """The roster's good rows and its refused ones, in file order; `RosterError` for the header.

    No cell of a roster needs a line break, so each line is read on its own:
    a quote left open spoils its own line only, and line numbers are exact.
    """
    lines = _LINE_BREAK.split(text.removeprefix("\ufeff"))
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip(" \t,")]
    if not numbered:
        raise RosterError(f"{name}:1: the roster is empty; its first line names the columns")
    header_line, header_text = numbered[0]
    header = _header(_cells(header_text) or [], f"{name}:{header_line}")
    entries: list[Entry] = []
    refused: list[Refusal] = []
    seen: dict[str, int] = {}
    for number, line in numbered[1:]:
        row = _cells(line)
        patient = (
            row[header.index("patient_id")].strip() if row and len(row) > header.index("patient_id") else ""
        )
        problem = (
            _problem(row, header, seen) if row is not None else "a quote opened on this line is not closed"
        )
        if problem:
            refused.append(Refusal(number, "" if folder_id_problem(patient) else patient, problem))
            continue
        assert row is not None
        values = {h: c.strip() for h, c in zip(header, row, strict=False) if h}
        seen[values["patient_id"].casefold()] = number
        entries.append(Entry(number, **values))
    return entries, refused


def _cells(line: str) -> list[str] | None:
    """The cells of one line; None when a quote is left open (or the line is not CSV)."""
    try:
        return next(csv.reader([line], strict=True), [])
    except csv.Error:
        return None


def _header(cells: list[str], where: str) -> list[str]:
    """Column names, lower case; trailing unnamed columns (a spreadsheet's habit) are kept as ""."""
    header = [h.strip().lower() for h in cells]
    while header and not header[-1]:
        header.pop()
    _check_header(header, where)
    return header


def _check_header(header: list[str], where: str) -> None:
    for column in header:
        if column not in COLUMNS:
            close = difflib.get_close_matches(column, COLUMNS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"the columns are {', '.join(COLUMNS)}"
            raise RosterError(f"{where}: unknown column '{column}'; {hint}")
    if len(set(header)) != len(header):
        twice = next(c for c in header if header.count(c) > 1)
        raise RosterError(f"{where}: the column '{twice}' is there twice")
    if "patient_id" not in header:
        raise RosterError(f"{where}: a roster needs a patient_id column")
    if "course" not in header and not {"regimen", "start"} <= set(header):
        raise RosterError(f"{where}: a roster needs a course column, or regimen and start columns")


def _unsafe_cell(header: list[str], row: list[str]) -> str:
    """A used cell holding a character no output may hold (dosecal.text), named with its place; or ""."""
    for column, cell in zip(header, row, strict=False):
        # The blanks around a cell are dropped, whatever they are; the place counts from the cell as written.
        found = text.refused(cell.strip()) if column else None
        if found:
            at = text.Refused(found.index + len(cell) - len(cell.lstrip()), found.char)
            return at.sentence(f"the cell '{column}'")
    return ""


def _problem(row: list[str], header: list[str], seen: dict[str, int]) -> str:
    """Why a row cannot be used, or ""."""
    if any(c.strip() for c in row[len(header) :]):
        return f"{len(row)} cells, but the header names {len(header)} columns"
    values = {h: c.strip() for h, c in zip(header, row, strict=False) if h}
    unsafe = _unsafe_cell(header, row)
    if unsafe:
        return unsafe
    patient = values.get("patient_id", "")
    if not patient:
        return "no patient_id"
    cannot = folder_id_problem(patient)
    if cannot:
        return f"patient id {cannot}"
    if patient.casefold() in RESERVED:
        return f"patient id '{patient}' is the name of a combined table; choose another"
    if patient.casefold() in seen:
        return (
            f"this patient id is already on line {seen[patient.casefold()]} (ids are compared ignoring case)"
        )
    if values.get("course"):
        given = [c for c in _COURSE_COLUMNS if values.get(c)]
        if given:
            return f"the course file gives the whole course: leave {', '.join(given)} empty"
    elif not values.get("regimen") or not values.get("start"):
        return "give a course file, or a regimen and a start date"
    return ""
