"""Doses a day (`mg/m2/day`): given once on each day, or as a continuous infusion over days.

A drug whose form is `continuous infusion` runs over each day item of its schedule lines as one
administration: `days 1-7` is one infusion of seven days, started on day 1, its dose a day the
rate and the dose times the days its total. Anything else a dose a day could mean is refused,
never guessed: split over several doses a day, given on an interval, or a continuous infusion
dosed other than a day. The one rule (`misfit`) is read by lowering for the regimen's doses and by
the engine for a course's (a supplied dose, a dose change).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from dosecal.errors import CourseError, Subject
from dosecal.model.adjust import DoseFrom
from dosecal.model.course import Course
from dosecal.model.regimen import Agent, Amount, Clause, DayRule, Regimen

CONTINUOUS = "continuous infusion"  # the form, as the regimen writes it
DAY_MIN = 24 * 60  # a day of a continuous infusion, in minutes


@dataclass(frozen=True, slots=True)
class Misfit:
    """Why a dose does not fit the line it is given on, and what to write instead."""

    message: str
    hint: str


def misfit(dose: Amount, clause: Clause, continuous: bool) -> Misfit | None:
    """Why `dose` cannot be given on `clause` of a drug that is (or is not) a continuous infusion."""
    if continuous and not dose.unit.per_day:
        return Misfit(
            f"a continuous infusion over days is dosed a day, and {dose} is not",
            "write its dose a day as the protocol states it, e.g. '100 mg/m2/day'; an infusion of a "
            "set time is written 'infusion over 46 hours', with the dose of the whole",
        )
    if continuous or not dose.unit.per_day:
        return None
    if not isinstance(clause.rule, DayRule):
        return Misfit(
            f"{dose} is an amount a day, which a dose every few days or weeks does not give",
            "write the dose of each administration, as the protocol states it",
        )
    if len(clause.slots) > 1:
        return Misfit(
            f"{dose} is an amount a day; a drug given {len(clause.slots)} times a day needs the dose of each",
            "write the dose of each administration as the protocol states it; dosecal does not divide it",
        )
    return None


def over_days(dose: Amount, days: int) -> Amount:
    """The whole of a dose a day given for `days`: 100 mg/m2/day for 7 days is 700 mg/m2."""
    return Amount(dose.value * Decimal(days), dose.unit.of_the_whole)


def check_course(regimen: Regimen, course: Course) -> None:
    """A course's doses (`--dose`, a course file's `dose` and `change` lines) suit the lines they are
    given on as the regimen's must: the first that does not is refused, at its course line."""
    for key, dose in course.doses:
        for agent in _agents(regimen, key):
            found = _first(dose, agent, lambda c: c.dose is None)
            if found is not None:
                message = f"--dose gives {key} {dose}: {found.message}"
                raise CourseError(message, subject=Subject.DOSE, hint=found.hint, quoted=key)
    for change in (a for a in course.adjustments if isinstance(a, DoseFrom)):
        for agent in _agents(regimen, change.agent):
            found = _first(change.amount, agent, partial(_takes, change.replaces))
            if found is not None:
                message = f"{change.agent} {change.amount}: {found.message}"
                raise CourseError(message, subject=Subject.ADJUSTMENT, line=change.line, hint=found.hint)


def _takes(replaces: Amount | None, clause: Clause) -> bool:
    """A change takes a line's dose unless it names the dose it replaces and the line has another."""
    return replaces is None or clause.dose in (None, replaces)


def _agents(regimen: Regimen, key: str) -> list[Agent]:
    return [a for a in regimen.drugs if a.key == key]


def _first(dose: Amount, agent: Agent, takes: Callable[[Clause], bool]) -> Misfit | None:
    """The first misfit of `dose` on the lines of `agent` that take it."""
    continuous = agent.form == CONTINUOUS
    found = (misfit(dose, c, continuous) for c in agent.clauses if takes(c))
    return next((f for f in found if f is not None), None)
