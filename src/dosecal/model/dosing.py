"""Dose computation: flat, per kg, per m2 (Mosteller or DuBois), caps.

One policy, in one place, and every step written into the basis text so a
pharmacist can redo the arithmetic by hand:

- BSA is rounded to 0.01 m2 (half up), as BSA is usually charted, and the
  dose is computed from the rounded BSA; the basis shows both steps.
- The computed dose itself is exact decimal arithmetic, rounded only by the
  course's policy (`Rounding`: to the nearest step, half up, and only within
  N percent of the computed dose when a limit is given).
- A figure the basis shows rounded (the unrounded BSA, a percentage) gets as
  many decimals as it takes to agree with the rule applied to it: never
  "1.5050, rounded to 0.01 m2 = 1.50", which a pharmacist would redo as 1.51.
- A cap (`max 2 mg`) lowers a computed dose to the cap and says so. Every dose
  is held against its cap by one rule (`against_cap`): the regimen's doses when
  it is read, a supplied dose when a course is planned, a computed one here.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from dosecal import limits
from dosecal.errors import CourseError, Subject
from dosecal.model.measures import BsaFormula, Measures
from dosecal.model.regimen import (
    RADIATION,
    UNITS,
    Amount,
    Basis,
    Bounds,
    Renal,
    Rounding,
    amount_text,
    convert,
    format_decimal,
)
from dosecal.model.renal import calvert
from dosecal.model.strengths import Combination, RoundWay, combine

__all__ = [
    "HEIGHT_CM",
    "WEIGHT_KG",
    "Bsa",
    "BsaFormula",
    "CapCheck",
    "CapFit",
    "Computed",
    "DoseRules",
    "Measures",
    "RoundWay",
    "Rounding",
    "against_cap",
    "bsa",
    "compute",
]

# The ranges of dosecal.limits, where every number's range is written down.
WEIGHT_KG = (limits.WEIGHT.low, limits.WEIGHT.high)
HEIGHT_CM = (limits.HEIGHT.low, limits.HEIGHT.high)
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Bsa:
    value: Decimal
    explanation: str


def bsa(measures: Measures) -> Bsa | None:
    """Body surface area in m2 from weight and height, rounded to 0.01 m2."""
    w, h = measures.weight_kg, measures.height_cm
    if w is None or h is None:
        return None
    ws, hs = format_decimal(w), format_decimal(h)
    if measures.bsa_formula is BsaFormula.MOSTELLER:
        raw = (w * h / Decimal(3600)).sqrt()
        how = f"Mosteller sqrt({hs} cm x {ws} kg / 3600)"
    else:
        raw = Decimal("0.007184") * w ** Decimal("0.425") * h ** Decimal("0.725")
        how = f"DuBois 0.007184 x {ws} kg^0.425 x {hs} cm^0.725"
    value = raw.quantize(_CENT, rounding=ROUND_HALF_UP)
    shown = _shown(raw, 4, lambda s: s.quantize(_CENT, rounding=ROUND_HALF_UP) == value)
    return Bsa(value, f"BSA {format_decimal(value)} m2 = {how} = {shown}, rounded to 0.01 m2")


def _shown(exact: Decimal, places: int, agrees: Callable[[Decimal], bool]) -> Decimal:
    """`exact` to `places` decimals, or to more where fewer would contradict the rule applied to it.

    sqrt(151 x 54 / 3600) = 1.504991... is 1.5050 to 4 decimals, but 1.50 m2: shown as 1.50499.
    The loop ends: `exact` to all its own decimals is `exact`, which agrees with the rule.
    """
    while True:
        shown = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if agrees(shown):
            return shown
        places += 1


@dataclass(frozen=True, slots=True)
class DoseRules:
    """What the regimen says about computing a drug's dose beyond its unit: the limits on its BSA,
    and how the clearance of a dose by AUC is estimated (the drug's own, else the regimen's)."""

    bsa: Bounds | None = None
    renal: Renal | None = None


@dataclass(frozen=True, slots=True)
class Computed:
    """The dose for this patient (None when it cannot be computed) and how."""

    amount: Decimal | None
    unit: str
    basis: str
    made_of: Combination | None = None  # the units of the strengths that make the dose


def compute(
    dose: Amount,
    cap: Amount | None,
    measures: Measures,
    rounding: Rounding | None = None,
    *,
    rules: DoseRules = DoseRules(),
    drug: str = "the dose",
    days: int | None = None,
) -> Computed:
    """This patient's dose of `dose`, rounded by the course's policy, capped at `cap`, with its basis.

    A dose a day (`mg/m2/day`) is computed, rounded and capped a day (`mg/day`); given `days` (a
    continuous infusion), the dose is that amount a day times the days, the basis saying so.
    """
    result, bsa_said = _per_administration(dose, cap, measures, rounding, rules, drug)
    if days is not None and result.amount is not None:
        total = result.amount * days
        unit = UNITS[result.unit].of_the_whole.text
        over = f"{amount_text(result.amount, result.unit)} x {days} days = {amount_text(total, unit)}"
        result = Computed(total, unit, f"{result.basis}; {over}")
    if not bsa_said:
        return result
    return Computed(result.amount, result.unit, f"{result.basis}; {bsa_said}", result.made_of)


def _per_administration(
    dose: Amount,
    cap: Amount | None,
    measures: Measures,
    rounding: Rounding | None,
    rules: DoseRules,
    drug: str,
) -> tuple[Computed, str]:
    """The dose of one administration (a dose a day: of one day), and how the BSA it used was found."""
    unit = dose.unit
    absolute = f"{unit.absolute}/day" if unit.per_day else unit.absolute  # what the dose is given in
    if unit.basis is Basis.FLAT:
        # A radiotherapy fraction's dose is not a drug's "flat dose": it is said as what it is.
        said = "a fraction, as prescribed" if unit.kind == RADIATION else "flat dose"
        return _capped(dose.value, absolute, f"{dose} ({said})", cap), ""
    if unit.basis is Basis.AUC:
        if rules.renal is None:  # lowering refuses a dose by AUC without a clearance rule
            raise CourseError(f"{drug} {dose} has no rule for its creatinine clearance", subject=Subject.DOSE)
        value, steps = calvert(dose, rules.renal, measures, drug)
        return _round_and_cap(value, absolute, steps, rounding, cap), ""
    if unit.basis is Basis.PER_KG:
        if measures.weight_kg is None:
            return Computed(None, absolute, "not computed: needs the weight (--weight)"), ""
        value = dose.value * measures.weight_kg
        steps = f"{dose} x {format_decimal(measures.weight_kg)} kg = {amount_text(value, absolute)}"
        return _round_and_cap(value, absolute, steps, rounding, cap), ""
    area = bsa(measures)
    if area is None:
        return Computed(None, absolute, "not computed: needs weight and height (--weight, --height)"), ""
    used, bounded = _bsa_within(area.value, rules.bsa)
    value = dose.value * used
    steps = f"{dose} x {format_decimal(used)} m2 = {amount_text(value, absolute)}"
    return _round_and_cap(value, absolute, steps, rounding, cap), f"{area.explanation}{bounded}"


def _round_and_cap(
    value: Decimal, unit: str, steps: str, rounding: Rounding | None, cap: Amount | None
) -> Computed:
    """Rounded by the rule, then held to the cap; a rule of strengths is held to the cap first, so
    the dose is still a total of them: the largest within the cap where rounding up passes it."""
    if rounding is None or rounding.step is not None or cap is None:
        rounded, said, made = _rounded(value, unit, steps, rounding)
        return _made_of(_capped(rounded, unit, said, cap), made)
    capped = _capped(value, unit, steps, cap)
    assert capped.amount is not None
    rounded, said, made = _rounded(capped.amount, unit, capped.basis, rounding)
    if made is not None and against_cap(Amount(made.total, UNITS[unit]), cap).fit is CapFit.ABOVE:
        down = replace(rounding, way=RoundWay.DOWN)
        passes = f"{capped.basis}, and {rounding.rule()} would pass the cap"
        rounded, said, made = _rounded(capped.amount, unit, passes, down)
    return Computed(rounded, unit, said, made)


def _made_of(result: Computed, made: Combination | None) -> Computed:
    """The units that make the dose, while the dose is still their total (a cap may lower it)."""
    if made is None or result.amount != made.total:
        return result
    return Computed(result.amount, result.unit, result.basis, made)


def _bsa_within(value: Decimal, bounds: Bounds | None) -> tuple[Decimal, str]:
    """The BSA a dose is computed from, within the regimen's limits, and what the basis adds."""
    if bounds is None:
        return value, ""
    if bounds.high is not None and value > bounds.high:
        return bounds.high, f", capped at max {format_decimal(bounds.high)} m2"
    if bounds.low is not None and value < bounds.low:
        return bounds.low, f", raised to min {format_decimal(bounds.low)} m2"
    return value, ""


# A rule of strengths that says no `within N percent` moves a dose by at most this much (HOPA's
# position: "within 10% of the ordered dose is designated as acceptable"): 70 mg is never one 1 g
# tablet unless the rule says so. A step rule rounds as it says (its step is the writer's choice).
DEFAULT_WITHIN = Decimal(10)


def _default(rounding: Rounding) -> str:
    """Why a rule without a limit stopped at 10 percent, in its basis."""
    return (
        ""
        if rounding.within_percent is not None
        else " (a rule of strengths without 'within N percent' moves a dose at most 10%)"
    )


_QUANTIZE = {RoundWay.NEAREST: ROUND_HALF_UP, RoundWay.DOWN: ROUND_FLOOR, RoundWay.UP: ROUND_CEILING}


def _rounded(
    value: Decimal, unit: str, steps: str, rounding: Rounding | None
) -> tuple[Decimal, str, Combination | None]:
    """`value` rounded by `rounding`, the steps with what was done, and the units that make it."""
    if rounding is None:
        return value, steps, None
    if rounding.step is None:
        return _to_strengths(value, unit, steps, rounding)
    step = convert(rounding.step.value, rounding.step.unit.absolute, _a_day(unit))
    if step is None:
        raise CourseError(f"a dose in {unit} cannot be rounded {rounding.rule()}", subject=Subject.ROUNDING)
    rounded = (value / step).quantize(Decimal(1), rounding=_QUANTIZE[rounding.way]) * step
    said = f" ({rounding.said})" if rounding.said else ""
    nearest = f"the nearest {rounding.step}" if rounding.way is RoundWay.NEAREST else rounding.rule()
    if rounded <= 0:
        return value, f"{steps}, not rounded ({nearest} would be 0){said}", None
    change = abs(rounded - value) / value * 100  # against the dose computed, not the rounded one
    limit = rounding.within_percent
    if limit is not None and change > limit:  # exactly at the limit is within it
        return (
            value,
            (
                f"{steps}, not rounded: {nearest} ({amount_text(rounded, unit)}) "
                f"is {_shown(change, 1, lambda s: s > limit)}% away, more than {format_decimal(limit)}%{said}"
            ),
            None,
        )
    if rounded == value:
        return value, steps, None
    return rounded, f"{steps}, rounded {rounding.rule()}{said} = {amount_text(rounded, unit)}", None


def _to_strengths(
    value: Decimal, unit: str, steps: str, rounding: Rounding
) -> tuple[Decimal, str, Combination | None]:
    """The dose as whole units of the rule's strengths: the total the rule asks for, and how many of
    each make it (the fewest units), or the dose unrounded and why."""
    sizes = [convert(s.value, s.unit.absolute, _a_day(unit)) for s in rounding.strengths]
    if any(size is None for size in sizes):
        raise CourseError(f"a dose in {unit} cannot be rounded {rounding.rule()}", subject=Subject.ROUNDING)
    said = f" ({rounding.said})" if rounding.said else ""
    try:
        made = combine(value, tuple(s for s in sizes if s is not None), rounding.way)
    except CourseError as error:  # too many units or totals: said with the dose and the rule
        raise CourseError(
            f"a dose of {amount_text(value, unit)} cannot be rounded {rounding.rule()}{said}: "
            f"{error.message}",
            subject=Subject.ROUNDING,
            hint="check the strengths of the rule",
        ) from None
    if made is None:  # below the smallest strength: nothing but 0
        return value, f"{steps}, not rounded ({rounding.rule()} would be 0){said}", None
    change = abs(made.total - value) / value * 100
    limit = rounding.within_percent if rounding.within_percent is not None else DEFAULT_WITHIN
    if limit is not None and change > limit:
        return (
            value,
            (
                f"{steps}, not rounded: {rounding.rule()} would give "
                f"{amount_text(made.total, unit)}, "
                f"{_shown(change, 1, lambda s: s > limit)}% away, "
                f"more than {format_decimal(limit)}%{_default(rounding)}{said}"
            ),
            None,
        )
    pieces = " + ".join(f"{n} x {amount_text(size, _a_day(unit))}" for size, n in made.units)  # 50 mg each
    if made.total == value:
        return value, f"{steps} = {pieces}{said}", made
    total = amount_text(made.total, unit)
    return made.total, f"{steps}, rounded {rounding.rule()}{said} = {total} = {pieces}", made


def _a_day(unit: str) -> str:
    """The absolute unit of a dose a day: a rounding rule's step or strengths round its daily amount."""
    return unit.removesuffix("/day")


class CapFit(enum.Enum):
    """How a dose stands against its drug's cap."""

    WITHIN = enum.auto()
    ABOVE = enum.auto()  # a flat dose above the cap
    UNLIKE = enum.auto()  # a unit the cap's does not convert to (mg against units): never compared


@dataclass(frozen=True, slots=True)
class CapCheck:
    """A dose held against a cap: how it stands, and the cap in the dose's absolute unit."""

    fit: CapFit
    limit: Decimal | None  # None when the units do not convert


def against_cap(dose: Amount, cap: Amount) -> CapCheck:
    """The one rule for a dose and its cap: the cap converted to the dose's absolute unit (2 mg is
    2000 mcg), and a flat dose above it is ABOVE; a dose per kg or per m2 is only checked for a
    unit that converts, since it is capped once computed for a patient (`compute`)."""
    limit = convert(cap.value, cap.unit.absolute, dose.unit.absolute)
    if limit is None or cap.unit.per_day != dose.unit.per_day:  # 9 mcg/day caps a dose a day only
        return CapCheck(CapFit.UNLIKE, None)
    above = dose.unit.basis is Basis.FLAT and dose.value > limit
    return CapCheck(CapFit.ABOVE if above else CapFit.WITHIN, limit)


def _capped(value: Decimal, unit: str, steps: str, cap: Amount | None) -> Computed:
    if cap is None:
        return Computed(value, unit, steps)
    check = against_cap(Amount(value, UNITS[unit]), cap)  # `unit` is absolute: a flat unit
    if check.limit is None:  # lowering and the course check refuse this; never compare unlike units
        raise CourseError(f"a dose in {unit} cannot be held against a cap of {cap}", subject=Subject.DOSE)
    if check.fit is CapFit.ABOVE:
        limit = check.limit
        return Computed(limit, unit, f"{steps}, capped at max {cap} = {amount_text(limit, unit)}")
    return Computed(value, unit, steps)
