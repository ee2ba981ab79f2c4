"""The administration table: one immutable record per dose given.

This is the contract every output relies on (docs/table.md lists it too).
`COLUMNS` is the column order of CSV, JSON and the DataFrame. A row is
typed (`Status`, `Change`); `values` gives it as the contract's columns
have it, for the DataFrame and every renderer.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from dosecal.model.regimen import Kind, drug_key
from dosecal.model.strengths import Combination

if TYPE_CHECKING:
    import pandas as pd

    from dosecal.engine.plan import Plan


# The `weekday` column (docs/table.md); every output that shows a weekday short uses these.
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Status(enum.StrEnum):
    """Whether a dose is given. The value is the `status` column's text.

    A `str` enum, so that code written when the column was a plain string
    (`row.status == "held"`) keeps working; dosecal itself compares members.
    """

    PLANNED = "planned"
    HELD = "held"  # the course holds it: not given now, the drug goes on
    OMITTED = "omitted"  # the course leaves it out


class DoseChange(enum.StrEnum):
    """How a row's dose differs from the course's planned dose (a level or dose change); the value
    is the `dose_change` column's text. A `str` enum, as `Status` is."""

    NONE = ""
    REDUCED = "reduced"
    INCREASED = "increased"
    CHANGED = "changed"  # not comparable: another unit, or a dose stated where none was


@dataclass(frozen=True, slots=True)
class Change:
    """One course adjustment behind a row: its course line and what it did, with why."""

    line: int
    text: str  # "cycle 3 delayed 7 days (ANC 0.8)"


@dataclass(frozen=True, slots=True)
class Administration:
    """One drug, one dose, one time slot, on one date."""

    administration_id: str
    date: dt.date
    weekday: str
    end_date: dt.date | None  # a continuous infusion over days: the last day it runs
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
    # A dose the regimen states as a range (400 to 1000 mcg), in `dose_unit`: its ends. The range
    # stays on the row when the clinic gives the dose within it (`dose_amount`, --dose).
    dose_min: Decimal | None
    dose_max: Decimal | None
    rate_amount: Decimal | None  # a continuous infusion's dose a day, as prescribed (100 mg/m2/day)
    rate_unit: str
    dose_source: str
    computed_amount: Decimal | None
    computed_unit: str
    dose_basis: str
    dose_change: DoseChange  # against the course's planned dose
    route: str
    form: str
    duration_min: int | None
    duration_max: int | None
    order: int
    after: str
    self_administered: bool
    level: str
    status: Status
    adjustment: tuple[Change, ...]  # the course adjustments behind this row, in the course's order
    source_line: int
    notes: str
    # Not a column (the basis says it in words): the units of the strengths that make the computed
    # dose, for the diary's instructions ("3 x 500 mg + 5 x 150 mg tablets"), and their form.
    made_of: Combination | None = None
    made_of_form: str = ""
    # The table's last column, added after the others so that a reader of columns by position
    # reads them as before: a drug, or a radiotherapy fraction (docs/table.md).
    kind: Kind = Kind.DRUG
    # The drug this one starts together with (`with` in the regimen), with its label; after `kind`,
    # for the same reason.
    given_with: str = ""
    # Not a column (`cycle` is 1, `cycle_day` the day from the start): the row's phase has no
    # cycles, so views say its place as a day alone (docs/language.md §34).
    run: bool = False

    @property
    def drug(self) -> str:
        """The drug with its label, as the regimen names it: 'fluorouracil (bolus)' (`drug_key`)."""
        return drug_key(self.agent, self.variant or None)

    @property
    def days(self) -> int:
        """The days a continuous infusion over days runs (from `date` to `end_date`); else 1."""
        return (self.end_date - self.date).days + 1 if self.end_date else 1

    @property
    def computed_rate(self) -> Decimal | None:
        """A continuous infusion's computed dose a day (the total over its days), in `computed_unit`
        a day; the total is that dose times the days, so this is exact."""
        if self.end_date is None or self.computed_amount is None:
            return None
        return self.computed_amount / self.days

    @property
    def runs_on(self) -> bool:
        """An infusion of `CONTINUOUS_MIN` or more (a pump): it runs on after the visit it starts at."""
        return self.duration_max is not None and self.duration_max >= CONTINUOUS_MIN


# Every field is a column but the ones only views read (`made_of`).
_NOT_COLUMNS = ("made_of", "made_of_form", "run")
COLUMNS: tuple[str, ...] = tuple(f for f in Administration.__dataclass_fields__ if f not in _NOT_COLUMNS)

# An infusion this long (a 46-hour pump) runs on after the visit it starts at:
# it is not chair time, and the calendar shows it as running on (`Administration.runs_on`).
CONTINUOUS_MIN = 24 * 60


# A column's value as the contract has it (docs/table.md): what `values` gives.
Value = str | int | bool | Decimal | dt.date | None
_STATUS = COLUMNS.index("status")
_DOSE_CHANGE = COLUMNS.index("dose_change")
_ADJUSTMENT = COLUMNS.index("adjustment")
_KIND = COLUMNS.index("kind")


def adjustment_text(changes: Iterable[Change]) -> str:
    """The `adjustment` column: each change as 'course line N: what (why)', joined by '; '."""
    return "; ".join(f"course line {c.line}: {c.text}" for c in changes)


def values(a: Administration) -> list[Value]:
    """The row in `COLUMNS` order as the contract has it: the status and the adjustments as text."""
    row: list[Value] = [getattr(a, c) for c in COLUMNS]
    row[_STATUS] = a.status.value
    row[_DOSE_CHANGE] = a.dose_change.value
    row[_ADJUSTMENT] = adjustment_text(a.adjustment)
    row[_KIND] = a.kind.value
    return row


def weekday(day: dt.date) -> str:
    """The `weekday` column's word for `day`: Mon..Sun."""
    return WEEKDAYS[day.weekday()]


@dataclass(frozen=True, slots=True)
class Schedule:
    """An expanded course: the plan it came from and its administrations."""

    plan: Plan
    administrations: tuple[Administration, ...]

    def __iter__(self) -> Iterator[Administration]:
        return iter(self.administrations)

    def __len__(self) -> int:
        return len(self.administrations)

    def to_frame(self) -> pd.DataFrame:
        """The table as a pandas DataFrame (imported here, not at start-up)."""
        return to_frame(self.administrations)


def to_frame(rows: Sequence[Administration]) -> pd.DataFrame:
    """DataFrame with typed columns: dates as datetime64, doses as float, ints nullable."""
    import pandas as pd

    table = [values(a) for a in rows]
    data = {c: [r[i] for r in table] for i, c in enumerate(COLUMNS)}
    frame = pd.DataFrame(data, columns=list(COLUMNS))
    frame["date"] = pd.to_datetime(pd.Series([a.date.isoformat() for a in rows], dtype="object"))
    ends = [a.end_date.isoformat() if a.end_date else None for a in rows]
    frame["end_date"] = pd.to_datetime(pd.Series(ends, dtype="object"))
    # The exact decimals stay in the rows and the CSV.
    for c in ("dose_amount", "dose_min", "dose_max", "rate_amount", "computed_amount"):
        amounts: list[Decimal | None] = [getattr(a, c) for a in rows]
        frame[c] = pd.array([float(v) if v is not None else None for v in amounts], dtype="Float64")
    for c in ("duration_min", "duration_max"):
        minutes: list[int | None] = [getattr(a, c) for a in rows]
        frame[c] = pd.array(minutes, dtype="Int64")
    for c in ("cycle", "cycle_day", "study_day", "slot", "order", "source_line"):
        frame[c] = frame[c].astype("int64")
    for c in ("step_up", "self_administered"):
        frame[c] = frame[c].astype("bool")
    return frame
