"""The dry run of a phase: no drug twice in one dose of a day, no `after` that the clock contradicts.

Every cycle that can be expanded is checked (the phase's count, or
`MAX_CYCLES` when it is open-ended). A schedule line's doses are one Python
int, a bit for each (cycle, day, dose of the day) it gives:

    bit ((cycle - 1) * cycle_days + day - 1) * doses_a_day + dose - 1

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

    def doses(self, clause: Clause) -> int:
        """The bits of every dose the line gives."""
        # The positions have `per_day` bits each, so multiplying by the doses of a day
        # (a number below 2 ** per_day) copies it into every position without a carry.
        return self.positions(clause) * ((1 << len(clause.slots)) - 1)

    def positions(self, clause: Clause) -> int:
        """The first bit of each (cycle, day) the line gives a dose on."""
        rule = clause.rule
        if isinstance(rule, IntervalRule):
            start = (rule.anchor_cycle - 1) * self.cycle_days + rule.anchor_day - 1
            count = interval_fit(rule, self.cycle_days, self.cycles)
            return _repeat(1, count, rule.every_days * self.per_day) << (start * self.per_day)
        day = sum(1 << ((d - 1) * self.per_day) for d in rule.days)
        width = self.cycle_days * self.per_day
        bits = 0
        for first, count, step in _runs(rule, self.cycles):
            bits |= _repeat(day, count, step * width) << ((first - 1) * width)
        return bits

    def where(self, bit: int) -> tuple[int, int]:
        """(cycle, day) of a bit."""
        position = bit // self.per_day
        return position // self.cycle_days + 1, position % self.cycle_days + 1


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
        if len(agent.clauses) < 2:
            continue
        grid = _Grid(phase.cycle_days, cycles, max(len(c.slots) for c in agent.clauses))
        said: dict[int, Found] = {}
        for world in line_sets(agent.clauses):
            for found in _twice_in(agent.key, world, grid, quiet):
                said.setdefault(found.line, found)
        yield from sorted(said.values(), key=lambda f: f.line)


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
        cycle, day = grid.where(bit)
        first = _first_to_give(clauses[:index], grid, bit)
        yield Found(
            clause.line, f"{key} is already given on cycle {cycle} day {day} by line {first}", TWICE_HINT
        )


def _first_to_give(clauses: tuple[Clause, ...], grid: _Grid, bit: int) -> int:
    """The line of the first of `clauses` that gives the dose of `bit` (read from the rules, not bits)."""
    cycle, day = grid.where(bit)
    dose = bit % grid.per_day + 1
    for clause in clauses:
        if dose <= len(clause.slots) and _gives(clause.rule, cycle, day, grid.cycle_days):
            return clause.line
    raise AssertionError("a clash without an earlier line")  # the bit came from one of them


def _gives(rule: DayRule | IntervalRule, cycle: int, day: int, cycle_days: int) -> bool:
    if isinstance(rule, DayRule):
        return rule.selector.matches(cycle) and day in rule.days
    offset = (cycle - 1) * cycle_days + day - 1 - ((rule.anchor_cycle - 1) * cycle_days + rule.anchor_day - 1)
    n, rest = divmod(offset, rule.every_days)
    return offset >= 0 and rest == 0 and (rule.count is None or n < rule.count)


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
    grid = _Grid(phase.cycle_days, cycles, 1)
    ordered = {b for a in phase.agents for b in a.after} | {a.key for a in phase.agents if a.after}
    earliest = {a.key: _earliest(a, grid) for a in phase.agents if a.key in ordered}
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
            cycle, day = grid.where(bit)
            line = next(n for t, positions, n in mine.lines if t == time and positions >> bit & 1)
            yield Found(
                line,
                f"{agent.key} comes after {before}, but on cycle {cycle} day {day} it is "
                f"given at {time} and {before} at {other}",
            )


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
