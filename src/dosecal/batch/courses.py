"""A roster row -> its regimen and course; each regimen file read once per roster.

A row's mistake is a `CourseError` with one sentence (the run reports it
under the row's line and goes on with the others).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from dosecal.batch.roster_file import Entry
from dosecal.errors import CourseError, RegimenError
from dosecal.io.read import load, load_course, regimen_path
from dosecal.language.values import (
    parse_age,
    parse_creatinine,
    parse_date,
    parse_dose,
    parse_number,
    parse_sex,
)
from dosecal.limits import CYCLE_COUNT, LimitError, implausible_cycles
from dosecal.model.course import Course
from dosecal.model.measures import BsaFormula, Creatinine, Measures
from dosecal.model.regimen import Amount, Regimen


class Regimens:
    """Each regimen file read once per roster; a broken one is the row's problem, not the roster's.

    A broken file is read once too: the first row that names it gets its
    mistakes, each later row a line that points there (20,000 rows must not
    parse it 20,000 times, nor print its mistakes under every row).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.loaded: dict[str, Regimen] = {}
        self.by_name: dict[str, Regimen] = {}
        self.broken: dict[str, int] = {}  # regimen file -> the roster line its mistakes are under

    def read(self, path: Path, line: int = 0) -> Regimen:
        """The regimen at `path`, read once (a course file's regimen)."""
        key = str(path.resolve())
        if key not in self.loaded:
            self._refused_before(key, path)
            try:
                self.loaded[key] = load(path)
            except RegimenError:
                self.broken[key] = line
                raise
        return self.loaded[key]

    def get(self, value: str, line: int = 0) -> Regimen:
        """The regimen a roster row names (a bundled name, or a file beside the roster)."""
        if value not in self.by_name:
            self.by_name[value] = self._find(value, line)
        return self.by_name[value]

    def _refused_before(self, key: str, path: Path) -> None:
        if key in self.broken:
            where = f"under line {self.broken[key]}" if self.broken[key] else "above"
            raise CourseError(f"{path} has mistakes (listed {where})")

    def _find(self, value: str, line: int) -> Regimen:
        path = regimen_path(value, self.folder)
        if path is None:
            raise CourseError(
                f"no regimen '{value}': not a file beside the roster, and not a bundled regimen"
            )
        key = str(path.resolve())
        if key not in self.loaded:
            self._refused_before(key, path)
            try:
                self.loaded[key] = load(path)
            except RegimenError as error:
                self.broken[key] = line
                raise CourseError(_regimen_problem(error)) from None
            except OSError as error:
                raise CourseError(f"cannot read {path}: {error.strerror}") from None
        return self.loaded[key]


def _regimen_problem(error: RegimenError) -> str:
    """The file's diagnostics, under the row's line (render() ends with the count and the name)."""
    return f"{error.source.name} has mistakes:\n{error.render()}"


def course(entry: Entry, folder: Path, regimens: Regimens) -> tuple[Regimen, Course]:
    """The row as a regimen and a course; `CourseError` with one clear sentence if it is wrong."""
    if entry.course:
        return _from_file(entry, folder / entry.course, regimens)
    regimen = regimens.get(entry.regimen, entry.line)
    try:
        start = _cells("start", entry.start, parse_date)
        if start is None:  # the roster reader refuses such a row first
            raise ValueError("start: give a start date")
        course = Course(
            start=start,
            cycles=_cells("cycles", entry.cycles, _count),
            until=_cells("until", entry.until, parse_date),
            level=entry.level or None,
            option=entry.option or None,
            doses=tuple(_dose(d) for d in entry.doses.split(";") if d.strip()),
            measures=Measures(
                _cells("weight", entry.weight, parse_number),
                _cells("height", entry.height, parse_number),
                _bsa(entry.bsa),
                _cells("age", entry.age, parse_age),
                _cells("sex", entry.sex, parse_sex),
                _cells("creatinine", entry.creatinine, _creatinine),
            ),
            course_id=entry.patient_id,
        )
    except ValueError as error:
        raise CourseError(str(error)) from None
    return regimen, course


def _from_file(entry: Entry, path: Path, regimens: Regimens) -> tuple[Regimen, Course]:
    try:
        regimen, course = load_course(path, lambda where: regimens.read(where, entry.line))
    except RegimenError as error:
        raise CourseError(_regimen_problem(error)) from None
    except OSError as error:
        raise CourseError(f"cannot read the course file {path}: {error.strerror}") from None
    if course.course_id != entry.patient_id:
        # Ids and calendar UIDs come from the course id: two rows must never share them.
        raise CourseError(
            f"the course file {entry.course} is 'course {course.course_id}': "
            f"write the patient id {entry.patient_id} on its course line, or that id here"
        )
    return regimen, course


T = TypeVar("T")


def _cells(column: str, text: str, parse: Callable[[str], T]) -> T | None:
    """A cell's value (None when empty); its mistake names the column."""
    if not text:
        return None
    try:
        return parse(text)
    except ValueError as error:
        raise ValueError(f"{column}: {error}") from None


def _count(text: str) -> int:
    """A cycles cell: a whole number of `limits.CYCLE_COUNT`, refused in the command line's words."""
    if not text.isdigit():
        raise ValueError(f"'{text}' is not a whole number of cycles")
    try:
        return CYCLE_COUNT.whole(text)
    except LimitError as error:
        if not error.outside:  # a digit Python knows but numbers are not written with ("²")
            raise ValueError(f"'{text}' is not a whole number of cycles") from None
        raise CourseError(implausible_cycles(text)) from None


def _bsa(text: str) -> BsaFormula:
    if text.lower() not in ("", "mosteller", "dubois"):
        raise ValueError(f"bsa: '{text}' is not a BSA formula (mosteller or dubois)")
    return BsaFormula(text.lower() or "mosteller")


def _creatinine(text: str) -> Creatinine:
    return Creatinine(*parse_creatinine(text))  # CourseError if implausible: the row's refusal


def _dose(text: str) -> tuple[str, Amount]:
    try:
        return parse_dose(text.strip())
    except ValueError as error:
        raise ValueError(f"doses: {error}") from None
