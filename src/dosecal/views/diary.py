"""The drug diary's content: what a patient ticks off, cycle by cycle.

Pure and independent of PDF (render/pdf_diary.py draws it). Only drugs the
patient takes at home (`self_administered`) get rows; clinic drugs appear
only on the month views. Every dose shown comes from the administration
table: an unstated dose is a blank for the clinic to fill in, never a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from dosecal.engine.table import Administration, DoseChange, Schedule, Status
from dosecal.model.regimen import Agent, amount_text
from dosecal.text import counted
from dosecal.views.events import dose_words, range_words
from dosecal.views.wording import days_text

BLANK = "______"
_NOT_STATED = "not stated in the regimen: your care team writes it here"
_PER_DAY = {1: "once a day", 2: "twice a day", 3: "three times a day", 4: "four times a day"}


@dataclass(frozen=True, slots=True)
class Column:
    """One dose a day of one home drug: a tick box and a time in each row."""

    key: str  # drug key, as in the regimen
    slot: int
    heading: str  # "pomalidomide", or "capecitabine, dose 1 of 2"
    field: str  # part of every form field name in this column


@dataclass(frozen=True, slots=True)
class Cell:
    dose: str  # "4 mg", "75 mg/m2 = 136.5 mg", or BLANK
    time: str  # a clock time the regimen states, else ""
    given: bool  # False: held or omitted by the course: "do not take"
    note: str  # "held", "omitted", "dose reduced", ...


@dataclass(frozen=True, slots=True)
class Row:
    cycle_day: int
    date: dt.date
    cells: tuple[Cell | None, ...]  # by column; None: no dose of that column that day
    field: str  # prefix of the row's form fields


@dataclass(frozen=True, slots=True)
class DrugInstructions:
    name: str
    how: str  # "capsule, by mouth (PO)"
    dose: str
    dose_stated: bool
    computed: tuple[str, ...]  # how each computed dose was computed
    when: str  # "once a day on days 1-21 of this cycle"
    notes: tuple[str, ...]
    missed_dose: str | None
    # Beside the dose field to fill in when the dose is not stated: why it is blank.
    blank_note: str = ""


@dataclass(frozen=True, slots=True)
class Sheet:
    """One cycle's diary pages."""

    title: str  # "Cycle 2" or "Maintenance, cycle 2"
    start: dt.date
    field: str  # prefix of the sheet's form fields: "c2", "maintenance-c2"
    drugs: tuple[DrugInstructions, ...]
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    changes: tuple[str, ...]  # what the course's adjustments behind this cycle's home doses did, and why


@dataclass(frozen=True, slots=True)
class MonthDay:
    home: bool
    clinic: bool
    label: str  # "C1 D1"


@dataclass(frozen=True, slots=True)
class Month:
    year: int
    month: int
    days: dict[int, MonthDay]


@dataclass(frozen=True, slots=True)
class Diary:
    regimen: str  # "nct05922501: Isatuximab + ..."
    sources: tuple[str, ...]
    participant: str | None
    sheets: tuple[Sheet, ...]
    months: tuple[Month, ...]


def slug(text: str) -> str:
    """A form-field-safe name: 'belantamab mafodotin' -> 'belantamab-mafodotin'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def cell_dose(a: Administration) -> str:
    """What a row says to take: the computed dose if there is one, else as prescribed, else a blank."""
    if a.dose_amount is None:
        return BLANK  # a range too: the instructions above the table say it (`blank_note`)
    if a.rate_amount is not None:  # a continuous infusion over days: its dose a day
        if a.computed_rate is None:
            return amount_text(a.rate_amount, a.rate_unit)
        return f"{amount_text(a.computed_rate, a.computed_unit)}/day"
    prescribed = amount_text(a.dose_amount, a.dose_unit)
    if a.computed_amount is not None and a.computed_unit != a.dose_unit:
        return amount_text(a.computed_amount, a.computed_unit)
    return prescribed


def build(schedule: Schedule, participant: str | None = None) -> Diary:
    regimen = schedule.plan.regimen
    agents = {(p.name or "", a.key): a for p in regimen.phases for a in p.agents}
    # A drug given over the whole course is on the sheet of each cycle its days fall in.
    agents |= {(p.name or "", a.key): a for p in regimen.phases for a in regimen.course_agents}
    rows = schedule.administrations
    sheets = []
    starts = {
        (regimen.phases[p.index].name or "", cycle): start
        for p in schedule.plan.phases
        for cycle, start in enumerate(p.starts, 1)
    }
    # By cycle, not by runs of rows: a day before day 1 of cycle 2 may be dated among cycle 1's days.
    by_cycle: dict[tuple[str, int], list[Administration]] = {}
    for a in rows:
        by_cycle.setdefault((a.phase, a.cycle), []).append(a)
    for phase, cycle in (k for k in starts if k in by_cycle):  # in the course's order of cycles
        home = [a for a in by_cycle[(phase, cycle)] if a.self_administered]
        if home:
            sheets.append(_sheet(phase, cycle, starts[(phase, cycle)], home, agents))
    return Diary(
        f"{regimen.name}: {regimen.title}", regimen.sources, participant, tuple(sheets), _months(rows)
    )


def _sheet(
    phase: str,
    cycle: int,
    start: dt.date,
    home: list[Administration],
    agents: dict[tuple[str, str], Agent],
) -> Sheet:
    field = f"{slug(phase)}-c{cycle}" if phase else f"c{cycle}"
    keys = list(dict.fromkeys(a.drug for a in home))
    slots = {k: max(a.slot for a in home if a.drug == k) for k in keys}
    columns = tuple(
        Column(k, s, k if slots[k] == 1 else f"{k}, dose {s} of {slots[k]}", f"{slug(k)}-{s}")
        for k in keys
        for s in range(1, slots[k] + 1)
    )
    rows = []
    for day, group in groupby(home, key=lambda a: a.cycle_day):
        doses = {(a.drug, a.slot): a for a in group}
        cells = tuple(_cell(doses[(c.key, c.slot)]) if (c.key, c.slot) in doses else None for c in columns)
        date = next(iter(doses.values())).date  # a day before day 1 is dated by the phase's numbering
        rows.append(Row(day, date, cells, f"{field}-d{day}"))
    drugs = tuple(_instructions(k, [a for a in home if a.drug == k], agents[(phase, k)]) for k in keys)
    title = _title(phase, cycle, home[0].run)
    changes = tuple(c.text for c in dict.fromkeys(c for a in home for c in a.adjustment))
    return Sheet(title, start, field, drugs, columns, tuple(rows), changes)


# What a month's day can hold on its line: "Pelvis D12" (longer phase names give way to "D12").
_MARK_CHARS = 10


def _mark(a: Administration) -> str:
    """A month day's place: 'C2 D8'; a run without cycles by its day, with its phase's name where
    the phase after it starts again from day 1 (the boost's day 3 after the pelvis's day 33)."""
    if not a.run:
        return f"C{a.cycle} D{a.cycle_day}"
    named = f"{a.phase.capitalize()} D{a.cycle_day}"
    return named if a.phase and len(named) <= _MARK_CHARS else f"D{a.cycle_day}"


def _title(phase: str, cycle: int, run: bool) -> str:
    """'Cycle 2', 'Maintenance, cycle 2'; a phase without cycles by its name alone ('Pelvis phase')."""
    if run:
        return f"{phase.capitalize()} phase" if phase else "Treatment"
    return f"{phase.capitalize()}, cycle {cycle}" if phase else f"Cycle {cycle}"


def _cell(a: Administration) -> Cell:
    if a.status is not Status.PLANNED:
        return Cell(cell_dose(a), a.time, False, a.status.value)
    notes = [f"dose {a.dose_change.value}"] if a.dose_change is not DoseChange.NONE else []
    if a.end_date is not None:
        notes.append(f"to day {a.cycle_day + a.days - 1}")
    return Cell(cell_dose(a), a.time, True, ", ".join(notes))


def _instructions(key: str, rows: Sequence[Administration], agent: Agent) -> DrugInstructions:
    route = {"PO": "by mouth (PO)", "SC": "under the skin (SC)", "SL": "under the tongue (SL)"}.get(
        agent.route or "", agent.route or "route not stated"
    )
    how = ", ".join(x for x in (agent.form, route) if x)
    rows = [a for a in rows if a.status is Status.PLANNED] or list(rows)  # the dose to take, not a held one
    doses = list(dict.fromkeys(dose_words(a) for a in rows))
    stated = not any(a.dose_amount is None for a in rows)
    computed = tuple(
        dict.fromkeys(
            a.dose_basis for a in rows if a.computed_amount is not None and a.computed_unit != a.dose_unit
        )
    )
    dose = " or ".join(doses) + "  (as on each row)" if len(doses) > 1 else doses[0]
    per_day = max(a.slot for a in rows)
    days = tuple(sorted({a.cycle_day for a in rows}))
    often = _PER_DAY.get(per_day, f"{per_day} times a day")
    within = ("of this phase" if rows[0].phase else "from the start") if rows[0].run else "of this cycle"
    when = f"{often} on {days_text(days)} {within} ({counted(len(days), 'day')})"
    if any(a.end_date is not None for a in rows):  # a drug's form is one: every row runs over days
        runs = " and ".join(f"{a.cycle_day}-{a.cycle_day + a.days - 1}" for a in rows)
        when = f"a continuous infusion over days {runs} of this cycle ({sum(a.days for a in rows)} days)"
    ranges = list(
        dict.fromkeys(range_words(a) for a in rows if a.dose_amount is None and a.dose_min is not None)
    )
    blank = (
        f"stated as {' or '.join(ranges)}: your care team writes it here"
        if ranges
        else ""
        if stated
        else _NOT_STATED
    )
    return DrugInstructions(key, how, dose, stated, computed, when, agent.notes, agent.missed_dose, blank)


def _months(rows: Sequence[Administration]) -> tuple[Month, ...]:
    """Every month from the first dose to the last, with the days that have doses marked."""
    if not rows:
        return ()
    marks: dict[dt.date, MonthDay] = {}
    for date, group in groupby(rows, key=lambda a: a.date):
        day_rows = list(group)
        first = day_rows[0]
        label = _mark(first)
        marks[date] = MonthDay(
            any(a.self_administered for a in day_rows), any(not a.self_administered for a in day_rows), label
        )
    months = []
    year, month = rows[0].date.year, rows[0].date.month
    while (year, month) <= (rows[-1].date.year, rows[-1].date.month):
        days = {d.day: m for d, m in marks.items() if (d.year, d.month) == (year, month)}
        months.append(Month(year, month, days))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(months)
