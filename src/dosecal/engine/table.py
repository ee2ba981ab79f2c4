"""The administration table: one immutable record per dose given.

This is the contract every output relies on (docs/table.md lists it too).
`COLUMNS` is the column order of CSV, JSON and the DataFrame.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from dosecal.model.regimen import format_decimal

if TYPE_CHECKING:
    import pandas as pd

    from dosecal.engine.plan import Plan


@dataclass(frozen=True, slots=True)
class Administration:
    """One drug, one dose, one time slot, on one date."""

    administration_id: str
    date: dt.date
    weekday: str
    phase: str
    cycle: int
    cycle_day: int
    study_day: int
    agent: str
    variant: str
    slot: int
    time: str
    step_up: bool
    dose_amount: Decimal | None
    dose_unit: str
    dose_source: str
    computed_amount: Decimal | None
    computed_unit: str
    dose_basis: str
    dose_change: str  # "", "reduced", "increased", "changed": against the course's planned dose
    route: str
    form: str
    duration_min: int | None
    duration_max: int | None
    order: int
    after: str
    self_administered: bool
    level: str
    status: str  # "planned", "held", "omitted"
    adjustment: str  # the course adjustments behind this row, with their reasons
    source_line: int
    notes: str


COLUMNS: tuple[str, ...] = tuple(Administration.__dataclass_fields__)

# An infusion this long (a 46-hour pump) runs on after the visit it starts at:
# it is not chair time, and the calendar shows it as running on.
CONTINUOUS_MIN = 24 * 60


def cell(value: object) -> str:
    """A value as text, the same way in CSV and JSON-free contexts."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True, slots=True)
class Schedule:
    """An expanded course: the plan it came from and its administrations."""

    plan: Plan
    administrations: tuple[Administration, ...]

    def __iter__(self) -> Iterator[Administration]:
        return iter(self.administrations)

    def __len__(self) -> int:
        return len(self.administrations)

    def text_rows(self) -> Iterator[list[str]]:
        """Each administration as a list of cells in `COLUMNS` order."""
        for a in self.administrations:
            yield [cell(getattr(a, c)) for c in COLUMNS]

    def to_frame(self) -> pd.DataFrame:
        """The table as a pandas DataFrame (imported here, not at start-up)."""
        return to_frame(self.administrations)


def to_frame(rows: Sequence[Administration]) -> pd.DataFrame:
    """DataFrame with typed columns: dates as datetime64, doses as float, ints nullable."""
    import pandas as pd

    data = {c: [getattr(a, c) for a in rows] for c in COLUMNS}
    frame = pd.DataFrame(data, columns=list(COLUMNS))
    frame["date"] = pd.to_datetime(pd.Series([a.date.isoformat() for a in rows], dtype="object"))
    for c in ("dose_amount", "computed_amount"):
        frame[c] = pd.array([float(v) if v is not None else None for v in data[c]], dtype="Float64")
    for c in ("duration_min", "duration_max"):
        frame[c] = pd.array(data[c], dtype="Int64")
    for c in ("cycle", "cycle_day", "study_day", "slot", "order", "source_line"):
        frame[c] = frame[c].astype("int64")
    for c in ("step_up", "self_administered"):
        frame[c] = frame[c].astype("bool")
    return frame
