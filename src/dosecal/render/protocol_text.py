"""`dosecal show`: a regimen in protocol words, and its doses per cycle.

Meant to be held next to the protocol by a pharmacist: every drug with its
dose, route, form, timing and schedule written out, then a count of doses in
each of the first cycles.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace

from dosecal.engine.occurrences import occurrences, on_weekdays
from dosecal.model.regimen import (
    A_WEEK,
    ROUTES,
    Agent,
    Amount,
    Bounds,
    Clause,
    CourseRule,
    DayRule,
    DoseRange,
    DoseSpec,
    Duration,
    IntervalRule,
    Kind,
    Level,
    Phase,
    Regimen,
    Renal,
    Required,
    format_decimal,
    line_sets,
)
from dosecal.text import counted
from dosecal.views.wording import days_text, duration_text

_PER_DAY_WORDS = {
    2: "twice daily",
    3: "three times daily",
    4: "four times daily",
    5: "five times daily",
    6: "six times daily",
}
_SHOWN_CYCLES = 6  # at least; more when a schedule changes later (cycles 10+)
_MAX_SHOWN = 12
_LOOKAHEAD = 60


def dose_text(dose: DoseSpec) -> str:
    if isinstance(dose, (Amount, DoseRange)):
        return str(dose)
    if isinstance(dose, Required):
        return "dose to be supplied"
    return "dose not stated"


def _over(duration: Duration) -> str:
    """'over 30-60 min', 'over 2 hours': as the calendar says it (views.wording)."""
    return duration_text(duration.low, duration.high)


def _weeks(days: int) -> str:
    if days in (1, 7):
        return "day" if days == 1 else "week"
    return f"{days // 7} weeks" if days % 7 == 0 else f"{days} days"


def course_text(rule: CourseRule) -> str:
    """A line over the whole course in protocol words, its end said even where the line leaves it
    to the rule (no dose after the last dose of the drug it is counted from)."""
    start, until = rule.start.words(), rule.until.words()
    unsaid = " (no dose after it)" if rule.end is None else ""
    if rule.every_days is None:
        text = f"once, {start}"
    elif rule.every_days == 1 and rule.end is not None:
        text = f"daily from {start} until {until}"
    else:
        text = f"{start}, then every {_weeks(rule.every_days)} until {until}{unsaid}"
    if rule.count is not None:
        text += f", for at most {counted(rule.count, 'dose')}"
    return text


def clause_text(clause: Clause, run: bool = False) -> str:
    """A schedule line in protocol words; in a run without cycles (`run`), with no cycle named."""
    rule = clause.rule
    if clause.course is not None:
        text = course_text(clause.course)
    elif clause.weekdays is not None:
        assert isinstance(rule, DayRule)  # lowering gives a line of days of the week its cycles
        text = clause.weekdays.words() if run else f"{rule.selector.describe()}: {clause.weekdays.words()}"
        if clause.weekdays.count is not None:
            text += f", the first {counted(clause.weekdays.count, 'such day')}" + (
                "" if run else " of the phase"
            )
    elif isinstance(rule, DayRule):
        where = rule.selector.describe()
        text = days_text(rule.days) if run else f"{where}: {days_text(rule.days)}"
        if clause.anchor is not None:  # the days as counted, then as the line says them
            lines = clause.anchor.lines
            said = f"line {lines[0]}" if len(lines) == 1 else "lines " + ", ".join(map(str, lines))
            text += f" ({clause.anchor.words()}, {said})"
    else:
        assert isinstance(rule, IntervalRule)
        start = f"day {rule.anchor_day}" if run else f"cycle {rule.anchor_cycle} day {rule.anchor_day}"
        text = f"every {_weeks(rule.every_days)} from {start}"
        if rule.count is not None:
            text += f", for {counted(rule.count, 'dose')}"
    if clause.step_up:
        text = "step-up, " + text
    if clause.dose is not None:
        text += f" at {dose_text(clause.dose)}"
    if not clause.slots[0].time and len(clause.slots) > 1:
        text += ", " + _PER_DAY_WORDS[len(clause.slots)]
    if clause.slots[0].time:
        text += ", at " + ", ".join(s.time or "" for s in clause.slots)
    if clause.duration:
        text += f", {_over(clause.duration)}"
    if clause.cap:
        text += f", max {clause.cap}{_PER_DOSE[clause.cap.unit.per_day]}"
    if clause.condition is not None:
        text += f", if {clause.condition}"
    return text


_PER_DOSE = {False: " per dose", True: ""}  # a cap a day (9 mcg/day) says so in its unit


def _limits(bounds: Bounds, unit: str) -> str:
    """'at most 2.2 m2', 'at least 1.2 m2 and at most 2.2 m2'."""
    parts = []
    if bounds.low is not None:
        parts.append(f"at least {format_decimal(bounds.low)} {unit}")
    if bounds.high is not None:
        parts.append(f"at most {format_decimal(bounds.high)} {unit}")
    return " and ".join(parts)


def rule_lines(bsa: Bounds | None, renal: Renal | None) -> list[str]:
    """The regimen's (or a drug's) rules for values computed for the patient, in protocol words."""
    lines = []
    if bsa is not None:
        lines.append(f"BSA for doses per m2: {_limits(bsa, 'm2')}")
    if renal is not None:
        held = f", {_limits(renal.bounds, 'mL/min')}" if renal.bounds else ""
        lines.append(
            f"creatinine clearance by Cockcroft-Gault ({renal.weight.value} weight){held}; "
            "doses by AUC by Calvert: AUC x (clearance + 25) mg"
        )
    return lines


def agent_text(agent: Agent, level: Level | None, levels: tuple[Level, ...], run: bool = False) -> list[str]:
    head = [agent.key]
    override = level.dose_for(agent.key) if level else None
    leveled = [lv.name for lv in levels if lv.dose_for(agent.key)]
    if override:
        head.append(f"{dose_text(override.dose)} (level {level.name if level else ''})")
    elif any(c.dose for c in agent.clauses):
        head.append("dose on each schedule line")
    elif level is None and leveled:
        names = ", ".join(leveled)
        if isinstance(agent.dose, Amount):
            head.append(f"{dose_text(agent.dose)}, another dose at level {names} (see below)")
        else:
            head.append(f"dose set by level {names} (see below)")
    else:
        head.append(dose_text(agent.dose))
    if agent.cap:
        head.append(f"max {agent.cap}{_PER_DOSE[agent.cap.unit.per_day]}")
    if agent.kind is Kind.RADIOTHERAPY:
        head.append("radiotherapy fractions, in the clinic")
    else:
        head.append(f"{agent.route} ({ROUTES[agent.route]})" if agent.route else "route not stated")
    if agent.form:
        head.append(agent.form)
    if agent.duration:
        head.append(_over(agent.duration))
    if agent.after:
        head.append("after " + ", ".join(agent.after))
    if agent.given_with:
        head.append(f"started with {agent.given_with}")
    if agent.self_administered:
        head.append("taken at home (diary)")
    lines = [", ".join(head)]
    lines += [f"    {clause_text(c, run)}" for c in agent.clauses]
    lines += [f"    note: {n}" for n in agent.notes]
    lines += [f"    {line}" for line in rule_lines(agent.bsa, agent.renal)]
    lines += [
        f"    {a.dose} in place of {dose_text(agent.dose)} if {a.condition}" for a in agent.alternatives
    ]
    if agent.rounding is not None:
        lines.append(f"    computed doses rounded {agent.rounding}")
    lines += [
        f"    {'given, with a warning,' if limit.warn else 'not given'} if {limit.condition}"
        for limit in agent.limits
    ]
    if agent.total is not None:
        count, line = agent.total
        lines.append(f"    at most {counted(count, 'dose')} in all, every phase together (line {line})")
    if agent.missed_dose:
        lines.append(f"    missed dose: {agent.missed_dose}")
    return ["  " + lines[0], *lines[1:]]


def _last_change(phase: Phase) -> int:
    """The first cycle from which every selector's answer stays the same."""
    bounds = [1]
    for agent in phase.agents:
        for clause in agent.clauses:
            if isinstance(clause.rule, DayRule):
                for r in clause.rule.selector.ranges:
                    bounds.append(r.first if r.last is None else r.last + 1)
    return max(bounds)


def _counts(phase: Phase, total: int) -> dict[tuple[str, int], tuple[int, ...]]:
    """Each drug's doses in each cycle: for a drug whose lines are chosen by a patient value, the
    count of each set of lines one patient can be given (`line_sets`), each different one once."""
    found: dict[tuple[str, int], set[int]] = {}
    for agent in phase.agents:
        for lines in line_sets(agent.clauses):
            alone = replace(phase, agents=(replace(agent, clauses=lines),))
            counted: Counter[int] = Counter()
            for occ in occurrences(alone, total):
                counted[occ.cycle] += len(occ.clause.slots)
            # Days of the week: as many as fall in the cycle, from each day of the week it may start on.
            weekly = any(c.weekdays is not None for c in lines)
            for start in A_WEEK if weekly else A_WEEK[:1]:
                starts = tuple(
                    start + dt.timedelta(days=(c - 1) * phase.cycle_days) for c in range(1, total + 1)
                )
                these = Counter(counted)
                for occ in on_weekdays(alone, starts) if weekly else ():
                    these[occ.cycle] += len(occ.clause.slots)
                for cycle in range(1, total + 1):
                    found.setdefault((agent.key, cycle), set()).add(these[cycle])
    return {k: tuple(sorted(v)) for k, v in found.items()}


def _count_text(counts: tuple[int, ...]) -> str:
    """'2', or '2/4' where the lines a patient is given change the count."""
    return "/".join(str(n) for n in counts)


def counts_table(phase: Phase) -> list[str]:
    """Doses per cycle for the first cycles of a phase, and the cycles after."""
    total = phase.cycle_count or _LOOKAHEAD
    shown = min(total, max(_SHOWN_CYCLES, min(_MAX_SHOWN, _last_change(phase))))
    counts = _counts(phase, total)
    later = total > shown
    title = "doses" if phase.run else "doses per cycle"
    width = max(len(title), *(len(a.key) for a in phase.agents)) + 2
    last = "" if not later else (f"C{shown + 1}-{total}" if phase.cycle_count else f"C{shown + 1}+")
    # Five columns a cycle, more where a drug's counts by its lines need them ("2/4/8").
    cell = max(5, *(len(_count_text(n)) + 2 for n in counts.values()))
    names = ("in all",) if phase.run else tuple(f"C{c}" for c in range(1, shown + 1))
    header = "  " + title.ljust(width) + "".join(name.rjust(cell) for name in names)
    lines = [header + (f"   {last}" if later else "")]
    varies = any(
        len(counts[(a.key, c)]) > 1
        for a in phase.agents
        if any(line.weekdays is not None for line in a.clauses)
        for c in range(1, total + 1)
    )
    for agent in phase.agents:
        row = (
            "  "
            + agent.key.ljust(width)
            + "".join(_count_text(counts[(agent.key, c)]).rjust(cell) for c in range(1, shown + 1))
        )
        if later:
            rest = sorted({counts[(agent.key, c)] for c in range(shown + 1, total + 1)})
            row += "   " + " or ".join(_count_text(n) for n in rest)
        lines.append(row)
    if varies:
        lines.append("  (by days of the week: a/b where the count depends on the day the phase starts)")
    return lines


def _run_text(phase: Phase) -> str:
    """How long a run without cycles lasts: to its last dose, which its start's day of the week may
    move (Monday to Friday, 28 days: 38 days from a Monday, 40 from a Saturday)."""
    days = sorted({phase.length_from(day) for day in A_WEEK})
    long = (
        counted(days[0], "day") if len(days) == 1 else f"{days[0]} to {days[-1]} days, by the day it starts"
    )
    return f"no cycles: one run of days from the start to the last dose ({long})"


def _phase_lines(phase: Phase) -> list[str]:
    """The phase's length and count, or its run's."""
    if phase.run:
        return [f"  {_run_text(phase)}"]
    length = f"{phase.cycle_days}-day cycles"
    count = (
        f", {phase.cycle_count} {'cycle' if phase.cycle_count == 1 else 'cycles'}"
        if phase.cycle_count
        else (f", until {phase.until}" if phase.until else ", number of cycles not stated")
    )
    return [f"  {length}{count}"]


def option_lines(regimen: Regimen) -> list[str]:
    """Each option and what it gives in place of the drugs' own, phase by phase."""
    lines = ["", "options (give one with --option NAME)"]
    for option in regimen.options:
        lines.append(f"  {option.name} (line {option.line}):")
        for index, agent in option.changes:
            phase = regimen.phases[index]
            where = f"in phase {phase.name}, " if phase.name else ""
            said = "; ".join(clause_text(c, phase.run) for c in agent.clauses)
            lines.append(f"    {where}{agent.key} {dose_text(agent.dose)}: {said}")
    return lines


def render(regimen: Regimen, level: Level | None = None, option: str | None = None) -> str:
    """`regimen` in protocol words (as `option` has it, when the caller has made it so)."""
    out = [f"{regimen.name}: {regimen.title}"]
    out += [f"source: {s}" for s in regimen.sources]
    out += [f"note: {n}" for n in regimen.notes]
    out += rule_lines(regimen.bsa, regimen.renal)
    if regimen.rounding is not None:
        out.append(f"computed doses rounded {regimen.rounding}")
    if level:
        out.append(f"dose level: {level.name}")
    if option:
        out.append(f"option: {option}")
    for phase in regimen.phases:
        out.append("")
        if phase.rest_before:
            out += [f"rest {counted(phase.rest_before, 'day')} between the phases (not a cycle)", ""]
        if phase.name:
            out.append(f"phase {phase.name}")
        out += _phase_lines(phase)
        if any(
            d < 1 for a in phase.agents for c in a.clauses if isinstance(c.rule, DayRule) for d in c.rule.days
        ):
            out.append(
                "  days counted from day 0: day -1 is the day before day 0, day 0 the day before day 1"
                if phase.day_zero
                else "  no day 0: day -1 is the day before day 1"
            )
        out += [f"  note: {n}" for n in phase.notes]
        for agent in phase.agents:
            out += agent_text(agent, level, regimen.levels, phase.run)
        out.append("")
        out += counts_table(phase)
    if regimen.course_agents:
        out += ["", "over the whole course, counted from the doses the phases give"]
        for agent in regimen.course_agents:
            out += agent_text(agent, level, regimen.levels)
    if regimen.options:
        out += option_lines(regimen)
    if regimen.levels and level is None:
        out.append("")
        out.append("dose levels")
        for lv in regimen.levels:
            doses = "; ".join(f"{o.agent} {dose_text(o.dose)}" for o in lv.overrides)
            out.append(f"  {lv.name}: {doses}")
    return "\n".join(out) + "\n"
