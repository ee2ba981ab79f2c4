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
from dosecal.model import (
    MAX_CYCLES,
    Agent,
    Amount,
    Basis,
    Clause,
    DoseSpec,
    Level,
    Regimen,
    Required,
    Unstated,
    convert,
)

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
        for _ in range(phase.cycle_count or MAX_CYCLES + 1):
            if day > until:
                return count
            if count == MAX_CYCLES:
                raise CourseError(
                    f"cycles up to {until} would be more than {MAX_CYCLES}, which is not plausible"
                )
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


def _agents(regimen: Regimen) -> list[str]:
    """Drug keys in the order written (a drug in several phases once)."""
    return list(dict.fromkeys(a.key for p in regimen.phases for a in p.agents))


def line_dose(agent: Agent, clause: Clause, level: Level | None) -> tuple[DoseSpec, str]:
    """The dose a schedule line gives, before anything supplied, and where it comes from.

    The line's own dose, else the level's dose for the drug, else the drug's.
    """
    if clause.dose is not None:
        return clause.dose, f"regimen line {clause.line}"
    override = level.dose_for(agent.key) if level else None
    if override is not None:
        return override.dose, f"level {level.name if level else ''} (line {override.line})"
    return agent.dose, f"regimen line {agent.line}"


def _open_doses(regimen: Regimen, level: Level | None) -> dict[str, DoseSpec]:
    """Drugs with a schedule line whose dose is left open: to be supplied, or not stated."""
    found: dict[str, DoseSpec] = {}
    for phase in regimen.phases:
        for agent in phase.agents:
            for clause in agent.clauses:
                spec, _ = line_dose(agent, clause, level)
                if isinstance(spec, Required) or (isinstance(spec, Unstated) and agent.key not in found):
                    found[agent.key] = spec
    return found


def _supplied(
    regimen: Regimen, doses: tuple[tuple[str, Amount], ...], level: Level | None
) -> tuple[tuple[str, Amount], ...]:
    agents = _agents(regimen)
    open_doses = _open_doses(regimen, level)
    seen: set[str] = set()
    for key, amount in doses:
        if key not in agents:
            raise CourseError(
                f"--dose names '{key}', which is not a drug of {regimen.name}; "
                f"its drugs are {', '.join(agents)}"
            )
        if key in seen:
            raise CourseError(f"--dose gives the dose of {key} twice")
        seen.add(key)
        if key not in open_doses:
            raise CourseError(
                f"every dose of {key} is stated by the regimen; "
                "--dose only fills a dose the regimen leaves open"
            )
        _within_cap(regimen, key, amount)
    return doses


def _within_cap(regimen: Regimen, key: str, amount: Amount) -> None:
    for agent in (a for p in regimen.phases for a in p.agents if a.key == key and a.cap):
        assert agent.cap is not None
        limit = convert(agent.cap.value, agent.cap.unit.absolute, amount.unit.absolute)
        if limit is None:
            raise CourseError(
                f"--dose gives {key} in {amount.unit.text}, which cannot be held against "
                f"its cap of {agent.cap}"
            )
        if amount.unit.basis is Basis.FLAT and amount.value > limit:
            raise CourseError(f"--dose gives {key} {amount}, above its cap of {agent.cap}")


def _require_doses(plan: Plan) -> None:
    for key, spec in _open_doses(plan.regimen, plan.level).items():
        if isinstance(spec, Required) and plan.supplied_dose(key) is None:
            where = f"level {plan.level.name}" if plan.level else plan.regimen.name
            raise CourseError(
                f'{where} leaves the {key} dose to be chosen: supply it with --dose "{key}=AMOUNT UNIT"'
            )
