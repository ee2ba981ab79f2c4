"""Doses by AUC (Calvert) from a Cockcroft-Gault clearance, and the limits a regimen puts on BSA.

Every expected figure is worked by hand in its test's docstring, from the
formulas as pharmacists use them:

- CrCl = (140 - age) x weight / (72 x creatinine in mg/dL), x 0.85 for women;
  a creatinine in umol/L is divided by 88.4;
- ideal weight (Devine) = 50 kg (men) or 45.5 kg (women) + 2.3 kg x (cm / 2.54 - 60);
  adjusted weight = ideal + 0.4 x (actual - ideal);
- dose = AUC x (CrCl held within the regimen's bounds + 25), to 0.1 mg, half up.

The property test checks the same rule against an independent Cockcroft-Gault
written here in exact fractions, not against dosecal.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dosecal.errors import CourseError, Subject
from dosecal.model.dosing import DoseRules, Rounding, compute
from dosecal.model.measures import Creatinine, CreatinineUnit, Measures, Sex
from dosecal.model.regimen import UNITS, Amount, Bounds, Renal, WeightBasis
from dosecal.model.renal import calvert, estimated

MG_DL, UMOL_L = CreatinineUnit.MG_DL, CreatinineUnit.UMOL_L
ACTUAL, IDEAL, ADJUSTED = WeightBasis.ACTUAL, WeightBasis.IDEAL, WeightBasis.ADJUSTED


def amount(value: str, unit: str) -> Amount:
    return Amount(Decimal(value), UNITS[unit])


def auc(value: str) -> Amount:
    return amount(value, "AUC")


def patient(
    age: int | None = 60,
    sex: Sex | None = Sex.MALE,
    weight: str | None = "70",
    height: str | None = "170",
    creatinine: str | None = "1.0",
    unit: CreatinineUnit = MG_DL,
    measured: dt.date | None = None,
) -> Measures:
    """The issue's patient unless told otherwise: 60, male, 70 kg, 170 cm, creatinine 1.0 mg/dL."""
    return Measures(
        weight_kg=Decimal(weight) if weight is not None else None,
        height_cm=Decimal(height) if height is not None else None,
        age=age,
        sex=sex,
        creatinine=Creatinine(Decimal(creatinine), unit, measured) if creatinine is not None else None,
    )


def renal(weight: WeightBasis = ACTUAL, low: str | None = None, high: str | None = None) -> Renal:
    """A regimen's `CrCl Cockcroft-Gault, <weight> weight[, min L mL/min][, max H mL/min]` on line 3."""
    bounds = None
    if low is not None or high is not None:
        bounds = Bounds(
            Decimal(low) if low is not None else None, Decimal(high) if high is not None else None, 3
        )
    return Renal(weight, bounds, 3)


def carboplatin(target: str, rule: Renal, measures: Measures) -> tuple[Decimal, str]:
    return calvert(auc(target), rule, measures, "carboplatin")


# ---- the issue's example and its variants -------------------------------------------


def test_the_issue_example() -> None:
    """(140 - 60) x 70 = 5600; 72 x 1.0 = 72; 5600 / 72 = 77.777... -> shown 77.78 mL/min (under 125).
    5 x (77.777... + 25) = 5 x 102.777... = 513.888... -> 513.9 mg; redone from the figure shown,
    5 x (77.78 + 25) = 513.9, the same."""
    dose, basis = carboplatin("5", renal(high="125"), patient())
    assert dose == Decimal("513.9")
    assert basis == (
        "CrCl = (140 - 60) x 70 kg / (72 x 1.0 mg/dL) = 77.78 mL/min (Cockcroft-Gault, actual weight); "
        "carboplatin = AUC 5 x (77.78 + 25) = 513.9 mg (Calvert)"
    )


def test_a_clearance_above_the_cap_is_capped() -> None:
    """72 x 0.4 = 28.8; 5600 / 28.8 = 194.444... -> 194.44 mL/min, above 125: 125 is used.
    5 x (125 + 25) = 750 mg (FDA's maximum for AUC 5, 5 x 150)."""
    dose, basis = carboplatin("5", renal(high="125"), patient(creatinine="0.4"))
    assert dose == Decimal(750)
    assert basis == (
        "CrCl = (140 - 60) x 70 kg / (72 x 0.4 mg/dL) = 194.44 mL/min (Cockcroft-Gault, actual weight), "
        "capped at max 125 mL/min; carboplatin = AUC 5 x (125 + 25) = 750 mg (Calvert)"
    )


def test_a_woman_has_the_factor_0_85() -> None:
    """5600 / 72 = 77.777...; x 0.85 = 4760 / 72 = 66.111... -> 66.11 mL/min.
    5 x (66.111... + 25) = 5 x 91.111... = 455.555... -> 455.6 mg; from 66.11: 455.55 -> 455.6."""
    dose, basis = carboplatin("5", renal(), patient(sex=Sex.FEMALE))
    assert dose == Decimal("455.6")
    assert basis == (
        "CrCl = (140 - 60) x 70 kg / (72 x 1.0 mg/dL) x 0.85 = 66.11 mL/min "
        "(Cockcroft-Gault, actual weight); carboplatin = AUC 5 x (66.11 + 25) = 455.6 mg (Calvert)"
    )


def test_a_creatinine_in_umol_per_litre_is_divided_by_88_4() -> None:
    """80 umol/L / 88.4 = 0.904977... mg/dL; 72 x that = 5760 / 88.4 = 65.158...;
    5600 / 65.158... = 5600 x 88.4 / 5760 = 495040 / 5760 = 85.944... -> 85.94 mL/min.
    5 x (85.944... + 25) = 5 x 110.944... = 554.722... -> 554.7 mg; from 85.94: 554.70 -> 554.7."""
    dose, basis = carboplatin("5", renal(), patient(creatinine="80", unit=UMOL_L))
    assert dose == Decimal("554.7")
    assert basis == (
        "CrCl = (140 - 60) x 70 kg / (72 x 80 umol/L / 88.4) = 85.94 mL/min "
        "(Cockcroft-Gault, actual weight); carboplatin = AUC 5 x (85.94 + 25) = 554.7 mg (Calvert)"
    )


def test_the_day_the_creatinine_was_measured_is_named() -> None:
    """The figures of the issue's example (77.78 mL/min, 513.9 mg); the creatinine's date is said."""
    measures = patient(measured=dt.date(2026, 12, 1))
    dose, basis = carboplatin("5", renal(), measures)
    assert dose == Decimal("513.9")
    assert "= 77.78 mL/min (Cockcroft-Gault, actual weight; creatinine of 2026-12-01); " in basis


def test_an_adult_of_exactly_18_is_dosed() -> None:
    """(140 - 18) x 70 = 8540; / 72 = 118.611... -> 118.61 mL/min.
    5 x (118.611... + 25) = 718.055... -> 718.1 mg; from 118.61: 718.05 -> 718.1."""
    dose, basis = carboplatin("5", renal(), patient(age=18))
    assert dose == Decimal("718.1")
    assert basis.startswith("CrCl = (140 - 18) x 70 kg / (72 x 1.0 mg/dL) = 118.61 mL/min")


# ---- ideal and adjusted weight ----------------------------------------------------------


def test_the_ideal_weight_of_a_man() -> None:
    """170 cm / 2.54 = 66.929133... in; - 60 = 6.929133...; x 2.3 = 15.937007...;
    + 50 kg = 65.937007... kg -> shown 65.94 kg.
    80 x 65.937007... / 72 = 5274.9606... / 72 = 73.263342... -> 73.26 mL/min. (From the rounded
    65.94 kg it would be 80 x 65.94 / 72 = 73.2666... -> 73.27: the unrounded weight is used.)
    5 x (73.263342... + 25) = 491.316... -> 491.3 mg; from 73.26: 491.3."""
    dose, basis = carboplatin("5", renal(IDEAL), patient())
    assert dose == Decimal("491.3")
    assert basis == (
        "ideal weight = 50 kg + 2.3 kg x (170 cm / 2.54 - 60) = 65.94 kg (Devine, male); "
        "CrCl = (140 - 60) x 65.94 kg / (72 x 1.0 mg/dL) = 73.26 mL/min (Cockcroft-Gault, ideal weight); "
        "carboplatin = AUC 5 x (73.26 + 25) = 491.3 mg (Calvert)"
    )


def test_the_ideal_weight_of_a_woman() -> None:
    """160 cm / 2.54 = 62.992125... in; - 60 = 2.992125...; x 2.3 = 6.881889...;
    + 45.5 kg = 52.381889... kg -> 52.38 kg.
    80 x 52.381889... / 72 = 58.202099...; x 0.85 = 49.471784... -> 49.47 mL/min.
    5 x (49.471784... + 25) = 372.358... -> 372.4 mg; from 49.47: 372.35 -> 372.4."""
    dose, basis = carboplatin("5", renal(IDEAL), patient(sex=Sex.FEMALE, height="160"))
    assert dose == Decimal("372.4")
    assert basis == (
        "ideal weight = 45.5 kg + 2.3 kg x (160 cm / 2.54 - 60) = 52.38 kg (Devine, female); "
        "CrCl = (140 - 60) x 52.38 kg / (72 x 1.0 mg/dL) x 0.85 = 49.47 mL/min "
        "(Cockcroft-Gault, ideal weight); carboplatin = AUC 5 x (49.47 + 25) = 372.4 mg (Calvert)"
    )


def test_the_adjusted_weight() -> None:
    """165 cm / 2.54 = 64.960629... in; - 60 = 4.960629...; x 2.3 = 11.409448...;
    ideal = 61.409448... kg -> 61.41 kg.
    adjusted = 61.409448... + 0.4 x (95 - 61.409448...) = 61.409448... + 0.4 x 33.590551...
    = 61.409448... + 13.436220... = 74.845669... kg -> 74.85 kg.
    80 x 74.845669... / 72 = 83.161854... -> 83.16 mL/min (from the rounded 74.85 kg it would be
    80 x 74.85 / 72 = 83.1666... -> 83.17: the unrounded weight is used).
    5 x (83.161854... + 25) = 540.809... -> 540.8 mg; from 83.16: 540.8."""
    dose, basis = carboplatin("5", renal(ADJUSTED), patient(weight="95", height="165"))
    assert dose == Decimal("540.8")
    assert basis == (
        "ideal weight = 50 kg + 2.3 kg x (165 cm / 2.54 - 60) = 61.41 kg (Devine, male); "
        "adjusted weight = 61.41 kg + 0.4 x (95 kg - 61.41 kg) = 74.85 kg; "
        "CrCl = (140 - 60) x 74.85 kg / (72 x 1.0 mg/dL) = 83.16 mL/min (Cockcroft-Gault, adjusted weight); "
        "carboplatin = AUC 5 x (83.16 + 25) = 540.8 mg (Calvert)"
    )


def test_a_figure_ending_in_zero_is_shown_without_it() -> None:
    """170 cm, 100 kg: ideal 65.937007... kg; adjusted = 65.937007... + 0.4 x 34.062992...
    = 79.562204... kg -> 79.56; 80 x 79.562204... / 72 = 88.402449... -> 88.40, written 88.4.
    5 x (88.402449... + 25) = 567.012... -> 567.0 mg, written 567."""
    dose, basis = carboplatin("5", renal(ADJUSTED), patient(weight="100"))
    assert dose == Decimal("567.0")
    assert basis.endswith(
        "adjusted weight = 65.94 kg + 0.4 x (100 kg - 65.94 kg) = 79.56 kg; "
        "CrCl = (140 - 60) x 79.56 kg / (72 x 1.0 mg/dL) = 88.4 mL/min (Cockcroft-Gault, adjusted weight); "
        "carboplatin = AUC 5 x (88.4 + 25) = 567 mg (Calvert)"
    )


@pytest.mark.parametrize("basis", [IDEAL, ADJUSTED])
def test_an_ideal_weight_of_zero_or_less_is_refused(basis: WeightBasis) -> None:
    """90 cm / 2.54 = 35.433070... in; - 60 = -24.566929...; x 2.3 = -56.503937...;
    + 50 kg = -6.503937... kg -> -6.50, written -6.5: no weight to compute with (adjusted too,
    since it starts from the ideal)."""
    with pytest.raises(CourseError) as caught:
        carboplatin("5", renal(basis), patient(height="90"))
    error = caught.value
    assert error.subject is Subject.HEIGHT
    assert error.message == (
        "the ideal weight by Devine at 90 cm is -6.5 kg: Cockcroft-Gault cannot be computed from it"
    )
    assert error.hint is None


def test_the_smallest_positive_ideal_weight_is_used() -> None:
    """Devine is zero at 60 - 50 / 2.3 = 38.2608... in = 97.18 cm (men). At 97 cm:
    97 / 2.54 = 38.188976...; - 60 = -21.811023...; x 2.3 = -50.165354...; + 50 = -0.165354...: refused.
    At 98 cm: 98 / 2.54 = 38.582677...; - 60 = -21.417322...; x 2.3 = -49.259842...; + 50 = 0.740157... kg,
    used as written (the formula is applied at any height)."""
    with pytest.raises(CourseError):
        carboplatin("5", renal(IDEAL), patient(height="97"))
    _, basis = carboplatin("5", renal(IDEAL), patient(height="98"))
    assert basis.startswith("ideal weight = 50 kg + 2.3 kg x (98 cm / 2.54 - 60) = 0.74 kg (Devine, male); ")


# ---- bounds on the clearance ----------------------------------------------------------


def test_a_clearance_below_the_floor_is_raised() -> None:
    """77.777... mL/min is below a floor of 80: 80 is used; 5 x (80 + 25) = 525 mg."""
    dose, basis = carboplatin("5", renal(low="80", high="125"), patient())
    assert dose == Decimal(525)
    assert basis == (
        "CrCl = (140 - 60) x 70 kg / (72 x 1.0 mg/dL) = 77.78 mL/min (Cockcroft-Gault, actual weight), "
        "raised to min 80 mL/min; carboplatin = AUC 5 x (80 + 25) = 525 mg (Calvert)"
    )


@pytest.mark.parametrize(("low", "high"), [(None, "125"), ("125", None), ("125", "130"), ("100", "125")])
def test_a_bound_exactly_at_the_clearance_is_not_applied(low: str | None, high: str | None) -> None:
    """Age 50, 90 kg, 0.9 mg/dL: (140 - 50) x 90 = 8100; 72 x 0.9 = 64.8; 8100 / 64.8 = 125 exactly.
    A bound applies only above its max or below its min: nothing is capped or raised, and
    5 x (125 + 25) = 750 mg."""
    dose, basis = carboplatin("5", renal(low=low, high=high), patient(age=50, weight="90", creatinine="0.9"))
    assert dose == Decimal(750)
    assert basis == (
        "CrCl = (140 - 50) x 90 kg / (72 x 0.9 mg/dL) = 125 mL/min (Cockcroft-Gault, actual weight); "
        "carboplatin = AUC 5 x (125 + 25) = 750 mg (Calvert)"
    )


# ---- the figure shown -----------------------------------------------------------------


def test_the_clearance_is_shown_to_more_decimals_when_two_would_redo_wrong() -> None:
    """Age 30, 50 kg, 1.0 mg/dL: 110 x 50 = 5500; 5500 / 72 = 76.3888... mL/min.
    Dose: 5 x (76.3888... + 25) = 5 x 101.3888... = 506.9444... -> 506.9 mg.
    To 0.01 the clearance is 76.39, and 5 x (76.39 + 25) = 506.95 -> 507.0: not the dose. To 0.001
    it is 76.389, and 5 x 101.389 = 506.945 -> 506.9: shown so."""
    dose, basis = carboplatin("5", renal(), patient(age=30, weight="50"))
    assert dose == Decimal("506.9")
    assert basis == (
        "CrCl = (140 - 30) x 50 kg / (72 x 1.0 mg/dL) = 76.389 mL/min (Cockcroft-Gault, actual weight); "
        "carboplatin = AUC 5 x (76.389 + 25) = 506.9 mg (Calvert)"
    )


def test_a_clearance_with_three_decimals_exactly_is_shown_whole() -> None:
    """Age 30, 54 kg, 0.8 mg/dL: 110 x 54 = 5940; 72 x 0.8 = 57.6; 5940 / 57.6 = 103.125 exactly.
    Dose: 5 x 128.125 = 640.625 -> 640.6 mg. To 0.01 (half up) 103.13: 5 x 128.13 = 640.65 -> 640.7,
    not the dose; 103.125 itself redoes to 640.6."""
    dose, basis = carboplatin("5", renal(), patient(age=30, weight="54", creatinine="0.8"))
    assert dose == Decimal("640.6")
    assert "= 103.125 mL/min (Cockcroft-Gault, actual weight); carboplatin = AUC 5 x (103.125 + 25)" in basis


def _tenth(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _figure(basis: str) -> str:
    """The clearance the Calvert step of a basis is redone from (the text is read back in tests only)."""
    found = re.search(r"x \(([0-9.]+) \+ 25\) = ([0-9.]+) mg \(Calvert\)$", basis)
    assert found is not None, basis
    return found.group(1)


def test_a_grid_search_agrees_on_every_figure_shown() -> None:
    """The rule, redone in plain Decimal: the clearance is shown to 0.01 (half up) unless
    AUC x (that figure + 25), to 0.1 mg half up, is not the dose; then to 0.001, and so on.

    Over ages 30-79, weights 50-99 kg, creatinine 1.0 mg/dL, a man, AUC 5, the first case that needs
    more than two decimals is age 30, 50 kg (worked by hand above); every figure dosecal shows is
    the one this rule gives. Each dose of the search is checked in exact fractions too: a tie at
    x.x5 mg needs (140 - age) x weight divisible by 18, whose quotient by 72 Decimal holds exactly.
    """
    needing_more = []
    for age in range(30, 80):
        for weight in range(50, 100):
            exact = Decimal((140 - age) * weight) / Decimal(72)
            dose = _tenth(5 * (exact + 25))
            assert Fraction(dose) == _half_up(5 * (Fraction((140 - age) * weight, 72) + 25), 1)
            places = 2
            figure = exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            while _tenth(5 * (figure + 25)) != dose:
                places += 1
                figure = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
            if places > 2:
                needing_more.append((age, weight))
            shown_dose, basis = carboplatin("5", renal(), patient(age=age, weight=str(weight)))
            assert shown_dose == dose
            assert Decimal(_figure(basis)) == figure, (age, weight)
    assert needing_more[0] == (30, 50)


# ---- values the formula needs ---------------------------------------------------------


def test_every_missing_value_is_named_at_once() -> None:
    """With nothing known and the ideal weight, all five values are named in one error, in the order
    of the formula; its subject is the first (age), its hint gives every option and line."""
    with pytest.raises(CourseError) as caught:
        carboplatin("5", renal(IDEAL), Measures())
    error = caught.value
    assert error.subject is Subject.AGE
    assert error.message == (
        "carboplatin AUC 5 is dosed from the creatinine clearance (Cockcroft-Gault, regimen line 3), "
        "which needs the patient's age, sex, serum creatinine, weight and height (for the ideal weight)"
    )
    assert error.hint == (
        'give --age YEARS, --sex female|male, --creatinine "VALUE mg/dL", --weight KG, --height CM '
        "(in a course file or a roster: the 'age' (or 'born'), 'sex', 'creatinine', 'weight' and "
        "'height' lines or columns)"
    )


def test_the_actual_weight_needs_no_height() -> None:
    """With the actual weight, a missing height is not named; age, sex and creatinine are."""
    with pytest.raises(CourseError) as caught:
        carboplatin("5", renal(), patient(age=None, sex=None, creatinine=None, height=None))
    error = caught.value
    assert error.subject is Subject.AGE
    assert error.message == (
        "carboplatin AUC 5 is dosed from the creatinine clearance (Cockcroft-Gault, regimen line 3), "
        "which needs the patient's age, sex and serum creatinine"
    )
    assert error.hint == (
        'give --age YEARS, --sex female|male, --creatinine "VALUE mg/dL" '
        "(in a course file or a roster: the 'age' (or 'born'), 'sex' and 'creatinine' lines or columns)"
    )


@pytest.mark.parametrize(
    ("measures", "subject", "named", "hint"),
    [
        (patient(creatinine=None), Subject.CREATININE, "serum creatinine", '--creatinine "VALUE mg/dL"'),
        (patient(weight=None), Subject.WEIGHT, "weight", "--weight KG"),
        (patient(height=None), Subject.HEIGHT, "height (for the adjusted weight)", "--height CM"),
    ],
)
def test_one_missing_value(measures: Measures, subject: Subject, named: str, hint: str) -> None:
    """One value missing (adjusted weight): named alone, its subject, its one option and line."""
    with pytest.raises(CourseError) as caught:
        carboplatin("5", renal(ADJUSTED), measures)
    error = caught.value
    assert error.subject is subject
    assert error.message == (
        "carboplatin AUC 5 is dosed from the creatinine clearance (Cockcroft-Gault, regimen line 3), "
        f"which needs the patient's {named}"
    )
    assert error.hint == f"give {hint} (in a course file or a roster: the '{subject.value}' line or column)"


def test_a_child_is_refused() -> None:
    """Cockcroft-Gault is an adult's formula: at 17 the dose is not computed."""
    with pytest.raises(CourseError) as caught:
        carboplatin("5", renal(), patient(age=17))
    error = caught.value
    assert error.subject is Subject.AGE
    assert (
        error.message
        == "carboplatin AUC 5 is dosed by Cockcroft-Gault, an adult's formula; the patient is 17"
    )
    assert error.hint == "Cockcroft-Gault is not used for children: a child's dose is not computed by dosecal"


# ---- compute(): Calvert, then the course's rounding, then the cap --------------------------

_ISSUE_RULES = DoseRules(renal=renal(high="125"))
_CLEARANCE = "CrCl = (140 - 60) x 70 kg / (72 x 1.0 mg/dL) = 77.78 mL/min (Cockcroft-Gault, actual weight); "


def test_compute_by_auc() -> None:
    """compute() gives Calvert's 513.9 mg (the issue's example) in mg, with the same basis."""
    result = compute(auc("5"), None, patient(), rules=_ISSUE_RULES, drug="carboplatin")
    assert (result.amount, result.unit) == (Decimal("513.9"), "mg")
    assert result.basis == f"{_CLEARANCE}carboplatin = AUC 5 x (77.78 + 25) = 513.9 mg (Calvert)"


def test_compute_by_auc_rounds_by_the_course() -> None:
    """513.9 mg to the nearest 5 mg: 513.9 / 5 = 102.78 -> 103 -> 515 mg (1.1 mg, 0.21%, within 1%)."""
    rounding = Rounding(amount("5", "mg"), Decimal(1))
    result = compute(auc("5"), None, patient(), rounding, rules=_ISSUE_RULES, drug="carboplatin")
    assert (result.amount, result.unit) == (Decimal(515), "mg")
    assert result.basis == (
        f"{_CLEARANCE}carboplatin = AUC 5 x (77.78 + 25) = 513.9 mg (Calvert), "
        "rounded to the nearest 5 mg = 515 mg"
    )


def test_compute_by_auc_caps_after_calvert_and_rounding() -> None:
    """AUC 6: 6 x (77.777... + 25) = 616.666... -> 616.7 mg (from 77.78: 616.68 -> 616.7);
    to the nearest 5 mg: 616.7 / 5 = 123.34 -> 123 -> 615 mg; above the cap of 600 mg: 600 mg."""
    rounding = Rounding(amount("5", "mg"))
    result = compute(
        auc("6"), amount("600", "mg"), patient(), rounding, rules=_ISSUE_RULES, drug="carboplatin"
    )
    assert (result.amount, result.unit) == (Decimal(600), "mg")
    assert result.basis == (
        f"{_CLEARANCE}carboplatin = AUC 6 x (77.78 + 25) = 616.7 mg (Calvert), "
        "rounded to the nearest 5 mg = 615 mg, capped at max 600 mg = 600 mg"
    )


def test_compute_by_auc_under_the_cap_is_not_capped() -> None:
    """513.9 mg is under a cap of 0.6 g (600 mg): nothing is said of it."""
    result = compute(auc("5"), amount("0.6", "g"), patient(), rules=_ISSUE_RULES, drug="carboplatin")
    assert result.amount == Decimal("513.9")
    assert "capped" not in result.basis


def test_compute_by_auc_without_a_rule_is_refused() -> None:
    """Lowering refuses a dose by AUC without a clearance rule; compute() refuses it too."""
    with pytest.raises(CourseError) as caught:
        compute(auc("5"), None, patient(), drug="carboplatin")
    assert caught.value.subject is Subject.DOSE
    assert caught.value.message == "carboplatin AUC 5 has no rule for its creatinine clearance"


# ---- compute(): the limits on BSA ----------------------------------------------------------


def _per_m2(weight: str, height: str, low: str | None, high: str | None) -> tuple[Decimal | None, str]:
    bounds = Bounds(Decimal(low) if low else None, Decimal(high) if high else None, 3)
    measures = Measures(weight_kg=Decimal(weight), height_cm=Decimal(height))
    result = compute(amount("100", "mg/m2"), None, measures, rules=DoseRules(bsa=bounds))
    assert result.unit == "mg"
    return result.amount, result.basis


def test_a_bsa_above_its_max_is_capped() -> None:
    """Mosteller: 196 cm x 100 kg / 3600 = 19600 / 3600 = 49/9; sqrt = 7/3 = 2.3333... -> 2.33 m2,
    above 2.2: 100 mg/m2 x 2.2 m2 = 220 mg (not 233 mg)."""
    dose, basis = _per_m2("100", "196", None, "2.2")
    assert dose == Decimal(220)
    assert basis == (
        "100 mg/m2 x 2.2 m2 = 220 mg; BSA 2.33 m2 = Mosteller sqrt(196 cm x 100 kg / 3600) = 2.3333, "
        "rounded to 0.01 m2, capped at max 2.2 m2"
    )


def test_a_bsa_below_its_min_is_raised() -> None:
    """Mosteller: 100 cm x 36 kg / 3600 = 1; sqrt = 1 -> 1 m2, below 1.2: 100 x 1.2 = 120 mg."""
    dose, basis = _per_m2("36", "100", "1.2", "2.2")
    assert dose == Decimal(120)
    assert basis == (
        "100 mg/m2 x 1.2 m2 = 120 mg; BSA 1 m2 = Mosteller sqrt(100 cm x 36 kg / 3600) = 1.0000, "
        "rounded to 0.01 m2, raised to min 1.2 m2"
    )


@pytest.mark.parametrize(
    ("weight", "height", "shown", "expected"),
    [
        # 198 x 88 = 17424; / 3600 = 4.84; sqrt = 2.2 exactly.
        ("88", "198", "2.2 m2 = Mosteller sqrt(198 cm x 88 kg / 3600) = 2.2000", 220),
        # 175 x 100 / 3600 = 4.8611...; sqrt = 2.20479... -> 2.20: the rounded BSA is held to the bound.
        ("100", "175", "2.2 m2 = Mosteller sqrt(175 cm x 100 kg / 3600) = 2.2048", 220),
        # 144 x 36 = 5184; / 3600 = 1.44; sqrt = 1.2 exactly: at the min.
        ("36", "144", "1.2 m2 = Mosteller sqrt(144 cm x 36 kg / 3600) = 1.2000", 120),
    ],
)
def test_a_bsa_exactly_at_a_bound_is_not_changed(weight: str, height: str, shown: str, expected: int) -> None:
    """A BSA (as rounded to 0.01 m2) equal to the min or max is used as it is, and nothing is said."""
    dose, basis = _per_m2(weight, height, "1.2", "2.2")
    assert dose == Decimal(expected)
    assert basis.endswith(f"; BSA {shown}, rounded to 0.01 m2")


# ---- the rule, as a property ------------------------------------------------------------------


def _is_tie(value: Fraction) -> bool:
    """Exactly halfway between two tenths of a mg (x.x5)."""
    twenty = value * 20
    return twenty.denominator == 1 and twenty.numerator % 2 == 1


def _half_up(value: Fraction, places: int) -> Fraction:
    scale = 10**places
    return Fraction(math.floor(value * scale + Fraction(1, 2)), scale)


def reference_clearance(m: Measures, basis: WeightBasis) -> Fraction:
    """Cockcroft-Gault in exact fractions, written from the formulas (not from dosecal)."""
    assert m.weight_kg is not None and m.height_cm is not None and m.creatinine is not None
    assert m.age is not None
    weight = Fraction(m.weight_kg)
    if basis is not ACTUAL:
        inches = Fraction(m.height_cm) / Fraction("2.54")
        ideal = (Fraction(50) if m.sex is Sex.MALE else Fraction("45.5")) + Fraction("2.3") * (inches - 60)
        weight = ideal if basis is IDEAL else ideal + Fraction("0.4") * (weight - ideal)
    creatinine = Fraction(m.creatinine.value)
    if m.creatinine.unit is UMOL_L:
        creatinine /= Fraction("88.4")
    clearance = (140 - m.age) * weight / (72 * creatinine)
    return clearance * Fraction("0.85") if m.sex is Sex.FEMALE else clearance


def _held(value: Fraction, bounds: Bounds | None) -> Fraction:
    """min(max(value, low), high)."""
    if bounds is None:
        return value
    if bounds.high is not None:
        value = min(value, Fraction(bounds.high))
    if bounds.low is not None:
        value = max(value, Fraction(bounds.low))
    return value


def _scaled(low: int, high: int, places: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda n: Decimal(n).scaleb(-places))


@dataclass(frozen=True)
class Case:
    target: Amount
    rule: Renal
    measures: Measures


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """Plausible adults: 18-120 years, 30-200 kg, 120-220 cm (Devine positive), creatinine in either unit,
    AUC 1-10, any weight basis, a floor and a cap each present or not (floor below cap)."""
    unit = draw(st.sampled_from(CreatinineUnit))
    creatinine = draw(_scaled(10, 2000, 2) if unit is MG_DL else _scaled(90, 17700, 1))
    measures = Measures(
        weight_kg=draw(_scaled(3000, 20000, 2)),
        height_cm=draw(_scaled(12000, 22000, 2)),
        age=draw(st.integers(18, 120)),
        sex=draw(st.sampled_from(Sex)),
        creatinine=Creatinine(creatinine, unit),
    )
    low = draw(st.none() | _scaled(100, 30000, 2))
    high = draw(st.none() | _scaled(100, 50000, 2))
    if low is not None and high is not None and high <= low:
        high = None
    bounds = None if low is None and high is None else Bounds(low, high, 3)
    rule = Renal(draw(st.sampled_from(WeightBasis)), bounds, 3)
    return Case(Amount(draw(_scaled(100, 1000, 2)), UNITS["AUC"]), rule, measures)


@settings(max_examples=300, deadline=None)
@given(cases())
def test_the_dose_is_calvert_from_the_exact_clearance(case: Case) -> None:
    """dose = AUC x (min(max(CrCl, low), high) + 25), to 0.1 mg half up, with CrCl exact; and the
    clearance shown redoes to that dose: the bound itself where one applied, else the exact
    clearance to 0.01 (half up), or to more decimals only where fewer would redo to another dose.

    Exact ties of an unbounded clearance (x.x5 mg to the last digit) are left to
    `test_an_exact_tie_rounds_half_up` (see there). A clearance used above 500 mL/min is refused:
    each value plausible, together not."""
    exact = reference_clearance(case.measures, case.rule.weight)
    used = _held(exact, case.rule.bounds)
    if exact > 500:  # refused before any bound: a regimen's max does not hide a typo
        with pytest.raises(CourseError, match="is not plausible"):
            calvert(case.target, case.rule, case.measures, "carboplatin")
        return
    target = Fraction(case.target.value)
    expected = _half_up(target * (used + 25), 1)
    if used == exact:
        assume(not _is_tie(target * (exact + 25)))
    dose, basis = calvert(case.target, case.rule, case.measures, "carboplatin")
    assert Fraction(dose) == expected
    figure = _figure(basis)
    assert _half_up(target * (Fraction(Decimal(figure)) + 25), 1) == expected
    if used != exact:
        assert Fraction(Decimal(figure)) == used
        assert ("capped at max" if used < exact else "raised to min") in basis
        return
    places = max(2, len(figure.partition(".")[2]))
    assert Fraction(Decimal(figure)) == _half_up(exact, places)
    if places > 2:
        assert _half_up(target * (_half_up(exact, places - 1) + 25), 1) != expected


@pytest.mark.parametrize(
    ("target", "measures", "expected"),
    [
        # 120 x 61 = 7320; 72 x 1.2 = 86.4; 7320 / 86.4 = 84 13/18 = 84.7222...;
        # + 25 = 1975/18; x 4.5 = 1975/4 = 493.75 exactly -> 493.8 (half up).
        ("4.5", patient(age=20, weight="61", creatinine="1.2"), "493.8"),
        # 120 x 70 x 88.4 / (72 x 70) = 147.333... x 0.85 = 125.2333... (= 3757/30);
        # + 25 = 4507/30; x 4.5 = 13521/20 = 676.05 exactly -> 676.1.
        ("4.5", patient(age=20, sex=Sex.FEMALE, creatinine="70", unit=UMOL_L), "676.1"),
        # Found by the property above without its tie filter: 32 x 30 = 960; 72 x 0.1 = 7.2;
        # 960 / 7.2 = 133.333...; x 0.85 = 340/3; + 25 = 415/3; x 4.17 = 1730.55 / 3 = 576.85 -> 576.9.
        ("4.17", patient(age=108, sex=Sex.FEMALE, weight="30", height="120", creatinine="0.1"), "576.9"),
    ],
)
def test_an_exact_tie_rounds_half_up(target: str, measures: Measures, expected: str) -> None:
    """A dose exactly halfway between two tenths of a mg rounds up, as the policy says (half up).

    Found failing (493.7, 676.0, 576.8): 7320 / 86.4 in 28-digit Decimal is just under
    84 13/18, so 4.5 x (it + 25) was 493.7499... and rounded down; dosecal now computes in
    fractions. No clearance written in decimals (84.72, 84.7222, ...) redoes to 493.8, so such a
    clearance is shown to 0.01 (docs/table.md says so).
    """
    dose, text = carboplatin(target, renal(), measures)
    assert dose == Decimal(expected)
    shown = text.split(" x (")[1].split(" + 25)")[0]
    assert len(shown.partition(".")[2]) <= 2


# ---- found by mutation testing: the figures shown, and the clearance's plausibility --------------


def test_the_actual_weight_is_shown_as_given() -> None:
    """The formula is computed with the weight given, so it is shown whole: 70.125 kg (as the
    Python API may give it), not 70.13. 80 x 70.125 = 5610; 5610 / 72 = 77.91666... -> 77.92;
    5 x (77.91666... + 25) = 514.5833... -> 514.6 mg."""
    dose, basis = carboplatin("5", renal(), patient(weight="70.125"))
    assert dose == Decimal("514.6")
    assert basis.startswith("CrCl = (140 - 60) x 70.125 kg / (72 x 1.0 mg/dL) = 77.92 mL/min ")


def test_the_clearance_is_shown_to_five_decimals_when_fewer_would_redo_wrong() -> None:
    """A woman of 20, 45 kg, 0.7 mg/dL, AUC 3.5: 120 x 45 = 5400; 72 x 0.7 = 50.4;
    5400 / 50.4 = 107.142857...; x 0.85 = 91.0714285... (1275/14); + 25 = 1625/14;
    x 3.5 = 1625/4 = 406.25 exactly -> 406.3 mg (half up). Redone from 91.07, 91.071 and 91.0714
    the dose is 406.245, 406.2485 and 406.2499 -> 406.2; from 91.07143 it is 406.250005 -> 406.3:
    so 91.07143 is shown (at most 6 decimals, docs/table.md)."""
    dose, basis = carboplatin("3.5", renal(), patient(age=20, sex=Sex.FEMALE, weight="45", creatinine="0.7"))
    assert dose == Decimal("406.3")
    assert _figure(basis) == "91.07143"
    assert "x 0.85 = 91.07143 mL/min (Cockcroft-Gault, actual weight)" in basis


def test_a_clearance_that_would_need_seven_decimals_is_shown_to_0_01() -> None:
    """A man of 18, 33 kg, 1.94 mg/dL, AUC 5.82: 122 x 33 = 4026; 72 x 1.94 = 139.68;
    4026 / 139.68 = 28.8230240549... (16775/582); + 25 = 31325/582; x 5.82 = 313.25 exactly
    -> 313.3 mg. Redone from 28.82, 28.823, 28.82302 and 28.823024 the dose is 313.2324,
    313.24986, 313.2499764 and 313.24999968 -> 313.2; only 7 decimals (28.8230241) would redo to
    313.3, and the clearance is shown with at most 6 (docs/table.md): to 0.01 then."""
    dose, basis = carboplatin("5.82", renal(), patient(age=18, weight="33", creatinine="1.94"))
    assert dose == Decimal("313.3")
    assert _figure(basis) == "28.82"


def test_a_clearance_of_exactly_500_is_used() -> None:
    """A clearance is refused only above 500 mL/min: 120 x 30 = 3600; 72 x 0.1 = 7.2;
    3600 / 7.2 = 500 exactly, used; 5 x (500 + 25) = 2625 mg."""
    dose, basis = carboplatin("5", renal(), patient(age=20, weight="30", creatinine="0.1"))
    assert dose == Decimal(2625)
    assert basis == (
        "CrCl = (140 - 20) x 30 kg / (72 x 0.1 mg/dL) = 500 mL/min (Cockcroft-Gault, actual weight); "
        "carboplatin = AUC 5 x (500 + 25) = 2625 mg (Calvert)"
    )


@pytest.mark.parametrize(("weight", "shown"), [("30.01", "500.17"), ("300", "5000")])
def test_an_implausible_clearance_is_refused_whole(weight: str, shown: str) -> None:
    """Each value plausible, together not: 120 x 30.01 / 7.2 = 500.1666... and 120 x 300 / 7.2 =
    5000 mL/min. Refused, about the creatinine (the value most often mistyped), with the clearance
    to 0.01, the limit, and a hint saying what to check."""
    with pytest.raises(CourseError) as caught:
        carboplatin("5", renal(), patient(age=20, weight=weight, creatinine="0.1"))
    error = caught.value
    assert (error.message, error.subject, error.hint) == (
        f"a creatinine clearance of {shown} mL/min is not plausible (expected at most 500 mL/min)",
        Subject.CREATININE,
        "check the weight, age and creatinine",
    )


# ---- the patient's clearance, for a label's limit (`not given if CrCl < 45 mL/min`) --------------


@pytest.mark.parametrize(
    ("rule", "measures", "exact", "step"),
    [
        # 80 x 70 / (72 x 0.4) = 5600 / 28.8 = 194.444... (1750/9): above the max 125, not capped.
        (
            renal(high="125"),
            patient(creatinine="0.4"),
            Fraction(1750, 9),
            "CrCl = (140 - 60) x 70 kg / (72 x 0.4 mg/dL) = 194.44 mL/min (Cockcroft-Gault, actual weight)",
        ),
        # 70 x 60 / (72 x 1.4) = 4200 / 100.8 = 41.666... (125/3): below the min 50, not raised.
        (
            renal(low="50"),
            patient(age=70, weight="60", creatinine="1.4"),
            Fraction(125, 3),
            "CrCl = (140 - 70) x 60 kg / (72 x 1.4 mg/dL) = 41.67 mL/min (Cockcroft-Gault, actual weight)",
        ),
    ],
)
def test_the_patients_clearance_is_before_the_rules_bounds(
    rule: Renal, measures: Measures, exact: Fraction, step: str
) -> None:
    """A label's limit is on the patient's clearance, not on the figure a dose is computed from:
    the regimen's `max`/`min` are not applied; the value is exact, its step shown to 0.01."""
    assert estimated(rule, measures, "pemetrexed is limited") == (exact, step)


def test_the_patients_clearance_names_what_needs_it_when_a_value_is_missing() -> None:
    """Without a creatinine the limit cannot be decided: refused in the words of what needs it."""
    with pytest.raises(CourseError) as caught:
        estimated(renal(), patient(creatinine=None), "pemetrexed is limited")
    assert (caught.value.message, caught.value.subject) == (
        "pemetrexed is limited from the creatinine clearance (Cockcroft-Gault, regimen line 3), "
        "which needs the patient's serum creatinine",
        Subject.CREATININE,
    )


def test_an_implausible_clearance_is_refused_under_a_maximum_too() -> None:
    """300 kg, 20 years, 0.1 mg/dL: 120 x 300 / 7.2 = 5000 mL/min. A regimen's `max 125 mL/min`
    would dose it as 125 (750 mg at AUC 5): refused all the same, as a limit on the clearance
    refuses it (`estimated`), so one typo is not dosed by one regimen and refused by another."""
    with pytest.raises(CourseError) as caught:
        carboplatin("5", renal(high="125"), patient(age=20, weight="300", creatinine="0.1"))
    assert caught.value.message == (
        "a creatinine clearance of 5000 mL/min is not plausible (expected at most 500 mL/min)"
    )
