"""What a course's patient values decide, once, at the start: the label limits that refuse a course
or warn, the doses chosen by a condition (`40 mg, 20 mg if age >= 75`) and the schedule lines given
only where a condition holds (`days 1-7 at 9 mcg/day if weight >= 45 kg`), each with why.

Every condition is decided by one rule (`patient_value`): the patient's value, exact, and how it
is said; a value the course lacks is refused with one line naming it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from dosecal.errors import CourseError, Subject
from dosecal.model import renal
from dosecal.model.course import Course
from dosecal.model.dosing import DoseRules
from dosecal.model.measures import Sex
from dosecal.model.regimen import Agent, Amount, Attribute, Condition, Regimen, format_decimal


@dataclass(frozen=True, slots=True)
class PhasePlan:
    """The expanded cycles of a phase: the date each one starts."""

    index: int
    starts: tuple[dt.date, ...]

    @property
    def cycles(self) -> int:
        return len(self.starts)


def _given(regimen: Regimen, phases: tuple[PhasePlan, ...]) -> tuple[Agent, ...]:
    """The drugs of the phases the course gives, in order, then those given over the whole course."""
    return (*(a for p in phases for a in regimen.phases[p.index].agents), *regimen.course_agents)


def dose_rules(regimen: Regimen, agent: Agent) -> DoseRules:
    """The rules a drug's doses are computed by: its own BSA limits and clearance rule, else the regimen's."""
    return DoseRules(agent.bsa or regimen.bsa, agent.renal or regimen.renal)


def limits(regimen: Regimen, course: Course, phases: tuple[PhasePlan, ...]) -> tuple[tuple[str, str], ...]:
    """Each label limit of a drug the course gives, decided once, at the start: one that holds
    refuses the course, or, where the regimen says it only warns, is said on the drug's rows."""
    warnings: list[tuple[str, str]] = []
    for agent in _given(regimen, phases):
        for limit in agent.limits:
            what = f"{agent.key} is limited ({limit.condition}, regimen line {limit.line})"
            value, shown = patient_value(regimen, agent, limit.condition, course, what)
            if not limit.condition.holds(value):
                continue
            said = f"{limit.condition} (regimen line {limit.line}): {shown}"
            if limit.warn:
                warnings.append((agent.key, f"warning: {said}"))
                continue
            raise CourseError(
                f"{agent.key} is not given if {said}",
                subject=_SUBJECT_OF[limit.condition.attribute],
                hint="the regimen says not to give it to this patient",
            )
    return tuple(dict.fromkeys(warnings))


def choices(
    regimen: Regimen, course: Course, phases: tuple[PhasePlan, ...]
) -> tuple[tuple[str, Amount, str], ...]:
    """The dose of each drug that has one chosen by a patient value (`40 mg, 20 mg if age >= 75`),
    decided once, at the start, with which branch applied and why, for the basis."""
    found: list[tuple[str, Amount, str]] = []
    for agent in _given(regimen, phases):
        if not agent.alternatives or not isinstance(agent.dose, Amount):
            continue
        dose, why = agent.dose, []
        for alternative in agent.alternatives:
            condition = alternative.condition
            by = f"{condition.attribute.value} (regimen line {alternative.line})"
            what = f"{agent.key} has a dose chosen by {by}"
            value, shown = patient_value(regimen, agent, condition, course, what)
            if condition.holds(value):
                dose = alternative.dose
            why.append(
                f"{alternative.dose} if {condition} (regimen line {alternative.line}): {shown}, so {dose}"
            )
        found.append((agent.key, dose, "; ".join(why)))
    return tuple(dict.fromkeys(found))


def patient_value(
    regimen: Regimen, agent: Agent, condition: Condition, course: Course, what: str
) -> tuple[Decimal | Sex, str]:
    """The patient's value a condition is on, exact, and how it is said (with its arithmetic)."""
    m = course.measures
    attribute = condition.attribute
    if attribute is Attribute.SEX:
        if m.sex is None:
            raise _lacking(what, Attribute.SEX)
        return m.sex, f"the patient is {m.sex.value}"
    if attribute is Attribute.WEIGHT:
        if m.weight_kg is None:
            raise _lacking(what, Attribute.WEIGHT)
        return m.weight_kg, f"the patient weighs {format_decimal(m.weight_kg)} kg"
    if attribute is Attribute.CRCL:
        rule = dose_rules(regimen, agent).renal
        assert rule is not None  # lowering refuses a limit on the clearance without a rule
        raw, steps = renal.estimated(rule, m, what)
        value = Decimal(raw.numerator) / Decimal(raw.denominator)
        return value, steps + _unrounded(condition, value)
    if attribute is Attribute.AGE:
        if m.age is None:
            raise _lacking(what, Attribute.AGE)
        return Decimal(m.age), f"the patient is {m.age}"
    if m.weight_kg is None or m.height_cm is None:
        raise _lacking(what, Attribute.BMI, Subject.WEIGHT if m.weight_kg is None else Subject.HEIGHT)
    bmi = m.weight_kg / (m.height_cm / 100) ** 2
    shown = format_decimal(bmi.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return (
        bmi,
        f"BMI = {format_decimal(m.weight_kg)} kg / ({format_decimal(m.height_cm / 100)} m)^2 = {shown} kg/m2",
    )


# What a condition on each value needs of the course, and where it is given (the CLI's flag, a
# course file's or a roster's word).
_NEEDS = {
    Attribute.SEX: ("sex", "give --sex female|male (in a course file or a roster: the 'sex' line or column)"),
    Attribute.WEIGHT: (
        "weight",
        "give --weight KG (in a course file or a roster: the 'weight' line or column)",
    ),
    Attribute.AGE: (
        "age",
        "give --age YEARS (in a course file or a roster: the 'age' (or 'born') line or column)",
    ),
    Attribute.BMI: (
        "weight and height",
        "give --weight KG, --height CM (in a course file or a roster: the 'weight' and 'height' "
        "lines or columns)",
    ),
}


def _unrounded(condition: Condition, value: Decimal) -> str:
    """Where the clearance to 0.01 would decide `condition` the other way (44.996 is 45.00 to 0.01,
    not under 45), the figure it was decided by, to as many places as tell them apart."""
    places = 2
    while places < 12:
        shown = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if condition.holds(shown) == condition.holds(value):
            break
        places += 1
    if places == 2:
        return ""
    return f" ({format_decimal(shown)} mL/min unrounded, which the condition is held to)"


def _lacking(what: str, attribute: Attribute, subject: Subject | None = None) -> CourseError:
    """The refusal of a course that lacks the value a condition is on, naming it and how to give it."""
    needs, hint = _NEEDS[attribute]
    return CourseError(
        f"{what}, which needs the patient's {needs}", subject=subject or _SUBJECT_OF[attribute], hint=hint
    )


_SUBJECT_OF = {
    Attribute.CRCL: Subject.CREATININE,
    Attribute.AGE: Subject.AGE,
    Attribute.BMI: Subject.WEIGHT,
    Attribute.WEIGHT: Subject.WEIGHT,
    Attribute.SEX: Subject.SEX,
}


@dataclass(frozen=True, slots=True)
class LineChoice:
    """A schedule line given only where its condition holds: whether it is given to this patient,
    and why, for the basis of its rows ('schedule line 5 if weight >= 45 kg: the patient weighs
    70 kg, so given')."""

    line: int
    given: bool
    why: str


def lines(regimen: Regimen, course: Course, phases: tuple[PhasePlan, ...]) -> tuple[LineChoice, ...]:
    """Each schedule line with a condition, of the phases the course gives, decided at the start."""
    found: list[LineChoice] = []
    agents = (a for p in phases for a in regimen.phases[p.index].agents)
    for agent, clause in ((a, c) for a in agents for c in a.clauses):
        condition = clause.condition
        if condition is None:
            continue
        what = f"{agent.key} has a schedule line for {_patients(condition)} (regimen line {clause.line})"
        value, shown = patient_value(regimen, agent, condition, course, what)
        given = condition.holds(value)
        why = f"schedule line {clause.line} if {condition}: {shown}, so {'given' if given else 'not given'}"
        found.append(LineChoice(clause.line, given, why))
    return tuple(found)


def _patients(condition: Condition) -> str:
    """'female patients', 'patients with weight >= 45 kg': whom a line is for, in words."""
    if isinstance(condition.value, Sex):
        return f"{condition.value.value} patients"
    return f"patients with {condition}"
