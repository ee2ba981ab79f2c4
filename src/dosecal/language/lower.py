"""Syntax tree -> checked `model.Regimen`, collecting every mistake at once.

Lowering resolves what the parser leaves open: units, routes, whole numbers,
days inside the cycle, cycles inside the regimen, names of drugs referred to
by `after` and by dose levels, and whether two clauses give one drug twice on
the same day. Each mistake becomes a `Diagnostic` at the text it is about.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from dosecal.errors import Diagnostic
from dosecal.language import syntax as s
from dosecal.model import (
    ROUTES,
    UNITS,
    Agent,
    Amount,
    Clause,
    CycleRange,
    CycleSelector,
    DayRule,
    DoseSpec,
    Duration,
    IntervalRule,
    Level,
    Override,
    Parity,
    Phase,
    Regimen,
    Required,
    Slot,
    Unstated,
)
from dosecal.schedule import occurrences
from dosecal.source import Span

MAX_CYCLE_DAYS = 366
MAX_CYCLE_COUNT = 200
# Enough cycles to see every pattern a clause can make before it repeats.
_DRY_RUN_CYCLES = 60


_SINGULAR = {"capsules": "capsule", "tablets": "tablet"}


def _did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


class _Lowerer:
    def __init__(self, recovered: frozenset[int]) -> None:
        self.diagnostics: list[Diagnostic] = []
        self.recovered = recovered

    def error(self, span: Span, message: str, hint: str | None = None) -> None:
        if span.line not in self.recovered:
            self.diagnostics.append(Diagnostic(span, message, hint))

    # ---- numbers and units ----------------------------------------------------

    def whole(self, num: s.Num, what: str, low: int = 1, high: int | None = None) -> int | None:
        """A whole number in [low, high], or a diagnostic."""
        if not num.text.isdigit():
            self.error(num.span, f"{what} must be a whole number, not {num.text}")
            return None
        value = int(num.text)
        if value < low or (high is not None and value > high):
            bound = f"from {low} to {high}" if high is not None else f"at least {low}"
            self.error(num.span, f"{what} {value} is out of range", f"{what} runs {bound}")
            return None
        return value

    def amount(self, node: s.AmountNode) -> Amount | None:
        value = Decimal(node.number.text)
        unit = UNITS.get(node.unit.text)
        if unit is None:
            fixed = node.unit.text.replace("^2", "2").replace("\u00b2", "2").replace("²", "2")
            hint = f"did you mean '{fixed}'?" if fixed in UNITS else _did_you_mean(node.unit.text, UNITS)
            self.error(
                node.unit.span,
                f"unknown dose unit '{node.unit.text}'",
                hint or "units are " + ", ".join(UNITS),
            )
            return None
        if value <= 0:
            self.error(node.number.span, "a dose must be more than 0")
            return None
        return Amount(value, unit)

    def dose(self, node: s.DoseNode) -> Amount | Required | None:
        if isinstance(node, s.RequiredNode):
            return Required()
        return self.amount(node)

    def period_days(self, num: s.Num, period: s.Word, what: str) -> int | None:
        value = self.whole(num, what)
        if value is None:
            return None
        return value * 7 if period.text.startswith("week") else value

    # ---- regimen ---------------------------------------------------------------

    def regimen(self, node: s.RegimenNode, path: str) -> Regimen:
        sources = tuple(i.text for i in node.items if isinstance(i, s.SourceNode))
        notes = tuple(i.text for i in node.items if isinstance(i, s.NoteNode))
        phase_nodes = [i for i in node.items if isinstance(i, s.PhaseNode)]
        loose = [i for i in node.items if isinstance(i, (s.CycleNode, s.AgentNode))]
        if phase_nodes and loose:
            self.error(
                loose[0].span,
                "this regimen has phases: give cycles and drugs inside a phase",
                f"indent this line under a 'phase' line (the first is on line {phase_nodes[0].span.line})",
            )
        if phase_nodes:
            phases = [self.phase(p.name.text, p.items, p.span) for p in phase_nodes]
            self.unique_phases(phase_nodes)
        else:
            phases = [self.phase(None, loose, node.name.span)]
        built = [p for p in phases if p is not None]
        for p in built[:-1]:
            if p.cycle_count is None:
                self.error(
                    next(n.name.span for n in phase_nodes if n.span.line == p.line),
                    f"phase {p.name} has no cycle count, but another phase follows it",
                    "only the last phase can run until progression; say e.g. 'cycle 21 days, 8 cycles'",
                )
        levels = self.levels([i for i in node.items if isinstance(i, s.LevelNode)], built)
        return Regimen(node.name.text, node.title, sources, notes, tuple(built), levels, path)

    def unique_phases(self, nodes: Sequence[s.PhaseNode]) -> None:
        seen: dict[str, int] = {}
        for p in nodes:
            if p.name.text in seen:
                self.error(
                    p.name.span, f"phase '{p.name.text}' is already defined on line {seen[p.name.text]}"
                )
            seen.setdefault(p.name.text, p.span.line)

    def phase(
        self, name: str | None, items: Sequence[s.NoteNode | s.CycleNode | s.AgentNode], span: Span
    ) -> Phase | None:
        cycles = [i for i in items if isinstance(i, s.CycleNode)]
        agents_nodes = [i for i in items if isinstance(i, s.AgentNode)]
        notes = tuple(i.text for i in items if isinstance(i, s.NoteNode))
        where = f"phase {name}" if name else "this regimen"
        if not cycles:
            if not self.recovered:
                self.error(span, f"{where} has no cycle length", "add a line such as 'cycle 28 days'")
            return None
        for extra in cycles[1:]:
            self.error(extra.span, f"{where} already gives its cycle on line {cycles[0].span.line}")
        length, count = self.cycle(cycles[0])
        if length is None:
            return None
        agents = [a for a in (self.agent(n, length, count) for n in agents_nodes) if a is not None]
        self.unique_agents(agents_nodes)
        if not agents_nodes and not self.recovered:
            self.error(span, f"{where} gives no drugs")
        ordered = self.order(agents, agents_nodes)
        phase = Phase(name, length, count, cycles[0].until, tuple(ordered), notes, span.line)
        self.check_overlaps(phase, agents_nodes)
        return phase

    def cycle(self, node: s.CycleNode) -> tuple[int | None, int | None]:
        length = self.period_days(node.length, node.period, "cycle length")
        if length is not None and length > MAX_CYCLE_DAYS:
            self.error(
                node.length.span,
                f"a cycle of {length} days is not plausible",
                f"cycles last at most {MAX_CYCLE_DAYS} days",
            )
            length = None
        count = None
        if node.count is not None:
            count = self.whole(node.count, "number of cycles", 1, MAX_CYCLE_COUNT)
        return length, count

    # ---- agents ----------------------------------------------------------------

    def agent(self, node: s.AgentNode, cycle_days: int, count: int | None) -> Agent | None:
        dose: DoseSpec = Unstated()
        if node.dose is not None:
            dose = self.dose(node.dose) or Unstated()
        route = self.route(node.route)
        opts = self.options(node)
        clauses = [
            c
            for c in (self.clause(n, cycle_days, count) for n in node.items if isinstance(n, s.ClauseNode))
            if c is not None
        ]
        if not any(isinstance(n, s.ClauseNode) for n in node.items):
            self.error(
                node.ref.span,
                f"{node.ref.name} has no schedule",
                "add an indented line below it, such as '    days 1, 2'",
            )
        if opts.cap is not None and isinstance(dose, Amount) and opts.cap.unit.absolute != dose.unit.absolute:
            self.error(
                opts.cap_span, f"the cap is in {opts.cap.unit.text} but the dose is in {dose.unit.absolute}"
            )
        missed = [n for n in node.items if isinstance(n, s.MissedDoseNode)]
        for extra in missed[1:]:
            self.error(
                extra.span, "a drug has one missed-dose rule", f"the first is on line {missed[0].span.line}"
            )
        form = _SINGULAR.get(node.form.text, node.form.text) if node.form else None
        return Agent(
            name=node.ref.name,
            label=node.ref.label,
            dose=dose,
            cap=opts.cap,
            route=route,
            # `after` is resolved in `order`, once every drug of the phase is known.
            form=form,
            duration=opts.duration,
            after=(),
            self_administered=opts.diary,
            notes=tuple(n.text for n in node.items if isinstance(n, s.NoteNode)),
            missed_dose=missed[0].text if missed else None,
            clauses=tuple(clauses),
            line=node.span.line,
        )

    def route(self, node: s.Word | None) -> str | None:
        if node is None:
            return None
        if node.text not in ROUTES:
            upper = node.text.upper()
            hint = f"did you mean '{upper}'?" if upper in ROUTES else _did_you_mean(upper, ROUTES)
            self.error(node.span, f"unknown route '{node.text}'", hint or "routes are " + ", ".join(ROUTES))
            return None
        return node.text

    def options(self, node: s.AgentNode) -> _Options:
        opts = _Options()
        seen: dict[type, int] = {}
        for option in node.options:
            if type(option) in seen and not isinstance(option, s.AfterNode):
                self.error(option.span, "this option is given twice", f"first on column {seen[type(option)]}")
                continue
            seen[type(option)] = option.span.col
            if isinstance(option, s.DurationNode):
                opts.duration = self.duration(option)
            elif isinstance(option, s.AfterNode):
                continue
            elif isinstance(option, s.DiaryNode):
                opts.diary = True
            else:
                opts.cap = self.amount(option.amount)
                opts.cap_span = option.span
                if opts.cap is not None and opts.cap.unit.basis.value != "flat":
                    self.error(
                        option.amount.unit.span, "a cap is an absolute amount", "write e.g. 'max 2 mg'"
                    )
                    opts.cap = None
        return opts

    def duration(self, node: s.DurationNode) -> Duration | None:
        scale = 60 if node.unit.text.startswith("hour") else 1
        low = self.whole(node.low, "duration")
        high = self.whole(node.high, "duration") if node.high else low
        if low is None or high is None:
            return None
        if high < low:
            self.error(node.span, f"the duration range {low}-{high} runs backwards")
            return None
        return Duration(low * scale, high * scale)

    def unique_agents(self, nodes: Sequence[s.AgentNode]) -> None:
        seen: dict[str, int] = {}
        for n in nodes:
            key = n.ref.key
            if key in seen:
                self.error(
                    n.ref.span,
                    f"{key} is already given on line {seen[key]}",
                    "give all its schedule lines under one header, or tell the two apart "
                    f"with a label: '{n.ref.name} (bolus)'",
                )
            seen.setdefault(key, n.span.line)

    def order(self, agents: list[Agent], nodes: Sequence[s.AgentNode]) -> list[Agent]:
        """Agents in same-day order: as written, moved after whatever `after` names."""
        by_key = {a.key: a for a in agents}
        resolved: dict[str, tuple[str, ...]] = {}
        for node in nodes:
            key = node.ref.key
            refs = []
            for opt in node.options:
                if isinstance(opt, s.AfterNode):
                    ref = opt.ref.key
                    if ref == key:
                        self.error(opt.ref.span, f"{key} cannot come after itself")
                    elif ref not in by_key:
                        if not self.recovered:
                            self.error(
                                opt.ref.span,
                                f"'{ref}' is not a drug of this phase",
                                _did_you_mean(ref, by_key),
                            )
                    else:
                        refs.append(ref)
            resolved[key] = tuple(refs)
        done: list[Agent] = []
        pending = [a.key for a in agents]
        while pending:
            ready = next(
                (k for k in pending if all(r in {d.key for d in done} for r in resolved.get(k, ()))), None
            )
            if ready is None:
                first = by_key[pending[0]]
                self.error(
                    Span(first.line, 1, len(first.key)),
                    "these 'after' options go round in a circle: " + " -> ".join(pending),
                )
                done.extend(by_key[k] for k in pending)
                break
            pending.remove(ready)
            agent = by_key[ready]
            done.append(_with_after(agent, resolved.get(ready, ())))
        return done

    # ---- clauses ---------------------------------------------------------------

    def clause(self, node: s.ClauseNode, cycle_days: int, count: int | None) -> Clause | None:
        rule = (
            self.day_rule(node.rule, cycle_days, count)
            if isinstance(node.rule, s.DayRuleNode)
            else self.interval(node.rule, cycle_days, count)
        )
        dose_nodes = [t for t in node.tails if isinstance(t, s.ClauseDoseNode)]
        durations = [t for t in node.tails if isinstance(t, s.DurationNode)]
        self.once(dose_nodes)
        self.once(durations)
        dose = self.dose(dose_nodes[0].dose) if dose_nodes else None
        slots = self.slots(node)
        duration = self.duration(durations[0]) if durations else None
        if rule is None or slots is None:
            return None
        return Clause(rule, dose, slots, node.step_up, duration, node.span.line)

    def once(self, tails: Sequence[s.TailNode]) -> None:
        for extra in tails[1:]:
            self.error(extra.span, "this is given twice on one line")

    def slots(self, node: s.ClauseNode) -> tuple[Slot, ...] | None:
        freqs = [t for t in node.tails if isinstance(t, s.FrequencyNode)]
        times = [t for t in node.tails if isinstance(t, s.TimesNode)]
        self.once(freqs)
        self.once(times)
        per_day = freqs[0].count if freqs else 1
        if not times:
            return tuple(Slot(i) for i in range(1, per_day + 1))
        clock = [self.clock(t) for t in times[0].times]
        if any(c is None for c in clock):
            return None
        if freqs and len(clock) != per_day:
            self.error(
                times[0].span,
                f"{per_day} doses a day need {per_day} clock times, not {len(clock)}",
                "give one time for each dose, e.g. 'twice daily at 08:00, 20:00', or leave the times out",
            )
            return None
        if sorted(clock) != clock or len(set(clock)) != len(clock):  # type: ignore[type-var]
            self.error(times[0].span, "clock times must be given in order, each once")
            return None
        return tuple(Slot(i, c) for i, c in enumerate(clock, start=1))

    def clock(self, word: s.Word) -> str | None:
        hours, minutes = (int(x) for x in word.text.split(":"))
        if hours > 23 or minutes > 59:
            self.error(word.span, f"{word.text} is not a clock time", "use 24-hour times from 00:00 to 23:59")
            return None
        return f"{hours:02d}:{minutes:02d}"

    def day_rule(self, node: s.DayRuleNode, cycle_days: int, count: int | None) -> DayRule | None:
        selector = self.selector(node.selector, count) if node.selector else CycleSelector()
        days: list[int] = []
        for item in node.days:
            for day in self.day_item(item, cycle_days):
                if day in days:
                    self.error(item.span, f"day {day} is listed twice")
                days.append(day)
        if selector is None or not days:
            return None
        return DayRule(selector, tuple(sorted(set(days))))

    def day_item(self, item: s.Item, cycle_days: int) -> list[int]:
        numbers = (
            [item.number]
            if isinstance(item, s.SingleItem)
            else [item.first, item.last]
            if isinstance(item, s.SpanItem)
            else [item.first]
        )
        values = [self.day(n, cycle_days) for n in numbers]
        if any(v is None for v in values):
            return []
        if len(values) == 2:
            first, last = values
            assert first is not None and last is not None
            if last < first:
                self.error(
                    item.span, f"the day range {first}-{last} runs backwards", f"did you mean {last}-{first}?"
                )
                return []
            return list(range(first, last + 1))
        return [v for v in values if v is not None]

    def day(self, num: s.Num, cycle_days: int) -> int | None:
        if num.text == "0":
            self.error(num.span, "there is no day 0", "day 1 is the first day of the cycle")
            return None
        value = self.whole(num, "a day")
        if value is not None and value > cycle_days:
            self.error(
                num.span,
                f"day {value} is outside a {cycle_days}-day cycle",
                f"days run from 1 to {cycle_days}",
            )
            return None
        return value

    def selector(self, node: s.SelectorNode, count: int | None) -> CycleSelector | None:
        ranges = [r for r in (self.cycle_range(i, count) for i in node.items) if r is not None]
        several = len(node.items) > 1 or any(not isinstance(i, s.SingleItem) for i in node.items)
        if node.keyword.text == "cycle" and (several or node.parity):
            text = " ".join(
                filter(None, [node.parity.text if node.parity else None, "cycles", _items_text(node.items)])
            )
            self.error(node.keyword.span, "'cycle' names one cycle", f"did you mean '{text}'?")
        if not node.items and node.parity is None:
            self.error(node.span, "say which cycles", "e.g. 'cycles 2+:' or 'odd cycles:'")
            return None
        if len(ranges) != len(node.items):
            return None
        parity = Parity(node.parity.text) if node.parity else None
        return CycleSelector(tuple(ranges), parity)

    def cycle_range(self, item: s.Item, count: int | None) -> CycleRange | None:
        first_num = item.number if isinstance(item, s.SingleItem) else item.first
        first = self.whole(first_num, "a cycle number")
        if first is None:
            return None
        if count is not None and first > count:
            self.error(first_num.span, f"cycle {first} is past the last cycle ({count})")
            return None
        if isinstance(item, s.OnwardItem):
            return CycleRange(first, None)
        if isinstance(item, s.SingleItem):
            return CycleRange(first, first)
        last = self.whole(item.last, "a cycle number")
        if last is None:
            return None
        if last < first:
            self.error(item.span, f"the cycle range {first}-{last} runs backwards")
            return None
        if count is not None and last > count:
            self.error(item.last.span, f"cycle {last} is past the last cycle ({count})")
            return None
        return CycleRange(first, last)

    def interval(self, node: s.IntervalNode, cycle_days: int, count: int | None) -> IntervalRule | None:
        every = self.period_days(node.every, node.period, "an interval")
        anchor_cycle, anchor_day = 1, 1
        if node.anchor:
            c = self.whole(node.anchor[0], "a cycle number", 1, count)
            d = self.day(node.anchor[1], cycle_days)
            if c is None or d is None:
                return None
            anchor_cycle, anchor_day = c, d
        doses = self.whole(node.count, "number of doses", 1, 1000) if node.count else None
        if every is None or (node.count and doses is None):
            return None
        return IntervalRule(every, anchor_cycle, anchor_day, doses)

    # ---- cross checks --------------------------------------------------------

    def check_overlaps(self, phase: Phase, nodes: Sequence[s.AgentNode]) -> None:
        """Two clauses must not give one drug at the same slot of the same day."""
        cycles = phase.cycle_count or _DRY_RUN_CYCLES
        seen: dict[tuple[str, int, int, int], int] = {}
        reported: set[tuple[int, int]] = set()
        for occ in occurrences(phase, cycles):
            for slot in occ.clause.slots:
                key = (occ.agent.key, occ.cycle, occ.day, slot.number)
                first = seen.setdefault(key, occ.clause.line)
                if first != occ.clause.line and (first, occ.clause.line) not in reported:
                    reported.add((first, occ.clause.line))
                    text = _clause_span(nodes, occ.clause.line)
                    self.error(
                        text,
                        f"{occ.agent.key} is already given on cycle {occ.cycle} day {occ.day} "
                        f"by line {first}",
                        "list each day once; a drug given twice on a day says 'twice daily', or is "
                        "written twice with labels such as '(bolus)' and '(infusion)'",
                    )

    def levels(self, nodes: Sequence[s.LevelNode], phases: Sequence[Phase]) -> tuple[Level, ...]:
        agents = {a.key: a for p in phases for a in p.agents}
        levels: list[Level] = []
        seen: dict[str, int] = {}
        for node in nodes:
            if node.name.text in seen:
                self.error(
                    node.name.span,
                    f"level {node.name.text} is already defined on line {seen[node.name.text]}",
                )
                continue
            seen[node.name.text] = node.span.line
            overrides: list[Override] = []
            for o in node.overrides:
                override = self.override(o, agents, [x.agent for x in overrides])
                if override is not None:
                    overrides.append(override)
            levels.append(Level(node.name.text, tuple(overrides), node.span.line))
        return tuple(levels)

    def override(self, node: s.OverrideNode, agents: dict[str, Agent], done: list[str]) -> Override | None:
        key = node.ref.key
        dose = self.dose(node.dose)
        if key not in agents:
            if not self.recovered:
                self.error(
                    node.ref.span,
                    f"this level sets a dose for '{key}', which is not a drug of this regimen",
                    _did_you_mean(key, agents),
                )
            return None
        if key in done:
            self.error(node.ref.span, f"this level sets the dose of {key} twice")
            return None
        if any(c.dose is not None for c in agents[key].clauses):
            self.error(
                node.ref.span, f"{key} states its dose on its schedule lines; a level cannot replace it"
            )
            return None
        if dose is None:
            return None
        return Override(key, dose, node.span.line)


class _Options:
    def __init__(self) -> None:
        self.duration: Duration | None = None
        self.diary = False
        self.cap: Amount | None = None
        self.cap_span = Span(1, 1)


def _with_after(agent: Agent, after: tuple[str, ...]) -> Agent:
    from dataclasses import replace

    return replace(agent, after=after)


def _items_text(items: Sequence[s.Item]) -> str:
    def one(i: s.Item) -> str:
        if isinstance(i, s.SingleItem):
            return i.number.text
        if isinstance(i, s.SpanItem):
            return f"{i.first.text}-{i.last.text}"
        return f"{i.first.text}+"

    return ", ".join(one(i) for i in items)


def _clause_span(nodes: Sequence[s.AgentNode], line: int) -> Span:
    for agent in nodes:
        for item in agent.items:
            if isinstance(item, s.ClauseNode) and item.span.line == line:
                return item.span
    return Span(line, 1)


def lower(
    tree: s.RegimenNode, path: str, recovered: frozenset[int] = frozenset()
) -> tuple[Regimen, list[Diagnostic]]:
    """Check a syntax tree and build the model; the diagnostics list every mistake."""
    lowerer = _Lowerer(recovered)
    regimen = lowerer.regimen(tree, path)
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", regimen.name):
        lowerer.error(tree.name.span, "a regimen name is lower case letters, digits, '-' and '_'")
    return regimen, lowerer.diagnostics
