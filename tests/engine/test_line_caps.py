"""A cap per schedule line, and a cap in another unit than the dose (issue 12, point 3).

Vincristine 1.4 mg/m2 for a patient of 70 kg and 170 cm: BSA sqrt(170 x 70 / 3600) = 1.8181...
= 1.82 m2; 1.4 x 1.82 = 2.548 mg. Cycle 1's line caps it at 1.5 mg, later cycles at the drug's
2 mg. A cap of 2000 mcg is 2 mg: the same 2 mg, said in the cap's unit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import dosecal
from dosecal.errors import RegimenError
from dosecal.model.measures import Measures

REGIMEN = (
    'regimen caps "Vincristine, a cap per line"\n'
    "  cycle 21 days, 4 cycles\n"
    "  vincristine 1.4 mg/m2 IV, max {cap}\n"
    "    cycle 1: day 1, max 1.5 mg\n"
    "    cycles 2+: day 1\n"
)
PATIENT = Measures(Decimal(70), Decimal(170))


def _rows(cap: str = "2 mg") -> list[dosecal.Administration]:
    regimen = dosecal.loads(REGIMEN.format(cap=cap), "caps.regimen")
    return list(dosecal.expand(regimen, dosecal.Course(dt.date(2026, 12, 7), cycles=2, measures=PATIENT)))


def test_a_lines_cap_applies_in_place_of_the_drugs() -> None:
    """Cycle 1: capped at 1.5 mg (the line's); cycle 2: at 2 mg (the drug's)."""
    first, second = _rows()
    assert (first.cycle, first.computed_amount) == (1, Decimal("1.5"))
    assert "2.548 mg, capped at max 1.5 mg = 1.5 mg" in first.dose_basis
    assert (second.cycle, second.computed_amount) == (2, Decimal(2))
    assert "2.548 mg, capped at max 2 mg = 2 mg" in second.dose_basis


def test_a_cap_in_another_unit_converts_within_its_kind() -> None:
    """max 2000 mcg is 2 mg: the dose in mg is capped at 2 mg, and the basis names the cap as written."""
    _, second = _rows("2000 mcg")
    assert (second.computed_amount, second.computed_unit) == (Decimal(2), "mg")
    assert "capped at max 2000 mcg = 2 mg" in second.dose_basis


def test_show_says_the_lines_cap() -> None:
    """The pharmacist reads both caps back."""
    from dosecal.render.protocol_text import render

    text = render(dosecal.loads(REGIMEN.format(cap="2 mg"), "caps.regimen"))
    assert "    cycle 1: day 1, max 1.5 mg per dose\n" in text


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("    cycle 1: day 1, max 1.5 mg/m2\n", "caps.regimen:4:29: a cap is an absolute amount"),
        (
            "    cycle 1: day 1 at 2 mg, max 1.5 mg\n",
            "caps.regimen:4:20: the dose of 2 mg is above the drug's cap of 1.5 mg",
        ),
        ("    cycle 1: day 1, max 1.5 mg, max 1 mg\n", "caps.regimen:4:33: this is given twice on one line"),
    ],
)
def test_a_lines_cap_is_checked_where_it_is_written(line: str, message: str) -> None:
    """An absolute amount; a stated dose of the line within it; once a line."""
    text = REGIMEN.format(cap="2 mg").replace("    cycle 1: day 1, max 1.5 mg\n", line)
    with pytest.raises(RegimenError) as caught:
        dosecal.loads(text, "caps.regimen")
    assert caught.value.render().splitlines()[0] == message
