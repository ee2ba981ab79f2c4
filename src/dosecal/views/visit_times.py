"""When each drug of a timed clinic visit starts, and the rule that keeps it on its day.

A visit starts at the clinic's local visit time; each drug starts when the one
before it ends, at its longest stated duration. A drug given `with` another
starts when that one does, and the next starts when both have ended
(`together`). A drug whose time is not
stated adds none, and an infusion of 24 hours or more (a pump) runs on after
the visit without delaying the next drug.

The rule: an administration never starts on another local calendar day than
its table row. A visit time under which one would start at or after midnight
is refused (`VisitTimeError`), with the latest visit time that keeps every
visit of the course on its days. Local dates decide, not minutes to
midnight, so a change to or from summer time that night counts both ways. A
drug that starts before midnight may run past it: a visit's last infusion, a
46-hour pump.

Local times are read with zoneinfo, where a time inside a spring-forward gap
reads with the offset before the gap and an ambiguous autumn time means its
first occurrence (both as RFC 5545 says).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from dosecal.engine.table import Administration
from dosecal.errors import VisitTimeError

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

Step = tuple[Administration, dt.datetime]  # a drug and the UTC instant it starts
_DAY_MINUTES = 24 * 60


def utc(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant of a local wall time (fold=0: RFC 5545's reading of gaps and repeats)."""
    local = dt.datetime.combine(day, time, tzinfo=zone)
    return local.astimezone(dt.UTC)


def steps(rows: Sequence[Administration], zone: ZoneInfo, clock: dt.time) -> list[Step]:
    """When each drug of a visit at `clock` starts: the one place the calendar and the check use."""
    return list(_follow(rows, utc(rows[0].date, clock, zone)))


def _follow(rows: Sequence[Administration], start: dt.datetime) -> Iterator[Step]:
    """Each drug starts when the one before it ends (its longest stated duration); the drugs of
    one group (`together`) all at once, and the next when the longest of them ends."""
    at = start
    for group in together(rows):
        begins = at
        for a in group:
            yield a, begins
            if a.duration_max is not None and not a.runs_on:
                at = max(at, begins + dt.timedelta(minutes=a.duration_max))


def together(rows: Sequence[Administration]) -> list[list[Administration]]:
    """A visit's drugs in order, in groups that start at once: a drug with the regimen's `with`
    joins the group of the drug it names, where that one's same dose of the day, of its phase, is
    given before it in the visit (lowering puts it right behind); otherwise it starts a group of its
    own."""
    groups: list[list[Administration]] = []
    for a in rows:
        if groups and a.given_with and any(_beside(a, b) for b in groups[-1]):
            groups[-1].append(a)
        else:
            groups.append([a])
    return groups


def _beside(a: Administration, b: Administration) -> bool:
    """`b` is the dose `a` starts with: the drug it names, the same dose of the day, its phase."""
    return b.drug == a.given_with and b.slot == a.slot and b.phase == a.phase


def check(visits: Sequence[Sequence[Administration]], zone: ZoneInfo, clock: dt.time) -> None:
    """Refuse `clock` if a drug of any of `visits` (each a day's timed drugs) would start after its day."""
    for rows in visits:
        late = _late_start(rows, zone, clock)
        if late is not None:
            raise _error(*late, zone, clock, _latest(visits, zone))


def _late_start(rows: Sequence[Administration], zone: ZoneInfo, clock: dt.time) -> Step | None:
    """The visit's first drug that would start on a later local day than its row, if any."""
    for a, at in steps(rows, zone, clock):
        if at.astimezone(zone).date() != a.date:
            return a, at
    return None


def _latest(visits: Sequence[Sequence[Administration]], zone: ZoneInfo) -> dt.time | None:
    """The latest visit time, to the minute, that keeps every drug of every visit on its day.

    Fitting is monotone in the visit time (a later time never starts a drug
    earlier, also across a DST change), so each visit is a binary search
    below the best time so far. None when no time fits some visit.
    """
    best = _DAY_MINUTES - 1
    for rows in visits:
        fits, fails = -1, best + 1  # a time known to fit (-1: none yet), one known not to
        while fails - fits > 1:
            mid = (fits + fails) // 2
            if _late_start(rows, zone, _clock(mid)) is None:
                fits = mid
            else:
                fails = mid
        if fits < 0:
            return None
        best = fits
    return _clock(best)


def _clock(minutes: int) -> dt.time:
    return dt.time(minutes // 60, minutes % 60)


def _error(
    a: Administration, at: dt.datetime, zone: ZoneInfo, clock: dt.time, latest: dt.time | None
) -> VisitTimeError:
    local = at.astimezone(zone)
    days = (local.date() - a.date).days
    later = "the next day" if days == 1 else f"{days} days later"
    wall = dt.datetime.combine(a.date, clock) + (at - utc(a.date, clock, zone))
    if wall.date() == a.date:  # the minutes alone stay on the day: the clock jumped forward
        later += ", as the clocks go forward that night"
    name = a.drug
    phase = f"{a.phase} phase, " if a.phase else ""
    fix = (
        f"choose an earlier visit time (at the latest {latest:%H:%M} for this course)"
        if latest is not None
        else "no visit time keeps every drug of this course on its day: "
        "leave out --visit-time for all-day visits"
    )
    message = (
        f"with --visit-time {clock:%H:%M}, {name} on {a.date.isoformat()} ({phase}cycle {a.cycle} day "
        f"{a.cycle_day}) would start at {local:%H:%M} on {local.date().isoformat()}, {later}; {fix}"
    )
    return VisitTimeError(message, agent=name, day=a.date, starts=at, visit_time=clock, latest=latest)


def check_home(days: Sequence[Administration], zone: ZoneInfo, clock: dt.time) -> None:
    """Refuse a home-dose time (`--home-reminder`) that would show a day's home doses on another day.

    Only a time inside a spring-forward gap that crosses midnight can (23:30
    on a night the clocks go from 23:00 to 00:00 reads as 00:30 the next
    day); `days` holds the first home dose of each day.
    """
    for a in days:
        local = utc(a.date, clock, zone).astimezone(zone)
        if local.date() != a.date:
            latest = _latest_home(days, zone, clock)
            name = a.drug
            fix = f"choose {latest:%H:%M} or earlier" if latest is not None else "leave out --home-reminder"
            shows = f"{local:%H:%M} on {local.date().isoformat()}"
            message = (
                f"with --home-reminder {clock:%H:%M}, the home doses of {a.date.isoformat()} "
                f"(cycle {a.cycle} day {a.cycle_day}) would show at {shows}: "
                f"that time does not exist that night, as the clocks go forward; {fix}"
            )
            raise VisitTimeError(message, agent=name, day=a.date, starts=utc(a.date, clock, zone),
                                 visit_time=clock, latest=latest)  # fmt: skip


def _latest_home(days: Sequence[Administration], zone: ZoneInfo, clock: dt.time) -> dt.time | None:
    """The latest time at or before `clock` that keeps every home day on its date (a gap lasts hours)."""
    for minutes in range(clock.hour * 60 + clock.minute, -1, -1):
        if all(utc(a.date, _clock(minutes), zone).astimezone(zone).date() == a.date for a in days):
            return _clock(minutes)
    return None
