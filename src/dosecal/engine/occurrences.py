"""Calendar arithmetic on the model: which cycle days a clause falls on.

Shared by the expander and by lowering (which dry-runs a regimen to find two
clauses that give one drug twice on the same day). Pure functions of the
model; no dates here, only cycle and day numbers within a phase, but for the
days of the week (`on_weekdays`), which are found on the cycles' dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from dosecal.model.regimen import Agent, Clause, DayRule, IntervalRule, Phase


@dataclass(frozen=True, slots=True)
class Occurrence:
    """A clause's dose on one day of one cycle (before dates and doses)."""

    agent: Agent
    clause: Clause
    cycle: int
    day: int
    days: int = 1  # a continuous infusion's: the days it runs from `day` (a day item, `days 1-7`)
    # A day of the week's: the line's place among its drug's lines of days of the week (from 1),
    # and the dose's number in that line's days (from 1), which its id goes by (engine.identity).
    series: tuple[int, int] | None = None


def interval_days(rule: IntervalRule, cycle_days: int, cycles: int) -> Iterator[tuple[int, int]]:
    """(cycle, day) of each dose of an interval rule within the first `cycles` cycles."""
    offset = (rule.anchor_cycle - 1) * cycle_days + rule.anchor_day - 1
    end = cycles * cycle_days
    given = 0
    while offset < end and (rule.count is None or given < rule.count):
        yield offset // cycle_days + 1, offset % cycle_days + 1
        offset += rule.every_days
        given += 1


def occurrences(phase: Phase, cycles: int) -> Iterator[Occurrence]:
    """Every clause occurrence of a phase's first `cycles` cycles, agent by agent."""
    for agent in phase.agents:
        for clause in agent.clauses:
            rule = clause.rule
            if isinstance(rule, DayRule):
                for cycle in range(1, cycles + 1):
                    if not rule.selector.matches(cycle):
                        continue
                    if rule.runs:  # a continuous infusion: one administration a run
                        for first, last in rule.runs:
                            yield Occurrence(agent, clause, cycle, first, last - first + 1)
                    else:
                        for day in rule.days:
                            yield Occurrence(agent, clause, cycle, day)
            else:
                for cycle, day in interval_days(rule, phase.cycle_days, cycles):
                    yield Occurrence(agent, clause, cycle, day)


def on_weekdays(phase: Phase, starts: tuple[dt.date, ...]) -> Iterator[Occurrence]:
    """Each line of days of the week (`Monday to Friday`), on the days 1 to the cycle's length of
    its cycles (each cycle starting on its date in `starts`) whose dates fall on them; with a
    count, the first so many of the phase, in date order."""
    for agent in phase.agents:
        for line, clause in enumerate((c for c in agent.clauses if c.weekdays is not None), start=1):
            for number, (cycle, day) in enumerate(weekday_days(phase, clause, starts), start=1):
                yield Occurrence(agent, clause, cycle, day, series=(line, number))


def weekday_days(phase: Phase, clause: Clause, starts: tuple[dt.date, ...]) -> Iterator[tuple[int, int]]:
    """The (cycle, day) of a line of days of the week, over cycles starting on `starts`."""
    rule, week = clause.rule, clause.weekdays
    assert isinstance(rule, DayRule) and week is not None  # lowering gives it its cycles
    return week.days_in(rule.selector, phase.cycle_days, starts)
