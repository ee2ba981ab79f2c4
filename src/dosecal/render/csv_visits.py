"""Clinic visits as CSV (columns: `dosecal.views.visits.COLUMNS`)."""

from __future__ import annotations

from collections.abc import Iterable

from dosecal.render.csv_table import Profile, number_columns, table
from dosecal.views.visits import COLUMNS, Visit

# chair_minutes_min, chair_minutes_max, cycle and cycle_day: written as numbers.
NUMBERS: frozenset[int] = number_columns(Visit, COLUMNS)


def render(visits: Iterable[Visit], profile: Profile = Profile.SPREADSHEET) -> str:
    """One header row, then one row per visit."""
    return table(COLUMNS, (v.cells() for v in visits), profile, NUMBERS)
