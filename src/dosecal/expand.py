"""(Regimen, Course) -> administrations, sorted by date then order in the day.

Each dose comes from one clause occurrence (`schedule.occurrences`); its date
is the phase's first day plus the cycle and day offsets; its dose is the
clause's, else the level's, else the drug's, else what the caller supplied
for a dose the regimen leaves open; with body measures, `dosing.compute`
gives the patient's amount and how it was computed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace
from itertools import groupby

from dosecal.course import Course, Plan, line_dose, plan
from dosecal.dosing import Computed, compute
from dosecal.errors import CourseError
from dosecal.model import Agent, Amount, Clause, DoseSpec, Phase, Regimen, Required, Slot, Unstated
from dosecal.schedule import occurrences
from dosecal.table import Administration, Schedule

# Fixed namespace: ids depend only on the course identity and the dose's place
# in the regimen (phase, cycle, day, drug, slot), never on dates or the clock.
_ID_NAMESPACE = uuid.UUID("6f1c1f0e-5d5b-4d1c-9a57-0d05eca10000")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class _Place:
    """Where an occurrence falls: phase, cycle and day, date, study day."""

    phase: Phase
    cycle: int
    day: int
    date: dt.date
    study_day: int


@dataclass(frozen=True, slots=True)
class _Dose:
    spec: DoseSpec
    source: str
    computed: Computed | None


def expand(regimen: Regimen, course: Course) -> Schedule:
    """Every administration of `course`, or `CourseError` if the course is wrong."""
    the_plan = plan(regimen, course)
    rows: list[tuple[tuple[dt.date, int, int, int], Administration]] = []
    doses: dict[tuple[str, int], _Dose] = {}
    for phase_plan in the_plan.phases:
        phase = regimen.phases[phase_plan.index]
        rank = {a.key: i for i, a in enumerate(phase.agents)}
        start = course.start + dt.timedelta(days=phase_plan.first_day)
        for occ in occurrences(phase, phase_plan.cycles):
            key = (occ.agent.key, occ.clause.line)
            if key not in doses:
                doses[key] = _resolve(the_plan, occ.agent, occ.clause)
            offset = (occ.cycle - 1) * phase.cycle_days + occ.day - 1
            date = start + dt.timedelta(days=offset)
            place = _Place(phase, occ.cycle, occ.day, date, phase_plan.first_day + offset + 1)
            for slot in occ.clause.slots:
                record = _administration(the_plan, place, occ.agent, occ.clause, slot, doses[key])
                rows.append(((date, slot.number, rank[occ.agent.key], occ.clause.line), record))
    rows.sort(key=lambda r: r[0])
    return Schedule(the_plan, tuple(_number_within_days([r for _, r in rows])))


def _number_within_days(rows: list[Administration]) -> list[Administration]:
    """Set `order` 1, 2, ... within each date (rows arrive in day order).

    A day whose doses all have clock times is ordered by time (lowering has
    checked that no `after` disagrees); otherwise by slot, then as written.
    """
    out: list[Administration] = []
    for _, group in groupby(rows, key=lambda a: a.date):
        day = list(group)
        if all(a.time for a in day):
            day.sort(key=lambda a: a.time)
        out += [replace(a, order=n) for n, a in enumerate(day, start=1)]
    return out


def _resolve(the_plan: Plan, agent: Agent, clause: Clause) -> _Dose:
    """The dose of one clause for this course, and where it came from."""
    spec, source = line_dose(agent, clause, the_plan.level)
    if isinstance(spec, (Required, Unstated)):
        supplied = the_plan.supplied_dose(agent.key)
        if supplied is not None:
            spec, source = supplied, "supplied (--dose)"
        elif isinstance(spec, Required):  # plan() refuses this first; kept as a guard
            raise CourseError(f'the {agent.key} dose must be supplied: --dose "{agent.key}=AMOUNT UNIT"')
        else:
            source = "not stated"
    computed = compute(spec, agent.cap, the_plan.course.measures) if isinstance(spec, Amount) else None
    return _Dose(spec, source, computed)


def _administration(
    the_plan: Plan, place: _Place, agent: Agent, clause: Clause, slot: Slot, dose: _Dose
) -> Administration:
    phase_name = place.phase.name or ""
    identity = f"{the_plan.course_id}|{phase_name}|{place.cycle}|{place.day}|{agent.key}|{slot.number}"
    amount = dose.spec if isinstance(dose.spec, Amount) else None
    duration = clause.duration or agent.duration
    computed = dose.computed
    return Administration(
        administration_id=str(uuid.uuid5(_ID_NAMESPACE, identity)),
        date=place.date,
        weekday=_WEEKDAYS[place.date.weekday()],
        phase=phase_name,
        cycle=place.cycle,
        cycle_day=place.day,
        study_day=place.study_day,
        agent=agent.name,
        variant=agent.label or "",
        slot=slot.number,
        time=slot.time or "",
        step_up=clause.step_up,
        dose_amount=amount.value if amount else None,
        dose_unit=amount.unit.text if amount else "",
        dose_source=dose.source,
        computed_amount=computed.amount if computed else None,
        computed_unit=computed.unit if computed and computed.amount is not None else "",
        dose_basis=computed.basis if computed else "dose not stated in the regimen",
        route=agent.route or "",
        form=agent.form or "",
        duration_min=duration.low if duration else None,
        duration_max=duration.high if duration else None,
        order=0,
        after=", ".join(agent.after),
        self_administered=agent.self_administered,
        level=the_plan.level.name if the_plan.level else "",
        source_line=clause.line,
        notes=" ".join((*place.phase.notes, *agent.notes)),
    )
