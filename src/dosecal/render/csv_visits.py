"""Clinic visits as CSV (columns: `dosecal.views.visits.COLUMNS`)."""

from __future__ import annotations

from collections.abc import Iterable

from dosecal.engine.table import weekday
from dosecal.render.csv_table import Profile, number_columns, table
from dosecal.views.visits import COLUMNS, Visit

# chair_minutes_min, chair_minutes_max, cycle and cycle_day: written as numbers.
NUMBERS: frozenset[int] = number_columns(Visit, COLUMNS)


def visit_cells(visit: Visit) -> list[str]:
    """A visit's cells in `COLUMNS` order: lists joined by "; ", statuses by "/" ("held/omitted")."""
    return [
        visit.patient_id,
        visit.visit_id,
        visit.date.isoformat(),
        weekday(visit.date),
        visit.start_time,
        _text(visit.chair_minutes_min),
        _text(visit.chair_minutes_max),
        "; ".join(visit.drugs),
        "; ".join(visit.durations),
        visit.phase,
        str(visit.cycle),
        str(visit.cycle_day),
        "/".join(s.value for s in visit.status),
        "; ".join(visit.not_given),
        visit.closed,
        visit.planned_date.isoformat() if visit.planned_date else "",
        visit.moved,
    ]


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


def render(visits: Iterable[Visit], profile: Profile = Profile.SPREADSHEET) -> str:
    """One header row, then one row per visit."""
    return table(COLUMNS, (visit_cells(v) for v in visits), profile, NUMBERS)
