"""Rules of the administration table, stated as properties over generated regimens.

Each generated regimen is written as text (so the parser and lowering are
exercised too): a cycle length, then drugs whose first cycle and later cycles
have their own day lists, some taken twice daily. The expected counts are
worked out from the generated lists, not from dosecal.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

import dosecal
from dosecal import Course
from dosecal.render import csv_table as csv

NAMES = ("alpha", "beta", "gamma", "delta")


@dataclass(frozen=True)
class Drug:
    name: str
    first: tuple[int, ...]  # days in cycle 1
    later: tuple[int, ...]  # days in cycles 2+
    per_day: int


@dataclass(frozen=True)
class Generated:
    cycle_days: int
    drugs: tuple[Drug, ...]

    def text(self) -> str:
        lines = ['regimen generated "generated"', f"  cycle {self.cycle_days} days"]
        for drug in self.drugs:
            lines.append(f"  {drug.name} 10 mg PO")
            twice = " twice daily" if drug.per_day == 2 else ""
            lines.append(f"    cycle 1: days {', '.join(map(str, drug.first))}{twice}")
            lines.append(f"    cycles 2+: days {', '.join(map(str, drug.later))}{twice}")
        return "\n".join(lines) + "\n"


@st.composite
def regimens(draw: st.DrawFn) -> Generated:
    length = draw(st.integers(7, 42))
    days = st.lists(st.integers(1, length), min_size=1, max_size=8, unique=True).map(
        lambda d: tuple(sorted(d))
    )
    count = draw(st.integers(1, len(NAMES)))
    drugs = tuple(Drug(NAMES[i], draw(days), draw(days), draw(st.sampled_from([1, 2]))) for i in range(count))
    return Generated(length, drugs)


starts = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31))
cycle_counts = st.integers(1, 8)


def expand(generated: Generated, start: dt.date, cycles: int) -> dosecal.Schedule:
    return dosecal.expand(dosecal.loads(generated.text()), Course(start, cycles=cycles))


@settings(max_examples=150, deadline=None)
@given(regimens(), starts, cycle_counts)
def test_rows_lie_in_their_cycle(generated: Generated, start: dt.date, cycles: int) -> None:
    """Each row lies in its cycle: date = cycle start + cycle_day - 1; study_day counts from 1."""
    for a in expand(generated, start, cycles):
        assert 1 <= a.cycle <= cycles
        assert 1 <= a.cycle_day <= generated.cycle_days
        cycle_start = start + dt.timedelta(days=(a.cycle - 1) * generated.cycle_days)
        assert a.date == cycle_start + dt.timedelta(days=a.cycle_day - 1)
        assert a.study_day == (a.date - start).days + 1
        assert a.weekday == a.date.strftime("%a")


@settings(max_examples=150, deadline=None)
@given(regimens(), starts, cycle_counts)
def test_counts_per_cycle_match_the_schedule(generated: Generated, start: dt.date, cycles: int) -> None:
    """Each drug has (days in that cycle's list) x (doses a day) rows in every cycle."""
    counts = Counter((a.agent, a.cycle) for a in expand(generated, start, cycles))
    for drug in generated.drugs:
        for cycle in range(1, cycles + 1):
            days = drug.first if cycle == 1 else drug.later
            assert counts[(drug.name, cycle)] == len(days) * drug.per_day


@settings(max_examples=100, deadline=None)
@given(regimens(), starts, cycle_counts)
def test_sorted_and_ordered_within_each_day(generated: Generated, start: dt.date, cycles: int) -> None:
    """Rows are sorted by date; `order` runs 1, 2, ... within each date; ids are unique."""
    rows = list(expand(generated, start, cycles))
    assert [a.date for a in rows] == sorted(a.date for a in rows)
    by_day: dict[dt.date, list[int]] = {}
    for a in rows:
        by_day.setdefault(a.date, []).append(a.order)
    assert all(orders == list(range(1, len(orders) + 1)) for orders in by_day.values())
    assert len({a.administration_id for a in rows}) == len(rows)


@settings(max_examples=100, deadline=None)
@given(regimens(), starts, starts, cycle_counts)
def test_ids_do_not_depend_on_dates(generated: Generated, one: dt.date, other: dt.date, cycles: int) -> None:
    """The same course started on another date keeps every administration_id."""

    def ids(start: dt.date) -> dict[tuple[int, int, str, int], str]:
        return {
            (a.cycle, a.cycle_day, a.agent, a.slot): a.administration_id
            for a in expand(generated, start, cycles)
        }

    assert ids(one) == ids(other)


@settings(max_examples=50, deadline=None)
@given(regimens(), starts, cycle_counts)
def test_expansion_is_deterministic(generated: Generated, start: dt.date, cycles: int) -> None:
    """Same inputs, byte-identical CSV."""
    assert csv.render(expand(generated, start, cycles)) == csv.render(expand(generated, start, cycles))


@settings(max_examples=150, deadline=None)
@given(
    st.integers(7, 35),  # cycle length
    st.integers(1, 70),  # interval in days
    st.integers(1, 3),  # anchor cycle
    st.integers(1, 7),  # anchor day
    st.one_of(st.none(), st.integers(1, 12)),  # number of doses
    starts,
    st.integers(3, 10),  # cycles expanded
)
def test_interval_doses_are_evenly_spaced(
    length: int,
    every: int,
    anchor_cycle: int,
    anchor_day: int,
    doses: int | None,
    start: dt.date,
    cycles: int,
) -> None:
    """An interval gives a dose every N days from its anchor, within the horizon, `for K doses` at most."""
    count = f", for {doses} doses" if doses else ""
    text = (
        f'regimen interval "t"\n  cycle {length} days\n  drug 1 mg IV\n'
        f"    every {every} days from cycle {anchor_cycle} day {anchor_day}{count}\n"
    )
    rows = list(dosecal.expand(dosecal.loads(text), Course(start, cycles=cycles)))
    first = start + dt.timedelta(days=(anchor_cycle - 1) * length + anchor_day - 1)
    end = start + dt.timedelta(days=cycles * length)  # first day after the horizon
    expected = []
    day = first
    while day < end and (doses is None or len(expected) < doses):
        expected.append(day)
        day += dt.timedelta(days=every)
    assert [a.date for a in rows] == expected
    for a in rows:  # each dose belongs to the cycle and day it falls on
        offset = (a.date - start).days
        assert (a.cycle, a.cycle_day) == (offset // length + 1, offset % length + 1)


@settings(max_examples=100, deadline=None)
@given(regimens(), starts, st.integers(2, 8), st.integers(1, 8), st.integers(1, 60))
def test_a_delay_moves_exactly_the_later_rows(
    generated: Generated, start: dt.date, cycles: int, delayed: int, days: int
) -> None:
    """A delay of N days of cycle k moves every row of cycle k and later by N days, no other row,
    and changes no administration_id."""
    from dosecal.model.adjust import CycleRef, Delay

    delayed = min(delayed, cycles) if delayed > 1 else 2
    regimen = dosecal.loads(generated.text())
    planned = {a.administration_id: a for a in dosecal.expand(regimen, Course(start, cycles=cycles))}
    moved = dosecal.expand(
        regimen, Course(start, cycles=cycles, adjustments=(Delay(CycleRef(None, delayed), days, "test", 1),))
    )
    assert {a.administration_id for a in moved} == set(planned)
    for a in moved:
        shift = (a.date - planned[a.administration_id].date).days
        assert shift == (days if a.cycle >= delayed else 0)
