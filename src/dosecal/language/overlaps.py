"""The dry run of a phase: no drug twice in one dose of a day, no `after` that the clock contradicts.

Every cycle that can be expanded is checked (the phase's count, or
`MAX_CYCLES` when it is open-ended). A schedule line's doses are one Python
int, a bit for each (cycle, day, dose of the day) it gives:

    bit (lead + (cycle - 1) * cycle_days + offset(day)) * doses_a_day + dose - 1

where `offset` is the days from day 1 (`Phase.offset`: day -1 is the day before
day 1), and `lead` is one cycle when a line gives days before day 1, so that
cycle 1's are bits too. A day is so its date's bit: day -1 of cycle 2 and day
21 of cycle 1 of a 21-day cycle are one bit, one day.

built in a few shifts whatever the number of cycles, so the checks are a
few ANDs and ORs a line, not a loop over every cycle and day: a regimen of
thousands of lines is checked in about the time it takes to parse.

A line that gives a drug on a day another line already gives is reported
once, at its first such day (in cycle and day order), with the line that
gave it first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from dosecal.errors import MAX_SHOWN
from dosecal.model.regimen import Agent, Clause, DayRule, IntervalRule, Parity, Phase, line_sets

TWICE_HINT = (
    "list each day once; a drug given twice on a day says 'twice daily', or is "
    "written twice with labels in brackets, e.g. '(bolus)' and '(infusion)'"
)


@dataclass(frozen=True, slots=True)
class Found:
    """A mistake of a schedule line; `message` None for one only counted (see `twice`)."""

    line: int
    message: str | None
    hint: str | None = None


@dataclass(frozen=True, slots=True)
class _Grid:
    """The bits of a phase's expandable cycles, for one drug."""

    cycle_days: int
    cycles: int
    per_day: int  # bits a day: the most doses a day of the drug's lines
    zero: bool = False  # the phase numbers a day 0 (`Phase.day_zero`)
    lead: int = 0  # days before cycle 1's day 1 the grid holds

    def offset(self, day: int) -> int:
        return day - 1 if day > 0 or self.zero else day

    def at(self, cycle: int, day: int) -> int:
        """The position (first bit / per_day) of a cycle's day."""
        return self.lead + (cycle - 1) * self.cycle_days + self.offset(day)

    def doses(self, clause: Clause) -> int:
        """The bits of every dose the line gives."""
        # The positions have `per_day` bits each, so multiplying by the doses of a day
        # (a number below 2 ** per_day) copies it into every position without a carry.
        return self.positions(clause) * ((1 << len(clause.slots)) - 1)

    def positions(self, clause: Clause) -> int:
        """The first bit of each (cycle, day) the line gives a dose on."""
        rule = clause.rule
        if isinstance(rule, IntervalRule):
            start = self.at(rule.anchor_cycle, rule.anchor_day)
            count = interval_fit(rule, self.cycle_days, self.cycles)
            return _repeat(1, count, rule.every_days * self.per_day) << (start * self.per_day)
        day = sum(1 << ((self.lead + self.offset(d)) * self.per_day) for d in rule.days)
        width = self.cycle_days * self.per_day
        bits = 0
        for first, count, step in _runs(rule, self.cycles):
            bits |= _repeat(day, count, step * width) << ((first - 1) * width)
        return bits

    def where(self, bit: int) -> tuple[int, int]:
        """(cycle, day) of a bit: its day from 1 to the cycle's length, or before cycle 1's day 1."""
        position = bit // self.per_day - self.lead
        if position < 0:
            return 1, position + 1 if self.zero else position
        return position // self.cycle_days + 1, position % self.cycle_days + 1

    def gives(self, rule: DayRule | IntervalRule, bit: int) -> tuple[int, int] | None:
        """The (cycle, day) of `rule` that is the day of `bit`, if the rule gives one there."""
        position = bit // self.per_day
        if isinstance(rule, IntervalRule):
            offset = position - self.at(rule.anchor_cycle, rule.anchor_day)
            n, rest = divmod(offset, rule.every_days)
            given = offset >= 0 and rest == 0 and (rule.count is None or n < rule.count)
            return self.where(bit) if given else None
        for day in rule.days:
            cycles, rest = divmod(position - self.lead - self.offset(day), self.cycle_days)
            if rest == 0 and 0 <= cycles < self.cycles and rule.selector.matches(cycles + 1):
                return cycles + 1, day
        return None


def phase_grid(phase: Phase, cycles: int, per_day: int) -> _Grid:
    """The grid of a phase's first `cycles` cycles, with room for its days before day 1."""
    earliest = min(
        (
            phase.offset(d)
            for a in phase.agents
            for c in a.clauses
            if isinstance(c.rule, DayRule)
            for d in c.rule.days
        ),
        default=0,
    )
    return _Grid(phase.cycle_days, cycles, per_day, phase.day_zero, max(0, -earliest))


def interval_fit(rule: IntervalRule, cycle_days: int, cycles: int) -> int:
    """How many doses of an interval fall in the first `cycles` cycles (`schedule.interval_days`)."""
    start = (rule.anchor_cycle - 1) * cycle_days + rule.anchor_day - 1
    end = cycles * cycle_days
    fit = -(-(end - start) // rule.every_days) if start < end else 0
    return fit if rule.count is None else min(fit, rule.count)


def _runs(rule: DayRule, cycles: int) -> Iterator[tuple[int, int, int]]:
    """(first cycle, how many, step) of the cycles a day rule selects, up to `cycles`."""
    selector = rule.selector
    ranges = [(r.first, r.last) for r in selector.ranges] or [(1, None)]
    step = 2 if selector.parity else 1
    for first, last in ranges:
        end = min(last or cycles, cycles)
        if selector.parity is not None and (first % 2 == 1) != (selector.parity is Parity.ODD):
            first += 1
        if first <= end:
            yield first, (end - first) // step + 1, step


def _repeat(pattern: int, count: int, stride: int) -> int:
    """`pattern` repeated `count` times, `stride` bits apart, in about log2(count) shifts."""
    if count <= 0:
        return 0
    bits, have = pattern, 1
    while have * 2 <= count:
        bits |= bits << (have * stride)
        have *= 2
    if have < count:
        bits |= (bits & ((1 << ((count - have) * stride)) - 1)) << (have * stride)
    return bits


def twice(phase: Phase, cycles: int, quiet: frozenset[int] = frozenset()) -> Iterator[Found]:
    """Lines that give a drug on a (cycle, day, dose) that an earlier line of it already gives.

    Past `MAX_SHOWN` of them for one drug, a line is only counted: the ones
    before it come first in the file, so it could not be shown, and naming
    the earlier line would cost a search through all of them. Lines in
    `quiet` (the parser's stand-ins) are not reported.
    """
    for agent in phase.agents:
        yield from _twice_in_a_line(agent, phase, cycles)
        if len(agent.clauses) < 2:
            continue
        on = phase_grid(phase, cycles, max(len(c.slots) for c in agent.clauses))
        said: dict[int, Found] = {}
        for world in line_sets(agent.clauses):
            for found in _twice_in(agent.key, world, on, quiet):
                said.setdefault(found.line, found)
        yield from sorted(said.values(), key=lambda f: f.line)


def _twice_in_a_line(agent: Agent, phase: Phase, cycles: int) -> Iterator[Found]:
    """A line whose day outside its cycle (before day 1, or past the last) is the date of a day it
    gives in another cycle: `days -1, 21` of a 21-day cycle gives cycle 2's day -1 on cycle 1's day
    21. A line's days are less than two cycles from day 1 either way: cycles up to 3 apart can meet."""
    length = phase.cycle_days
    for clause in agent.clauses:
        rule = clause.rule
        if not isinstance(rule, DayRule) or not rule.days or (rule.days[0] > 0 and rule.days[-1] <= length):
            continue
        at = {phase.offset(d): d for d in rule.days}
        for apart in (1, 2, 3):
            same = [(d, at[o]) for d in rule.days if (o := phase.offset(d) - apart * length) in at]
            both = (c for c in range(1, cycles - apart + 1) if rule.selector.matches(c))
            cycle = next((c for c in both if rule.selector.matches(c + apart)), None)
            if same and cycle is not None:
                day, later = same[0]
                yield Found(
                    clause.line,
                    f"{agent.key} on cycle {cycle + apart} day {later} is already given on that date by "
                    f"this line, as its cycle {cycle} day {day}",
                    TWICE_HINT,
                )
                break


def _twice_in(key: str, clauses: tuple[Clause, ...], grid: _Grid, quiet: frozenset[int]) -> Iterator[Found]:
    """`twice` for the lines of one drug that one patient can be given together."""
    covered, named = 0, 0
    for index, clause in enumerate(clauses):
        bits = grid.doses(clause)
        clash = bits & covered
        covered |= bits
        if not clash or clause.line in quiet:
            continue
        if named == MAX_SHOWN:
            yield Found(clause.line, None)
            continue
        named += 1
        bit = (clash & -clash).bit_length() - 1
        first, theirs = _first_to_give(clauses[:index], grid, bit)
        mine = grid.gives(clause.rule, bit)
        assert mine is not None  # the bit is one of this line's
        if mine == theirs:
            said = f"{key} is already given on cycle {mine[0]} day {mine[1]} by line {first}"
        else:  # one date, two days: a day before day 1 is a day of the cycle before
            said = (
                f"{key} on cycle {mine[0]} day {mine[1]} is already given on that date by line {first}, "
                f"as its cycle {theirs[0]} day {theirs[1]}"
            )
        yield Found(clause.line, said, TWICE_HINT)


def _first_to_give(clauses: tuple[Clause, ...], grid: _Grid, bit: int) -> tuple[int, tuple[int, int]]:
    """The line of the first of `clauses` that gives the dose of `bit` (read from the rules, not bits),
    and the (cycle, day) it gives it as."""
    dose = bit % grid.per_day + 1
    for clause in clauses:
        found = grid.gives(clause.rule, bit) if dose <= len(clause.slots) else None
        if found is not None:
            return clause.line, found
    raise AssertionError("a clash without an earlier line")  # the bit came from one of them


# ---- same-day order against clock times ----------------------------------------


@dataclass(frozen=True, slots=True)
class _Earliest:
    """Where a drug's first dose of the day is at each clock time: bits of (cycle, day)."""

    at: dict[str, int]  # clock time -> positions where it is the drug's earliest that day
    lines: tuple[tuple[str, int, int], ...]  # (first time, positions, line) of each timed line

    @property
    def anywhere(self) -> int:
        bits = 0
        for positions in self.at.values():
            bits |= positions
        return bits


def _earliest(agent: Agent, grid: _Grid) -> _Earliest:
    lines = tuple(
        (c.slots[0].time, grid.positions(c), c.line) for c in agent.clauses if c.slots and c.slots[0].time
    )
    # A line's clock times are in order, so its first is its earliest.
    given: dict[str, int] = {}
    for time, positions, _ in lines:
        given[time] = given.get(time, 0) | positions
    at: dict[str, int] = {}
    seen = 0
    for time in sorted(given):
        at[time] = given[time] & ~seen
        seen |= given[time]
    return _Earliest(at, lines)


def against_clock(phase: Phase, cycles: int) -> Iterator[Found]:
    """`X after Y` where, on some day of both, X's first dose is at an earlier clock time than Y's."""
    on = phase_grid(phase, cycles, 1)
    ordered = {b for a in phase.agents for b in a.after} | {a.key for a in phase.agents if a.after}
    ordered |= {k for a in phase.agents if a.given_with for k in (a.key, a.given_with)}
    earliest = {a.key: _earliest(a, on) for a in phase.agents if a.key in ordered}
    yield from _apart(phase, on, earliest)
    for agent in phase.agents:
        mine = earliest.get(agent.key)
        for before in dict.fromkeys(agent.after):
            theirs = earliest.get(before)
            if mine is None or theirs is None or not mine.at or not theirs.at:
                continue
            found = _first_contradiction(mine, theirs)
            if found is None:
                continue
            bit, time, other = found
            line, cycle, day = _placed(on, mine, bit, time)
            yield Found(
                line,
                f"{agent.key} comes after {before}, but on cycle {cycle} day {day} it is "
                f"given at {time} and {before} at {other}",
            )


def _apart(phase: Phase, on: _Grid, earliest: dict[str, _Earliest]) -> Iterator[Found]:
    """`X with Y` where, on some day of both, their first doses are at two clock times."""
    for agent in (a for a in phase.agents if a.given_with):
        mine, theirs = earliest[agent.key], earliest[agent.given_with or ""]
        clashes = [
            (bit, time, other)
            for time, positions in mine.at.items()
            for other, their_positions in theirs.at.items()
            if time != other and (bit := _lowest(positions & their_positions)) is not None
        ]
        if clashes:
            bit, time, other = min(clashes)
            line, cycle, day = _placed(on, mine, bit, time)
            yield Found(
                line,
                f"{agent.key} is given with {agent.given_with}, but on cycle {cycle} day {day} it is "
                f"given at {time} and {agent.given_with} at {other}",
                "give the two the same clock time, or write 'after' for one given later",
            )


def _lowest(bits: int) -> int | None:
    return (bits & -bits).bit_length() - 1 if bits else None


def _placed(on: _Grid, mine: _Earliest, bit: int, time: str) -> tuple[int, int, int]:
    """The line that gives the dose at `time` on the grid's `bit`, and that bit's cycle and day."""
    cycle, day = on.where(bit)
    line = next(n for t, positions, n in mine.lines if t == time and positions >> bit & 1)
    return line, cycle, day


def _first_contradiction(mine: _Earliest, theirs: _Earliest) -> tuple[int, str, str] | None:
    """The first (cycle, day) bit where `mine` starts before `theirs`, with both clock times."""
    later = theirs.anywhere  # their positions whose earliest time is after the time looked at
    times = sorted(theirs.at)
    index, worst = 0, None
    for time in sorted(mine.at):
        while index < len(times) and times[index] <= time:
            later &= ~theirs.at[times[index]]
            index += 1
        clash = mine.at[time] & later
        if clash:
            bit = (clash & -clash).bit_length() - 1
            if worst is None or bit < worst[0]:
                other = next(t for t in times if theirs.at[t] >> bit & 1)
                worst = (bit, time, other)
    return worst


# ---- one drug on one date in two phases ------------------------------------------


def across(phases: tuple[Phase, ...]) -> Iterator[Found]:
    """A drug given on one date by two phases: a day before day 1 of a phase's first cycle on a
    day of the phase before it (or of its rest), or a day past a phase's last cycle on a day of
    the next. Dated as planned: a delay only moves a later phase further away."""
    base, starts = 0, []
    for phase in phases:
        base += phase.rest_before
        starts.append(base)
        base += (phase.cycle_count or 0) * phase.cycle_days
    # Only a drug of two phases or more can meet itself (grouped first: a file may have thousands).
    given: dict[str, list[tuple[int, Agent]]] = {}
    for index, phase in enumerate(phases):
        for agent in phase.agents:
            given.setdefault(agent.key, []).append((index, agent))
    for key in sorted(k for k, v in given.items() if len({i for i, _ in v}) > 1):
        seen: dict[int, tuple[int, int, int, int]] = {}  # date -> (phase, cycle, day, line)
        for index, agent in given[key]:
            phase = phases[index]
            for position, cycle, day, line in _dated(agent, phase, starts[index]):
                first = seen.get(position)
                if first is None:
                    seen[position] = (index, cycle, day, line)
                elif first[0] != index:
                    theirs = phases[first[0]]
                    yield Found(
                        line,
                        f"{key} on {_named(phase, cycle, day)} is already given on that date by line "
                        f"{first[3]}, as {_named(theirs, first[1], first[2])}",
                        "a phase's days before day 1 fall on the phase before it: give the drug "
                        "on that date in one of the two",
                    )
                    break


def _named(phase: Phase, cycle: int, day: int) -> str:
    return f"{phase.name} cycle {cycle} day {day}" if phase.name else f"cycle {cycle} day {day}"


def _dated(agent: Agent, phase: Phase, start: int) -> Iterator[tuple[int, int, int, int]]:
    """(date, cycle, day, line) of each dose of `agent` in `phase`, the date as days from the
    course's start; of an open-ended phase, its first two cycles (only they can reach back)."""
    cycles = phase.cycle_count or 2
    length = phase.cycle_days
    for clause in agent.clauses:
        rule = clause.rule
        if isinstance(rule, IntervalRule):
            first = (rule.anchor_cycle - 1) * length + rule.anchor_day - 1
            for n in range(interval_fit(rule, length, cycles)):
                offset = first + n * rule.every_days
                yield start + offset, offset // length + 1, offset % length + 1, clause.line
            continue
        for cycle in (c for c in range(1, cycles + 1) if rule.selector.matches(c)):
            for day in rule.days:
                yield start + (cycle - 1) * length + phase.offset(day), cycle, day, clause.line
