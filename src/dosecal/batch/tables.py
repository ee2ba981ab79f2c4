"""The roster's combined tables, fast: many patients on the same regimen and course shape.

Two patients whose courses differ only in their start date and identity
have the same administrations, shifted by the days between their starts:
cycle lengths, delays, holds, level and dose changes all count in days from
cycle 1 day 1, never in calendar dates. So a course *shape* (the regimen and
the course without start and id) is expanded once, for the first patient
that has it; every other patient of that shape gets its rows by shifting the
dates and hashing its own ids. The result is byte for byte what expanding
each patient would give (tests/batch/test_batch.py holds the two side by side).

Courses whose dates do not shift (an `until` date horizon, a cycle started
on a given date) are expanded one by one. No clock, no files: the caller
writes the text this module returns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from dosecal.engine.expand import expand_with_identities
from dosecal.engine.identity import COURSE_PLACE, EventKind, administration_ids, event_place, event_uids
from dosecal.engine.table import COLUMNS, Administration, Schedule, weekday
from dosecal.model.adjust import StartOn
from dosecal.model.course import Course, check_dates
from dosecal.model.regimen import Regimen
from dosecal.render.csv_table import EOL, Profile, number_columns, record, row_cells
from dosecal.render.csv_table import field as csv_field
from dosecal.render.csv_visits import visit_cells
from dosecal.views.visits import COLUMNS as VISIT_COLUMNS
from dosecal.views.visits import KEPT, ClosedDays, MovePolicy, Visit, check_closed, visits

TABLE_COLUMNS: tuple[str, ...] = ("patient_id", *COLUMNS)
# A row's cells that do not change with the start date: all after its id, date, weekday, end_date.
_TAIL = COLUMNS.index("end_date") + 1
# The number columns, by position: of a whole record, and of the tails that a
# shape keeps (what follows the weekday; a visit's start_time to not_given).
_NUMBERS = number_columns(Administration, TABLE_COLUMNS)
_VISIT_NUMBERS = number_columns(Visit, VISIT_COLUMNS)
_TAIL_NUMBERS = number_columns(Administration, COLUMNS[_TAIL:])
_VISIT_TAIL_NUMBERS = number_columns(Visit, VISIT_COLUMNS[4:14])
# uuid5's variant nibble: the top two bits of byte 8 become 10.


@dataclass(frozen=True, slots=True)
class _Shape:
    """One expansion, kept as what changes from patient to patient and what does not."""

    start: dt.date
    offsets: tuple[int, ...]  # each row's date, in days from the start
    ends: tuple[int | None, ...]  # each row's end_date (a continuous infusion's), in days from the start
    places: tuple[bytes, ...]  # what each row's id hashes after the course id
    tails: tuple[str, ...]  # each row's CSV text after the weekday, EOL included
    visits: tuple[Visit, ...]  # the clinic visits of the template patient
    visit_tails: tuple[str, ...]  # each visit's CSV text from start_time to not_given
    visit_places: tuple[bytes, ...]  # what each visit's UID hashes after the course id
    visit_offsets: tuple[int, ...]
    # The course's first dose, in days from the start: its phases' first, not a dose over the whole
    # course (vitamins begun before it), as `expand` checks a creatinine's date against it.
    first_dose: int | None = None


@dataclass
class CombinedTables:
    """The roster's combined tables as CSV text, one patient at a time."""

    profile: Profile
    visit_time: dt.time | None = None
    closed: ClosedDays | None = None
    policy: MovePolicy = MovePolicy.KEEP
    _shapes: dict[tuple[Regimen, Course, int | None], _Shape] = field(default_factory=dict)
    _days: dict[int, str] = field(default_factory=dict)  # ",date,weekday" by ordinal

    def patient(self, patient_id: str, regimen: Regimen, course: Course) -> tuple[str, str, int]:
        """Administration records, visit records (CSV text, no header) and how many visits fall
        on closed days; `CourseError` if the course is wrong."""
        if course.until is not None or any(isinstance(a, StartOn) for a in course.adjustments):
            return self._one_by_one(patient_id, regimen, course)
        # Patients with the same course but its start share one expansion, shifted to their start;
        # days of the week (`Monday to Friday`) fall alike only from the same day of the week.
        weekday = course.start.weekday() if regimen.by_weekday else None
        key = (regimen, replace(course, start=dt.date.min, course_id=None), weekday)
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shapes[key] = self._shape(regimen, course)
        # The first dose may come before the start (`day -1`): the shape's first row says when.
        first = shape.first_dose
        check_dates(course, course.start + dt.timedelta(days=first) if first is not None else None)
        course_id = course.course_id or regimen.name
        visits_text, closed = self._visits(patient_id, course_id, course.start, shape)
        return self._records(patient_id, course_id, course.start, shape), visits_text, closed

    def _one_by_one(self, patient_id: str, regimen: Regimen, course: Course) -> tuple[str, str, int]:
        the_plan, rows = expand_with_identities(regimen, course)
        schedule = Schedule(the_plan, tuple(a for a, _ in rows))
        text = "".join(self._record(patient_id, a) for a, _ in rows)
        found = visits(schedule, patient_id, self.visit_time, self.closed, self.policy)
        return text, self._visit_records(found), sum(1 for v in found if v.closed)

    def _record(self, patient_id: str, a: Administration) -> str:
        return record([patient_id, *row_cells(a)], self.profile, _NUMBERS)

    def _visit_records(self, found: list[Visit]) -> str:
        return "".join(record(visit_cells(v), self.profile, _VISIT_NUMBERS) for v in found)

    def _shape(self, regimen: Regimen, course: Course) -> _Shape:
        the_plan, rows = expand_with_identities(regimen, course)
        schedule = Schedule(the_plan, tuple(a for a, _ in rows))
        template = tuple(visits(schedule, "", self.visit_time))
        return _Shape(
            start=course.start,
            offsets=tuple((a.date - course.start).days for a, _ in rows),
            ends=tuple((a.end_date - course.start).days if a.end_date else None for a, _ in rows),
            places=tuple(place.encode("utf-8") for _, place in rows),
            tails=tuple(self._tail(row_cells(a)[_TAIL:], _TAIL_NUMBERS) + EOL for a, _ in rows),
            visits=template,
            visit_tails=tuple(self._tail(visit_cells(v)[4:14], _VISIT_TAIL_NUMBERS) for v in template),
            visit_places=tuple(
                event_place(v.phase, v.cycle, v.cycle_day, EventKind.CLINIC).encode() for v in template
            ),
            visit_offsets=tuple((v.date - course.start).days for v in template),
            first_dose=next(
                ((a.date - course.start).days for a, place in rows if not place.startswith(COURSE_PLACE)),
                None,
            ),
        )

    def _tail(self, cells: list[str], numbers: frozenset[int]) -> str:
        return "".join("," + csv_field(c, self.profile, i in numbers) for i, c in enumerate(cells))

    def _records(self, patient_id: str, course_id: str, start: dt.date, shape: _Shape) -> str:
        """The shape's rows for one patient: its own ids, its own dates."""
        prefix = csv_field(patient_id, self.profile) + ","
        ids = administration_ids(course_id, shape.places)
        first = start.toordinal()
        days = self._day_cells(first, shape.offsets)
        ends = [_end_cell(first, e) for e in shape.ends]
        rows = zip(ids, days, ends, shape.tails, strict=True)
        return "".join([f"{prefix}{i}{d}{e}{t}" for i, d, e, t in rows])

    def _day_cells(self, first: int, offsets: tuple[int, ...]) -> list[str]:
        """ ",YYYY-MM-DD,Wkd" for each offset from the ordinal `first`; each date formatted once a run."""
        cache = self._days
        out = []
        for offset in offsets:
            text = cache.get(first + offset)
            if text is None:
                text = cache[first + offset] = _date_cells(dt.date.fromordinal(first + offset))
            out.append(text)
        return out

    def _visits(self, patient_id: str, course_id: str, start: dt.date, shape: _Shape) -> tuple[str, int]:
        """The shape's visits for one patient, as text; as `Visit`s only when one must move."""
        first = start.toordinal()
        ordinals = [first + o for o in shape.visit_offsets]
        reasons = [self.closed.reason(dt.date.fromordinal(d)) for d in ordinals] if self.closed else []
        ids = event_uids(course_id, shape.visit_places)
        if any(reasons) and self.policy is not MovePolicy.KEEP:
            found = [
                replace(v, patient_id=patient_id, visit_id=i, date=dt.date.fromordinal(d))
                for v, i, d in zip(shape.visits, ids, ordinals, strict=True)
            ]
            checked = check_closed(found, self.closed or ClosedDays(), self.policy, start)
            return self._visit_records(checked), sum(1 for v in checked if v.closed)
        prefix = csv_field(patient_id, self.profile) + ","
        days = self._day_cells(first, shape.visit_offsets)
        ends = [self._closed_end(r) for r in reasons] if any(reasons) else [",,,"] * len(ids)
        text = "".join(
            [
                f"{prefix}{i}{d}{tail}{end}{EOL}"
                for i, d, tail, end in zip(ids, days, shape.visit_tails, ends, strict=True)
            ]
        )
        return text, sum(1 for r in reasons if r)

    def _closed_end(self, reason: str) -> str:
        """The closed, planned_date and moved cells of a visit kept where it is."""
        if not reason:
            return ",,,"
        return f",{csv_field(reason, self.profile)},,{csv_field(KEPT, self.profile)}"


def _end_cell(first: int, offset: int | None) -> str:
    """A row's end_date cell: a continuous infusion's last day, else empty."""
    return "," if offset is None else f",{dt.date.fromordinal(first + offset).isoformat()}"


def _date_cells(day: dt.date) -> str:
    return f",{day.isoformat()},{weekday(day)}"
