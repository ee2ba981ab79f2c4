"""Adjustments to a patient's course: what really happened, each with a reason.

A cycle delayed or started on a given date (later cycles shift with it); a
dose held or omitted (one day, the rest of a cycle, or a drug from a cycle
on); a dose level from a cycle on; a drug's dose changed from a cycle on.
Nothing is dropped: a held dose stays in the table with its status.

Cycles are counted as the regimen counts them (per phase). A dose keeps its
cycle and day when its cycle moves, so it keeps its administration id; an
interval dose (every 8 weeks) stays on the cycle and day it fell on.
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
from dataclasses import dataclass

from dosecal.errors import CourseError, Subject
from dosecal.limits import DELAY
from dosecal.model.regimen import Amount, Phase, Regimen
from dosecal.text import counted

# A cycle put off by more than a year is not a delay but a typo or a new course;
# the bound also keeps every date of a course far inside what a date can hold.
MAX_MOVE_DAYS = int(DELAY.high)


@dataclass(frozen=True, slots=True, order=True)
class CycleRef:
    """A cycle of a phase (phase None: a regimen without phases)."""

    phase: str | None
    cycle: int

    def __str__(self) -> str:
        return f"{self.phase} cycle {self.cycle}" if self.phase else f"cycle {self.cycle}"


@dataclass(frozen=True, slots=True)
class Delay:
    at: CycleRef
    days: int
    reason: str
    line: int

    def describe(self) -> str:
        return f"{self.at} delayed {counted(self.days, 'day')}"


@dataclass(frozen=True, slots=True)
class StartOn:
    at: CycleRef
    date: dt.date
    reason: str
    line: int

    def describe(self) -> str:
        return f"{self.at} started on {self.date.isoformat()}"


class Withheld(enum.Enum):
    HELD = "held"  # not given now; the drug goes on
    OMITTED = "omitted"  # left out of the course


@dataclass(frozen=True, slots=True)
class Hold:
    """A drug not given: on one day, from a day to the cycle's end, or from a cycle on."""

    agent: str
    kind: Withheld
    at: CycleRef
    first_day: int | None  # None with onward: every day from this cycle on
    last_day: int | None  # None: to the end of the cycle
    onward: bool
    reason: str
    line: int

    def covers(self, position: tuple[int, int], at: tuple[int, int], day: int) -> bool:
        """Does this hold (at `at`) cover cycle `position`, day `day`?"""
        if self.onward:
            return position >= at
        if position != at or self.first_day is None:
            return False
        return self.first_day <= day and (self.last_day is None or day <= self.last_day)

    def describe(self) -> str:
        if self.onward:
            where = f"from {self.at}"
        elif self.first_day == self.last_day:
            where = f"on {self.at} day {self.first_day}"
        elif self.last_day is not None:  # days 8-10: said so, not as the rest of the cycle
            where = f"on {self.at} days {self.first_day}-{self.last_day}"
        else:
            where = f"on {self.at} from day {self.first_day}"
        return f"{self.agent} {self.kind.value} {where}"


@dataclass(frozen=True, slots=True)
class LevelFrom:
    level: str
    at: CycleRef
    reason: str
    line: int

    def describe(self) -> str:
        return f"level {self.level} from {self.at}"


@dataclass(frozen=True, slots=True)
class DoseFrom:
    """A drug's dose changed from a cycle on (`change DRUG [OLD] to NEW from cycle N`).

    `replaces` is the dose it changes, where the drug has more than one (a
    step-up or a cycle-1 dose beside the regular one): then only doses that
    are `replaces` at that point change. A drug with one dose may leave it out.
    """

    agent: str
    amount: Amount
    at: CycleRef
    reason: str
    line: int
    replaces: Amount | None = None

    def describe(self) -> str:
        if self.replaces is not None:
            return f"{self.agent} {self.replaces} changed to {self.amount} from {self.at}"
        return f"{self.agent} {self.amount} from {self.at}"


Adjustment = Delay | StartOn | Hold | LevelFrom | DoseFrom


def check(regimen: Regimen, adjustments: tuple[Adjustment, ...]) -> None:
    """Every adjustment names a phase, cycle, day, drug and level the regimen has, and gives a reason;
    no two set the level (or one drug's dose) from the same cycle."""
    changes: dict[tuple[object, ...], int] = {}
    for adjustment in adjustments:
        line = adjustment.line
        if not adjustment.reason.strip():
            raise _refused('say why (because "...")', line)
        phase = _phase(regimen, adjustment.at, line)
        if adjustment.at.cycle < 1:  # the course file refuses it; the Python API must too
            raise _refused(f"there is no {adjustment.at}", line, hint="cycle 1 is the first cycle")
        if phase.cycle_count is not None and adjustment.at.cycle > phase.cycle_count:
            raise _refused(f"{adjustment.at} is past the last cycle ({phase.cycle_count})", line)
        if isinstance(adjustment, (Hold, DoseFrom)):
            keys = [a.key for a in regimen.drugs]
            if adjustment.agent not in keys:
                close = difflib.get_close_matches(adjustment.agent, keys, n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"its drugs are {', '.join(keys)}"
                message = f"'{adjustment.agent}' is not a drug of {regimen.name}"
                raise _refused(message, line, hint=hint, quoted=adjustment.agent)
        if isinstance(adjustment, Delay) and not 1 <= adjustment.days <= MAX_MOVE_DAYS:
            raise _refused(
                f"a delay of {adjustment.days} days is not plausible (expected 1-{MAX_MOVE_DAYS} days)", line
            )
        if isinstance(adjustment, Hold):
            for day in (adjustment.first_day, adjustment.last_day):
                if day is not None and not 1 <= day <= phase.cycle_days:
                    raise _refused(f"day {day} is outside a {phase.cycle_days}-day cycle", line)
        if isinstance(adjustment, LevelFrom):
            regimen.level_named(adjustment.level, line=line)
        _check_repeat(adjustment, changes)


def _refused(message: str, line: int, hint: str | None = None, quoted: str | None = None) -> CourseError:
    """The error for the adjustment on course line `line`: 'course line 12: ...'."""
    return CourseError(message, subject=Subject.ADJUSTMENT, line=line, hint=hint, quoted=quoted)


def _check_repeat(adjustment: Adjustment, changes: dict[tuple[object, ...], int]) -> None:
    """Two changes from one cycle contradict each other; which line comes last must not decide."""
    if isinstance(adjustment, LevelFrom):
        key: tuple[object, ...] = ("level", adjustment.at)
        what = f"the dose level from {adjustment.at} is already set"
    elif isinstance(adjustment, DoseFrom):
        key = ("dose", adjustment.agent, adjustment.at, adjustment.replaces)
        what = f"the {adjustment.agent} dose from {adjustment.at} is already changed"
    else:
        return
    if key in changes:
        raise _refused(f"{what} on course line {changes[key]}", adjustment.line)
    changes[key] = adjustment.line


def _phase(regimen: Regimen, at: CycleRef, line: int) -> Phase:
    names = [p.name for p in regimen.phases]
    if at.phase is None and names != [None]:
        raise _refused(
            f"{regimen.name} has phases ({', '.join(str(n) for n in names)}): "
            f"say which, e.g. '{names[0]} cycle {at.cycle}'",
            line,
        )
    if at.phase not in names:
        raise _refused(f"{regimen.name} has no phase '{at.phase}'", line, quoted=at.phase)
    return regimen.phases[names.index(at.phase)]
