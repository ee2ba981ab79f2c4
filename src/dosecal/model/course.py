"""A patient's course: where and how far a regimen is expanded, for whom.

`Course` is what the caller states; `dosecal.engine.plan` checks it against
the regimen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dosecal.errors import CourseError, Subject
from dosecal.model.adjust import Adjustment
from dosecal.model.dosing import Rounding
from dosecal.model.measures import Measures
from dosecal.model.regimen import (
    Amount,
)
from dosecal.text import Refused, refused

# Wide enough for retrospective work and far plans; past it a date is a typo.
EARLIEST_START = dt.date(1900, 1, 1)
LATEST_START = dt.date(2199, 12, 31)


@dataclass(frozen=True, slots=True)
class Course:
    """What the caller states about one patient's course of a regimen."""

    start: dt.date
    cycles: int | None = None
    until: dt.date | None = None
    level: str | None = None
    doses: tuple[tuple[str, Amount], ...] = ()  # supplied doses, by drug
    measures: Measures = field(default_factory=Measures)
    course_id: str | None = None  # identity for administration ids; default: regimen name
    adjustments: tuple[Adjustment, ...] = ()
    rounding: Rounding | None = None  # for every computed dose, in place of the regimen's rules
    roundings: tuple[tuple[str, Rounding], ...] = ()  # by drug, in place of `rounding` for it
    option: str | None = None  # the regimen's option chosen (docs/language.md §35)


def check_start(start: dt.date) -> None:
    """Refuse a start date that can only be a typo."""
    if not EARLIEST_START <= start <= LATEST_START:
        raise CourseError(
            f"a start date of {start} is not plausible (expected {EARLIEST_START} to {LATEST_START})",
            subject=Subject.START,
        )


def check_dates(course: Course, first: dt.date | None = None) -> None:
    """`check_start`, and a creatinine measured by the start: a dose by renal function is decided
    once, at the start, from what is known then (a course file says so at its line). With `first`,
    the date of the course's first dose: one before the start (`day -1`) needs it by then."""
    check_start(course.start)
    creatinine = course.measures.creatinine
    if creatinine is None or creatinine.measured is None:
        return
    problem = measured_problem(creatinine.measured, course.start)
    # (A first dose on or after the start needs nothing more: the start's rule has held it.)
    if problem is None and first is not None and creatinine.measured > first:
        problem = (
            f"the creatinine of {creatinine.measured} is measured after the course's first dose, {first}",
            "doses by renal function are computed once, from the value known before the first dose",
        )
    if problem is not None:
        raise CourseError(problem[0], subject=Subject.CREATININE, hint=problem[1])


# A creatinine older than this is not the patient's renal function at the start (a typo: 0001).
STALE_DAYS = 366


def measured_problem(measured: dt.date, start: dt.date) -> tuple[str, str] | None:
    """Why a creatinine measured on `measured` cannot dose a course starting on `start` (a message
    and a hint), or None: not after the start, nor more than a year before it."""
    if measured > start:
        return (
            f"the creatinine of {measured} is measured after the start, {start}",
            "doses by renal function are computed once, from the value known at the start",
        )
    if (start - measured).days > STALE_DAYS:
        return (
            f"the creatinine of {measured} was measured more than a year before the start, {start}",
            "give a creatinine measured for this course",
        )
    return None


def check_text(course: Course) -> None:
    """Refuse a course id or a reason holding a character no output may hold (dosecal.text).

    A course file's text is screened when it is read; this catches what the
    Python API is given directly.
    """
    found = refused(course.course_id) if course.course_id is not None else None
    if found:
        raise CourseError(_holds(found, "the course id"), subject=Subject.COURSE, hint="delete it")
    for adjustment in course.adjustments:
        found = refused(adjustment.reason, tab=True)
        if found:
            raise CourseError(
                _holds(found, "the reason"),
                subject=Subject.ADJUSTMENT,
                line=adjustment.line,
                hint="delete it",
            )


def _holds(found: Refused, what: str) -> str:
    """`Refused.sentence` without its "; delete it", which the error carries as its hint."""
    return f"{what} holds {found.named()} at character {found.index + 1}"
