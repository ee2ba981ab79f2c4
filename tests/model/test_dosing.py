"""Dose computation: each expected figure below is worked by hand."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

import pytest

from dosecal import CourseError
from dosecal.errors import Subject
from dosecal.model.dosing import BsaFormula, CapCheck, CapFit, Measures, Rounding, against_cap, bsa, compute
from dosecal.model.regimen import UNITS, Amount, format_decimal


def amount(value: str, unit: str) -> Amount:
    return Amount(Decimal(value), UNITS[unit])


def test_mosteller() -> None:
    """sqrt(170 x 70 / 3600) = 1.81812 -> 1.82 m2."""
    area = bsa(Measures(Decimal(70), Decimal(170)))
    assert area is not None and area.value == Decimal("1.82")
    assert "Mosteller sqrt(170 cm x 70 kg / 3600) = 1.8181" in area.explanation


def test_dubois() -> None:
    """0.007184 x 70^0.425 x 170^0.725 = 0.007184 x 6.0838 x 41.409 = 1.8098 -> 1.81 m2."""
    area = bsa(Measures(Decimal(70), Decimal(170), BsaFormula.DUBOIS))
    assert area is not None and area.value == Decimal("1.81")


def test_cap_applies_and_says_so() -> None:
    """Vincristine 1.4 mg/m2 x 1.82 m2 = 2.548 mg, capped at 2 mg."""
    result = compute(amount("1.4", "mg/m2"), amount("2", "mg"), Measures(Decimal(70), Decimal(170)))
    assert (result.amount, result.unit) == (Decimal(2), "mg")
    assert result.basis.startswith("1.4 mg/m2 x 1.82 m2 = 2.548 mg, capped at max 2 mg = 2 mg; BSA 1.82")


def test_cap_of_a_per_kg_dose() -> None:
    """A cap holds for per-kg doses too: 0.05 mg/kg x 70 kg = 3.5 mg, capped at 2 mg (in mg)."""
    result = compute(amount("0.05", "mg/kg"), amount("2", "mg"), Measures(Decimal(70)))
    assert (result.amount, result.unit, result.basis) == (
        Decimal(2),
        "mg",
        "0.05 mg/kg x 70 kg = 3.5 mg, capped at max 2 mg = 2 mg",
    )


def test_cap_in_another_unit() -> None:
    """A cap of 2 mg holds a dose in mcg at 2000 mcg: 50 mcg/kg x 70 kg = 3500 mcg -> 2000 mcg."""
    result = compute(amount("50", "mcg/kg"), amount("2", "mg"), Measures(Decimal(70)))
    assert (result.amount, result.unit, result.basis) == (
        Decimal(2000),
        "mcg",
        "50 mcg/kg x 70 kg = 3500 mcg, capped at max 2 mg = 2000 mcg",
    )


def test_cap_that_cannot_hold_the_dose() -> None:
    """A dose in units cannot be held against a cap in mg: refused, never compared as numbers."""
    with pytest.raises(CourseError) as caught:
        compute(amount("100", "units/kg"), amount("2", "mg"), Measures(Decimal(70)))
    assert str(caught.value) == "a dose in units cannot be held against a cap of 2 mg"


@pytest.mark.parametrize(
    ("dose", "cap", "check"),
    [
        (amount("2", "mg"), amount("2", "mg"), CapCheck(CapFit.WITHIN, Decimal(2))),  # at the cap: within
        (amount("2.01", "mg"), amount("2", "mg"), CapCheck(CapFit.ABOVE, Decimal(2))),
        (amount("1999", "mcg"), amount("2", "mg"), CapCheck(CapFit.WITHIN, Decimal(2000))),
        (amount("2001", "mcg"), amount("2", "mg"), CapCheck(CapFit.ABOVE, Decimal(2000))),
        (amount("0.003", "g"), amount("2000", "mcg"), CapCheck(CapFit.ABOVE, Decimal("0.002"))),
        # A dose per kg or per m2 is capped once computed: only its unit is held to the cap's.
        (amount("50", "mg/kg"), amount("2", "mg"), CapCheck(CapFit.WITHIN, Decimal(2))),
        (amount("50", "mcg/m2"), amount("2", "mg"), CapCheck(CapFit.WITHIN, Decimal(2000))),
        # Units of activity convert to no mass: never compared, also per kg and below the number.
        (amount("1", "units"), amount("2", "mg"), CapCheck(CapFit.UNLIKE, None)),
        (amount("100", "units/kg"), amount("2", "mg"), CapCheck(CapFit.UNLIKE, None)),
        (amount("1", "mg"), amount("2", "units"), CapCheck(CapFit.UNLIKE, None)),
        (amount("3", "units"), amount("2", "units"), CapCheck(CapFit.ABOVE, Decimal(2))),
    ],
)
def test_the_one_rule_for_a_dose_and_its_cap(dose: Amount, cap: Amount, check: CapCheck) -> None:
    """`against_cap` is the one rule the regimen's doses, a supplied dose and a computed one are held
    to: the cap in the dose's absolute unit; a flat dose above it (not at it) is ABOVE; a dose per kg
    or per m2 is WITHIN whatever its number; units that do not convert are UNLIKE, with no limit."""
    assert against_cap(dose, cap) == check


def test_cap_not_reached() -> None:
    """1.4 mg/m2 x 1.30 m2 = 1.82 mg stays under the 2 mg cap and is not rounded."""
    # BSA sqrt(150 x 40.56 / 3600) = 1.3000 m2
    result = compute(amount("1.4", "mg/m2"), amount("2", "mg"), Measures(Decimal("40.56"), Decimal(150)))
    assert result.amount == Decimal("1.82")
    assert "capped" not in result.basis


def test_per_kg() -> None:
    """10 mg/kg x 72.5 kg = 725 mg."""
    result = compute(amount("10", "mg/kg"), None, Measures(Decimal("72.5")))
    assert (result.amount, result.basis) == (Decimal("725.0"), "10 mg/kg x 72.5 kg = 725 mg")


def test_missing_measures() -> None:
    """Nothing is guessed: a per-kg dose without a weight is not computed."""
    result = compute(amount("10", "mg/kg"), None, Measures())
    assert result.amount is None and "needs the weight" in result.basis


@pytest.mark.parametrize(
    ("dose", "measures", "basis"),
    [
        ("mg/kg", Measures(None, Decimal(170)), "not computed: needs the weight (--weight)"),
        ("mg/m2", Measures(Decimal(70)), "not computed: needs weight and height (--weight, --height)"),
        ("mg/m2", Measures(None, Decimal(170)), "not computed: needs weight and height (--weight, --height)"),
    ],
)
def test_not_computed_says_what_it_needs(dose: str, measures: Measures, basis: str) -> None:
    """The whole result of a dose that cannot be computed: no amount, the unit it would be in, why."""
    result = compute(amount("10", dose), None, measures)
    assert (result.amount, result.unit, result.basis) == (None, "mg", basis)


@pytest.mark.parametrize(
    ("weight", "height", "message"),
    [
        ("700", "170", "weight 700 kg is not plausible (expected 1-300 kg)"),
        ("70", "17", "height 17 cm is not plausible (expected 30-250 cm)"),
        ("0", "170", "weight 0 kg is not plausible"),
    ],
)
def test_implausible_measures(weight: str, height: str, message: str) -> None:
    """Implausible body measures are refused, not computed."""
    with pytest.raises(CourseError, match=re.escape(message)):
        Measures(Decimal(weight), Decimal(height))


# ---- BSA rounding: 0.01 m2, half up ------------------------------------------------------
# Half up, half even and always up differ only on these cases: a third decimal under 5
# (half up and half even go down, always up goes up) and an exact half after an even
# digit (half up goes up, half even goes down).


@pytest.mark.parametrize(
    ("weight", "height", "formula", "value", "shown"),
    [
        # 1.844^2 = 3.400336 <= 175 x 70 / 3600 = 3.402777... < 1.845^2 = 3.404025: 1.8446 -> 1.84.
        ("70", "175", BsaFormula.MOSTELLER, "1.84", "1.8447"),
        # 1.504^2 = 2.262016 <= 151 x 54 / 3600 = 2.265 < 1.505^2 = 2.265025: 1.504991... -> 1.50.
        # To 4 decimals it is 1.5050, which reads as 1.51: it is shown to 5, 1.50499.
        ("54", "151", BsaFormula.MOSTELLER, "1.50", "1.50499"),
        # 0.007184 x 58.4^0.425 x 152^0.725 = 0.007184 x 5.632815 x 38.180060 = 1.54499965 -> 1.54
        # (shown to 7 decimals: 1.5450, 1.54500 and 1.545000 all read as 1.55).
        ("58.4", "152", BsaFormula.DUBOIS, "1.54", "1.5449996"),
    ],
)
def test_bsa_third_decimal_under_five_rounds_down(
    weight: str, height: str, formula: BsaFormula, value: str, shown: str
) -> None:
    """A BSA whose third decimal is under 5 rounds down, and the basis shows a figure that does."""
    area = bsa(Measures(Decimal(weight), Decimal(height), formula))
    assert area is not None and area.value == Decimal(value)
    assert area.explanation.endswith(f" = {shown}, rounded to 0.01 m2")
    assert area.explanation.startswith(f"BSA {value.rstrip('0')} m2 = ")


@pytest.mark.parametrize(
    ("weight", "height", "value"),
    [
        # 72.9 x 168.1 = 12254.49 = 110.7^2, so sqrt(12254.49 / 3600) = 110.7 / 60 = 1.845 exactly:
        # half up 1.85 (half even would give 1.84, the 4 being even).
        ("72.9", "168.1", "1.85"),
        # 75 x 168.75 = 12656.25 = 112.5^2: 112.5 / 60 = 1.875 exactly -> 1.88.
        ("75", "168.75", "1.88"),
    ],
)
def test_bsa_exactly_at_the_half_rounds_up(weight: str, height: str, value: str) -> None:
    """Mosteller is exact decimal arithmetic, so a BSA can sit exactly at the half: it rounds up."""
    area = bsa(Measures(Decimal(weight), Decimal(height)))
    assert area is not None and area.value == Decimal(value)
    assert area.explanation.endswith(f" = {value[:-1]}{int(value[-1]) - 1}50, rounded to 0.01 m2")


def test_the_unrounded_bsa_is_shown_half_up_too() -> None:
    """45.0375 x 180.15 = 8113.505625 = 90.075^2: sqrt(8113.505625 / 3600) = 90.075 / 60 = 1.50125
    exactly. To 4 decimals, half up (as everywhere): 1.5013 (half even would show 1.5012)."""
    area = bsa(Measures(Decimal("45.0375"), Decimal("180.15")))
    assert area is not None and area.value == Decimal("1.50")
    assert area.explanation.endswith(" = 1.5013, rounded to 0.01 m2")


def test_dubois_just_above_the_half() -> None:
    """DuBois takes powers 0.425 and 0.725, so it is never exactly at a half for weights and heights
    written with a few decimals (it would need 40th powers); the nearest case above the half:
    0.007184 x 70.5^0.425 x 161^0.725 = 0.007184 x 6.102115 x 39.806020 = 1.74500011 -> 1.75."""
    area = bsa(Measures(Decimal("70.5"), Decimal(161), BsaFormula.DUBOIS))
    assert area is not None and area.value == Decimal("1.75")
    assert area.explanation == (
        "BSA 1.75 m2 = DuBois 0.007184 x 70.5 kg^0.425 x 161 cm^0.725 = 1.7450, rounded to 0.01 m2"
    )


def test_dose_is_computed_from_the_rounded_bsa() -> None:
    """100 mg/m2 x 1.50 m2 = 150 mg (54 kg, 151 cm: BSA 1.504991... -> 1.50), not 150.499... mg."""
    result = compute(amount("100", "mg/m2"), None, Measures(Decimal(54), Decimal(151)))
    assert result.amount == Decimal(150)
    assert result.basis == (
        "100 mg/m2 x 1.5 m2 = 150 mg; "
        "BSA 1.5 m2 = Mosteller sqrt(151 cm x 54 kg / 3600) = 1.50499, rounded to 0.01 m2"
    )


# ---- the course's rounding: to the nearest step, half up, within N percent ----------------


def per_kg(dose: str, weight: str, step: str, within: str | None = None, unit: str = "mg") -> str:
    """The basis of `dose` mg/kg for `weight` kg, rounded to the nearest `step` (within N percent)."""
    rounding = Rounding(amount(step, unit), Decimal(within) if within is not None else None)
    result = compute(amount(dose, "mg/kg"), None, Measures(Decimal(weight)), rounding)
    assert result.amount is not None
    return f"{format_decimal(result.amount)}: {result.basis}"


@pytest.mark.parametrize(
    ("dose", "weight", "step", "within", "expected"),
    [
        # 132.5 / 5 = 26.5, exactly half a step: half up, 27 x 5 = 135 (half even: 26 x 5 = 130).
        ("1", "132.5", "5", None, "135: 1 mg/kg x 132.5 kg = 132.5 mg, rounded to the nearest 5 mg = 135 mg"),
        # 132.4 / 5 = 26.48: down, 26 x 5 = 130.
        ("1", "132.4", "5", None, "130: 1 mg/kg x 132.4 kg = 132.4 mg, rounded to the nearest 5 mg = 130 mg"),
        # 135 is on a step: nothing to round, nothing said.
        ("1", "135", "5", None, "135: 1 mg/kg x 135 kg = 135 mg"),
        # 2.5 x 25 = 62.5 mg; 62.5 / 10 = 6.25 -> 60 mg, 2.5 / 62.5 = 4% of the computed dose:
        # exactly at a 4 percent limit, which is within it (against 60 mg it would be 4.17%).
        ("2.5", "25", "10", "4", "60: 2.5 mg/kg x 25 kg = 62.5 mg, rounded to the nearest 10 mg = 60 mg"),
        # The same 4% against a limit of 3.9 percent: not rounded.
        (
            "2.5",
            "25",
            "10",
            "3.9",
            "62.5: 2.5 mg/kg x 25 kg = 62.5 mg, not rounded: the nearest 10 mg (60 mg) is 4.0% away, "
            "more than 3.9%",
        ),
        # 0.5 x 25 = 12.5 mg; 12.5 / 10 = 1.25 -> 10 mg, 2.5 / 12.5 x 100 = 20.0%.
        (
            "0.5",
            "25",
            "10",
            "5",
            "12.5: 0.5 mg/kg x 25 kg = 12.5 mg, not rounded: the nearest 10 mg (10 mg) is 20.0% away, "
            "more than 5%",
        ),
        ("0.5", "25", "10", "20", "10: 0.5 mg/kg x 25 kg = 12.5 mg, rounded to the nearest 10 mg = 10 mg"),
        # 105.3 / 20 = 5.265 -> 100 mg, 5.3 / 105.3 = 5.033% of the computed dose: more than 5 percent.
        # To one decimal that is 5.0%, which would not read as more than 5%: shown as 5.03%.
        (
            "1",
            "105.3",
            "20",
            "5",
            "105.3: 1 mg/kg x 105.3 kg = 105.3 mg, not rounded: the nearest 20 mg (100 mg) is 5.03% away, "
            "more than 5%",
        ),
    ],
)
def test_rounding_to_the_nearest_step(
    dose: str, weight: str, step: str, within: str | None, expected: str
) -> None:
    """Computed doses round to the nearest step, half up, only within N percent of the computed dose."""
    assert per_kg(dose, weight, step, within) == expected


@pytest.mark.parametrize(
    ("dose", "weight", "expected"),
    [
        # 0.1 x 20 = 2 mg; 2 / 5 = 0.4 -> 0: a dose is never rounded away to 0 mg.
        ("0.1", "20", "2: 0.1 mg/kg x 20 kg = 2 mg, not rounded (the nearest 5 mg would be 0)"),
        # 0.125 x 20 = 2.5 mg; 2.5 / 5 = 0.5, exactly half a step -> 1 x 5 = 5 mg. Without a
        # `within` limit the policy rounds always; a limit is what refuses a change this large.
        ("0.125", "20", "5: 0.125 mg/kg x 20 kg = 2.5 mg, rounded to the nearest 5 mg = 5 mg"),
    ],
)
def test_a_dose_under_half_a_step_is_not_rounded_to_zero(dose: str, weight: str, expected: str) -> None:
    """Under half a step the nearest step would be 0 mg: the dose stays as computed, and says why."""
    assert per_kg(dose, weight, "5") == expected


def test_a_dose_rounded_up_to_one_small_step() -> None:
    """0.03 mg/kg x 20 kg = 0.6 mg; 0.6 / 1 -> 1: one step of 1 mg, which is not 0."""
    assert per_kg("0.03", "20", "1") == "1: 0.03 mg/kg x 20 kg = 0.6 mg, rounded to the nearest 1 mg = 1 mg"


@pytest.mark.parametrize(
    ("within", "text"),
    [
        (None, "to the nearest 5 mg"),
        ("5", "to the nearest 5 mg within 5 percent"),
        ("0", "to the nearest 5 mg within 0 percent"),
    ],
)
def test_rounding_policy_as_text(within: str | None, text: str) -> None:
    """The policy reads as written; a limit of 0 percent is a limit too (only doses already on a step)."""
    assert str(Rounding(amount("5", "mg"), Decimal(within) if within is not None else None)) == text


def test_a_step_in_another_unit_is_converted() -> None:
    """25 mcg/kg x 70 kg = 1750 mcg; the nearest 1 mg is 1000 mcg: 1.75 -> 2, 2000 mcg."""
    rounding = Rounding(amount("1", "mg"))
    result = compute(amount("25", "mcg/kg"), None, Measures(Decimal(70)), rounding)
    assert (result.amount, result.unit) == (Decimal(2000), "mcg")
    assert result.basis == "25 mcg/kg x 70 kg = 1750 mcg, rounded to the nearest 1 mg = 2000 mcg"


def test_a_step_that_cannot_be_converted_is_refused() -> None:
    """A dose in units cannot be rounded to the nearest 5 mg: refused, never compared as numbers."""
    with pytest.raises(CourseError) as caught:
        compute(amount("1000", "units/kg"), None, Measures(Decimal(70)), Rounding(amount("5", "mg")))
    assert str(caught.value) == "a dose in units cannot be rounded to the nearest 5 mg"


def test_rounding_then_the_cap() -> None:
    """A rounded dose is still held against the cap: 1.4 mg/m2 x 1.82 m2 = 2.548 mg, to the nearest
    1 mg = 3 mg, capped at 2 mg; a stated flat dose is neither rounded nor capped below its cap."""
    measures = Measures(Decimal(70), Decimal(170))
    result = compute(amount("1.4", "mg/m2"), amount("2", "mg"), measures, Rounding(amount("1", "mg")))
    assert result.amount == Decimal(2)
    assert result.basis.startswith(
        "1.4 mg/m2 x 1.82 m2 = 2.548 mg, rounded to the nearest 1 mg = 3 mg, capped at max 2 mg = 2 mg; "
    )
    flat = compute(amount("1.5", "mg"), amount("2", "mg"), measures, Rounding(amount("1", "mg")))
    assert (flat.amount, flat.basis) == (Decimal("1.5"), "1.5 mg (flat dose)")


@pytest.mark.parametrize(
    ("dose", "expected"),
    [
        # Exactly at the cap: not lowered, and no "capped" in the basis.
        ("2", "2: 2 mg (flat dose)"),
        ("2.001", "2: 2.001 mg (flat dose), capped at max 2 mg = 2 mg"),
    ],
)
def test_a_dose_exactly_at_the_cap(dose: str, expected: str) -> None:
    """The cap lowers a dose above it; a dose exactly at it stays as it is."""
    result = compute(amount(dose, "mg"), amount("2", "mg"), Measures())
    assert result.amount is not None
    assert f"{format_decimal(result.amount)}: {result.basis}" == expected


# ---- plausibility limits: 1-300 kg, 30-250 cm, both ends included -------------------------


@pytest.mark.parametrize(("weight", "height"), [("1", "30"), ("300", "250"), ("1.00", "250.0")])
def test_measures_at_the_limits_are_accepted(weight: str, height: str) -> None:
    """Each limit itself is plausible."""
    measures = Measures(Decimal(weight), Decimal(height))
    assert (measures.weight_kg, measures.height_cm) == (Decimal(weight), Decimal(height))


@pytest.mark.parametrize(
    ("weight", "height", "message"),
    [
        ("0.99", None, "weight 0.99 kg is not plausible (expected 1-300 kg)"),
        ("300.01", None, "weight 300.01 kg is not plausible (expected 1-300 kg)"),
        (None, "29.99", "height 29.99 cm is not plausible (expected 30-250 cm)"),
        (None, "250.01", "height 250.01 cm is not plausible (expected 30-250 cm)"),
        ("300.50", None, "weight 300.5 kg is not plausible (expected 1-300 kg)"),  # as a number reads
        ("NaN", None, "weight NaN kg is not plausible (expected 1-300 kg)"),
        ("sNaN", None, "weight sNaN kg is not plausible (expected 1-300 kg)"),
        (None, "Infinity", "height Infinity cm is not plausible (expected 30-250 cm)"),
    ],
)
def test_measures_just_past_the_limits_are_refused(
    weight: str | None, height: str | None, message: str
) -> None:
    """One hundredth past a limit is refused, with the whole sentence; so is a value that is not finite."""
    with pytest.raises(CourseError) as caught:
        Measures(Decimal(weight) if weight else None, Decimal(height) if height else None)
    assert str(caught.value) == message


def test_measures_keep_the_decimal_written() -> None:
    """A float or int given by a caller becomes the decimal it prints as: 70.1, not 70.099999..."""
    measures = Measures(70.1, 170)  # type: ignore[arg-type]
    assert (measures.weight_kg, measures.height_cm) == (Decimal("70.1"), Decimal(170))
    with pytest.raises(CourseError) as caught:
        Measures("heavy", None)  # type: ignore[arg-type]
    assert str(caught.value) == "weight in kg 'heavy' is not a number"


# ---- the fields of a dosing error -----------------------------------------------------------


def _refused(call: Callable[[], object]) -> tuple[object, ...]:
    with pytest.raises(CourseError) as caught:
        call()
    error = caught.value
    assert str(error) == error.message  # no course line, no hint: the sentence is the text
    return (error.subject, error.line, error.message, error.hint, error.quoted)


@pytest.mark.parametrize(
    ("call", "subject", "message", "quoted"),
    [
        (
            lambda: Measures(Decimal(700)),
            Subject.WEIGHT,
            "weight 700 kg is not plausible (expected 1-300 kg)",
            None,
        ),
        (
            lambda: Measures(None, Decimal("Infinity")),
            Subject.HEIGHT,
            "height Infinity cm is not plausible (expected 30-250 cm)",
            None,
        ),
        # A caller may pass anything (a float is read as written): a str that is no number.
        (lambda: Measures("heavy", None), Subject.WEIGHT, "weight in kg 'heavy' is not a number", "heavy"),  # type: ignore[arg-type]
        (lambda: Measures(None, "tall"), Subject.HEIGHT, "height in cm 'tall' is not a number", "tall"),  # type: ignore[arg-type]
        (
            lambda: compute(
                amount("1000", "units/kg"), None, Measures(Decimal(70)), Rounding(amount("5", "mg"))
            ),
            Subject.ROUNDING,
            "a dose in units cannot be rounded to the nearest 5 mg",
            None,
        ),
        (
            lambda: compute(amount("100", "units/kg"), amount("2", "mg"), Measures(Decimal(70))),
            Subject.DOSE,
            "a dose in units cannot be held against a cap of 2 mg",
            None,
        ),
    ],
)
def test_a_dosing_error_says_which_value_it_is_about(
    call: Callable[[], object], subject: Subject, message: str, quoted: str | None
) -> None:
    """A weight or height refused says which (a course file puts the caret on that line, not on
    a guess from the words); a value that is not a number is quoted, for the caret."""
    assert _refused(call) == (subject, None, message, None, quoted)
