"""When each cycle starts: the course's start, cycle lengths, delays and set start dates.

The horizon is a number of cycles (over all phases) or every cycle that
starts on or before an end date. A delay of cycle N moves it and every later
cycle; a cycle started on a given date does the same, and may not begin
before the cycle it follows has run its length. Either moves a cycle by at
most a year (`adjust.MAX_MOVE_DAYS`): past that it is a typo, or a new course.

A phase written after a rest (`rest 28 days`) starts that many days after the
last cycle of the phase before it has run its length. A phase without cycles
(one run of days) is one cycle here, as long as its days to its last dose
(`Phase.length_from`); the phase after it starts the next day. A delay of its first
cycle adds to the rest; a start date set for it may not shorten the rest,
which the protocol plans as it plans a cycle's length.
"""

from __future__ import annotations

import datetime as dt

from dosecal.errors import CourseError, Subject
from dosecal.limits import MAX_CYCLES, implausible_cycles
from dosecal.model.adjust import MAX_MOVE_DAYS, Adjustment, Delay, StartOn
from dosecal.model.regimen import Regimen
from dosecal.text import counted

MAX_YEARS = 10


def cycle_starts(
    regimen: Regimen,
    start: dt.date,
    cycles: int | None,
    until: dt.date | None,
    adjustments: tuple[Adjustment, ...] = (),
) -> tuple[tuple[dt.date, ...], ...]:
    """Start date of every expanded cycle, by phase (phases with no expanded cycle are left out)."""
    limit = _limit(regimen, cycles, until, start)
    moves = _moves(regimen, adjustments)
    day, count = start, 0
    out: list[tuple[dt.date, ...]] = []
    for index, phase in enumerate(regimen.phases):
        starts: list[dt.date] = []
        day += dt.timedelta(days=phase.rest_before)
        for cycle in range(1, (phase.cycle_count or MAX_CYCLES + 1) + 1):
            move = moves.get((index, cycle))
            if move is not None:
                day = _moved(move, day, phase.rest_before if cycle == 1 else 0)
            if count == limit or (until is not None and day > until):
                return tuple(s for s in (*out, tuple(starts)) if s)
            if count == MAX_CYCLES:
                raise CourseError(
                    f"cycles up to {until} would be more than {MAX_CYCLES}, which is not plausible",
                    subject=Subject.UNTIL,
                )
            starts.append(day)
            count += 1
            day += dt.timedelta(days=phase.length_from(day))
        out.append(tuple(starts))
    return tuple(s for s in out if s)


def _moved(move: Delay | StartOn, day: dt.date, rest: int) -> dt.date:
    """When a moved cycle starts, instead of `day` (after the cycle, or the `rest` days, before it)."""
    if isinstance(move, Delay):  # adjust.check has held its days to 1-MAX_MOVE_DAYS
        return day + dt.timedelta(days=move.days)
    where = f"{move.at} cannot start on {move.date}"
    if move.date < day:
        before = f"the rest of {counted(rest, 'day')} before it" if rest else "the cycle before it"
        why = f"{before} runs until {day - dt.timedelta(days=1)}"
        raise CourseError(f"{where}: {why}", subject=Subject.ADJUSTMENT, line=move.line)
    if (move.date - day).days > MAX_MOVE_DAYS:
        why = f"that is more than {MAX_MOVE_DAYS} days after {day}, when it would start"
        raise CourseError(f"{where}: {why}", subject=Subject.ADJUSTMENT, line=move.line)
    return move.date


def _limit(regimen: Regimen, cycles: int | None, until: dt.date | None, start: dt.date) -> int | None:
    """How many cycles at most (None: as many as start by `until`)."""
    total = regimen.total_cycles
    if cycles is not None and until is not None:
        raise CourseError("give either a number of cycles or an end date, not both", subject=Subject.CYCLES)
    if cycles is not None:
        if all(p.run for p in regimen.phases):
            raise CourseError(
                f"{regimen.name} has no cycles: it ends on its last dose",
                subject=Subject.CYCLES,
                hint=(
                    "leave out the number of cycles, or end it sooner with an end date "
                    "(--until DATE, a course file's until)"
                ),
            )
        if not 1 <= cycles <= MAX_CYCLES:
            # Through the Python API any int can come: one of 5,000 digits cannot even be printed.
            written = str(cycles) if abs(cycles) < 10**30 else "more than 10^30"
            raise CourseError(implausible_cycles(written), subject=Subject.CYCLES)
        if total is not None and cycles > total:
            raise CourseError(
                f"{regimen.name} has {counted(total, 'cycle')}",
                subject=Subject.CYCLES,
                hint=f"{cycles} were asked for",
            )
        return cycles
    if until is not None:
        if until < start:
            raise CourseError(f"the end date {until} is before the start date {start}", subject=Subject.UNTIL)
        if until > _add_years(start, MAX_YEARS):
            raise CourseError(
                f"an end date more than {MAX_YEARS} years after the start is not plausible",
                subject=Subject.UNTIL,
            )
        return total
    if total is None:
        end = regimen.phases[-1].until or "an open end"
        raise CourseError(
            f"{regimen.name} runs until {end}: say how far to expand with --cycles N or --until DATE",
            subject=Subject.HORIZON,
        )
    return total


def _moves(regimen: Regimen, adjustments: tuple[Adjustment, ...]) -> dict[tuple[int, int], Delay | StartOn]:
    names = [p.name for p in regimen.phases]
    moves: dict[tuple[int, int], Delay | StartOn] = {}
    for adjustment in adjustments:
        if isinstance(adjustment, (Delay, StartOn)):
            position = (names.index(adjustment.at.phase), adjustment.at.cycle)
            if position == (0, 1):
                raise CourseError(
                    f"the course's start date says when {adjustment.at} starts",
                    subject=Subject.ADJUSTMENT,
                    line=adjustment.line,
                )
            if position in moves:
                raise CourseError(
                    f"{adjustment.at} is already moved on course line {moves[position].line}",
                    subject=Subject.ADJUSTMENT,
                    line=adjustment.line,
                )
            moves[position] = adjustment
    return moves


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
