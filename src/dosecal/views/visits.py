"""Clinic visits for chair booking: one per day with a dose given in clinic.

A visit gathers the day's administrations that are not taken at home, in
the day's order. Its chair time is the sum of their stated infusion times
(a range gives a range), drugs started together (`with`) counted once by the
longer of them; a dose held or omitted takes no chair time but is
listed, so nothing disappears from the booking without a word. When any
dose's infusion time is not stated, the chair time is left empty rather
than guessed. An infusion of 24 hours or more (a 46-hour pump) runs on after
the visit and is not counted.

The closed-day check is pure: the caller passes the closed days (weekend
days and public holidays, see `ClosedDays`) and a policy. A visit on a
closed day is flagged; it moves only when the policy says so, and a moved
visit keeps its planned date and the reason beside the new one.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import groupby

from dosecal.engine.identity import visit_uid
from dosecal.engine.table import Administration, Schedule, Status, adjustment_text
from dosecal.errors import CourseError
from dosecal.model.regimen import Kind
from dosecal.views.visit_times import together
from dosecal.views.wording import DAY_NAMES, own_row, range_text

# Past this many days the closures are not a weekend or a holiday run but a
# mistake (a country whose every day is closed); refuse rather than wander.
_MAX_SEARCH_DAYS = 14
KEPT = "kept on a closed day: confirm with the clinic"


class MovePolicy(enum.Enum):
    """What to do with a visit that falls on a closed day."""

    KEEP = "keep"  # flag it, leave the date
    NEXT = "next"  # the next open day
    PREVIOUS = "previous"  # the open day before


@dataclass(frozen=True, slots=True)
class ClosedDays:
    """Days the clinic is closed: weekend days (0 = Monday) and named holidays."""

    weekend: frozenset[int] = frozenset({5, 6})
    holidays: Mapping[dt.date, str] = field(default_factory=dict)
    source: str = ""  # e.g. "holidays 0.60, US-NY": said in the stderr summary

    def reason(self, day: dt.date) -> str:
        """Why `day` is closed ("Christmas Day", "Saturday"), or "" if open."""
        if day in self.holidays:
            return self.holidays[day]
        return DAY_NAMES[day.weekday()] if day.weekday() in self.weekend else ""


COLUMNS: tuple[str, ...] = (
    "patient_id",
    "visit_id",
    "date",
    "weekday",
    "start_time",
    "chair_minutes_min",
    "chair_minutes_max",
    "drugs",
    "durations",
    "phase",
    "cycle",
    "cycle_day",
    "status",
    "not_given",
    "closed",
    "planned_date",
    "moved",
)


@dataclass(frozen=True, slots=True)
class Visit:
    """One clinic visit of one patient."""

    patient_id: str
    visit_id: str
    date: dt.date
    start_time: str
    chair_minutes_min: int | None
    chair_minutes_max: int | None
    drugs: tuple[str, ...]  # given, in the day's order
    durations: tuple[str, ...]  # one per drug given, e.g. "isatuximab 30-60 min"
    phase: str
    cycle: int
    cycle_day: int
    status: tuple[Status, ...]  # (PLANNED,) when a dose is given; else those of the doses not given
    not_given: tuple[str, ...]  # held or omitted doses, with why
    closed: str = ""  # why the planned date is closed
    planned_date: dt.date | None = None  # set when the visit was moved
    moved: str = ""
    run: bool = False  # not a column: its phase has no cycles (docs/language.md §34)

    @property
    def where(self) -> str:
        """'cycle 2 day 15'; 'induction phase, cycle 1 day 8'; 'pelvis phase, day 19' in a run."""
        phase = f"{self.phase} phase, " if self.phase else ""
        return (
            f"{phase}day {self.cycle_day}" if self.run else f"{phase}cycle {self.cycle} day {self.cycle_day}"
        )


def visits(
    schedule: Schedule,
    patient_id: str,
    visit_time: dt.time | None = None,
    closed: ClosedDays | None = None,
    policy: MovePolicy = MovePolicy.KEEP,
) -> list[Visit]:
    """Every clinic visit of `schedule`, in date order, checked against `closed`."""
    clinic = [a for a in schedule if not a.self_administered]
    course_id = schedule.plan.course_id
    found = [
        _visit(list(day), patient_id, course_id, visit_time)
        for _, day in groupby(clinic, key=lambda a: a.date)
    ]
    return check_closed(found, closed, policy, schedule.plan.course.start) if closed is not None else found


def _visit(rows: list[Administration], patient_id: str, course_id: str, at: dt.time | None) -> Visit:
    first = own_row(rows)
    given = [a for a in rows if a.status is Status.PLANNED]
    withheld = [a for a in rows if a.status is not Status.PLANNED]
    low, high = _chair_minutes(given)
    times = sorted(a.time for a in given if a.time)
    start = at.strftime("%H:%M") if at is not None else (times[0] if times else "")
    return Visit(
        patient_id=patient_id,
        visit_id=visit_uid(course_id, first.phase, first.cycle, first.cycle_day),
        date=first.date,
        start_time=start,
        chair_minutes_min=low,
        chair_minutes_max=high,
        drugs=tuple(a.drug for a in given),
        durations=tuple(f"{a.drug} {_duration(a)}" for a in given),
        phase=first.phase,
        cycle=first.cycle,
        cycle_day=first.cycle_day,
        status=(Status.PLANNED,) if given else _statuses(withheld),
        not_given=tuple(f"{a.drug} ({a.status.value}: {adjustment_text(a.adjustment)})" for a in withheld),
        run=first.run,
    )


def _statuses(withheld: Sequence[Administration]) -> tuple[Status, ...]:
    """Each status of the doses not given, once, in the order of their text ("held", "omitted")."""
    return tuple(sorted({a.status for a in withheld}, key=lambda s: s.value))


def _duration(a: Administration) -> str:
    """'30-60 min' (a booking counts minutes, never hours), 'not stated', a pump's 'runs on', or
    radiotherapy's 'no chair'."""
    if a.kind is Kind.RADIOTHERAPY:
        timed = (
            f"{range_text(a.duration_min, a.duration_max)} min, " if a.duration_min and a.duration_max else ""
        )
        return f"{timed}no chair"
    if a.duration_max is None or a.duration_min is None:
        return "not stated"
    span = range_text(a.duration_min, a.duration_max)
    if a.runs_on:
        return f"{span} min, runs on after the visit (not counted)"
    return f"{span} min"


def _chair_minutes(given: Sequence[Administration]) -> tuple[int | None, int | None]:
    """Sum of stated infusion times, drugs given together (`with`) counted once, by the longer;
    None when any is unstated (never a guess). A radiotherapy fraction takes no chair: a visit of
    radiotherapy alone books 0 minutes."""
    given = [a for a in given if a.kind is not Kind.RADIOTHERAPY]  # on the machine, not in a chair
    if any(a.duration_min is None or a.duration_max is None for a in given):
        return None, None
    groups = [[a for a in g if not a.runs_on] for g in together(given)]  # every duration is stated here
    low = sum(max((a.duration_min or 0 for a in g), default=0) for g in groups)
    return low, sum(max((a.duration_max or 0 for a in g), default=0) for g in groups)


def check_closed(found: list[Visit], closed: ClosedDays, policy: MovePolicy, start: dt.date) -> list[Visit]:
    """Flag visits on closed days; move them when `policy` says so and the move is safe.

    A move never puts two visits of the patient on one day, nor a visit
    before the course's first day: such a visit stays where it is, flagged,
    with why it was not moved, for the clinic to book by hand.
    """
    occupied = {v.date: v for v in found}
    # The course's first day: its start, or a dose before it (premedication on day -1).
    course_start, start = start, min([start, *(v.date for v in found)])
    out = []
    for visit in found:
        reason = closed.reason(visit.date)
        if not reason:
            out.append(visit)
            continue
        if policy is MovePolicy.KEEP:
            out.append(replace(visit, closed=reason, moved=KEPT))
            continue
        day = _open_day(visit.date, closed, 1 if policy is MovePolicy.NEXT else -1)
        other = occupied.get(day)
        if other is not None:
            why = f"{other.where} is already on that day"
        elif day < start:
            why = (
                f"that is before the course starts on {start.isoformat()}"
                if start == course_start
                else f"that is before the course's first dose, on {start.isoformat()}"
            )
        else:
            del occupied[visit.date]
            occupied[day] = visit
            note = f"moved from {visit.date.isoformat()} ({reason}) to the {policy.value} open day"
            out.append(replace(visit, date=day, closed=reason, planned_date=visit.date, moved=note))
            continue
        note = f"not moved to the {policy.value} open day, {day.isoformat()}: {why}; book by hand"
        out.append(replace(visit, closed=reason, moved=note))
    return sorted(out, key=lambda v: v.date)


def _open_day(day: dt.date, closed: ClosedDays, step: int) -> dt.date:
    for n in range(1, _MAX_SEARCH_DAYS + 1):
        candidate = day + dt.timedelta(days=step * n)
        if not closed.reason(candidate):
            return candidate
    raise CourseError(
        f"no open day within {_MAX_SEARCH_DAYS} days of {day.isoformat()}: check the closed days given"
    )
