"""(Regimen, Course) -> administrations, sorted by date then order in the day.

Each dose comes from one clause occurrence (`schedule.occurrences`); its date
is the phase's first day plus the cycle and day offsets; its dose is the
clause's, else the level's, else the drug's, else what the caller supplied
for a dose the regimen leaves open; with body measures, `dosing.compute`
gives the patient's amount and how it was computed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import groupby

from dosecal.engine.identity import administration_id, course_place, dose_place, weekday_place
from dosecal.engine.occurrences import Occurrence, occurrences, on_weekdays, weekday_days
from dosecal.engine.patient import dose_rules
from dosecal.engine.plan import Plan, line_dose, plan, rounding_for, within_range
from dosecal.engine.table import Administration, Change, DoseChange, Schedule, Status, weekday
from dosecal.errors import CourseError
from dosecal.limits import MAX_ADMINISTRATIONS
from dosecal.model.adjust import Adjustment, CycleRef, Hold, Withheld
from dosecal.model.course import Course, check_dates
from dosecal.model.dosing import Computed, compute
from dosecal.model.rates import CONTINUOUS, DAY_MIN, over_days
from dosecal.model.regimen import (
    Agent,
    Amount,
    Clause,
    DayRule,
    DoseRange,
    DoseSpec,
    Duration,
    Level,
    Phase,
    Regimen,
    Required,
    Slot,
    Unstated,
    convert,
    drug_key,
)
from dosecal.text import counted

_STATUS = {Withheld.HELD: Status.HELD, Withheld.OMITTED: Status.OMITTED}


@dataclass(frozen=True, slots=True)
class _Place:
    """Where an occurrence falls: phase, cycle and day, date, study day."""

    phase: Phase
    position: tuple[int, int]  # (phase index, cycle)
    cycle: int
    day: int
    date: dt.date
    study_day: int
    days: int = 1  # a continuous infusion's days, from `day`


@dataclass(frozen=True, slots=True)
class _Dose:
    spec: DoseSpec
    source: str
    computed: Computed | None
    change: DoseChange  # against the course's planned dose
    level: Level | None
    because: tuple[Change, ...]  # the adjustments that set this dose
    form: str = ""  # of the strengths the dose is made of (its rounding rule's)
    stated: DoseRange | None = None  # the range the regimen states, the dose supplied or not
    stated_at: str = ""  # where the regimen states it: "regimen line 4"


def expand(regimen: Regimen, course: Course) -> Schedule:
    """Every administration of `course`, or `CourseError` if the course is wrong."""
    the_plan, rows = expand_with_identities(regimen, course)
    return Schedule(the_plan, tuple(a for a, _ in rows))


def expand_with_identities(regimen: Regimen, course: Course) -> tuple[Plan, list[tuple[Administration, str]]]:
    """`expand`, with each row's place (`|phase|cycle|day|drug|slot`) that its id hashes.

    The roster's fast path (`dosecal.batch.tables`) recomputes ids for other
    patients from the places, without expanding again.
    """
    the_plan = plan(regimen, course)
    regimen = the_plan.regimen  # as the course's option has it
    _check_size(regimen, the_plan)
    if regimen.by_weekday:
        _weekday_counts(the_plan)
    rows: list[tuple[tuple[dt.date, int, int, int], tuple[Administration, str]]] = []
    doses: dict[tuple[object, ...], _Dose] = {}
    for phase_plan in the_plan.phases:
        phase = regimen.phases[phase_plan.index]
        rank = {a.key: i for i, a in enumerate(phase.agents)}
        for occ in _occurrences(phase, phase_plan.starts):
            if not _given(the_plan, occ.clause):
                continue
            position = (phase_plan.index, occ.cycle)
            # A dose depends on the line, and on the level and override in force at this cycle.
            level, level_change = the_plan.level_at(position)
            planned, _ = _planned(the_plan, occ.agent, occ.clause, level)
            override = the_plan.dose_from(occ.agent.key, position, planned)
            key = (occ.agent.key, occ.clause.line, level_change, override, occ.days)
            if key not in doses:
                doses[key] = _resolve(the_plan, occ.agent, occ.clause, position, occ.days)
            date = phase_plan.starts[occ.cycle - 1] + dt.timedelta(days=phase.offset(occ.day))
            if (
                phase.run
                and course.until is not None
                and _past(phase, phase_plan.starts[0], occ, course.until)
            ):
                continue  # a run has no cycle to finish: an end date ends it (docs/language.md §34)
            study_day = _study_day(date, course.start)
            place = _Place(phase, position, occ.cycle, occ.day, date, study_day, occ.days)
            for slot in occ.clause.slots:
                series = occ.series
                at = (
                    weekday_place(place.phase.name or "", *series, occ.agent.key, slot.number)
                    if series
                    else None
                )
                record = _administration(the_plan, place, occ.agent, occ.clause, slot, doses[key], at=at)
                rows.append(((date, slot.number, rank[occ.agent.key], occ.clause.line), record))
    rows.sort(key=lambda r: r[0])
    if regimen.by_weekday:
        _once_a_date(rows)
    rows = _within_totals(regimen, rows)
    if rows:  # a dose before the start (`day -1`) is dosed from what is known by then; not the
        # vitamins a line over the course begins days before it (they are no dose of the course's)
        check_dates(course, rows[0][0][0])
    if regimen.course_agents:  # counted from the doses the phases give, as they are now
        rows = _within_totals(regimen, sorted([*rows, *_over_the_course(the_plan, rows)], key=lambda r: r[0]))
    return the_plan, _number_within_days(_together_on_the_day([r for _, r in rows]))


_Row = tuple[tuple[dt.date, int, int, int], tuple[Administration, str]]


def _past(phase: Phase, start: dt.date, occ: Occurrence, until: dt.date) -> bool:
    """Whether a run's dose is after the course's end date: a dose counted from another drug's (the
    day before, the day after) by the doses it goes with, so that none is cut from its dose."""
    served = [occ.day]
    if occ.clause.anchor is not None:
        served = list(next((days for day, days in occ.clause.anchor.serves if day == occ.day), served))
    return all(start + dt.timedelta(days=phase.offset(day)) > until for day in served)


# On a day shared with a phase's drugs, a drug given over the course comes after them.
_COURSE_RANK = 1 << 30


def _over_the_course(the_plan: Plan, rows: list[_Row]) -> list[_Row]:
    """The rows of the drugs given over the whole course (`Regimen.course_agents`), counted from
    the phases' doses: a first dose is the first in the schedule, held or not; a last dose the
    last to be given (`CourseRule.dates`). Each row is placed in the cycle its date falls in:
    before the first cycle, cycle 1's days before day 1; after a cycle's last day and before the
    next cycle (a delay, a rest, the end of the course), that cycle's days on (day 22 of 21)."""
    regimen, course = the_plan.regimen, the_plan.course
    scheduled: dict[str, list[dt.date]] = {}
    given: dict[str, list[dt.date]] = {}
    for _, (a, _) in rows:
        drug = drug_key(a.agent, a.variant or None)
        scheduled.setdefault(drug, []).append(a.date)
        if a.status is Status.PLANNED:
            given.setdefault(drug, []).append(a.date)
    lines = [
        (rank, agent, clause, clause.course.dates(scheduled, given))
        for rank, agent in enumerate(regimen.course_agents, start=_COURSE_RANK)
        for clause in agent.clauses
        if clause.course is not None  # lowering gives a course drug no other line
    ]
    count = len(rows)
    for _, agent, clause, dates in lines:  # counted before any row is made
        count += len(dates) * len(clause.slots)
        if count > MAX_ADMINISTRATIONS:
            raise CourseError(
                f"{agent.key}'s line over the whole course (regimen line {clause.line}) would make the "
                f"course more than {MAX_ADMINISTRATIONS:,} administrations, more than dosecal makes for "
                "one patient: check its days and doses a day, or expand fewer cycles (--cycles N)"
            )
    starts = [
        (date, (p.index, cycle)) for p in the_plan.phases for cycle, date in enumerate(p.starts, start=1)
    ]
    out: list[_Row] = []
    doses: dict[tuple[object, ...], _Dose] = {}
    for rank, agent, clause, dates in lines:
        for number, date in enumerate(dates, start=1):
            begun, position = next(((d, p) for d, p in reversed(starts) if d <= date), starts[0])
            phase = regimen.phases[position[0]]
            day = phase.day_at((date - begun).days)
            level, level_change = the_plan.level_at(position)
            planned, _ = _planned(the_plan, agent, clause, level)
            override = the_plan.dose_from(agent.key, position, planned)
            key = (clause.line, level_change, override)
            if key not in doses:
                doses[key] = _resolve(the_plan, agent, clause, position, 1)
            study_day = _study_day(date, course.start)
            place = _Place(phase, position, position[1], day, date, study_day)
            for slot in clause.slots:
                at = course_place(agent.key, number, slot.number)
                record = _administration(the_plan, place, agent, clause, slot, doses[key], at=at, over=True)
                out.append(((date, slot.number, rank, clause.line), record))
    return out


def _within_totals(regimen: Regimen, rows: list[_Row]) -> list[_Row]:
    """Rows but those past a drug's doses in all (`at most 35 doses in all`), counted in date order
    over every phase: only a dose to be given counts (a held one is not given). A line counted from
    that drug's doses (`the day before pembrolizumab`) goes with them: gone when each dose it goes
    with is gone."""
    totals = {a.key: a.total[0] for a in regimen.drugs if a.total is not None}
    if not totals:
        return rows
    given = dict.fromkeys(totals, 0)
    kept: list[_Row] = []
    gone: set[tuple[str, str, int, int]] = set()  # (drug, phase, cycle, day) of a dose past the total
    stays: set[tuple[str, str, int, int]] = set()
    for row in rows:
        a = row[1][0]
        key = drug_key(a.agent, a.variant or None)
        if key in totals:
            where = (key, a.phase, a.cycle, a.cycle_day)
            if given[key] >= totals[key]:
                gone.add(where)
                continue
            stays.add(where)
            given[key] += a.status is Status.PLANNED
        kept.append(row)
    if not gone:
        return kept
    # One line counted from another drug is lowered into a clause for each run of cycles in which
    # that drug has the same lines (cycle 1's days 1, 8, 15, 22; days 1, 15 later): find the row's.
    anchored: dict[tuple[str, int], list[Clause]] = {}
    for p in regimen.phases:
        for c in (
            c for a in p.agents for c in a.clauses if c.anchor is not None and c.anchor.agent in totals
        ):
            anchored.setdefault((p.name or "", c.line), []).append(c)
    out = []
    for row in kept:
        a = row[1][0]
        clause = next(
            (c for c in anchored.get((a.phase, a.source_line), ()) if _serves_cycle(c, a.cycle)), None
        )
        if clause is not None and clause.anchor is not None:
            days = clause.anchor.anchor_days(a.cycle_day)
            served = [(clause.anchor.agent, a.phase, a.cycle, d) for d in days]
            if served and all(w in gone and w not in stays for w in served):
                continue
        out.append(row)
    return out


def _serves_cycle(clause: Clause, cycle: int) -> bool:
    rule = clause.rule
    return isinstance(rule, DayRule) and rule.selector.matches(cycle)


def _once_a_date(rows: list[_Row]) -> None:
    """No drug twice in one dose of a date: lowering checks every line of cycle days, but a line of
    days of the week meets another line only on this course's dates (a day -1 of the next cycle)."""
    seen: dict[tuple[str, dt.date, int], Administration] = {}
    for _, (a, _) in rows:
        key = (drug_key(a.agent, a.variant or None), a.date, a.slot)
        first = seen.setdefault(key, a)
        if first is not a:  # met first on dose 1 of the day: every line's doses begin with it
            raise CourseError(
                f"{key[0]} would be given twice on {a.date}: by regimen line {first.source_line} "
                f"({_said_at(first)}) and by line {a.source_line} ({_said_at(a)})",
                hint="a line of days of the week meets another line of the drug on this date: "
                "give the two lines days apart",
            )


def _said_at(a: Administration) -> str:
    phase = f"phase {a.phase} " if a.phase else ""
    return f"{phase}cycle {a.cycle} day {a.cycle_day}"


def _weekday_counts(the_plan: Plan) -> None:
    """A line's count of days of the week (`28 sessions`) is reached where its phase is expanded
    whole: radiotherapy fractions never silently fall short (lowering refuses a count no start
    could reach; this patient's start may still fall short)."""
    for phase_plan in the_plan.phases:
        phase = the_plan.regimen.phases[phase_plan.index]
        whole = phase.cycle_count == phase_plan.cycles  # else the course expands only some cycles
        for agent in phase.agents if whole else ():
            for clause in agent.clauses:
                wanted = clause.weekdays.count if clause.weekdays is not None else None
                if wanted is None:
                    continue
                found = sum(1 for _ in weekday_days(phase, clause, phase_plan.starts))
                if found < wanted:
                    start = phase_plan.starts[0]
                    raise CourseError(
                        f"regimen line {clause.line} gives {agent.key} on {counted(wanted, 'day')}, but "
                        f"{counted(phase_plan.cycles, 'cycle')} of {phase.cycle_days} days from "
                        f"{weekday(start)} {start} {'hold' if phase_plan.cycles > 1 else 'holds'} "
                        f"{found} of them",
                        hint="the regimen's count and cycles disagree for this start: check them",
                    )


def _occurrences(phase: Phase, starts: tuple[dt.date, ...]) -> Iterator[Occurrence]:
    """Every occurrence of a phase's expanded cycles: those of cycle days (`occurrences`), then
    those of days of the week, found on the cycles' dates (`on_weekdays`)."""
    yield from occurrences(phase, len(starts))
    yield from on_weekdays(phase, starts)


def _study_day(date: dt.date, start: dt.date) -> int:
    """The day of the course as CDISC counts it: 1 is the start, the day before it -1; no day 0."""
    days = (date - start).days
    return days + 1 if days >= 0 else days


def _check_size(regimen: Regimen, the_plan: Plan) -> None:
    """Refuse a course of more than `MAX_ADMINISTRATIONS` doses, counted before any row is made."""
    count = 0
    for phase_plan in the_plan.phases:
        for occ in _occurrences(regimen.phases[phase_plan.index], phase_plan.starts):
            count += len(occ.clause.slots) if _given(the_plan, occ.clause) else 0
            _check_count(regimen, the_plan, count)


def _check_count(regimen: Regimen, the_plan: Plan, count: int) -> None:
    if count > MAX_ADMINISTRATIONS:
        cycles = sum(p.cycles for p in the_plan.phases)
        raise CourseError(
            f"{cycles} cycles of {regimen.name} would be more than {MAX_ADMINISTRATIONS:,} "
            "administrations, more than dosecal makes for one patient: expand fewer cycles "
            "(--cycles N), or check the regimen's doses a day"
        )


def _given(the_plan: Plan, clause: Clause) -> bool:
    """A schedule line is given unless its condition does not hold for this patient."""
    choice = the_plan.line_choice(clause.line)
    return choice is None or choice.given


def _together_on_the_day(rows: list[tuple[Administration, str]]) -> list[tuple[Administration, str]]:
    """`given_with` only on a dose whose drug it names has the same dose of the day (slot) on that
    date in the same phase: on another day, or for a second dose of the day, it starts on its own
    (docs/language.md §36)."""
    given = {(a.date, a.phase, a.drug, a.slot) for a, _ in rows}
    return [
        (replace(a, given_with=""), place)
        if a.given_with and (a.date, a.phase, a.given_with, a.slot) not in given
        else (a, place)
        for a, place in rows
    ]


def _number_within_days(rows: list[tuple[Administration, str]]) -> list[tuple[Administration, str]]:
    """Set `order` 1, 2, ... within each date (rows arrive in day order).

    A day whose doses all have clock times is ordered by time (lowering has
    checked that no `after` disagrees); otherwise by slot, then as written.
    """
    out: list[tuple[Administration, str]] = []
    for _, group in groupby(rows, key=lambda r: r[0].date):
        day = list(group)
        if all(a.time for a, _ in day):
            day.sort(key=lambda r: r[0].time)
        out += [(replace(a, order=n), place) for n, (a, place) in enumerate(day, start=1)]
    return out


def _resolve(the_plan: Plan, agent: Agent, clause: Clause, position: tuple[int, int], days: int) -> _Dose:
    """The dose of one clause at one cycle of this course, where it came from, and what changed it.

    A dose change in force wins; else the line's dose at the level in force. A
    dose left to be chosen and not supplied with --dose may come from a dose
    change (plan() lets such a course through); a cycle before the change has
    none then, and is refused here.
    """
    level, level_change = the_plan.level_at(position)
    planned, _ = _planned(the_plan, agent, clause, the_plan.level)
    override = the_plan.dose_from(agent.key, position, _planned(the_plan, agent, clause, level)[0])
    spec: DoseSpec
    because: tuple[Change, ...] = ()
    if override is not None:
        spec, source, because = override.amount, f"course line {override.line}", (_because(override),)
    else:
        spec, source = _planned(the_plan, agent, clause, level)
        if level_change is not None and spec != planned:
            because = (_because(level_change),)
    if isinstance(spec, Required):
        cycle = CycleRef(the_plan.regimen.phases[position[0]].name, position[1])
        raise CourseError(
            f"the {agent.key} dose of {cycle} is left to be chosen: "
            f'supply it with --dose "{agent.key}=AMOUNT UNIT", or change it from {cycle}'
        )
    rounding = rounding_for(the_plan, agent)
    computed = None
    continuous = agent.form == CONTINUOUS
    if isinstance(spec, Amount):
        rules = dose_rules(the_plan.regimen, agent)
        cap = clause.cap or agent.cap  # a line's own cap, in place of the drug's
        over = days if continuous else None
        measures = the_plan.course.measures
        computed = compute(spec, cap, measures, rounding, rules=rules, drug=agent.key, days=over)
    form = rounding.form if rounding is not None else ""
    stated, at = line_dose(agent, clause, level)
    ranged = stated if isinstance(stated, DoseRange) else None
    if ranged is not None and override is not None and isinstance(override.amount, Amount):
        within_range(agent.key, override.amount, ranged, "the course changes {key} to", override.line)
    return _Dose(spec, source, computed, _change(planned, spec), level, because, form, ranged, at)


def _planned(the_plan: Plan, agent: Agent, clause: Clause, level: Level | None) -> tuple[DoseSpec, str]:
    """A line's dose at a level, with what the caller supplied for a dose left open, and the dose
    chosen by a patient value where the line takes the drug's own."""
    spec, source = line_dose(agent, clause, level)
    chosen = the_plan.chosen(agent.key)
    if chosen is not None and spec == agent.dose and clause.dose is None:
        return chosen[0], source
    if isinstance(spec, (Required, Unstated, DoseRange)):
        supplied = the_plan.supplied_dose(agent.key)
        if supplied is not None:
            return supplied, "supplied (--dose)"
        return spec, source if isinstance(spec, DoseRange) else "not stated"
    return spec, source


def _end(end: Amount, dose: Amount | None) -> Decimal:
    """An end of a stated range in the row's `dose_unit`: the supplied dose's, when one is given."""
    if dose is None or dose.unit == end.unit:
        return end.value
    converted = convert(end.value, end.unit.absolute, dose.unit.absolute)
    assert converted is not None  # plan.py `_within_range` refused a dose in a unit it does not take
    return converted


def _basis(dose: _Dose) -> str:
    """How the dose was found: computed, or said as the range the regimen states, and who chose."""
    if dose.stated is not None:
        ranged = f"the regimen states a range, {dose.stated} ({dose.stated_at})"
        if dose.computed is None:
            return f"{ranged}: the dose within it is the care team's to choose; none is picked here"
        given = "set by the course" if dose.source.startswith("course line") else "supplied (--dose)"
        return f"{dose.computed.basis}; {ranged}, and this dose was {given}"
    return dose.computed.basis if dose.computed else "dose not stated in the regimen"


def _change(planned: DoseSpec, given: DoseSpec) -> DoseChange:
    if planned == given:
        return DoseChange.NONE
    if isinstance(planned, Amount) and isinstance(given, Amount) and planned.unit == given.unit:
        return DoseChange.REDUCED if given.value < planned.value else DoseChange.INCREASED
    return DoseChange.CHANGED


def _warned(the_plan: Plan, agent: Agent, clause: Clause, basis: str) -> str:
    """The basis, with the branch a dose chosen by a patient value took, why a line given only where
    a condition holds is given, and every label limit that holds for this patient and only warns."""
    chosen = the_plan.chosen(agent.key) if clause.dose is None else None  # a line's own dose is its own
    said = [f"dose chosen: {chosen[1]}"] if chosen is not None else []
    line = the_plan.line_choice(clause.line)
    said += [line.why] if line is not None else []
    said += [text for key, text in the_plan.warnings if key == agent.key]
    return "; ".join((basis, *said))


def _hold(the_plan: Plan, agent: Agent, clause: Clause, place: _Place) -> Hold | None:
    """The hold of a dose, of a continuous infusion's days too (`Plan.hold_for_run`: planning has
    refused a hold of part of one), or of the dose a premedication goes with (`Plan.hold_of`)."""
    return the_plan.hold_of(agent, clause, place.position, place.day, place.days)


def _because(adjustment: Adjustment) -> Change:
    """What an adjustment says on the rows it changes: 'cycle 3 delayed 7 days (ANC 0.8)'."""
    return Change(adjustment.line, f"{adjustment.describe()} ({adjustment.reason})")


def _administration(
    the_plan: Plan,
    place: _Place,
    agent: Agent,
    clause: Clause,
    slot: Slot,
    dose: _Dose,
    at: str | None = None,
    over: bool = False,
) -> tuple[Administration, str]:
    """One row. `at`: what its id hashes, where not its cycle and day (`weekday_place`,
    `course_place`). `over`: a dose over the whole course: it is not moved with a cycle (its days
    are counted from the doses it goes with), nor is it a phase's (no phase note)."""
    phase_name = place.phase.name or ""
    where = at or dose_place(phase_name, place.cycle, place.day, agent.key, slot.number)
    rate = dose.spec if isinstance(dose.spec, Amount) and agent.form == CONTINUOUS else None
    amount = over_days(rate, place.days) if rate else dose.spec if isinstance(dose.spec, Amount) else None
    minutes = place.days * DAY_MIN
    duration = Duration(minutes, minutes) if agent.form == CONTINUOUS else clause.duration or agent.duration
    computed = dose.computed
    hold = _hold(the_plan, agent, clause, place)
    moves = the_plan.moved_by(place.position) if not over else ()
    because = tuple(_because(a) for a in (*moves, hold) if a is not None) + dose.because
    return Administration(
        administration_id=administration_id(the_plan.course_id, where),
        date=place.date,
        weekday=weekday(place.date),
        end_date=place.date + dt.timedelta(days=place.days - 1) if agent.form == CONTINUOUS else None,
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
        dose_unit=amount.unit.text if amount else dose.stated.low.unit.text if dose.stated else "",
        dose_min=_end(dose.stated.low, amount) if dose.stated else None,
        dose_max=_end(dose.stated.high, amount) if dose.stated else None,
        rate_amount=rate.value if rate else None,
        rate_unit=rate.unit.text if rate else "",
        dose_source=dose.source,
        computed_amount=computed.amount if computed else None,
        computed_unit=computed.unit if computed and computed.amount is not None else "",
        dose_basis=_warned(the_plan, agent, clause, _basis(dose)),
        dose_change=dose.change,
        route=agent.route or "",
        form=agent.form or "",
        duration_min=duration.low if duration else None,
        duration_max=duration.high if duration else None,
        order=0,
        after=", ".join(agent.after),
        self_administered=agent.self_administered,
        level=dose.level.name if dose.level else "",
        status=_STATUS[hold.kind] if hold else Status.PLANNED,
        adjustment=because,
        source_line=clause.line,
        notes=" ".join((*(place.phase.notes if not over else ()), *agent.notes)),
        made_of=computed.made_of if computed else None,
        kind=agent.kind,
        given_with=agent.given_with or "",
        run=place.phase.run,
        made_of_form=dose.form,
    ), where
