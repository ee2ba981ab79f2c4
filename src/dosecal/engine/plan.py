"""The plan: a course resolved against its regimen.

`plan` checks a `Course` against the regimen and turns it into the exact
cycles of each phase and the dose of every drug, or raises `CourseError`
with one clear sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TypeVar

from dosecal.engine import patient
from dosecal.engine.occurrences import occurrences
from dosecal.engine.patient import PhasePlan, dose_rules
from dosecal.engine.timeline import cycle_starts
from dosecal.errors import CourseError, Subject
from dosecal.limits import MAX_ADJUSTMENTS
from dosecal.model import rates, renal
from dosecal.model.adjust import CycleRef, Delay, DoseFrom, Hold, LevelFrom, StartOn, Withheld
from dosecal.model.adjust import check as check_adjustments
from dosecal.model.course import Course, check_dates, check_text
from dosecal.model.dosing import CapFit, against_cap
from dosecal.model.regimen import (
    Agent,
    Amount,
    Basis,
    Clause,
    DoseRange,
    DoseSpec,
    Level,
    Regimen,
    Required,
    Rounding,
    Unstated,
    convert,
    kind_misfit,
)

A = TypeVar("A", Delay, StartOn, LevelFrom, DoseFrom)


@dataclass(frozen=True, slots=True)
class Plan:
    regimen: Regimen
    course: Course
    phases: tuple[PhasePlan, ...]
    level: Level | None  # the level the course starts at
    supplied: tuple[tuple[str, Amount], ...]
    # The holds of each drug with the position they start at, found once: every dose asks.
    holds: tuple[tuple[str, tuple[tuple[Hold, tuple[int, int]], ...]], ...] = ()
    # The label limits that hold for this patient and only warn: (drug, what every output says).
    warnings: tuple[tuple[str, str], ...] = ()
    # Each drug's dose chosen by a patient value: (drug, the dose it has, which branch and why).
    choices: tuple[tuple[str, Amount, str], ...] = ()
    # Each schedule line with a condition: whether this patient is given it, and why.
    lines: tuple[patient.LineChoice, ...] = ()

    def line_choice(self, line: int) -> patient.LineChoice | None:
        """How a schedule line with a condition was decided for this patient (None: it has none)."""
        return next((c for c in self.lines if c.line == line), None)

    def chosen(self, key: str) -> tuple[Amount, str] | None:
        return next(((dose, why) for k, dose, why in self.choices if k == key), None)

    @property
    def course_id(self) -> str:
        return self.course.course_id or self.regimen.name

    def supplied_dose(self, key: str) -> Amount | None:
        return next((a for k, a in self.supplied if k == key), None)

    def position(self, at: CycleRef) -> tuple[int, int]:
        return [p.name for p in self.regimen.phases].index(at.phase), at.cycle

    def _latest(self, kind: type[A], position: tuple[int, int]) -> A | None:
        """The last adjustment of a kind that starts at or before `position`."""
        found = [
            a for a in self.course.adjustments if isinstance(a, kind) and self.position(a.at) <= position
        ]
        return max(found, key=lambda a: (self.position(a.at), a.line), default=None)

    def level_at(self, position: tuple[int, int]) -> tuple[Level | None, LevelFrom | None]:
        change = self._latest(LevelFrom, position)
        return (self.regimen.level(change.level), change) if change else (self.level, None)

    def dose_from(self, key: str, position: tuple[int, int], planned: DoseSpec) -> DoseFrom | None:
        """The course's dose change in force for a dose of drug `key` planned as `planned`.

        The changes of the drug up to `position` apply in course order; one that
        names the dose it replaces applies only where the dose is that one then
        (`change carfilzomib 56 mg/m2 to 45 mg/m2` leaves a 20 mg/m2 step-up alone).
        """
        changes = sorted(
            (
                a
                for a in self.course.adjustments
                if isinstance(a, DoseFrom) and a.agent == key and self.position(a.at) <= position
            ),
            key=lambda a: (self.position(a.at), a.line),
        )
        current: DoseSpec = planned
        found: DoseFrom | None = None
        for change in changes:
            if change.replaces is None or change.replaces == current:
                current, found = change.amount, change
        return found

    def moved_by(self, position: tuple[int, int]) -> tuple[Delay | StartOn, ...]:
        """Why this cycle's dates moved, in cycle order: the latest set start at or before it (it
        fixes the date) and every delay after that; two delays of 7 days move a cycle 14 days."""
        start_on = self._latest(StartOn, position)
        since = self.position(start_on.at) if start_on else (0, 0)
        delays = sorted(
            (
                a
                for a in self.course.adjustments
                if isinstance(a, Delay) and since < self.position(a.at) <= position
            ),
            key=lambda a: self.position(a.at),
        )
        return (start_on, *delays) if start_on else tuple(delays)

    def hold_for(self, key: str, position: tuple[int, int], day: int) -> Hold | None:
        """The first hold of the course (in file order) that covers this dose of drug `key`."""
        mine = next((entries for agent, entries in self.holds if agent == key), ())
        return next((h for h, at in mine if h.covers(position, at, day)), None)

    def hold_of(
        self, agent: Agent, clause: Clause, position: tuple[int, int], day: int, days: int
    ) -> Hold | None:
        """The hold of a dose (`hold_for_run`); and for a line counted from another drug's doses
        (premedication), that drug's hold when every dose of it this day goes with is held: the
        premedication is for that dose, and is held or omitted with it (docs/language.md §28)."""
        whole, _ = self.hold_for_run(agent.key, position, day, days)
        if whole is not None or clause.anchor is None:
            return whole
        held = [self.hold_for(clause.anchor.agent, position, d) for d in clause.anchor.anchor_days(day)]
        return held[0] if held and all(h is not None for h in held) else None

    def hold_for_run(
        self, key: str, position: tuple[int, int], day: int, days: int
    ) -> tuple[Hold | None, Hold | None]:
        """The hold of a continuous infusion over `days` from `day`, and a hold of part of it. One
        covering every day of it, or its first day alone (`hold ... on cycle 1 day 1`: it is not
        started), holds it whole; one covering some of its days otherwise is a part, which
        planning refuses (`_runs_held`): dosecal neither cuts an infusion short nor holds more of
        it than the course says."""
        holds = [self.hold_for(key, position, d) for d in range(day, day + days)]
        first = holds[0]
        if all(h is not None for h in holds) or (first is not None and first.first_day == first.last_day):
            return first, None
        return None, next((h for h in holds if h is not None), None)


_NOUN = {Withheld.HELD: "hold", Withheld.OMITTED: "omission"}
_VERB = {Withheld.HELD: "hold", Withheld.OMITTED: "omit"}


def _runs_held(result: Plan) -> None:
    """Every hold of a continuous infusion's days, decided as expanding does (`hold_for_run`): a
    hold of part of one is refused here, so that a course file's refusal is said at its line."""
    held = {agent for agent, _ in result.holds}
    for phase_plan in result.phases:
        phase = result.regimen.phases[phase_plan.index]
        for occ in occurrences(phase, phase_plan.cycles):
            choice = result.line_choice(occ.clause.line)
            if choice is not None and not choice.given:  # a line this patient is not given
                continue
            if occ.days == 1 or occ.agent.key not in held:
                continue
            _, part = result.hold_for_run(occ.agent.key, (phase_plan.index, occ.cycle), occ.day, occ.days)
            if part is not None:
                last = occ.day + occ.days - 1
                raise CourseError(
                    f"{occ.agent.key} runs as one continuous infusion on {CycleRef(phase.name, occ.cycle)} "
                    f"days {occ.day}-{last}: this {_NOUN[part.kind]} covers only part of it",
                    subject=Subject.ADJUSTMENT,
                    line=part.line,
                    hint=f"{_VERB[part.kind]} the whole infusion (days {occ.day}-{last}, or day {occ.day} "
                    "alone), or record it as given",
                )


def _holds(
    regimen: Regimen, course: Course
) -> tuple[tuple[str, tuple[tuple[Hold, tuple[int, int]], ...]], ...]:
    """Each drug's holds, in file order, with the (phase index, cycle) each starts at."""
    names = [p.name for p in regimen.phases]
    by_agent: dict[str, list[tuple[Hold, tuple[int, int]]]] = {}
    for h in course.adjustments:
        if isinstance(h, Hold):
            by_agent.setdefault(h.agent, []).append((h, (names.index(h.at.phase), h.at.cycle)))
    return tuple((agent, tuple(entries)) for agent, entries in by_agent.items())


def plan(regimen: Regimen, course: Course) -> Plan:
    """Check `course` against `regimen`; raise `CourseError` on the first problem. The plan's
    regimen is `regimen` as the course's option has it (`Regimen.with_option`)."""
    regimen = regimen.with_option(course.option)
    check_dates(course)
    check_text(course)
    if len(course.adjustments) > MAX_ADJUSTMENTS:  # a course file stops at its line; the API here
        count = len(course.adjustments)
        raise CourseError(
            f"a course has at most {MAX_ADJUSTMENTS} adjustments, not {count:,}", subject=Subject.ADJUSTMENT
        )
    check_adjustments(regimen, course.adjustments)
    starts = cycle_starts(regimen, course.start, course.cycles, course.until, course.adjustments)
    phases = tuple(PhasePlan(i, s) for i, s in enumerate(starts) if s)
    level = _level(regimen, course.level)
    # Every level the course is at some time: the one it starts at, then each level change.
    levels = tuple(
        dict.fromkeys(
            (level, *(regimen.level(a.level) for a in course.adjustments if isinstance(a, LevelFrom)))
        )
    )
    supplied = _supplied(regimen, course.doses, levels)
    rates.check_course(regimen, course)
    _by_auc(regimen, course)
    _roundings(regimen, course)
    _renal_values(regimen, course, levels)
    warnings = patient.limits(regimen, course, phases)
    choices = patient.choices(regimen, course, phases)
    lines = patient.lines(regimen, course, phases)
    holds = _holds(regimen, course)
    result = Plan(regimen, course, phases, level, supplied, holds, warnings, choices, lines)
    _within_horizon(result)
    _runs_held(result)
    _roundings_fit(result, levels)
    _named_changes(regimen, course, levels, choices)
    _of_their_kind(regimen, course)
    for used in levels:
        _require_doses(result, used)
    return result


def _of_their_kind(regimen: Regimen, course: Course) -> None:
    """A dose supplied (--dose) or changed by the course is of its drug's kind: a radiotherapy
    fraction's in Gy, a drug's in any other unit (`kind_misfit`)."""
    for agent in regimen.drugs:
        for key, amount in course.doses:
            misfit = kind_misfit(agent, amount) if key == agent.key else None
            if misfit is not None:
                raise CourseError(misfit, subject=Subject.DOSE, quoted=key)
        for change in (a for a in course.adjustments if isinstance(a, DoseFrom) and a.agent == agent.key):
            misfit = kind_misfit(agent, change.amount)
            if misfit is not None:
                raise CourseError(misfit, subject=Subject.ADJUSTMENT, line=change.line)


def _named_changes(
    regimen: Regimen,
    course: Course,
    levels: tuple[Level | None, ...],
    choices: tuple[tuple[str, Amount, str], ...] = (),
) -> None:
    """A dose change must say which dose it changes where the drug has more than one.

    `change carfilzomib to 45 mg/m2` would also change the 20 mg/m2 of cycle 1
    days 1-2 (and call it "increased"): refused; the course names the dose it
    means (`change carfilzomib 56 mg/m2 to 45 mg/m2 ...`), as a level does.
    """
    changes = [a for a in course.adjustments if isinstance(a, DoseFrom)]
    names = [p.name for p in regimen.phases]
    for change in changes:
        doses = _line_doses(regimen, change.agent, levels, names.index(change.at.phase))
        doses = _for_this_patient(regimen, change.agent, doses, choices)
        earlier = [c.amount for c in changes if c.agent == change.agent and c.line < change.line]
        if change.replaces is None and len(doses) > 1:
            listed = ", ".join(_said(d) for d in doses)
            raise CourseError(
                f"{change.agent} has more than one dose ({listed}): say which this changes",
                subject=Subject.ADJUSTMENT,
                line=change.line,
                hint=_naming_hint(change, doses),
                quoted=change.agent,
            )
        if change.replaces is not None and change.replaces not in [*doses, *earlier]:
            listed = ", ".join(_said(d) for d in doses)
            raise CourseError(
                f"no dose of {change.agent} is {change.replaces}",
                subject=Subject.ADJUSTMENT,
                line=change.line,
                hint=f"its doses are {listed}",
                quoted=str(change.replaces),
            )


def _for_this_patient(
    regimen: Regimen, key: str, doses: list[DoseSpec], choices: tuple[tuple[str, Amount, str], ...]
) -> list[DoseSpec]:
    """A drug's doses as this patient has them: a dose chosen by a patient value in place of the
    drug's own and its alternatives (a change must name the dose the patient is given)."""
    chosen = next((dose for k, dose, _ in choices if k == key), None)
    agent = next((a for a in regimen.drugs if a.key == key), None)
    if chosen is None or agent is None:
        return doses
    given = {agent.dose, *(a.dose for a in agent.alternatives)}
    mine = [d for d in doses if d not in given]
    return [*mine, chosen] if any(d in given for d in doses) else mine


def _naming_hint(change: DoseFrom, doses: list[DoseSpec]) -> str:
    """How to say which dose a change means: the form naming the last stated dose. Doses left to
    be chosen or not stated cannot be named: they are set with --dose (or a course's `dose` line)."""
    stated = [d for d in doses if isinstance(d, Amount)]
    if not stated:
        return "only a stated dose can be named; set a dose left open with --dose instead"
    return f"e.g. 'change {change.agent} {stated[-1]} to {change.amount} from {change.at}'"


def _said(dose: DoseSpec) -> str:
    if isinstance(dose, Amount):
        return str(dose)
    return "the dose to be chosen" if isinstance(dose, Required) else "the dose not stated"


def _line_doses(
    regimen: Regimen, key: str, levels: tuple[Level | None, ...], first_phase: int
) -> list[DoseSpec]:
    """The distinct doses the drug's schedule lines give from phase `first_phase` on (where a change
    from it can act), at any level the course is at, in file order."""
    found: list[DoseSpec] = []
    later = (*(a for p in regimen.phases[first_phase:] for a in p.agents), *regimen.course_agents)
    for agent in (a for a in later if a.key == key):
        for clause in agent.clauses:
            for level in levels:
                dose, _ = line_dose(agent, clause, level)
                if dose not in found:
                    found.append(dose)
        # A dose chosen by a patient value is one the drug may have too (a change must name it).
        found += [a.dose for a in agent.alternatives if a.dose not in found]
    return found


def rounding_for(the_plan: Plan, agent: Agent) -> Rounding | None:
    """The rounding rule of a drug's computed doses: the course's for the drug, else the course's,
    else the drug's in the regimen, else the regimen's. The course's wins (the clinic's rule over
    the protocol's), and the basis says which applied where the regimen has one too."""
    course = the_plan.course
    stated = agent.rounding or the_plan.regimen.rounding
    own = next((r for key, r in course.roundings if key == agent.key), None)
    if own is None and not (agent.rounding is not None and agent.rounding.strengths):
        # A course's rule for every dose is a step: it does not undo the strengths a drug comes in
        # (the review's 1640 mg of capecitabine that no tablets make); a rule for the drug does.
        own = course.rounding
    if own is not None and stated is not None:
        where = f"course line {own.line}" if own.line else "the course's rule"
        return replace(own, said=f"{where}, in place of regimen line {stated.line}")
    if own is not None:
        return own
    if stated is not None:
        return replace(stated, said=f"regimen line {stated.line}")
    return None


def _roundings_fit(the_plan: Plan, levels: tuple[Level | None, ...]) -> None:
    """A course's rounding rule for a drug rounds one of its computed doses, and every rule in force
    for a drug is in a unit its computed doses convert to (mg doses, not units), at its line."""
    regimen, course = the_plan.regimen, the_plan.course
    given = [*course.doses, *((a.agent, a.amount) for a in course.adjustments if isinstance(a, DoseFrom))]
    for key in _agents(regimen):
        doses = [d for d in _line_doses(regimen, key, levels, 0) if isinstance(d, Amount)]
        doses += [amount for k, amount in given if k == key]
        computed = [d for d in doses if d.unit.basis is not Basis.FLAT]
        if any(k == key for k, _ in course.roundings) and not computed:
            unused = next(r for k, r in course.roundings if k == key)
            raise CourseError(
                f"{key} has no computed dose: this rounding rule is not used",
                subject=Subject.ROUNDING,
                line=unused.line,
                hint="only doses per kg, per m2 or by AUC are rounded; a stated dose never is",
                quoted=key,
            )
        agent = next(a for a in regimen.drugs if a.key == key)
        # A dose a course's change gives is that change's mistake, at its line.
        changed = {a.amount: a.line for a in course.adjustments if isinstance(a, DoseFrom) and a.agent == key}
        rule = rounding_for(the_plan, agent)
        sizes = ([rule.step] if rule.step else list(rule.strengths)) if rule else []
        for dose in computed:
            if rule is not None and any(
                convert(Decimal(1), s.unit.absolute, dose.unit.absolute) is None for s in sizes
            ):
                raise CourseError(
                    f"{key} {dose} cannot be rounded {rule.rule()}: the units do not convert",
                    subject=Subject.ROUNDING,
                    line=changed.get(dose)
                    or (rule.line if rule.said.startswith("course") or not rule.said else None),
                    hint="round it in its own unit",
                    quoted=key,
                )


def _roundings(regimen: Regimen, course: Course) -> None:
    """A course's rounding rule for a drug names a drug of the regimen, once."""
    agents = _agents(regimen)
    seen: set[str] = set()
    for key, rule in course.roundings:
        if key not in agents:
            raise CourseError(
                f"a rounding rule names '{key}', which is not a drug of {regimen.name}",
                subject=Subject.ROUNDING,
                line=rule.line,
                hint=f"its drugs are {', '.join(agents)}",
                quoted=key,
            )
        if key in seen:
            raise CourseError(
                f"{key} has two rounding rules", subject=Subject.ROUNDING, line=rule.line, quoted=key
            )
        seen.add(key)


def _by_auc(regimen: Regimen, course: Course) -> None:
    """A dose by AUC that the course gives (--dose, a dose change) needs the regimen's rule for the
    drug's clearance, as one written in the regimen does (lowering checks those)."""
    given: list[tuple[str, Amount, int | None]] = [(key, amount, None) for key, amount in course.doses]
    given += [(a.agent, a.amount, a.line) for a in course.adjustments if isinstance(a, DoseFrom)]
    agents = {a.key: a for a in regimen.drugs}
    for key, amount, line in given:
        agent = agents.get(key)
        if agent is None or amount.unit.basis is not Basis.AUC:
            continue
        if agent.name != renal.CALVERT_DRUG:
            raise CourseError(
                f"{key} {amount}: only carboplatin is dosed by AUC (the Calvert formula is carboplatin's)",
                subject=Subject.DOSE if line is None else Subject.ADJUSTMENT,
                line=line,
                quoted=key,
            )
        if dose_rules(regimen, agent).renal:
            continue
        raise CourseError(
            f"{key} {amount} is a dose by AUC, but {regimen.name} says nothing of how its creatinine "
            "clearance is estimated",
            subject=Subject.DOSE if line is None else Subject.ADJUSTMENT,
            line=line,
            hint="only a regimen with a 'CrCl Cockcroft-Gault ...' line can be dosed by AUC",
            quoted=key,
        )


def _renal_values(regimen: Regimen, course: Course, levels: tuple[Level | None, ...]) -> None:
    """Every dose by AUC the course can give has the patient values its clearance needs: refused
    here, before anything is made, at the first such drug in file order."""
    changes = [(a.agent, a.amount) for a in course.adjustments if isinstance(a, DoseFrom)]
    for phase_index, agents in (*enumerate(p.agents for p in regimen.phases), (0, regimen.course_agents)):
        for agent in agents:
            doses = _line_doses(regimen, agent.key, levels, phase_index)
            doses += [amount for key, amount in (*course.doses, *changes) if key == agent.key]
            for dose in doses:
                rule = dose_rules(regimen, agent).renal
                if isinstance(dose, Amount) and dose.unit.basis is Basis.AUC and rule is not None:
                    renal.require(dose, rule, course.measures, agent.key)


def _within_horizon(the_plan: Plan) -> None:
    last = (the_plan.phases[-1].index, the_plan.phases[-1].cycles)
    for adjustment in the_plan.course.adjustments:
        if the_plan.position(adjustment.at) > last:
            expanded = sum(p.cycles for p in the_plan.phases)
            raise CourseError(
                f"{adjustment.at} is past the last cycle expanded ({expanded} in all)",
                subject=Subject.ADJUSTMENT,
                line=adjustment.line,
            )


def _level(regimen: Regimen, name: str | None) -> Level | None:
    names = ", ".join(lv.name for lv in regimen.levels)
    if name is None:
        if regimen.levels:
            raise CourseError(
                f"{regimen.name} has dose levels {names}: choose one with --level", subject=Subject.LEVEL
            )
        return None
    if not regimen.levels:
        raise CourseError(
            f"{regimen.name} has no dose levels (--level {name} was given)", subject=Subject.LEVEL
        )
    return regimen.level_named(name)


def _agents(regimen: Regimen) -> list[str]:
    """Drug keys in the order written (a drug in several phases once)."""
    return list(dict.fromkeys(a.key for a in regimen.drugs))


def line_dose(agent: Agent, clause: Clause, level: Level | None) -> tuple[DoseSpec, str]:
    """The dose a schedule line gives, before anything supplied, and where it comes from.

    The line's own dose, else the level's dose for the drug, else the drug's.
    """
    if clause.dose is not None:
        return clause.dose, f"regimen line {clause.line}"
    if level is not None:
        override = level.dose_for(agent.key)
        if override is not None:
            return override.dose, f"level {level.name} (line {override.line})"
    return agent.dose, f"regimen line {agent.line}"


def _open_doses(regimen: Regimen, level: Level | None) -> dict[str, DoseSpec]:
    """Drugs with a schedule line whose dose is left open: to be supplied, not stated, or a range
    the care team chooses within (it may be supplied)."""
    found: dict[str, DoseSpec] = {}
    for agent in regimen.drugs:
        for clause in agent.clauses:
            spec, _ = line_dose(agent, clause, level)
            if isinstance(spec, Required) or (
                isinstance(spec, (Unstated, DoseRange)) and agent.key not in found
            ):
                found[agent.key] = spec
    return found


def _supplied(
    regimen: Regimen, doses: tuple[tuple[str, Amount], ...], levels: tuple[Level | None, ...]
) -> tuple[tuple[str, Amount], ...]:
    """The doses given with --dose, each for a drug whose dose is left open at one of `levels`.

    A course that starts at a level stating a drug's dose and changes to one leaving it open
    needs the dose from that change on (`_require_doses` asks for it): it may be supplied.
    """
    agents = _agents(regimen)
    open_doses = {key for level in levels for key in _open_doses(regimen, level)}
    seen: set[str] = set()
    for key, amount in doses:
        if key not in agents:
            raise CourseError(
                f"--dose names '{key}', which is not a drug of {regimen.name}",
                subject=Subject.DOSE,
                hint=f"its drugs are {', '.join(agents)}",
                quoted=key,
            )
        if key in seen:
            raise CourseError(f"--dose gives the dose of {key} twice", subject=Subject.DOSE, quoted=key)
        seen.add(key)
        if key not in open_doses:
            raise CourseError(
                f"every dose of {key} is stated by the regimen",
                subject=Subject.DOSE,
                hint="--dose only fills a dose the regimen leaves open",
                quoted=key,
            )
        _within_cap(regimen, key, amount)
        for stated in dict.fromkeys(r for level in levels for r in ranges_of(regimen, level, key)):
            within_range(key, amount, stated)
    return doses


def ranges_of(regimen: Regimen, level: Level | None, key: str) -> list[DoseRange]:
    """Every range a line of drug `key` states at `level`: a supplied dose fills each of them."""
    found = []
    for agent in (a for a in regimen.drugs if a.key == key):
        for clause in agent.clauses:
            spec, _ = line_dose(agent, clause, level)
            if isinstance(spec, DoseRange):
                found.append(spec)
    return found


def within_range(
    key: str, amount: Amount, stated: DoseRange, said: str = "--dose gives {key}", line: int | None = None
) -> None:
    """A dose given for a drug whose dose is a range lies within it, in a flat unit it converts to
    (a dose by weight or BSA is not held against a flat range: it is refused)."""
    low, high = against_cap(stated.low, amount).fit, against_cap(amount, stated.high).fit
    if CapFit.UNLIKE in (low, high) or amount.unit.basis is not Basis.FLAT:
        why = f"but the regimen states it as {stated}"
    elif CapFit.ABOVE in (low, high):
        why = f"outside the regimen's {stated}"
    else:
        return
    raise CourseError(
        f"{said.format(key=key)} {amount}, {why}",
        subject=Subject.DOSE if line is None else Subject.ADJUSTMENT,
        quoted=key,
        line=line,
        hint=f"give a dose from {stated}",
    )


def _within_cap(regimen: Regimen, key: str, amount: Amount) -> None:
    for agent in (a for a in regimen.drugs if a.key == key and a.cap):
        assert agent.cap is not None
        fit = against_cap(amount, agent.cap).fit
        if fit is CapFit.UNLIKE:
            raise CourseError(
                f"--dose gives {key} in {amount.unit.text}, which cannot be held against "
                f"its cap of {agent.cap}",
                subject=Subject.DOSE,
                quoted=key,
            )
        if fit is CapFit.ABOVE:
            raise CourseError(
                f"--dose gives {key} {amount}, above its cap of {agent.cap}", subject=Subject.DOSE, quoted=key
            )


def _require_doses(plan: Plan, level: Level | None) -> None:
    overridden = {a.agent for a in plan.course.adjustments if isinstance(a, DoseFrom)}
    for key, spec in _open_doses(plan.regimen, level).items():
        if isinstance(spec, Required) and plan.supplied_dose(key) is None and key not in overridden:
            where = f"level {level.name}" if level else plan.regimen.name
            # The level that leaves the dose open is what a course file can point at; else, nothing.
            raise CourseError(
                f'{where} leaves the {key} dose to be chosen: supply it with --dose "{key}=AMOUNT UNIT"',
                subject=Subject.LEVEL if level else Subject.DOSE,
            )
