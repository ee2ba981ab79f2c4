"""Rounding rules in `compute`: to strengths (tablets, vials), down or up to a step, within N percent,
then the cap; the label a rule is named by (`said`); a rule as text (`Rounding.rule()`, `str`).

Every expected figure is worked by hand in its test's docstring. Doses are per kg where the BSA
would only add a step: 32.5 mg/kg x 70 kg = 2275 mg is the issue's capecitabine dose (1250 mg/m2 x
1.82 m2). Tablets of 150 mg and 500 mg make every multiple of 50 mg from 900 mg on; the totals
nearest 2275 mg are 2250 = 3 x 500 + 5 x 150 and 2300 = 4 x 500 + 2 x 150 (tests/model/test_strengths.py).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from dosecal import CourseError
from dosecal.errors import Subject
from dosecal.model.dosing import Computed, DoseRules, Measures, Rounding, compute
from dosecal.model.measures import Creatinine, CreatinineUnit, Sex
from dosecal.model.regimen import UNITS, Amount, Bounds, Renal, WeightBasis
from dosecal.model.strengths import Combination, RoundWay

DOWN, UP, NEAREST = RoundWay.DOWN, RoundWay.UP, RoundWay.NEAREST


def amount(value: str, unit: str) -> Amount:
    return Amount(Decimal(value), UNITS[unit])


def made(total: str, *units: tuple[str, int]) -> Combination:
    return Combination(Decimal(total), tuple((Decimal(s), n) for s, n in units))


def tablets(
    way: RoundWay = DOWN, within: str | None = None, said: str = "", sizes: tuple[str, ...] = ("500", "150")
) -> Rounding:
    """150 mg and 500 mg tablets (capecitabine), or `sizes` in mg."""
    limit = Decimal(within) if within is not None else None
    return Rounding(None, limit, way, tuple(amount(s, "mg") for s in sizes), "tablets", said)


def step(value: str, way: RoundWay = NEAREST, within: str | None = None, said: str = "") -> Rounding:
    return Rounding(amount(value, "mg"), Decimal(within) if within is not None else None, way, said=said)


def per_kg(dose: str, weight: str, rounding: Rounding, cap: str | None = None) -> Computed:
    capped = amount(cap, "mg") if cap is not None else None
    return compute(amount(dose, "mg/kg"), capped, Measures(Decimal(weight)), rounding)


# ---- to strengths ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("way", "text", "total", "combination"),
    [
        # Down: the largest total not above 2275 is 2250.
        (
            DOWN,
            "rounded down to 150 mg and 500 mg tablets = 2250 mg = 3 x 500 mg + 5 x 150 mg",
            "2250",
            made("2250", ("500", 3), ("150", 5)),
        ),
        # Up: the smallest not below is 2300.
        (
            UP,
            "rounded up to 150 mg and 500 mg tablets = 2300 mg = 4 x 500 mg + 2 x 150 mg",
            "2300",
            made("2300", ("500", 4), ("150", 2)),
        ),
        # Nearest: 25 mg from each, half up: 2300.
        (
            NEAREST,
            "rounded to 150 mg and 500 mg tablets = 2300 mg = 4 x 500 mg + 2 x 150 mg",
            "2300",
            made("2300", ("500", 4), ("150", 2)),
        ),
    ],
)
def test_rounded_to_tablets(way: RoundWay, text: str, total: str, combination: Combination) -> None:
    """32.5 mg/kg x 70 kg = 2275 mg, to 150 mg and 500 mg tablets each way: the dose is the total,
    the basis names the tablets, and `made_of` holds them."""
    result = per_kg("32.5", "70", tablets(way))
    assert (result.amount, result.unit) == (Decimal(total), "mg")
    assert result.basis == f"32.5 mg/kg x 70 kg = 2275 mg, {text}"
    assert result.made_of == combination


def test_a_dose_that_is_a_total_is_not_rounded_but_made_of_tablets() -> None:
    """25 mg/kg x 90 kg = 2250 mg = 3 x 500 + 5 x 150: nothing is rounded, so the basis does not say
    'rounded', but it says the tablets, and `made_of` holds them."""
    result = per_kg("25", "90", tablets(DOWN))
    assert result.amount == Decimal(2250)
    assert result.basis == "25 mg/kg x 90 kg = 2250 mg = 3 x 500 mg + 5 x 150 mg"
    assert result.made_of == made("2250", ("500", 3), ("150", 5))


def test_tablets_within_a_percent_refused() -> None:
    """Down from 2275 mg to 2250 mg is 25 / 2275 = 1.0989% of the computed dose: more than 1 percent,
    so not rounded (and shown to one decimal, 1.1%, which reads as more than 1%); no tablets."""
    result = per_kg("32.5", "70", tablets(DOWN, within="1"))
    assert result.amount == Decimal(2275)
    assert result.basis == (
        "32.5 mg/kg x 70 kg = 2275 mg, not rounded: down to 150 mg and 500 mg tablets would give 2250 mg, "
        "1.1% away, more than 1%"
    )
    assert result.made_of is None


def test_tablets_within_a_percent_allowed() -> None:
    """1.0989% is within 1.1 percent: rounded down to 2250 mg."""
    result = per_kg("32.5", "70", tablets(DOWN, within="1.1"))
    assert result.amount == Decimal(2250)
    assert result.made_of == made("2250", ("500", 3), ("150", 5))


def test_vials_exactly_at_the_limit_are_within_it() -> None:
    """2.5 mg/kg x 25 kg = 62.5 mg, down to 10 mg vials: 60 mg = 6 x 10 mg, 2.5 / 62.5 = 4% exactly:
    within 4 percent (the limit is inclusive); against 3.99 percent it is not (4.0% away)."""
    vials = Rounding(None, Decimal(4), DOWN, (amount("10", "mg"),), "vials")
    result = per_kg("2.5", "25", vials)
    assert result.amount == Decimal(60)
    assert result.basis == "2.5 mg/kg x 25 kg = 62.5 mg, rounded down to 10 mg vials = 60 mg = 6 x 10 mg"
    tighter = per_kg("2.5", "25", Rounding(None, Decimal("3.99"), DOWN, (amount("10", "mg"),), "vials"))
    assert tighter.amount == Decimal("62.5")
    assert tighter.basis == (
        "2.5 mg/kg x 25 kg = 62.5 mg, not rounded: down to 10 mg vials would give 60 mg, 4.0% away, "
        "more than 3.99%"
    )


def test_down_below_the_smallest_tablet_is_not_rounded() -> None:
    """0.1 mg/kg x 40 kg = 4 mg: down to 150 mg and 500 mg tablets leaves nothing but 0 mg, so the
    dose stays 4 mg and the basis says why."""
    result = per_kg("0.1", "40", tablets(DOWN))
    assert (result.amount, result.made_of) == (Decimal(4), None)
    assert result.basis == (
        "0.1 mg/kg x 40 kg = 4 mg, not rounded (down to 150 mg and 500 mg tablets would be 0)"
    )


def test_nearest_far_below_the_smallest_tablet_within_a_limit() -> None:
    """4 mg to the nearest of 150 mg and 500 mg tablets: nothing below, and 0 (4 mg away) is nearer
    than one 150 mg tablet (146 mg away): as a step rule, the nearest would be 0, so not rounded,
    whatever the limit (a dose is never rounded up 3650%; found so by this test's first version)."""
    for within in ("10", None):
        result = per_kg("0.1", "40", tablets(NEAREST, within=within))
        assert result.amount == Decimal(4)
        assert (
            result.basis == "0.1 mg/kg x 40 kg = 4 mg, not rounded (to 150 mg and 500 mg tablets would be 0)"
        )


def test_strengths_in_units_for_a_dose_in_units() -> None:
    """100 units/kg x 70 kg = 7000 units of 5000 and 1000 unit vials: 7000 = 1 x 5000 + 2 x 1000
    (3 vials, not 7 x 1000)."""
    vials = Rounding(None, None, NEAREST, (amount("5000", "units"), amount("1000", "units")), "vials")
    result = compute(amount("100", "units/kg"), None, Measures(Decimal(70)), vials)
    assert result.basis == "100 units/kg x 70 kg = 7000 units = 1 x 5000 units + 2 x 1000 units"
    assert result.made_of == made("7000", ("5000", 1), ("1000", 2))


def test_strengths_that_do_not_convert_are_refused() -> None:
    """A dose in units cannot be made of mg tablets: refused, subject ROUNDING, never compared."""
    with pytest.raises(CourseError) as caught:
        compute(amount("100", "units/kg"), None, Measures(Decimal(70)), tablets(DOWN))
    assert caught.value.subject is Subject.ROUNDING
    assert str(caught.value) == "a dose in units cannot be rounded down to 150 mg and 500 mg tablets"


def test_a_dose_by_auc_to_vials() -> None:
    """Carboplatin AUC 5 for 60 years, male, 70 kg, creatinine 1.0 mg/dL: CrCl (140 - 60) x 70 / 72
    = 77.78 mL/min, 5 x (77.78 + 25) = 513.9 mg (tests/model/test_renal.py). Vials of 50, 150 and
    450 mg make the multiples of 50: 500 (13.9 below) and 550 (36.1 above): 500 mg = 1 x 450 + 1 x 50."""
    vials = Rounding(None, None, NEAREST, tuple(amount(s, "mg") for s in ("450", "150", "50")), "vials")
    measures = Measures(
        Decimal(70),
        Decimal(170),
        age=60,
        sex=Sex.MALE,
        creatinine=Creatinine(Decimal(1), CreatinineUnit.MG_DL),
    )
    rules = DoseRules(renal=Renal(WeightBasis.ACTUAL, Bounds(None, Decimal(125), 3), 3))
    result = compute(amount("5", "AUC"), None, measures, vials, rules=rules, drug="carboplatin")
    assert result.amount == Decimal(500)
    assert result.basis.endswith(
        "carboplatin = AUC 5 x (77.78 + 25) = 513.9 mg (Calvert), "
        "rounded to 50 mg, 150 mg and 450 mg vials = 500 mg = 1 x 450 mg + 1 x 50 mg"
    )
    assert result.made_of == made("500", ("450", 1), ("50", 1))


# ---- down and up to a step ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dose", "weight", "rounding", "expected"),
    [
        # 1 x 69 = 69 mg; down to the nearest 10 mg: 60.
        (
            "1",
            "69",
            step("10", DOWN),
            "60: 1 mg/kg x 69 kg = 69 mg, rounded down to the nearest 10 mg = 60 mg",
        ),
        # Up: 70.
        ("1", "69", step("10", UP), "70: 1 mg/kg x 69 kg = 69 mg, rounded up to the nearest 10 mg = 70 mg"),
        # Down 9 mg is 9 / 69 = 13.04% of the computed dose: more than 5 percent, not rounded.
        (
            "1",
            "69",
            step("10", DOWN, "5"),
            "69: 1 mg/kg x 69 kg = 69 mg, not rounded: down to the nearest 10 mg (60 mg) is 13.0% away, "
            "more than 5%",
        ),
        # Up 1 mg is 1 / 69 = 1.45%: within 5 percent, rounded.
        (
            "1",
            "69",
            step("10", UP, "5"),
            "70: 1 mg/kg x 69 kg = 69 mg, rounded up to the nearest 10 mg = 70 mg",
        ),
        # 70 is on a step: nothing to round, nothing said, either way.
        ("1", "70", step("10", UP), "70: 1 mg/kg x 70 kg = 70 mg"),
        ("1", "70", step("10", DOWN), "70: 1 mg/kg x 70 kg = 70 mg"),
        # 0.1 x 40 = 4 mg; down to the nearest 5 mg is 0: not rounded, and said so.
        (
            "0.1",
            "40",
            step("5", DOWN),
            "4: 0.1 mg/kg x 40 kg = 4 mg, not rounded (down to the nearest 5 mg would be 0)",
        ),
        # Up: 5 mg, one step.
        ("0.1", "40", step("5", UP), "5: 0.1 mg/kg x 40 kg = 4 mg, rounded up to the nearest 5 mg = 5 mg"),
        # 1 x 60.01 = 60.01 mg: up to the nearest 10 is 70, however little above 60 it is.
        (
            "1",
            "60.01",
            step("10", UP),
            "70: 1 mg/kg x 60.01 kg = 60.01 mg, rounded up to the nearest 10 mg = 70 mg",
        ),
        # Down from 69.99: 60.
        (
            "1",
            "69.99",
            step("10", DOWN),
            "60: 1 mg/kg x 69.99 kg = 69.99 mg, rounded down to the nearest 10 mg = 60 mg",
        ),
    ],
)
def test_down_and_up_to_a_step(dose: str, weight: str, rounding: Rounding, expected: str) -> None:
    """Down is never above the computed dose, up never below; within N percent of the computed dose."""
    result = per_kg(dose, weight, rounding)
    assert result.amount is not None
    assert f"{result.amount.normalize():f}: {result.basis}" == expected
    assert result.made_of is None  # a step is not a strength: nothing is made of units


# ---- the label a rule is named by ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("dose", "weight", "rounding", "basis"),
    [
        (
            "32.5",
            "70",
            tablets(DOWN, said="regimen line 6"),
            "32.5 mg/kg x 70 kg = 2275 mg, rounded down to 150 mg and 500 mg tablets (regimen line 6) "
            "= 2250 mg = 3 x 500 mg + 5 x 150 mg",
        ),
        # On a total: the tablets, then the rule that made them.
        (
            "25",
            "90",
            tablets(DOWN, said="regimen line 6"),
            "25 mg/kg x 90 kg = 2250 mg = 3 x 500 mg + 5 x 150 mg (regimen line 6)",
        ),
        (
            "32.5",
            "70",
            tablets(DOWN, "1", said="course line 8, in place of regimen line 6"),
            "32.5 mg/kg x 70 kg = 2275 mg, not rounded: down to 150 mg and 500 mg tablets "
            "would give 2250 mg, 1.1% away, more than 1% (course line 8, in place of regimen line 6)",
        ),
        (
            "0.1",
            "40",
            tablets(DOWN, said="regimen line 6"),
            "0.1 mg/kg x 40 kg = 4 mg, not rounded "
            "(down to 150 mg and 500 mg tablets would be 0) (regimen line 6)",
        ),
        # 130 x 1.82 would be 236.6; per kg: 2 x 118.3 = 236.6 mg, 47.32 steps of 5 -> 47 -> 235 mg.
        (
            "2",
            "118.3",
            step("5", said="course line 8, in place of regimen line 3"),
            "2 mg/kg x 118.3 kg = 236.6 mg, rounded to the nearest 5 mg "
            "(course line 8, in place of regimen line 3) = 235 mg",
        ),
        (
            "2",
            "118.3",
            step("10", UP, said="regimen line 3"),
            "2 mg/kg x 118.3 kg = 236.6 mg, rounded up to the nearest 10 mg (regimen line 3) = 240 mg",
        ),
        # 64 mg to the nearest 10: 60, 4 / 64 = 6.25% -> 6.3%, more than 5 percent.
        (
            "1",
            "64",
            step("10", within="5", said="regimen line 3"),
            "1 mg/kg x 64 kg = 64 mg, not rounded: the nearest 10 mg (60 mg) is 6.3% away, "
            "more than 5% (regimen line 3)",
        ),
        (
            "0.1",
            "20",
            step("5", said="regimen line 3"),
            "0.1 mg/kg x 20 kg = 2 mg, not rounded (the nearest 5 mg would be 0) (regimen line 3)",
        ),
    ],
)
def test_the_rule_is_named_where_it_is_said(dose: str, weight: str, rounding: Rounding, basis: str) -> None:
    """`said` names the rule in the basis, right after the rule itself, whatever was done."""
    assert per_kg(dose, weight, rounding).basis == basis


def test_nothing_said_when_nothing_is_rounded_on_a_step() -> None:
    """On a step, the basis is the arithmetic alone, with no label: 1 x 70 = 70 mg, to the nearest 5."""
    assert per_kg("1", "70", step("5", said="regimen line 3")).basis == "1 mg/kg x 70 kg = 70 mg"


# ---- then the cap ----------------------------------------------------------------------------------


def test_a_rule_of_strengths_is_held_to_the_cap_first() -> None:
    """2275 mg, max 2000 mg: capped first, 2000 mg, then up to tablets: 2000 = 4 x 500 mg exactly, so
    the dose stays a total of tablets (a cap after rounding up to 2300 mg would leave 2000 mg with
    the 2300 mg's tablets in the basis: the review found the diary contradicting itself so)."""
    result = per_kg("32.5", "70", tablets(UP), cap="2000")
    assert result.amount == Decimal(2000)
    assert result.basis == "32.5 mg/kg x 70 kg = 2275 mg, capped at max 2000 mg = 2000 mg = 4 x 500 mg"
    assert result.made_of == made("2000", ("500", 4))


def test_rounding_up_past_the_cap_rounds_down_instead() -> None:
    """2275 mg, max 2050 mg: capped, 2050 mg, and 2050 = 2 x 500 + 7 x 150 mg exactly (9 tablets,
    the fewest: 1 x 500 + ... needs 1550 / 150, not whole). Max 2100 mg: 2100 = 3 x 500 + 4 x 150."""
    result = per_kg("32.5", "70", tablets(UP), cap="2050")
    assert (result.amount, result.made_of) == (Decimal(2050), made("2050", ("500", 2), ("150", 7)))
    result = per_kg("32.5", "70", tablets(UP), cap="2100")
    assert (result.amount, result.made_of) == (Decimal(2100), made("2100", ("500", 3), ("150", 4)))


def test_a_cap_between_totals_gives_the_largest_total_within_it() -> None:
    """2275 mg, max 2020 mg: capped, 2020 mg; up would be 2050 mg (2 x 500 + 7 x 150), above the
    cap: down instead, 2000 mg = 4 x 500 mg (1% away, within the 10% a rule of strengths allows)."""
    result = per_kg("32.5", "70", tablets(UP), cap="2020")
    assert result.amount == Decimal(2000)
    assert result.basis == (
        "32.5 mg/kg x 70 kg = 2275 mg, capped at max 2020 mg = 2020 mg, and up to 150 mg and 500 mg "
        "tablets would pass the cap, rounded down to 150 mg and 500 mg tablets = 2000 mg = 4 x 500 mg"
    )
    assert result.made_of == made("2000", ("500", 4))


def test_a_cap_at_the_total_keeps_the_tablets() -> None:
    """Down to tablets under a cap of max 2250 mg: 2275 is capped at 2250 first, and 2250 = 3 x 500
    + 5 x 150 exactly: the tablets stay."""
    result = per_kg("32.5", "70", tablets(DOWN), cap="2250")
    assert result.amount == Decimal(2250)
    assert result.basis == (
        "32.5 mg/kg x 70 kg = 2275 mg, capped at max 2250 mg = 2250 mg = 3 x 500 mg + 5 x 150 mg"
    )
    assert result.made_of == made("2250", ("500", 3), ("150", 5))


def test_a_cap_above_the_total_keeps_the_tablets() -> None:
    """Up to 2300 mg under a cap of max 2.5 g (2500 mg): within it; the tablets stay."""
    result = compute(amount("32.5", "mg/kg"), amount("2.5", "g"), Measures(Decimal(70)), tablets(UP))
    assert result.amount == Decimal(2300)
    assert result.made_of == made("2300", ("500", 4), ("150", 2))


def test_the_bsa_step_comes_after_the_tablets() -> None:
    """Per m2: 1250 mg/m2 x 1.82 m2 = 2275 mg (sqrt(170 x 70 / 3600) = 1.8181 -> 1.82), down to
    2250 mg; the BSA's step follows the rounding, after a semicolon."""
    result = compute(amount("1250", "mg/m2"), None, Measures(Decimal(70), Decimal(170)), tablets(DOWN))
    assert result.basis == (
        "1250 mg/m2 x 1.82 m2 = 2275 mg, rounded down to 150 mg and 500 mg tablets = 2250 mg "
        "= 3 x 500 mg + 5 x 150 mg; BSA 1.82 m2 = Mosteller sqrt(170 cm x 70 kg / 3600) = 1.8181, "
        "rounded to 0.01 m2"
    )
    assert result.made_of == made("2250", ("500", 3), ("150", 5))


def test_a_flat_dose_is_never_rounded() -> None:
    """A stated 2275 mg is given as stated: no rounding, no tablets."""
    result = compute(amount("2275", "mg"), None, Measures(), tablets(DOWN))
    assert (result.amount, result.basis, result.made_of) == (Decimal(2275), "2275 mg (flat dose)", None)


# ---- a rule as text ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rounding", "rule", "text"),
    [
        (step("5"), "to the nearest 5 mg", "to the nearest 5 mg"),
        (step("5", DOWN), "down to the nearest 5 mg", "down to the nearest 5 mg"),
        (step("2.5", UP, "10"), "up to the nearest 2.5 mg", "up to the nearest 2.5 mg within 10 percent"),
        (step("5", within="2.50"), "to the nearest 5 mg", "to the nearest 5 mg within 2.5 percent"),
        (tablets(DOWN), "down to 150 mg and 500 mg tablets", "down to 150 mg and 500 mg tablets"),
        (
            tablets(NEAREST, "10"),
            "to 150 mg and 500 mg tablets",
            "to 150 mg and 500 mg tablets within 10 percent",
        ),
        # The smallest first, however they are given.
        (
            tablets(UP, sizes=("150", "500")),
            "up to 150 mg and 500 mg tablets",
            "up to 150 mg and 500 mg tablets",
        ),
        (
            tablets(sizes=("30", "10", "20")),
            "down to 10 mg, 20 mg and 30 mg tablets",
            "down to 10 mg, 20 mg and 30 mg tablets",
        ),
        (
            Rounding(None, None, NEAREST, (amount("100", "mg"),), "vials"),
            "to 100 mg vials",
            "to 100 mg vials",
        ),
        # No form (a rule built by a caller): no trailing space.
        (
            Rounding(None, None, DOWN, (amount("500", "mg"), amount("150", "mg"))),
            "down to 150 mg and 500 mg",
            "down to 150 mg and 500 mg",
        ),
    ],
)
def test_a_rule_as_text(rounding: Rounding, rule: str, text: str) -> None:
    """`rule()` is the rule as the basis names it; `str` adds the limit, as a regimen line writes it."""
    assert rounding.rule() == rule
    assert str(rounding) == text


def test_strengths_in_two_units_are_listed_by_size() -> None:
    """150 mg and 0.5 g (500 mg) tablets: the smallest first, as for one unit: '150 mg and 0.5 g'."""
    rule = Rounding(None, None, DOWN, (amount("0.5", "g"), amount("150", "mg")), "tablets")
    assert rule.rule() == "down to 150 mg and 0.5 g tablets"


def test_the_default_rule_is_to_the_nearest() -> None:
    """A rule that does not say its way rounds to the nearest, always (no limit), with no label."""
    rule = Rounding(amount("5", "mg"))
    assert (rule.way, rule.within_percent, rule.strengths, rule.form, rule.said, rule.line) == (
        NEAREST,
        None,
        (),
        "",
        "",
        None,
    )
