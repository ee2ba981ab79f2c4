"""Calendar events from the administration table: what a patient's calendar shows.

Pure and independent of the ICS format (render/ics.py writes these events):

- by default, one all-day event a day for the drugs taken at home ("Take:
  pomalidomide, dexamethasone") and one event a day for the clinic visit,
  listing the drugs given there in order with their durations (a drug given
  `with` another starts with it);
- with `per_administration`, one event per administration, for clinic systems.

A clinic visit is timed when a zone and a visit time are given: each drug
starts when the previous one ends (at its longest stated duration). Infusions
of 24 hours or more run on after the visit (a pump) and do not lengthen it.
A drug never starts on another local day than its table row: a visit time
under which one would start after midnight is refused (visit_times.py holds
the times and the rule). Timed events are kept in UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING

from dosecal.engine.identity import EventKind, administration_uid, event_place, event_uid, visit_uid
from dosecal.engine.table import CONTINUOUS_MIN, Administration, DoseChange, Schedule, Status, adjustment_text
from dosecal.model.regimen import Kind, amount_text, format_decimal
from dosecal.views import visit_times
from dosecal.views.visit_times import Step, utc
from dosecal.views.wording import duration_text, own_row

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

_UNSTATED_BLOCK_MIN = 60
_HOME_EVENT_MIN = 15


@dataclass(frozen=True, slots=True)
class CalendarOptions:
    """How the calendar is laid out; all optional."""

    zone: ZoneInfo | None = None
    visit_time: dt.time | None = None
    reminder_minutes: int | None = None  # before a timed visit
    home_time: dt.time | None = None  # home doses as short timed events at this local time
    per_administration: bool = False

    @property
    def timed_visits(self) -> bool:
        return self.zone is not None and self.visit_time is not None


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One event: all-day when `start` is a date, else UTC datetimes."""

    uid: str
    summary: str
    description: str
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime
    category: str
    transparent: bool
    alarm_before_minutes: int | None
    alarm_text: str


def events(schedule: Schedule, options: CalendarOptions) -> list[CalendarEvent]:
    """The calendar's events, in date order (home before clinic on a day)."""
    if options.timed_visits:
        assert options.zone is not None and options.visit_time is not None
        visit_times.check(list(_timed_rows(schedule, options)), options.zone, options.visit_time)
    if options.home_time is not None and options.zone is not None and not options.per_administration:
        takes = (a for a in schedule.administrations if a.self_administered and a.end_date is None)
        firsts = [next(g) for _, g in groupby(takes, key=lambda a: a.date)]
        visit_times.check_home(firsts, options.zone, options.home_time)
    course_id = schedule.plan.course_id
    footer = _footer(schedule)
    out: list[CalendarEvent] = []
    for _, day_rows in groupby(schedule.administrations, key=lambda a: a.date):
        rows = list(day_rows)
        # A home pump is its own event over its days (`_infusion_event`), not a dose to "take".
        home = [a for a in rows if a.self_administered and (a.end_date is None or options.per_administration)]
        clinic = [a for a in rows if not a.self_administered]
        if options.per_administration:
            out += _per_administration(course_id, home, clinic, options, footer)
            continue
        if home:
            out.append(_home_event(course_id, home, options, footer))
        if clinic:
            out.append(_clinic_event(course_id, clinic, options, footer))
        out += [_infusion_event(a, footer) for a in rows if a.end_date is not None]
    return out


def _infusion_event(a: Administration, footer: str) -> CalendarEvent:
    """A continuous infusion over days, as one all-day event over them (besides the visit or the
    home event of the day it starts, which lists it with the day's other drugs)."""
    assert a.end_date is not None
    last = a.cycle_day + a.days - 1
    summary = f"{a.drug} continuous infusion{_short_dose(a)}, days {a.cycle_day}-{last}" + (
        "" if a.status is Status.PLANNED else f" ({a.status.value}: do not give)"
    )
    description = "\n".join([f"{_where(a)} to day {last}", *_detail(a), "", footer])
    kind = "home dose" if a.self_administered else "clinic dose"
    end = a.end_date + dt.timedelta(days=1)
    return CalendarEvent(administration_uid(a.administration_id), summary, description, a.date, end, kind,
                         True, None, summary)  # fmt: skip


def _footer(schedule: Schedule) -> str:
    regimen = schedule.plan.regimen
    lines = [f"Regimen: {regimen.name}, {regimen.title}"]
    lines += [f"Source: {s}" for s in regimen.sources]
    if schedule.plan.level:
        lines.append(f"Dose level: {schedule.plan.level.name}")
    if schedule.plan.course.option:
        lines.append(f"Option: {schedule.plan.course.option}")
    lines.append("Made with dosecal from the regimen as written; check it against the protocol.")
    return "\n".join(lines)


def dose_words(a: Administration) -> str:
    """'4 mg', '75 mg/m2 = 136.5 mg', or words saying the dose is not stated; a continuous infusion
    over days by its dose a day: '100 mg/m2/day = 182 mg/day for 7 days (1274 mg in all)'."""
    ranged = range_words(a)
    if a.dose_amount is None:
        if ranged:
            return f"{ranged}: take the dose your care team prescribed within it"
        return "dose not stated in the regimen: use the dose your care team prescribed"
    if ranged:  # supplied within the range the regimen states
        return f"{amount_text(a.dose_amount, a.dose_unit)} (the regimen states {ranged})"
    if a.rate_amount is not None:
        return _rate_words(a)
    prescribed = amount_text(a.dose_amount, a.dose_unit)
    if a.computed_amount is None or a.dose_unit == a.computed_unit:
        return prescribed
    return f"{prescribed} = {amount_text(a.computed_amount, a.computed_unit)}{made_of_words(a)}"


def range_words(a: Administration) -> str:
    """'400 to 1000 mcg': a dose the regimen states as a range, or '' for any other."""
    if a.dose_min is None or a.dose_max is None:
        return ""
    return f"{format_decimal(a.dose_min)} to {amount_text(a.dose_max, a.dose_unit)}"


def _rate_words(a: Administration) -> str:
    assert a.rate_amount is not None and a.dose_amount is not None
    rate = amount_text(a.rate_amount, a.rate_unit)
    if a.computed_rate is None or a.computed_amount is None:
        return f"{rate} for {a.days} days ({amount_text(a.dose_amount, a.dose_unit)} in all)"
    computed = f"{amount_text(a.computed_rate, a.computed_unit)}/day"
    given = rate if computed == rate else f"{rate} = {computed}"
    return f"{given} for {a.days} days ({amount_text(a.computed_amount, a.computed_unit)} in all)"


def made_of_words(a: Administration) -> str:
    """' (3 x 500 mg + 5 x 150 mg tablets)': the units that make a dose rounded to strengths."""
    if a.made_of is None:
        return ""
    unit = a.computed_unit.removesuffix("/day")  # a tablet is 50 mg, also of a dose a day
    pieces = " + ".join(f"{n} x {amount_text(size, unit)}" for size, n in a.made_of.units)
    return f" ({pieces} {a.made_of_form})".replace(" )", ")")


def _short_dose(a: Administration) -> str:
    if a.computed_rate is not None:
        return f" {amount_text(a.computed_rate, a.computed_unit)}/day"
    if a.rate_amount is not None:
        return f" {amount_text(a.rate_amount, a.rate_unit)}"
    if a.computed_amount is not None:
        return f" {amount_text(a.computed_amount, a.computed_unit)}"
    if a.dose_amount is not None:
        return f" {amount_text(a.dose_amount, a.dose_unit)}"
    if a.dose_min is not None:
        return f" {range_words(a)}"
    return ""


def _names(rows: Sequence[Administration]) -> str:
    """'capecitabine 1820 mg x2, oxaliplatin 236.6 mg': one entry per drug, in order."""
    parts: list[str] = []
    for _, group in groupby(rows, key=lambda a: (a.agent, a.variant)):
        doses = list(group)
        times = f" x{len(doses)}" if len(doses) > 1 else ""
        parts.append(f"{doses[0].drug}{_short_dose(doses[0])}{times}")
    return ", ".join(parts)


def _detail(a: Administration, prefix: str = "") -> list[str]:
    # A radiotherapy fraction has no route (language/kinds.py): not one left unstated.
    bits = [a.route or "route not stated"] if a.kind is Kind.DRUG else []
    if a.form:
        bits.append(a.form)
    if a.end_date is not None:
        bits.append(f"days {a.cycle_day}-{a.cycle_day + a.days - 1}, to {a.end_date.isoformat()}")
    elif a.duration_min is not None:
        bits.append(duration_text(a.duration_min, a.duration_max or 0))
    if a.after:
        bits.append(f"after {a.after}")
    if a.given_with:
        bits.append(f"started with {a.given_with}")
    if a.step_up:
        bits.append("step-up dose")
    if a.time:
        bits.append(f"at {a.time}")
    if a.dose_change is not DoseChange.NONE:
        bits.append(f"dose {a.dose_change.value}")
    said = f"; {', '.join(bits)}" if bits else ""
    lines = [f"{prefix}{a.drug}: {dose_words(a)}{said}"]
    if a.adjustment:
        lines.append(f"   changed by the course: {adjustment_text(a.adjustment)}")
    if a.computed_amount is not None and a.dose_basis:
        lines.append(f"   computed: {a.dose_basis}")
    if a.notes:
        lines.append(f"   {a.notes}")
    return lines


def _where(a: Administration) -> str:
    phase = f"{a.phase} phase, " if a.phase else ""
    cycle = "" if a.run else f"cycle {a.cycle}, "
    return f"{phase}{cycle}day {a.cycle_day} (study day {a.study_day})"


def _home_event(
    course_id: str, rows: list[Administration], options: CalendarOptions, footer: str
) -> CalendarEvent:
    first = own_row(rows)
    given, withheld = _split(rows)
    lines = (
        [f"Take at home today, {_where(first)}:"] if given else [f"Nothing to take today, {_where(first)}."]
    )
    for a in given:
        lines += _detail(a, "- ")
    description = "\n".join([*lines, *_not_given(withheld), "", footer])
    summary = f"Take: {_names(given)}" if given else f"Do not take: {_names(withheld)}"
    uid = event_uid(course_id, event_place(first.phase, first.cycle, first.cycle_day, EventKind.HOME))
    if options.home_time is not None and options.zone is not None:
        start = utc(first.date, options.home_time, options.zone)
        return CalendarEvent(
            uid,
            summary,
            description,
            start,
            start + dt.timedelta(minutes=_HOME_EVENT_MIN),
            "home dose",
            True,
            0,
            summary,
        )
    return _all_day(uid, summary, description, first.date, "home dose")


def _split(rows: Sequence[Administration]) -> tuple[list[Administration], list[Administration]]:
    """Doses to give, and doses the course holds or omits."""
    given = [a for a in rows if a.status is Status.PLANNED]
    return given, [a for a in rows if a.status is not Status.PLANNED]


def _not_given(rows: Sequence[Administration]) -> list[str]:
    return [f"Not given: {a.agent} ({a.status.value}). {adjustment_text(a.adjustment)}" for a in rows]


def _all_day(uid: str, summary: str, description: str, day: dt.date, category: str) -> CalendarEvent:
    """A one-day event that does not block the day (no time is known)."""
    return CalendarEvent(
        uid, summary, description, day, day + dt.timedelta(days=1), category, True, None, summary
    )


def _clinic_event(
    course_id: str, rows: list[Administration], options: CalendarOptions, footer: str
) -> CalendarEvent:
    first = own_row(rows)
    uid = visit_uid(course_id, first.phase, first.cycle, first.cycle_day)
    rows, withheld = _split(rows)
    if not rows:  # the event keeps its UID, so a regenerated calendar replaces the visit
        description = "\n".join([f"No treatment, {_where(first)}.", *_not_given(withheld), "", footer])
        return _all_day(uid, f"Not given: {_names(withheld)}", description, first.date, "clinic visit")
    footer = "\n".join([*_not_given(withheld), "", footer]) if withheld else footer
    summary = f"Clinic: {_names(rows)}"
    lines = [f"Clinic visit, {_where(first)}. In the order given:"]
    if not options.timed_visits:
        for n, a in enumerate(rows, start=1):
            lines += _detail(a, f"{n}. ")
        description = "\n".join([*lines, "", footer])
        return _all_day(uid, summary, description, first.date, "clinic visit")
    assert options.zone is not None and options.visit_time is not None
    steps = visit_times.steps(rows, options.zone, options.visit_time)
    start = steps[0][1]
    for n, (a, begins) in enumerate(steps, start=1):
        local = begins.astimezone(options.zone).strftime("%H:%M")
        lines += _detail(a, f"{n}. {local} ")
    end, note = _visit_end(steps, start)
    if note:
        lines.append(note)
    lines.append(f"Times are local to {options.zone.key}.")
    description = "\n".join([*lines, "", footer])
    return CalendarEvent(
        uid, summary, description, start, end, "clinic visit", False, options.reminder_minutes, summary
    )


def _timed_rows(schedule: Schedule, options: CalendarOptions) -> Iterator[list[Administration]]:
    """Each visit's drugs as the chosen layout times them (one event a visit times only doses given)."""
    clinic = [a for a in schedule.administrations if not a.self_administered]
    for _, day in groupby(clinic, key=lambda a: a.date):
        rows = list(day)
        timed = rows if options.per_administration else _split(rows)[0]
        if timed:
            yield timed


def _visit_end(steps: list[Step], start: dt.datetime) -> tuple[dt.datetime, str]:
    # The last to end: the last drug, or one given with it that runs longer (`with`).
    end = max(
        (at + dt.timedelta(minutes=a.duration_max or 0) for a, at in steps if not a.runs_on),
        default=steps[-1][1],
    )
    end = max(end, steps[-1][1])
    notes = []
    if any(a.duration_max is None for a, _ in steps):
        notes.append("A drug's infusion time is not stated in the regimen; the visit may take longer.")
    for a, at in steps:
        if a.runs_on:
            until = (at + dt.timedelta(minutes=a.duration_max or 0)).strftime("%Y-%m-%d %H:%M UTC")
            notes.append(f"{a.agent} runs on after the visit, until {until}.")
    if end <= start:
        end = start + dt.timedelta(minutes=_UNSTATED_BLOCK_MIN)
        notes.append(f"No infusion time is stated; the calendar shows {_UNSTATED_BLOCK_MIN} minutes.")
    return end, " ".join(notes)


def _per_administration(
    course_id: str,
    home: list[Administration],
    clinic: list[Administration],
    options: CalendarOptions,
    footer: str,
) -> list[CalendarEvent]:
    out = []
    timed: dict[str, dt.datetime] = {}
    if clinic and options.timed_visits:
        assert options.zone is not None and options.visit_time is not None
        steps = visit_times.steps(clinic, options.zone, options.visit_time)
        timed = {a.administration_id: at for a, at in steps}
    for a in [*home, *clinic]:
        place = f"{_where(a)}; dose {a.order} of {len(home) + len(clinic)} on the day"
        description = "\n".join([place, *_detail(a), "", footer])
        summary = f"{a.agent}{_short_dose(a)}" + (
            "" if a.status is Status.PLANNED else f" ({a.status.value}: do not give)"
        )
        uid = administration_uid(a.administration_id)
        kind = "home dose" if a.self_administered else "clinic dose"
        if a.administration_id in timed:
            begins = timed[a.administration_id]
            minutes = a.duration_max or _UNSTATED_BLOCK_MIN
            out.append(
                CalendarEvent(
                    uid,
                    summary,
                    description,
                    begins,
                    begins + dt.timedelta(minutes=minutes),
                    kind,
                    False,
                    options.reminder_minutes,
                    summary,
                )
            )
            continue
        out.append(
            CalendarEvent(
                uid,
                summary,
                description,
                a.date,
                a.date + dt.timedelta(days=_days_touched(a)),
                kind,
                True,
                None,
                summary,
            )
        )
    return out


def _days_touched(a: Administration) -> int:
    """Days an all-day event must cover: a 46-hour infusion started any time on day 1 ends by day 3;
    a continuous infusion over days, the days the protocol counts for it."""
    if a.end_date is not None:
        return a.days
    minutes = a.duration_max or 0
    return 1 + -(-minutes // CONTINUOUS_MIN) if a.runs_on else 1
