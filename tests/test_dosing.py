"""Dose computation: each expected figure below is worked by hand."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from dosecal import CourseError
from dosecal.dosing import BsaFormula, Measures, bsa, compute
from dosecal.model import UNITS, Amount


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
    assert result.amount == Decimal(2)
    assert result.basis.startswith("1.4 mg/m2 x 1.82 m2 = 2.548 mg, capped at max 2 mg = 2 mg; BSA 1.82")


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
