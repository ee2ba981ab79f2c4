"""A patient's course: where and how far a regimen is expanded, for whom.

`Course` is what the caller states; `plan` checks it against the regimen and
turns it into the exact cycles of each phase and the dose of every drug, or
raises `CourseError` with one clear sentence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dosecal.dosing import Measures
from dosecal.errors import CourseError
from dosecal.model import Amount, DoseSpec, Level, Regimen, Required

MAX_CYCLES = 200
MAX_YEARS = 10
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


@dataclass(frozen=True, slots=True)
class PhasePlan:
    """How many cycles of a phase are expanded, and from which day."""

    index: int
    cycles: int
    first_day: int  # study day of the phase's cycle 1 day 1 (0-based offset)


@dataclass(frozen=True, slots=True)
class Plan:
    regimen: Regimen
    course: Course
    phases: tuple[PhasePlan, ...]
    level: Level | None
    supplied: tuple[tuple[str, Amount], ...]

    @property
    def course_id(self) -> str:
        return self.course.course_id or self.regimen.name

    def supplied_dose(self, key: str) -> Amount | None:
        return next((a for k, a in self.supplied if k == key), None)


def plan(regimen: Regimen, course: Course) -> Plan:
    """Check `course` against `regimen`; raise `CourseError` on the first problem."""
    if not EARLIEST_START <= course.start <= LATEST_START:
        raise CourseError(
            f"a start date of {course.start} is not plausible (expected {EARLIEST_START} to {LATEST_START})"
        )
    total = _horizon(regimen, course)
    phases: list[PhasePlan] = []
    offset, left = 0, total
    for index, phase in enumerate(regimen.phases):
        take = left if phase.cycle_count is None else min(left, phase.cycle_count)
        if take <= 0:
            break
        phases.append(PhasePlan(index, take, offset))
        offset += take * phase.cycle_days
        left -= take
    level = _level(regimen, course.level)
    supplied = _supplied(regimen, course.doses, level)
    result = Plan(regimen, course, tuple(phases), level, supplied)
    _require_doses(result)
    return result


def _horizon(regimen: Regimen, course: Course) -> int:
    """Number of cycles to expand, over all phases."""
    total = regimen.total_cycles
    if course.cycles is not None and course.until is not None:
        raise CourseError("give either a number of cycles or an end date, not both")
    if course.cycles is not None:
        if not 1 <= course.cycles <= MAX_CYCLES:
            raise CourseError(f"{course.cycles} cycles is not plausible (expected 1-{MAX_CYCLES})")
        if total is not None and course.cycles > total:
            raise CourseError(f"{regimen.name} has {total} cycles; {course.cycles} were asked for")
        return course.cycles
    if course.until is not None:
        return _cycles_until(regimen, course.start, course.until)
    if total is None:
        until = regimen.phases[-1].until or "an open end"
        raise CourseError(
            f"{regimen.name} runs until {until}: say how far to expand with --cycles N or --until DATE"
        )
    return total


def _cycles_until(regimen: Regimen, start: dt.date, until: dt.date) -> int:
    """Cycles that start on or before `until` (each is expanded whole)."""
    if until < start:
        raise CourseError(f"the end date {until} is before the start date {start}")
    if until > _add_years(start, MAX_YEARS):
        raise CourseError(f"an end date more than {MAX_YEARS} years after the start is not plausible")
    day, count = start, 0
    for phase in regimen.phases:
        for _ in range(phase.cycle_count or MAX_CYCLES):
            if day > until or count >= MAX_CYCLES:
                return count
            count += 1
            day += dt.timedelta(days=phase.cycle_days)
    return count


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _level(regimen: Regimen, name: str | None) -> Level | None:
    names = ", ".join(lv.name for lv in regimen.levels)
    if name is None:
        if regimen.levels:
            raise CourseError(f"{regimen.name} has dose levels {names}: choose one with --level")
        return None
    if not regimen.levels:
        raise CourseError(f"{regimen.name} has no dose levels (--level {name} was given)")
    level = regimen.level(name)
    if level is None:
        raise CourseError(f"{regimen.name} has no dose level '{name}'; its levels are {names}")
    return level


def _agents(regimen: Regimen) -> dict[str, DoseSpec]:
    return {a.key: a.dose for p in regimen.phases for a in p.agents}


def _supplied(
    regimen: Regimen, doses: tuple[tuple[str, Amount], ...], level: Level | None
) -> tuple[tuple[str, Amount], ...]:
    agents = _agents(regimen)
    seen: set[str] = set()
    for key, _amount in doses:
        if key not in agents:
            raise CourseError(
                f"--dose names '{key}', which is not a drug of {regimen.name}; "
                f"its drugs are {', '.join(agents)}"
            )
        if key in seen:
            raise CourseError(f"--dose gives the dose of {key} twice")
        seen.add(key)
        dose = _effective(regimen, key, level)
        if isinstance(dose, Amount):
            raise CourseError(
                f"the dose of {key} is stated by the regimen ({dose}); "
                "--dose only fills a dose the regimen leaves open"
            )
    return doses


def _effective(regimen: Regimen, key: str, level: Level | None) -> DoseSpec:
    """The drug's dose after its level, before anything supplied.

    Lowering guarantees that a drug without a dose of its own states one on
    every schedule line or on none, so the first line speaks for all.
    """
    override = level.dose_for(key) if level else None
    if override is not None:
        return override.dose
    agent = next(a for p in regimen.phases for a in p.agents if a.key == key)
    line_dose = agent.clauses[0].dose if agent.clauses else None
    return line_dose if line_dose is not None else agent.dose


def _require_doses(plan: Plan) -> None:
    for key in _agents(plan.regimen):
        dose = _effective(plan.regimen, key, plan.level)
        if isinstance(dose, Required) and plan.supplied_dose(key) is None:
            where = f"level {plan.level.name}" if plan.level else plan.regimen.name
            raise CourseError(
                f'{where} leaves the {key} dose to be chosen: supply it with --dose "{key}=AMOUNT UNIT"'
            )
