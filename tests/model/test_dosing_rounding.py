"""More of a rounding rule's edges (dosecal.model.dosing): the 10 percent a rule of strengths moves a
dose by when it states no limit, and how that is said; a percentage shown so that it agrees with the
limit; a rule that would take more than 100 tablets; the unit of a dose capped and made of tablets.

Worked by hand (a patient of 100 kg, doses per kg):
- 2.3 mg/kg = 230 mg; 150 mg and 500 mg tablets make 150, 300, 450, 500, ...: the nearest is 300 mg
  (70 away, against 80 for 150 mg), 70 / 230 = 30.43 % away: more than 10 %, not rounded;
- 0.909 mg/kg = 90.9 mg; 100 mg tablets: the nearest is 100 mg, 9.1 / 90.9 = 10.011 % away: shown
  10.01 %, since "10.0 %" would not be more than 10 %;
- 1 mg/kg = 100 mg of 1 mg tablets is 100 tablets, the most; 1.01 mg/kg = 101 mg is refused.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from dosecal import CourseError
from dosecal.errors import Subject
from dosecal.model.dosing import DEFAULT_WITHIN, Computed, DoseRules, Measures, Rounding, compute
from dosecal.model.regimen import UNITS, Amount
from dosecal.model.strengths import Combination, RoundWay

DEFAULT = " (a rule of strengths without 'within N percent' moves a dose at most 10%)"


def _amount(value: str, unit: str = "mg") -> Amount:
    return Amount(Decimal(value), UNITS[unit])


def _tablets(
    *sizes: str, within: str | None = None, way: RoundWay = RoundWay.NEAREST, said: str = ""
) -> Rounding:
    limit = Decimal(within) if within is not None else None
    return Rounding(None, limit, way, tuple(_amount(s) for s in sizes), "tablets", said)


def _per_kg(dose: str, rounding: Rounding, cap: str | None = None) -> Computed:
    """`dose` mg/kg for 100 kg, rounded by `rounding`, capped at `cap` mg."""
    capped = _amount(cap) if cap is not None else None
    return compute(_amount(dose, "mg/kg"), capped, Measures(Decimal(100)), rounding)


def test_the_default_limit_of_a_rule_of_strengths_is_10_percent() -> None:
    """HOPA's 10 % of the ordered dose: the value the basis names."""
    assert Decimal(10) == DEFAULT_WITHIN


def test_a_rule_of_strengths_without_a_limit_stops_at_10_percent_and_says_why() -> None:
    """230 mg would be 300 mg of tablets, 30.4 % away: not rounded, and the basis says the limit
    is the default one, since the rule names none."""
    result = _per_kg("2.3", _tablets("500", "150"))
    assert (result.amount, result.made_of) == (Decimal(230), None)
    assert result.basis == (
        "2.3 mg/kg x 100 kg = 230 mg, not rounded: to 150 mg and 500 mg tablets would give 300 mg, "
        f"30.4% away, more than 10%{DEFAULT}"
    )


def test_a_rule_of_strengths_with_its_own_limit_does_not_speak_of_the_default() -> None:
    """`within 10 percent` stated: the same refusal, without the sentence on the default."""
    result = _per_kg("2.3", _tablets("500", "150", within="10"))
    assert result.basis == (
        "2.3 mg/kg x 100 kg = 230 mg, not rounded: to 150 mg and 500 mg tablets would give 300 mg, "
        "30.4% away, more than 10%"
    )


def test_a_rule_of_strengths_with_a_wider_limit_rounds() -> None:
    """`within 50 percent`: 30.4 % is within it; 300 mg = 2 x 150 mg."""
    result = _per_kg("2.3", _tablets("500", "150", within="50"))
    assert (result.amount, result.unit) == (Decimal(300), "mg")
    assert result.made_of == Combination(Decimal(300), ((Decimal(150), 2),))


def test_a_percentage_just_past_the_limit_is_shown_past_it() -> None:
    """90.9 mg to 100 mg tablets is 10.011 % away: "10.0 %" would read as within 10 %, so it is
    shown to two decimals, 10.01 %."""
    result = _per_kg("0.909", _tablets("100"))
    assert result.amount == Decimal("90.9")
    assert result.basis == (
        "0.909 mg/kg x 100 kg = 90.9 mg, not rounded: to 100 mg tablets would give 100 mg, "
        f"10.01% away, more than 10%{DEFAULT}"
    )


def test_a_dose_of_100_tablets_is_made() -> None:
    """100 mg of 1 mg tablets: 100 tablets, the most a dose may be made of."""
    result = _per_kg("1", _tablets("1"))
    assert result.made_of == Combination(Decimal(100), ((Decimal(1), 100),))


def test_a_dose_of_more_than_100_tablets_is_refused_with_the_dose_and_the_rule() -> None:
    """101 mg of 1 mg tablets: refused, saying the dose, the rule and where it is written, and what
    to check."""
    with pytest.raises(CourseError) as caught:
        _per_kg("1.01", _tablets("1", said="regimen line 4"))
    error = caught.value
    assert (error.message, error.subject, error.hint) == (
        "a dose of 101 mg cannot be rounded to 1 mg tablets (regimen line 4): it would take more than "
        "100 units",
        Subject.ROUNDING,
        "check the strengths of the rule",
    )


def test_a_dose_capped_then_made_of_tablets_is_in_the_doses_unit() -> None:
    """25 mg/kg = 2500 mg, max 2000 mg: capped first, then down to tablets, 2000 = 4 x 500 mg, in mg."""
    result = _per_kg("25", _tablets("500", "150", way=RoundWay.DOWN), cap="2000")
    assert result == Computed(
        Decimal(2000),
        "mg",
        "25 mg/kg x 100 kg = 2500 mg, capped at max 2000 mg = 2000 mg = 4 x 500 mg",
        Combination(Decimal(2000), ((Decimal(500), 4),)),
    )


def test_a_dose_by_auc_without_a_clearance_rule_names_the_dose_by_default() -> None:
    """`compute` called without the drug's name: the error says "the dose"."""
    with pytest.raises(CourseError) as caught:
        compute(_amount("5", "AUC"), None, Measures(Decimal(70)), rules=DoseRules())
    assert (caught.value.message, caught.value.subject) == (
        "the dose AUC 5 has no rule for its creatinine clearance",
        Subject.DOSE,
    )
