"""Syntax tree -> checked `model.Regimen`, collecting every mistake at once.

Lowering resolves what the parser leaves open: units, routes, whole numbers,
days inside the cycle, cycles inside the regimen, names of drugs referred to
by `after` and by dose levels, and whether two clauses give one drug twice on
the same day. Each mistake becomes a `Diagnostic` at the text it is about.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Sequence
from dataclasses import replace

from dosecal import limits
from dosecal.errors import Findings
from dosecal.language import line_cover, overlaps
from dosecal.language import options as option_blocks
from dosecal.language import syntax as s
from dosecal.language.checks import cap_hint
from dosecal.language.options import OptionChecker, PhaseItem
from dosecal.limits import MAX_CYCLES
from dosecal.model.rates import CONTINUOUS
from dosecal.model.regimen import (
    A_WEEK,
    ROUTES,
    Agent,
    Amount,
    Anchor,
    Clause,
    CycleRange,
    CycleSelector,
    DayRule,
    DoseRange,
    DoseSpec,
    Duration,
    Level,
    Option,
    Override,
    Phase,
    Regimen,
    Unstated,
    kind_misfit,
    last_day,
    line_sets,
)
from dosecal.source import Span
from dosecal.text import counted

_SINGULAR = {"capsules": "capsule", "tablets": "tablet"}
_REST_ONCE = "write the whole rest once, e.g. 'rest 42 days'"
_REST_PHASES = "write the regimen's phases with 'phase NAME' lines, the rest between them"
_REST_FIRST = "the course's start date is the first cycle's day 1; leave the rest out"
_REST_LAST = "the course ends with the last cycle of its last phase; leave the rest out"


class _Lowerer(OptionChecker):
    """Lowers a whole regimen: phases, drugs, same-day order, levels, overlaps."""

    # ---- regimen ---------------------------------------------------------------

    def regimen(self, node: s.RegimenNode, path: str) -> Regimen:
        sources = tuple(i.text for i in node.items if isinstance(i, s.SourceNode))
        notes = tuple(i.text for i in node.items if isinstance(i, s.NoteNode))
        phase_nodes = [i for i in node.items if isinstance(i, s.PhaseNode)]
        # A drug given by a line over the whole course belongs to no phase (docs/language.md §31).
        course_nodes = [i for i in node.items if isinstance(i, s.AgentNode) and _over_course(i)]
        self.course_keys = {n.ref.key for n in course_nodes}
        self.continuous = {
            n.ref.key
            for n in (*node.items, *(i for p in node.items if isinstance(p, s.PhaseNode) for i in p.items))
            if isinstance(n, s.AgentNode) and n.form is not None and n.form.text == CONTINUOUS
        }
        loose = [
            i
            for i in node.items
            if isinstance(i, (s.CycleNode, s.NoCyclesNode, s.AgentNode, s.OptionLineNode))
            and i not in course_nodes
        ]
        # A drug whose every line the parser could not read may have been given over the course.
        unread = [i for i in loose if isinstance(i, s.AgentNode) and _all_recovered(i, self.recovered)]
        if phase_nodes and len(loose) > len(unread):
            self.error(
                next(i for i in loose if i not in unread).span,
                "this regimen has phases: give cycles and drugs inside a phase",
                f"indent this line under a 'phase' line (the first is on line {phase_nodes[0].span.line})",
            )
        for rule in (
            i
            for p in phase_nodes
            for i in p.items
            if isinstance(i, (s.BsaRuleNode, s.RenalRuleNode, s.RoundRuleNode))
        ):
            self.renal_written.add("this regimen")  # no follow-on "no rule" for its drugs
            self.error(
                rule.span,
                "a BSA, CrCl or round rule holds for the regimen or for one drug, not for a phase",
                "indent it under the regimen line, or under the drug it is for",
            )
        rests = self.rests(node.items)
        if phase_nodes:
            phases = [self.phase(p.name.text, _no_rules(p.items), p.span, rests.get(p.span.line, 0))
                      for p in phase_nodes]  # fmt: skip
            self.unique_phases(phase_nodes)
        else:
            phases = [self.phase(None, loose, node.name.span)]
        built = [p for p in phases if p is not None]
        names = {n.span.line: n.name.span for n in phase_nodes}
        for p in built[:-1]:
            if p.cycle_count is None:
                self.error(
                    names[p.line],
                    f"phase {p.name} has no cycle count, but another phase follows it",
                    "only the last phase can run until progression; say e.g. 'cycle 21 days, 8 cycles'",
                )
        self.total_cycles(built, names)
        self.runs_end(built, phase_nodes, names)
        built = self.totals(built, phase_nodes)
        if len(built) > 1:
            self.across_phases(built, phase_nodes)
        for inner in (
            i for p in phase_nodes for i in p.items if isinstance(i, s.AgentNode) and _over_course(i)
        ):
            self.error(
                _course_lines(inner)[0].span,
                f"{inner.ref.key} is given over the whole course: it belongs to no phase",
                "write it under the regimen line, after the phases",
            )
        course = self.over_the_course(
            course_nodes, built, phases[0].cycle_days if phases and phases[0] else 1
        )
        levels = self.levels([i for i in node.items if isinstance(i, s.LevelNode)], built, course)
        rules = self.limit_rules(node.items, "this regimen")
        self.rules_used([*(a for p in built for a in p.agents), *course], levels, rules)
        bsa, renal, rounding = rules
        return Regimen(
            node.name.text,
            node.title,
            sources,
            notes,
            tuple(built),
            levels,
            path,
            bsa,
            renal,
            rounding,
            course,
        )

    def runs_end(self, phases: Sequence[Phase], nodes: Sequence[s.PhaseNode], names: dict[int, Span]) -> None:
        """A run ends on its last dose, on or after its day 1; and where a phase follows it, the same
        day for every patient: no line given by a patient value, no total of doses that may end it
        sooner (the phase after it would start on a day no line says)."""
        clause_spans, total_spans = _item_spans(nodes, s.ClauseNode), _item_spans(nodes, s.DoseTotalNode)
        for index, phase in enumerate(phases):
            if not phase.run:
                continue
            where = f"phase {phase.name}" if phase.name else "this regimen"
            longest = limits.MAX_RUN_DAYS
            lasts = [last_day(c, longest, day) for a in phase.agents for c in a.clauses for day in A_WEEK]
            if lasts and max(lasts) < 1:
                self.error(
                    names.get(phase.line, Span(phase.line, 1)),
                    f"{where} has no cycles and no dose on or after its day 1: it would end before it starts",
                    "give its days from day 1, or give these doses as days before the next phase's day 1",
                )
            if index == len(phases) - 1:
                continue
            for agent in phase.agents:
                lines = [c.line for c in agent.clauses if c.condition is not None]
                lines += [agent.total[1]] if agent.total is not None else []
                for line in lines:
                    self.error(
                        clause_spans.get(line) or total_spans.get(line) or Span(line, 1),
                        f"{where} has no cycles and another phase follows it: it must end on one day for "
                        "every patient, and this line can move its last dose",
                        "give the run its lines without a condition or a total, or give it a cycle line",
                    )

    def over_the_course(
        self, nodes: Sequence[s.AgentNode], phases: Sequence[Phase], length: int
    ) -> tuple[Agent, ...]:
        """The drugs given over the whole course: each by one line counted from the first and last
        doses of a drug of the phases (lines of a cycle's days would have no cycle to count in)."""
        keys = {a.key: p.name for p in phases for a in p.agents}
        out: list[Agent] = []
        for node in nodes:
            lines = _course_lines(node)
            for other in (i for i in node.items if isinstance(i, s.ClauseNode) and i not in lines):
                self.error(
                    other.span,
                    f"{node.ref.key} is given over the whole course (line {lines[0].span.line})",
                    "give its days of a cycle to a drug of their own, told apart by a label: "
                    f"'{node.ref.name} (cycle)'",
                )
            for again in lines[1:]:
                self.error(
                    again.span,
                    f"{node.ref.key} already has its line over the whole course, on line "
                    f"{lines[0].span.line}",
                    f"give another as a drug of its own, told apart by a label: '{node.ref.name} (loading)'",
                )
            for option in (o for o in node.options if isinstance(o, (s.AfterNode, s.WithNode))):
                self.error(
                    option.span,
                    f"{node.ref.key} is given over the whole course, not among a phase's drugs",
                    "leave this out: a drug over the course has no place in a phase's order of the day",
                )
            if node.ref.key in keys:
                where = f"phase {keys[node.ref.key]}" if keys[node.ref.key] else "this regimen's cycles"
                self.error(
                    node.ref.span,
                    f"{node.ref.key} is given in {where} too",
                    "tell the two apart with a label in brackets after the name",
                )
            points = [p for c in lines if isinstance(c.rule, s.CourseLineNode) for p in _points(c.rule)]
            for point in {p.anchor.key: p for p in reversed(points)}.values():  # each drug named, once
                self.counted_from_course(node.ref.key, point, keys)
            agent = self.agent(node, length, None)
            if agent is not None:
                out.append(agent)
        self.unique_agents(nodes)
        return tuple(out)

    def counted_from_course(self, key: str, point: s.CoursePointNode, keys: dict[str, str | None]) -> None:
        """A line over the course is counted from a drug of the phases given on days (a continuous
        infusion runs over days), not its own or another such."""
        other = point.anchor.key
        if other in self.continuous:
            self.error(point.anchor.span, f"{other} runs as a continuous infusion over days",
                       "count these days from a drug given on days, or write them in a phase")  # fmt: skip
        elif other == key:
            self.error(
                point.anchor.span,
                f"{key}'s days cannot be counted from its own doses",
                "name the drug they go with",
            )
        elif other not in keys and not self.names_lost:
            self.error(
                point.anchor.span,
                f"'{other}' is not a drug of this regimen's cycles",
                self.suggest(other, keys) or "a line over the course is counted from a drug of the cycles",
            )

    def rests(self, items: Sequence[s.RegimenItem]) -> dict[int, int]:
        """The days of rest before each phase that follows one, by the phase's line.

        A rest stands between two phases: before the first there is nothing for it to follow
        (the course's start is cycle 1 day 1), and after the last nothing for it to keep apart."""
        order = [i for i in items if isinstance(i, (s.PhaseNode, s.RestNode))]
        out: dict[int, int] = {}
        for index, item in enumerate(order):
            if not isinstance(item, s.RestNode):
                continue
            days = self.period_days(item.length, item.period, limits.REST)
            before = order[index - 1] if index else None
            after = order[index + 1] if index + 1 < len(order) else None
            if isinstance(before, s.RestNode):
                why, fix = f"a rest already stands here, on line {before.span.line}", _REST_ONCE
            elif not any(isinstance(i, s.PhaseNode) for i in order):
                why, fix = "a rest stands between two phases, and this regimen has none", _REST_PHASES
            elif before is None:
                why, fix = "a rest stands between two phases: nothing comes before this one", _REST_FIRST
            elif after is None:
                why, fix = "a rest stands between two phases: no phase follows this one", _REST_LAST
            else:
                why = fix = ""
            if why:
                self.error(item.span, why, fix)
            elif isinstance(after, s.PhaseNode) and days is not None:
                out[after.span.line] = days
        return out

    def totals(self, phases: list[Phase], nodes: Sequence[s.PhaseNode]) -> list[Phase]:
        """A drug's doses in all (`at most 35 doses in all`) count its doses in every phase: written
        under it in one phase, it holds for all of them, and two phases may not say two numbers."""
        spans = _item_spans(nodes, s.DoseTotalNode)
        said: dict[str, tuple[int, int]] = {}
        for key, total in ((a.key, a.total) for p in phases for a in p.agents if a.total is not None):
            first = said.setdefault(key, total)
            if first[0] != total[0]:
                self.error(spans.get(total[1], Span(total[1], 1)),
                           f"line {first[1]} says {key} is given at most {first[0]} doses in all",
                           "a drug's doses in all count every phase: say it once, in one phase")  # fmt: skip
        if not said:
            return phases
        return [
            replace(p, agents=tuple(replace(a, total=said.get(a.key, a.total)) for a in p.agents))
            for p in phases
        ]

    def total_cycles(self, phases: Sequence[Phase], names: dict[int, Span]) -> None:
        """The phases' cycles together are a course that can be expanded: at most `MAX_CYCLES`."""
        total = 0
        for p in phases:
            total += p.cycle_count or 0
            if total > MAX_CYCLES:
                self.error(
                    names[p.line],
                    f"the phases up to {p.name} have {total} cycles, more than a course can have",
                    f"a course has at most {MAX_CYCLES} cycles, all phases together",
                )
                return

    def unique_phases(self, nodes: Sequence[s.PhaseNode]) -> None:
        seen: dict[str, int] = {}
        for p in nodes:
            if p.name.text in seen:
                self.error(
                    p.name.span, f"phase '{p.name.text}' is already defined on line {seen[p.name.text]}"
                )
            seen.setdefault(p.name.text, p.span.line)

    def phase(
        self,
        name: str | None,
        items: Sequence[PhaseItem],
        span: Span,
        rest_before: int = 0,
    ) -> Phase | None:
        cycles = [i for i in items if isinstance(i, s.CycleNode)]
        agents_nodes = [i for i in items if isinstance(i, s.AgentNode)]
        notes = tuple(i.text for i in items if isinstance(i, s.NoteNode))
        where = f"phase {name}" if name else "this regimen"
        # `no cycles`: one run of days from the start to the last dose (docs/language.md §34). Said,
        # not taken from a missing cycle line, which is more often forgotten than meant.
        runs = [i for i in items if isinstance(i, s.NoCyclesNode)]
        run = bool(runs) and not cycles
        if not cycles and not run:
            if not self.recovered:
                self.error(span, f"{where} has no cycle length", _NO_CYCLE_HINT)
            return None
        given: list[s.CycleNode | s.NoCyclesNode] = sorted([*cycles, *runs], key=lambda n: n.span.line)
        for extra in given[1:]:
            self.error(extra.span, f"{where} already gives its cycle on line {given[0].span.line}")
        length, count = (limits.MAX_RUN_DAYS, 1) if run else self.cycle(cycles[0])
        if length is None:
            return None
        if run:
            self.run_lines(agents_nodes, where)
        agents = [a for a in (self.agent(n, length, count) for n in agents_nodes) if a is not None]
        self.unique_agents(agents_nodes)
        if not agents_nodes and not self.recovered:
            self.error(
                span,
                f"{where} gives no drugs",
                "for a planned rest between two phases, write 'rest 28 days' between them" if name else None,
            )
        ordered = self.order(agents, agents_nodes, where)
        # A phase that numbers a day 0 counts the days before it from day 0 (docs/language.md §27).
        zero = any(0 in c.rule.days for a in ordered for c in a.clauses if isinstance(c.rule, DayRule))
        ordered = self.resolve(ordered, length, count, zero, where)
        self.weekdays_reach(ordered, length, count, agents_nodes)
        until = cycles[0].until if cycles else None
        phase = Phase(name, length, count, until, tuple(ordered), notes, span.line, rest_before, zero, run)
        phase = phase.bounded()  # a run: as long as its last dose can fall
        self.check_overlaps(phase, agents_nodes)
        self.option_lines(name, items)
        return phase

    def run_lines(self, nodes: Sequence[s.AgentNode], where: str) -> None:
        """A run without cycles has no cycles to choose, and ends on its last dose: so no line names
        cycles, and each says where it ends (a count, or days listed)."""
        for clause in (i for n in nodes for i in n.items if isinstance(i, s.ClauseNode)):
            rule = clause.rule
            selector = rule.selector if isinstance(rule, (s.DayRuleNode, s.WeekdaysNode)) else None
            if selector is not None:
                self.error(
                    selector.span,
                    f"{where} has no cycles: its days run on from its start",
                    f"remove '{selector.keyword.text} ...:', or give it a line such as 'cycle 28 days'",
                )
                # Its cycles are past the run's one: said once, here, not again at each number.
                self.recovered = self.recovered | {clause.span.line}
            elif isinstance(rule, (s.IntervalNode, s.WeekdaysNode)) and rule.count is None:
                example = (
                    "every 8 weeks for 12 doses"
                    if isinstance(rule, s.IntervalNode)
                    else "Monday to Friday, 28 sessions"
                )
                self.error(
                    rule.span,
                    f"{where} has no cycles, so it ends on its last dose: this line does not say when",
                    f"give the count the protocol states, e.g. '{example}', or a cycle line "
                    "such as 'cycle 56 days, until progression'",
                )

    def cycle(self, node: s.CycleNode) -> tuple[int | None, int | None]:
        length = self.period_days(node.length, node.period, limits.CYCLE_LENGTH)
        count = self.whole(node.count, limits.CYCLE_COUNT) if node.count is not None else None
        return length, count

    # ---- agents ----------------------------------------------------------------

    def agent(self, node: s.AgentNode, cycle_days: int, count: int | None) -> Agent | None:
        dose: DoseSpec = Unstated()
        if node.dose is not None:
            dose = self.dose(node.dose) or Unstated()
        route = self.route(node.route)
        opts = self.options(node)
        continuous = node.form is not None and node.form.text == CONTINUOUS
        clause_nodes = [n for n in node.items if isinstance(n, s.ClauseNode)]
        lowered = [(n, self.clause(n, cycle_days, count, opts.cap, continuous)) for n in clause_nodes]
        # Only a drug all of whose lines were read is checked for the patients its lines leave out.
        whole = all(c is not None for _, c in lowered) and not any(
            n.span.line in self.recovered for n in clause_nodes
        )
        cycles = count or line_cover.horizon([c for _, c in lowered if c is not None])
        clauses = self.line_conditions(node.ref, [(n, c) for n, c in lowered if c is not None], cycles, whole)
        by_line = {n.span.line: n for n in clause_nodes}
        self.weekdays_apart(
            node.ref.key, [(by_line[c.line], c) for c in clauses if c.line in by_line], cycles
        )
        self.fits(dose, clauses, continuous, node.dose.span if node.dose else node.span)
        if continuous and node.dose is not None and isinstance(dose, DoseRange):
            self.error(node.dose.span, "a continuous infusion over days runs at one dose a day",
                       "give the dose a day the protocol states, e.g. '100 mg/m2/day'")  # fmt: skip
        self.lasting(node, continuous)
        if not any(isinstance(n, s.ClauseNode) for n in node.items):
            self.error(
                node.ref.span,
                f"{node.ref.name} has no schedule",
                "add an indented line below it, such as '    days 1, 2'",
            )
        self.route_in_name(node.ref)
        if node.dose is None:
            self.partial_doses(node)
        if node.dose is not None and not isinstance(dose, Unstated):
            self.against_cap(dose, opts.cap, node.dose.span)
        missed = [n for n in node.items if isinstance(n, s.MissedDoseNode)]
        for extra in missed[1:]:
            self.error(
                extra.span, "a drug has one missed-dose rule", f"the first is on line {missed[0].span.line}"
            )
        form = _SINGULAR.get(node.form.text, node.form.text) if node.form else None
        totals = [n for n in node.items if isinstance(n, s.DoseTotalNode)]
        for again in totals[1:]:
            said = f"{node.ref.key}'s doses in all are already said on line {totals[0].span.line}"
            self.error(again.span, said, "write 'at most N doses in all' once")
        count_in_all = self.whole(totals[0].count, limits.DOSE_COUNT) if totals else None
        bsa, renal, rounding = self.limit_rules(node.items, node.ref.key)
        patient_limits = self.patient_limits(node.items)
        alternatives = self.alternatives(node, dose, opts.alternative, opts.cap)
        if alternatives and opts.alternative is not None:
            self.fits(alternatives[0].dose, clauses, continuous, opts.alternative.amount.span)
        self.rule_spans[node.span.line] = node.ref.span
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
            bsa=bsa,
            renal=renal,
            rounding=rounding,
            limits=patient_limits,
            alternatives=alternatives,
            total=(count_in_all, totals[0].span.line) if count_in_all is not None else None,
            kind=self.kind(node, opts.diary),
        )

    def weekdays_reach(
        self, agents: Sequence[Agent], length: int, count: int | None, nodes: Sequence[s.AgentNode]
    ) -> None:
        """A count of days of the week (`28 sessions`) the phase's cycles can hold, from some day of
        the week (an open-ended phase holds any: its course says how many cycles)."""
        if count is None:
            return
        spans = {i.span.line: i.rule.span for n in nodes for i in n.items if isinstance(i, s.ClauseNode)}
        for clause in (c for a in agents for c in a.clauses):
            week = clause.weekdays
            if week is None or week.count is None or not isinstance(clause.rule, DayRule):
                continue
            most = week.most(clause.rule.selector, length, count)
            if most < week.count:
                self.error(
                    spans.get(clause.line, Span(clause.line, 1)),
                    f"{counted(count, 'cycle')} of {length} days {'hold' if count > 1 else 'holds'} at most "
                    f"{counted(most, 'day')} {week.words()}, "
                    f"not the {week.count} of this line",
                    "check the count and the cycles against the protocol",
                )

    def weekdays_apart(self, key: str, lowered: list[tuple[s.ClauseNode, Clause]], cycles: int) -> None:
        """A line of days of the week gives a drug on dates no cycle day of another of its lines can
        be checked against before the course's dates are known: it shares no cycle with them, but
        where one patient is never given both (their conditions), or both are of days of the week
        and share none (expanding checks the dates a day -1 of another cycle may meet)."""
        together = line_sets(tuple(c for _, c in lowered))
        for node, clause in ((n, c) for n, c in lowered if c.weekdays is not None):
            for other in (c for _, c in lowered if c is not clause and _may_meet(clause, c, together)):
                shared = next(
                    (n for n in range(1, cycles + 1) if _gives_in(clause, n) and _gives_in(other, n)), None
                )
                if shared is not None:
                    self.error(
                        node.rule.span,
                        f"line {other.line} gives {key} in cycle {shared} too",
                        "give the two lines different cycles, or, both of days of the week, "
                        "different days of the week",
                    )
                    break

    def lasting(self, node: s.AgentNode, continuous: bool) -> None:
        """A continuous infusion over days lasts its days: no duration of its own."""
        for option in (o for o in node.options if isinstance(o, s.DurationNode) and continuous):
            self.error(option.span, "a continuous infusion over days lasts the days it runs",
                       "leave this out: 'days 1-7' is one infusion of 7 days")  # fmt: skip

    def route_in_name(self, ref: s.AgentRef) -> None:
        """'isatuximab iv' would silently be a drug of that name with no route."""
        for word in ref.name.split()[1:]:
            if word.upper() in ROUTES:
                self.error(
                    ref.span,
                    f"'{word}' reads as part of the drug's name '{ref.name}'",
                    f"routes are written in capitals: '{word.upper()}'",
                )

    def partial_doses(self, node: s.AgentNode) -> None:
        """A drug with no dose of its own must state one on every schedule line, or on none."""
        clauses = [n for n in node.items if isinstance(n, s.ClauseNode)]
        dosed = [any(isinstance(t, s.ClauseDoseNode) for t in c.tails) for c in clauses]
        if not any(dosed):
            return
        first = clauses[dosed.index(True)]
        for clause, has_dose in zip(clauses, dosed, strict=True):
            if not has_dose:
                self.error(
                    clause.span,
                    f"{node.ref.key} has a dose on line {first.span.line} but none on this line",
                    "add 'at AMOUNT UNIT' here, or give the drug's dose on its first line",
                )

    def route(self, node: s.Word | None) -> str | None:
        if node is None:
            return None
        if node.text not in ROUTES:
            upper = node.text.upper()
            hint = f"did you mean '{upper}'?" if upper in ROUTES else self.suggest(upper, ROUTES)
            self.error(node.span, f"unknown route '{node.text}'", hint or "routes are " + ", ".join(ROUTES))
            return None
        return node.text

    def options(self, node: s.AgentNode) -> _Options:
        opts = _Options()
        seen: dict[type, int] = {}
        for option in node.options:
            if type(option) in seen and not isinstance(option, s.AfterNode):  # several drugs before it
                self.error(option.span, "this option is given twice", f"first on column {seen[type(option)]}")
                continue
            seen[type(option)] = option.span.col
            if isinstance(option, s.DurationNode):
                opts.duration = self.duration(option)
            elif isinstance(option, (s.AfterNode, s.WithNode)):
                continue  # resolved in `order`, once every drug of the phase is known
            elif isinstance(option, s.DiaryNode):
                opts.diary = True
            elif isinstance(option, s.AlternativeNode):
                opts.alternative = option
            else:
                opts.cap = self.amount(option.amount)
                if opts.cap is not None and opts.cap.unit.basis.value != "flat":
                    self.error(option.amount.unit.span, "a cap is an absolute amount", cap_hint(opts.cap))
                    opts.cap = None
        return opts

    def unique_agents(self, nodes: Sequence[s.AgentNode]) -> None:
        seen: dict[str, int] = {}
        for n in nodes:
            key = n.ref.key
            if key in seen:
                self.error(
                    n.ref.span,
                    f"{key} is already given on line {seen[key]}",
                    "give all its schedule lines under one header, or, if it really is given "
                    "twice, tell the two apart with a label in brackets after the name",
                )
            seen.setdefault(key, n.span.line)

    def resolve(
        self, agents: list[Agent], cycle_days: int, count: int | None, zero: bool, where: str
    ) -> list[Agent]:
        """Each line counted from another drug's doses, as day rules: one for each of that drug's
        lines, with its cycles, and each of its days moved by each shift of the line."""
        by_key = {a.key: a for a in agents}
        out = []
        for agent in agents:
            clauses: list[Clause] = []
            for clause in agent.clauses:
                node = self.relative.get(clause.line)
                if node is None:
                    clauses.append(clause)
                    continue
                anchor = self.anchor_of(agent, node, by_key, where)
                if anchor is not None:
                    clauses += self.counted_from(clause, anchor, node, (cycle_days, count), zero)
            out.append(replace(agent, clauses=tuple(clauses)))
        return out

    def counted_from(
        self, clause: Clause, anchor: Agent, node: s.RelativeNode, cycles: tuple[int, int | None], zero: bool
    ) -> list[Clause]:
        """`clause`'s day rules: in each run of cycles where the same lines of `anchor` are given,
        each of their days moved by each shift. A day that two of its doses both give (the day after
        day 1 is the day before day 3, on one line or two) is one day, serving both. The days are in
        the phase's numbering (`Phase.offset`), and at most a cycle before day 1, as written ones."""
        length, count = cycles
        numbering = Phase(None, length, None, None, (), (), 0, 0, zero)
        shifts = tuple(k for k, _ in node.shifts if k is not None)  # `relative_rule` refused the others
        horizon = count or MAX_CYCLES
        given = [
            tuple(c for c in anchor.clauses if _rule(c).selector.matches(n)) for n in range(1, horizon + 1)
        ]
        out = []
        for lines in dict.fromkeys(g for g in given if g):
            serves: dict[int, list[int]] = {}
            for line in lines:
                for day in _rule(line).days:
                    for shift in shifts:
                        moved = numbering.day_at(numbering.offset(day) + shift)
                        serves.setdefault(moved, []).append(day)
            too_early = [d for d in serves if numbering.offset(d) < numbering.offset(1 - length)]
            if too_early:
                day = min(too_early)
                said = f"this is day {day} of {anchor.key}'s cycle, more than a cycle before day 1"
                self.error(
                    node.span, said, f"days before day 1 go back to day {1 - length} of a {length}-day cycle"
                )
                return []
            these = [n for n, g in enumerate(given, 1) if g == lines]
            mine = [n for n in range(1, horizon + 1) if _rule(lines[0]).selector.matches(n)]
            # As the other drug's line says them where they are its line's cycles ("odd cycles").
            selector = (
                _rule(lines[0]).selector
                if these == mine
                else CycleSelector(_runs(these, horizon, count is None))
            )
            days = tuple(sorted(serves))
            anchor_said = Anchor(
                anchor.key, tuple(c.line for c in lines), shifts, tuple((d, tuple(serves[d])) for d in days)
            )
            rule = DayRule(selector, days)
            out.append(replace(clause, rule=rule, anchor=anchor_said))
        return out

    def anchor_of(
        self, agent: Agent, node: s.RelativeNode, by_key: dict[str, Agent], where: str
    ) -> Agent | None:
        """The drug a line's days are counted from: another drug of the phase, given by day rules."""
        key = node.anchor.key
        other = by_key.get(key)
        if key == agent.key:
            self.error(node.anchor.span, f"{key}'s days cannot be counted from its own doses",
                       "name the drug they go with")  # fmt: skip
        elif other is None and key in self.course_keys:
            said = f"{key} is given over the whole course, not among {_drugs_of(where)}"
            self.error(node.anchor.span, said, "count these days from a drug of the same phase")
        elif other is None:
            if not self.names_lost:
                self.error(node.anchor.span, f"'{key}' is not a drug of {where}", self.suggest(key, by_key))
        elif any(c.line in self.relative for c in other.clauses):
            self.error(node.anchor.span, f"{key}'s own days are counted from another drug's doses",
                       "count these days from that drug too")  # fmt: skip
        elif other.form == CONTINUOUS:
            self.error(node.anchor.span, f"{key} runs as a continuous infusion over days",
                       "write these days as days of the cycle ('days -1, 1')")  # fmt: skip
        elif any(c.weekdays is not None for c in other.clauses):
            said = f"{key} is given on days of the week: its doses are not days of the cycle"
            self.error(
                node.anchor.span, said, "write these days as days of the week too ('Monday to Friday')"
            )
        elif not all(isinstance(c.rule, DayRule) and c.condition is None for c in other.clauses):
            self.error(
                node.anchor.span,
                f"{key} is given at an interval, or by a condition: its doses are not days of the cycle",
                "write these days as days of the cycle ('days -1, 1, 2')",
            )
        else:
            return other
        return None

    def order(self, agents: list[Agent], nodes: Sequence[s.AgentNode], where: str) -> list[Agent]:
        """Agents in same-day order: as written, moved after whatever `after` names; a drug `with`
        another right behind it (they start together: views.visit_times)."""
        by_key = {a.key: a for a in agents}
        resolved: dict[str, tuple[str, ...]] = {}
        together: dict[str, str] = {}
        for node in nodes:
            key = node.ref.key
            refs = []
            for opt in node.options:
                if not isinstance(opt, (s.AfterNode, s.WithNode)):
                    continue
                ref = opt.ref.key
                word = "after" if isinstance(opt, s.AfterNode) else "with"
                if ref == key:
                    self.error(
                        opt.ref.span,
                        f"{key} cannot come after itself"
                        if word == "after"
                        else f"{key} cannot be given with itself",
                    )
                elif ref in self.course_keys:
                    said = f"{ref} is given over the whole course, not among {_drugs_of(where)}"
                    self.error(opt.ref.span, said, "leave this out, or name a drug of the same phase")
                elif ref not in by_key:
                    if not self.names_lost:
                        self.error(
                            opt.ref.span, f"'{ref}' is not a drug of {where}", self.suggest(ref, by_key)
                        )
                elif isinstance(opt, s.WithNode):
                    together[key] = self.together(node, opt, by_key)
                else:
                    refs.append(ref)
            if key in together and refs:
                first = next(o for o in node.options if isinstance(o, s.AfterNode))
                self.error(
                    first.span,
                    f"{key} is given with {together[key]}: it starts when {together[key]} does",
                    f"leave out 'after', and write it on {together[key]}'s line",
                )
                refs = []
            resolved[key] = (together[key],) if key in together else tuple(refs)
        done = self.topological(agents, nodes, resolved)
        return _beside(done, together)

    def together(self, node: s.AgentNode, opt: s.WithNode, by_key: dict[str, Agent]) -> str:
        """The drug `with` names, checked: both given in the clinic or both at home (a diary's
        drug does not start with a clinic drug's infusion)."""
        other = by_key[opt.ref.key]
        mine = any(isinstance(o, s.DiaryNode) for o in node.options)
        if mine != other.self_administered:
            home, clinic = (node.ref.key, other.key) if mine else (other.key, node.ref.key)
            self.error(
                opt.ref.span,
                f"{home} is taken at home (diary) and {clinic} is given in the clinic: "
                "they do not start together",
                "leave out 'with', or give both in the clinic",
            )
        return other.key

    def topological(
        self, agents: list[Agent], nodes: Sequence[s.AgentNode], resolved: dict[str, tuple[str, ...]]
    ) -> list[Agent]:
        """Each step takes the first drug as written whose `after` drugs are all placed (a heap of
        the ready ones, so thousands of drugs cost no more than sorting them)."""
        waiting = [len(set(resolved.get(a.key, ()))) for a in agents]
        followers: dict[str, list[int]] = {}
        for i, agent in enumerate(agents):
            for ref in set(resolved.get(agent.key, ())):
                followers.setdefault(ref, []).append(i)
        ready = [i for i, n in enumerate(waiting) if n == 0]
        heapq.heapify(ready)
        done: list[Agent] = []
        placed: set[str] = set()
        while ready:
            agent = agents[heapq.heappop(ready)]
            done.append(_with_after(agent, resolved.get(agent.key, ())))
            if agent.key in placed:  # a drug written twice (reported): its followers wait for one
                continue
            placed.add(agent.key)
            for i in followers.get(agent.key, ()):
                waiting[i] -= 1
                if waiting[i] == 0:
                    heapq.heappush(ready, i)
        if len(done) < len(agents):
            pending = [a.key for a in agents if a.key not in placed]
            first = next(n.ref.span for n in nodes if n.ref.key == pending[0])
            words = (
                "'after' and 'with'"
                if any(isinstance(o, s.WithNode) for n in nodes for o in n.options)
                else "'after'"
            )
            self.error(first, f"these {words} options go round in a circle: " + " -> ".join(pending))
            done.extend(a for a in agents if a.key not in placed)
        return done

    # ---- cross checks --------------------------------------------------------

    def across_phases(self, phases: Sequence[Phase], nodes: Sequence[s.PhaseNode]) -> None:
        """No drug twice on one date where one phase's days reach into another's (`overlaps.across`)."""
        spans = _item_spans(nodes, s.ClauseNode)
        for found in overlaps.across(tuple(phases)):
            self.error(spans.get(found.line, Span(found.line, 1)), found.message or "", found.hint)

    def check_overlaps(self, phase: Phase, nodes: Sequence[s.AgentNode]) -> None:
        """Dry-run every cycle that can be expanded (`overlaps`): no drug twice in one dose of a
        day, and no `after` that the clock times of a day contradict."""
        spans = {i.span.line: i.span for n in nodes for i in n.items if isinstance(i, s.ClauseNode)}
        cycles = phase.cycle_count or MAX_CYCLES
        found = (*overlaps.twice(phase, cycles, self.recovered), *overlaps.against_clock(phase, cycles))
        for mistake in found:
            span = spans.get(mistake.line, Span(mistake.line, 1))
            if mistake.message is None:
                self.counted(span)
            else:
                self.error(span, mistake.message, mistake.hint)

    def levels(
        self, nodes: Sequence[s.LevelNode], phases: Sequence[Phase], course: Sequence[Agent] = ()
    ) -> tuple[Level, ...]:
        agents = {a.key: a for a in (*(a for p in phases for a in p.agents), *course)}
        phases_of: dict[str, list[str]] = {a.key: ["course"] for a in course}
        for p in phases:
            for a in p.agents:
                phases_of.setdefault(a.key, []).append(p.name or "")
        stated = {a.key for a in agents.values() if any(c.dose is not None for c in a.clauses)}
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
            done: set[str] = set()
            for o in node.overrides:
                override = self.override(o, agents, phases_of, done, stated)
                if override is not None:
                    overrides.append(override)
                    done.add(override.agent)
            levels.append(Level(node.name.text, tuple(overrides), node.span.line))
        return tuple(levels)

    def override(
        self,
        node: s.OverrideNode,
        agents: dict[str, Agent],
        phases_of: dict[str, list[str]],
        done: set[str],
        stated: set[str],
    ) -> Override | None:
        key = node.ref.key
        dose = self.dose(node.dose)
        if key not in agents:
            if not self.names_lost:
                self.error(
                    node.ref.span,
                    f"this level sets a dose for '{key}', which is not a drug of this regimen",
                    self.suggest(key, agents),
                )
            return None
        if key in done:
            self.error(node.ref.span, f"this level sets the dose of {key} twice")
            return None
        if key in stated:
            self.error(
                node.ref.span, f"{key} states its dose on its schedule lines; a level cannot replace it"
            )
            return None
        if agents[key].alternatives:
            self.error(
                node.ref.span,
                f"{key} has a dose chosen by a patient value (line {agents[key].line}); "
                "a level cannot replace it",
            )
            return None
        if len(phases_of[key]) > 1:
            self.error(
                node.ref.span,
                f"{key} is given in phases {' and '.join(phases_of[key])}: the level does not say which",
                f"tell them apart with labels, e.g. '{node.ref.name} ({phases_of[key][-1]})'",
            )
            return None
        self.against_cap(dose, agents[key].cap, node.dose.span)
        self.fits(dose, agents[key].clauses, agents[key].form == CONTINUOUS, node.dose.span)
        if dose is None:
            return None
        misfit = kind_misfit(agents[key], dose)
        if misfit is not None:
            self.error(node.dose.span, misfit, "a level gives a drug a dose of its own kind")
            return None
        return Override(key, dose, node.span.line)


class _Options:
    def __init__(self) -> None:
        self.duration: Duration | None = None
        self.diary = False
        self.cap: Amount | None = None
        self.alternative: s.AlternativeNode | None = None


_NO_CYCLE_HINT = "add a line such as 'cycle 28 days', or 'no cycles' for one run of days to the last dose"


def _no_rules(
    items: Sequence[PhaseItem | s.LimitRuleNode],
) -> list[PhaseItem]:
    """A phase's items but the rules it cannot hold (reported in `regimen`)."""
    return [i for i in items if not isinstance(i, (s.BsaRuleNode, s.RenalRuleNode, s.RoundRuleNode))]


def _item_spans(nodes: Sequence[s.PhaseNode], kind: type[s.AgentItemNode]) -> dict[int, Span]:
    """The spans of the phases' drug items of one kind, by line: where a finding about one is shown."""
    return {
        i.span.line: i.span
        for p in nodes
        for n in p.items
        if isinstance(n, s.AgentNode)
        for i in n.items
        if isinstance(i, kind)
    }


def _may_meet(clause: Clause, other: Clause, together: list[tuple[Clause, ...]]) -> bool:
    """Whether a line of days of the week may give its drug on a date `other` gives it too: one
    patient is given both, and `other` is of cycle days, or of days of the week shared (each such
    pair once: from the later line)."""
    if not any(clause in lines and other in lines for lines in together):
        return False
    if other.weekdays is None:
        return True
    assert clause.weekdays is not None
    return other.line < clause.line and bool(set(other.weekdays.weekdays) & set(clause.weekdays.weekdays))


def _gives_in(clause: Clause, cycle: int) -> bool:
    """Whether a line may give its drug in `cycle` (an interval line, in any)."""
    return not isinstance(clause.rule, DayRule) or clause.rule.selector.matches(cycle)


def _drugs_of(where: str) -> str:
    """'phase induction's drugs'; 'the drugs of its cycles' for a regimen without phases."""
    return "the drugs of its cycles" if where == "this regimen" else f"{where}'s drugs"


def _course_lines(node: s.AgentNode) -> list[s.ClauseNode]:
    """A drug's lines over the whole course (`daily from 7 days before the first pemetrexed ...`)."""
    return [i for i in node.items if isinstance(i, s.ClauseNode) and isinstance(i.rule, s.CourseLineNode)]


def _all_recovered(node: s.AgentNode, recovered: frozenset[int] | set[int]) -> bool:
    lines = [i.span.line for i in node.items if isinstance(i, s.ClauseNode)]
    return bool(lines) and all(n in recovered for n in lines)


def _over_course(node: s.AgentNode) -> bool:
    return bool(_course_lines(node))


def _points(rule: s.CourseLineNode) -> tuple[s.CoursePointNode, ...]:
    return (rule.start,) if rule.end is None else (rule.start, rule.end)


def _with_after(agent: Agent, after: tuple[str, ...]) -> Agent:
    from dataclasses import replace

    return replace(agent, after=after)


def _beside(agents: list[Agent], together: dict[str, str]) -> list[Agent]:
    """`agents` in order, each drug given `with` another right behind it (behind those with it
    before it, as written): a drug's followers in order come after what the two start together.
    Each keeps `after` as the drug it is with: it is placed by it (`order`)."""
    from dataclasses import replace

    followers: dict[str, list[Agent]] = {}
    for agent in agents:
        if agent.key in together:
            followers.setdefault(together[agent.key], []).append(agent)
    out: list[Agent] = []

    def place(agent: Agent) -> None:
        out.append(
            replace(agent, after=(), given_with=together[agent.key]) if agent.key in together else agent
        )
        for follower in followers.pop(agent.key, ()):
            place(follower)

    for agent in agents:
        if agent.key not in together:
            place(agent)
    # a circle of `with` (a with b, b with a) is reported by `topological`; keep its drugs
    out += [a for a in agents if a.key in together and all(a.key != b.key for b in out)]
    return out


def lower(
    tree: s.RegimenNode, path: str, recovered: frozenset[int] = frozenset(), names_lost: bool = False
) -> tuple[Regimen, Findings]:
    """Check a syntax tree and build the model; the diagnostics count every mistake (the first kept)."""
    lowerer = _Lowerer(recovered, names_lost)
    regimen = lowerer.regimen(tree, path)
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", regimen.name):
        lowerer.error(tree.name.span, "a regimen name is lower case letters, digits, '-' and '_'")
    return _with_options(regimen, tree, lowerer), lowerer.diagnostics


def _with_options(regimen: Regimen, tree: s.RegimenNode, lowerer: _Lowerer) -> Regimen:
    """The regimen with its options, each the whole regimen lowered again as it has it (options.py):
    a finding of one says its name. Only a regimen whose own lines hold is tried with its options,
    so that every finding of an option is the option's."""
    names = option_blocks.option_names(tree)
    for _, extra in names[option_blocks.MAX_OPTIONS :]:
        lowerer.error(extra.name.span, f"a regimen has at most {option_blocks.MAX_OPTIONS} options")
    if lowerer.diagnostics.count:
        return regimen
    found: list[Option] = []
    for name, first in names[: option_blocks.MAX_OPTIONS]:
        other = _Lowerer(lowerer.recovered, lowerer.names_lost)
        variant = other.regimen(option_blocks.rewritten(tree, name), regimen.path)
        for said in other.diagnostics:
            lowerer.error(said.span, f"with option {name}: {said.message}", said.hint)
        if not other.diagnostics.count:
            option = option_blocks.changes(regimen, variant, tree, name, first.span.line)
            if _same_kinds(regimen, option, lowerer, first):
                found.append(option)
    return replace(regimen, options=tuple(found))


def _same_kinds(regimen: Regimen, option: Option, lowerer: _Lowerer, first: s.OptionLineNode) -> bool:
    """An option gives each drug a dose of its kind: radiotherapy stays radiotherapy (a dose in mg
    in place of its Gy would make it a drug), a drug a drug."""
    for index, agent in option.changes:
        before = next((a for a in regimen.phases[index].agents if a.key == agent.key), None)
        if before is not None and before.kind is not agent.kind:
            why = kind_misfit(before, agent.dose) or f"{agent.key} would not be {before.kind.value}"
            lowerer.error(
                first.span, f"with option {option.name}: {why}", "an option gives a drug a dose of its kind"
            )
            return False
    return True


def _rule(clause: Clause) -> DayRule:
    assert isinstance(clause.rule, DayRule)  # `anchor_of` takes only drugs given by day rules
    return clause.rule


def _runs(cycles: list[int], horizon: int, open_ended: bool) -> tuple[CycleRange, ...]:
    """Cycles as ranges: [1, 2, 3, 5] is 1-3 and 5; a run to the horizon of an open-ended phase
    goes on (5+)."""
    out: list[CycleRange] = []
    for n in cycles:
        if out and out[-1].last == n - 1:
            out[-1] = CycleRange(out[-1].first, n)
        else:
            out.append(CycleRange(n, n))
    if out and open_ended and out[-1].last == horizon:
        out[-1] = CycleRange(out[-1].first, None)
    return tuple(out)
