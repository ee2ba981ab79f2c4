"""Renal function and doses by AUC: Cockcroft-Gault, the weight it is computed with, Calvert.

One policy, written into the basis so a pharmacist can redo it by hand:

- Creatinine clearance by Cockcroft-Gault, (140 - age) x weight / (72 x serum
  creatinine in mg/dL), x 0.85 for women; a creatinine in umol/L is divided
  by 88.4 inside the formula, so the figure shown is the one a calculator gives.
- The weight is the one the regimen states: actual; ideal (Devine: 50 kg for
  men, 45.5 kg for women, + 2.3 kg per inch of height over 60 inches, applied
  as written at any height); adjusted (ideal + 0.4 x (actual - ideal)).
- The clearance is held within the regimen's bounds (`max 125 mL/min`), and
  the dose is AUC x (clearance + 25) (Calvert), to 0.1 mg (half up).
- Every step is computed from the unrounded values before it; each is shown
  to 0.01 for reading, and the clearance with more decimals where 0.01 would
  give a different dose when the Calvert step is redone from it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from dosecal import limits
from dosecal.errors import CourseError, Subject
from dosecal.model.measures import UMOL_PER_MG_DL, CreatinineUnit, Measures, Sex
from dosecal.model.regimen import Amount, Bounds, Renal, WeightBasis, format_decimal

_INCH_CM = Fraction("2.54")
_DEVINE_BASE = {Sex.MALE: Fraction(50), Sex.FEMALE: Fraction("45.5")}
_DEVINE_PER_INCH = Fraction("2.3")
_ADJUSTED_FACTOR = Fraction("0.4")
_FEMALE_FACTOR = Fraction("0.85")
_UMOL_PER_MG_DL = Fraction(UMOL_PER_MG_DL)
_ADULT = 18
# The one drug dosed by AUC: Calvert's formula was made for carboplatin, and only it is dosed so.
CALVERT_DRUG = "carboplatin"


def calvert(target: Amount, rule: Renal, measures: Measures, drug: str) -> tuple[Decimal, str]:
    """The dose in mg of `drug` at `target` (AUC 5) for this patient, to 0.1 mg, and its steps.

    Exact: in fractions, so that a dose exactly halfway (493.75 mg) rounds up,
    which a 28-digit decimal of a repeating clearance (84.7222...) would not.
    `CourseError` naming every value the rule needs and the course lacks.
    """
    require(target, rule, measures, drug)
    steps, clearance, bounded = _clearance(rule, measures)
    auc = Fraction(target.value)
    dose = _to(auc * (clearance + 25), 1)
    figure = (
        _to(clearance, 2)
        if bounded
        else _shown(clearance, lambda s: _to(auc * (Fraction(s) + 25), 1) == dose)
    )
    how = f"{drug} = {target} x ({format_decimal(figure)} + 25) = {format_decimal(dose)} mg (Calvert)"
    return dose, f"{steps.replace(_FIGURE, format_decimal(figure))}; {how}"


# Where the clearance's figure goes in its step's text: known only once the dose is.
_FIGURE = "\x00"
# Past this many decimals the clearance is shown to 0.01: a dose exactly halfway between two
# tenths of a mg from a repeating clearance is redone from no decimal figure of it.
_MOST_PLACES = 6


def _to(value: Fraction, places: int) -> Decimal:
    """`value` (not negative) rounded half up to `places` decimals."""
    return Decimal(math.floor(value * 10**places + Fraction(1, 2))).scaleb(-places)


def _shown(exact: Fraction, agrees: Callable[[Decimal], bool]) -> Decimal:
    """`exact` to 0.01, or to more decimals where fewer would not redo to the same dose."""
    for places in range(2, _MOST_PLACES + 1):
        shown = _to(exact, places)
        if Fraction(shown) == exact or agrees(shown):
            return shown
    return _to(exact, 2)


def _cent(value: Fraction) -> str:
    return format_decimal(_to(value, 2))


def require(target: Amount, rule: Renal, m: Measures, drug: str) -> None:
    """Refuse, in one line, a course that lacks a value Cockcroft-Gault needs for `drug` at `target`
    (or a child's course: the formula is an adult's)."""
    require_for(f"{drug} {target} is dosed", rule, m)


def require_for(what: str, rule: Renal, m: Measures) -> None:
    """`require`, for `what` needs the clearance ("pemetrexed is limited", said before "from the
    creatinine clearance")."""
    actual = rule.weight is WeightBasis.ACTUAL
    needed = [
        ("age", m.age is None, Subject.AGE, "--age YEARS"),
        ("sex", m.sex is None, Subject.SEX, "--sex female|male"),
        ("serum creatinine", m.creatinine is None, Subject.CREATININE, '--creatinine "VALUE mg/dL"'),
        ("weight", m.weight_kg is None, Subject.WEIGHT, "--weight KG"),
        (
            f"height (for the {rule.weight.value} weight)",
            not actual and m.height_cm is None,
            Subject.HEIGHT,
            "--height CM",
        ),
    ]
    missing = [(name, subject, flag) for name, lacking, subject, flag in needed if lacking]
    if missing:
        names = [name for name, _, _ in missing]
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        words = [
            f"'{subject.value}'" + (" (or 'born')" if subject is Subject.AGE else "")
            for _, subject, _ in missing
        ]
        joined = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
        kind = "line or column" if len(missing) == 1 else "lines or columns"
        lines = f"the {joined} {kind}"
        raise CourseError(
            f"{what} from the creatinine clearance (Cockcroft-Gault, regimen line "
            f"{rule.line}), which needs the patient's {listed}",
            subject=missing[0][1],
            hint=f"give {', '.join(flag for _, _, flag in missing)} (in a course file or a roster: {lines})",
        )
    assert m.age is not None  # checked above
    if m.age < _ADULT:
        raise CourseError(
            f"{what} by Cockcroft-Gault, an adult's formula; the patient is {m.age}",
            subject=Subject.AGE,
            hint="Cockcroft-Gault is not used for children: a child's dose is not computed by dosecal",
        )


def estimated(rule: Renal, m: Measures, what: str) -> tuple[Fraction, str]:
    """The clearance as Cockcroft-Gault gives it, before the rule's bounds (a limit of a label is on
    the patient's clearance, not on the figure a dose is computed from), and its step, to 0.01."""
    require_for(what, rule, m)
    steps, _, _ = _clearance(rule, m, bounded=False)
    raw = _raw(rule, m)
    return raw, steps.replace(_FIGURE, _cent(raw))


def _raw(rule: Renal, m: Measures) -> Fraction:
    assert m.age is not None and m.sex is not None and m.creatinine is not None
    weight, _ = _weight(rule.weight, m)
    creatinine = m.creatinine
    mg_dl = Fraction(creatinine.value) / (1 if creatinine.unit is CreatinineUnit.MG_DL else _UMOL_PER_MG_DL)
    raw = (140 - m.age) * weight / (72 * mg_dl)
    return raw * _FEMALE_FACTOR if m.sex is Sex.FEMALE else raw


def _clearance(rule: Renal, m: Measures, bounded: bool = True) -> tuple[str, Fraction, bool]:
    """The clearance's steps (its figure left as `_FIGURE`), its exact value within the rule's
    bounds, and whether a bound applied."""
    assert m.age is not None and m.sex is not None and m.creatinine is not None and m.weight_kg is not None
    weight, before = _weight(rule.weight, m)
    creatinine = m.creatinine
    # A creatinine in umol/L is converted inside the formula, as a calculator is given it.
    per_mg = "" if creatinine.unit is CreatinineUnit.MG_DL else " / 88.4"
    divisor = f"72 x {creatinine}{per_mg}"
    raw = _raw(rule, m)
    factor = " x 0.85" if m.sex is Sex.FEMALE else ""
    weight_text = format_decimal(m.weight_kg) if rule.weight is WeightBasis.ACTUAL else _cent(weight)
    formula = f"CrCl = (140 - {m.age}) x {weight_text} kg / ({divisor}){factor}"
    when = f"; creatinine of {creatinine.measured}" if creatinine.measured else ""
    named = f"(Cockcroft-Gault, {rule.weight.value} weight{when})"
    used, bound = _within(raw, rule.bounds if bounded else None)
    # Each value plausible, together not (300 kg, 0.1 mg/dL): a typo, whether or not the regimen's
    # maximum would hide it, and refused alike for a dose by AUC and for a limit on the clearance.
    if raw > limits.CLEARANCE_BOUND.high:
        high = limits.plain(limits.CLEARANCE_BOUND.high)
        raise CourseError(
            f"a creatinine clearance of {_cent(raw)} mL/min is not plausible "
            f"(expected at most {high} mL/min)",
            subject=Subject.CREATININE,
            hint="check the weight, age and creatinine",
        )
    if bound is None:
        return f"{before}{formula} = {_FIGURE} mL/min {named}", raw, False
    return f"{before}{formula} = {_cent(raw)} mL/min {named}, {bound}", used, True


def _within(value: Fraction, bounds: Bounds | None) -> tuple[Fraction, str | None]:
    """`value` held within `bounds`, and what was done (None: nothing)."""
    if bounds is None:
        return value, None
    if bounds.high is not None and value > bounds.high:
        return Fraction(bounds.high), f"capped at max {format_decimal(bounds.high)} mL/min"
    if bounds.low is not None and value < bounds.low:
        return Fraction(bounds.low), f"raised to min {format_decimal(bounds.low)} mL/min"
    return value, None


def _weight(basis: WeightBasis, m: Measures) -> tuple[Fraction, str]:
    """The weight of the formula, and the steps that give it ('' for the actual weight)."""
    assert m.weight_kg is not None and m.sex is not None
    if basis is WeightBasis.ACTUAL:
        return Fraction(m.weight_kg), ""
    assert m.height_cm is not None
    base = _DEVINE_BASE[m.sex]
    ideal = base + _DEVINE_PER_INCH * (Fraction(m.height_cm) / _INCH_CM - 60)
    height = format_decimal(m.height_cm)
    if ideal <= 0:  # Devine far under 5 feet: no weight to compute with
        raise CourseError(
            f"the ideal weight by Devine at {height} cm is {_cent(ideal)} kg: "
            "Cockcroft-Gault cannot be computed from it",
            subject=Subject.HEIGHT,
        )
    steps = (
        f"ideal weight = {_cent(base)} kg + 2.3 kg x ({height} cm / 2.54 - 60) "
        f"= {_cent(ideal)} kg (Devine, {m.sex.value}); "
    )
    if basis is WeightBasis.IDEAL:
        return ideal, steps
    actual = format_decimal(m.weight_kg)
    adjusted = ideal + _ADJUSTED_FACTOR * (Fraction(m.weight_kg) - ideal)
    shown = _cent(ideal)
    steps += f"adjusted weight = {shown} kg + 0.4 x ({actual} kg - {shown} kg) = {_cent(adjusted)} kg; "
    return adjusted, steps
