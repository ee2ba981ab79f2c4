"""Doses chosen by a patient value, as protocols write them: `dexamethasone 40 mg PO, 20 mg if age >= 75`.

Decided once, at the start of the course; the basis says which branch applied and why. By hand:
- age 74: 74 >= 75 does not hold: 40 mg;
- age 75: 75 >= 75 holds (the boundary is in the condition): 20 mg;
- no age: the dose cannot be chosen: refused, naming the age.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import dosecal
from dosecal.errors import CourseError, RegimenError, Subject
from dosecal.model.measures import Measures

REGIMEN = (
    'regimen dex "Dexamethasone by age"\n'
    "  cycle 28 days, 2 cycles\n"
    "  dexamethasone 40 mg PO tablet, diary, 20 mg if age >= 75\n"
    "    days 1, 8, 15, 22\n"
)


def _rows(age: int | None, text: str = REGIMEN) -> list[dosecal.Administration]:
    course = dosecal.Course(dt.date(2026, 12, 7), cycles=2, measures=Measures(age=age))
    return list(dosecal.expand(dosecal.loads(text, "dex.regimen"), course))


@pytest.mark.parametrize(
    ("age", "dose", "so"), [(74, "40", "40 mg"), (75, "20", "20 mg"), (90, "20", "20 mg")]
)
def test_the_dose_is_chosen_by_the_age_at_the_start(age: int, dose: str, so: str) -> None:
    """Every dose of both cycles is the chosen one, and the basis says the branch and why."""
    rows = _rows(age)
    assert len(rows) == 8
    assert {(a.dose_amount, a.dose_unit, a.computed_amount) for a in rows} == {
        (Decimal(dose), "mg", Decimal(dose))
    }
    assert {a.dose_basis for a in rows} == {
        f"{dose} mg (flat dose); dose chosen: 20 mg if age >= 75 (regimen line 3): "
        f"the patient is {age}, so {so}"
    }


def test_without_the_age_the_dose_cannot_be_chosen() -> None:
    """Nothing is guessed: one sentence naming the age, and how to give it."""
    with pytest.raises(CourseError) as caught:
        _rows(None)
    assert caught.value.subject is Subject.AGE
    assert caught.value.message == (
        "dexamethasone has a dose chosen by age (regimen line 3), which needs the patient's age"
    )


def test_show_reads_the_alternative_back() -> None:
    """`show` says both doses and the condition, for the pharmacist to compare with the protocol."""
    from dosecal.render.protocol_text import render

    text = render(dosecal.loads(REGIMEN, "dex.regimen"))
    assert "  dexamethasone, 40 mg, PO (oral), tablet, taken at home (diary)\n" in text
    assert "    20 mg in place of 40 mg if age >= 75\n" in text


def test_a_dose_by_a_condition_needs_the_drugs_own_dose() -> None:
    """An alternative replaces a stated dose: a drug without one is an error at the alternative."""
    text = REGIMEN.replace("dexamethasone 40 mg PO", "dexamethasone PO")
    with pytest.raises(RegimenError) as caught:
        dosecal.loads(text, "dex.regimen")
    assert caught.value.render().splitlines()[0] == (
        "dex.regimen:3:35: dexamethasone states no dose of its own for this one to replace"
    )


def test_a_level_cannot_replace_a_chosen_dose() -> None:
    """A level's dose would silently win over the condition: refused."""
    text = REGIMEN + "  level 1: dexamethasone 12 mg\n"
    with pytest.raises(RegimenError) as caught:
        dosecal.loads(text, "dex.regimen")
    assert "dexamethasone has a dose chosen by a patient value (line 3); a level cannot replace it" in (
        caught.value.render()
    )


def test_a_condition_on_the_clearance_uses_the_regimens_rule() -> None:
    """`20 mg if CrCl < 60 mL/min`: 60 years, male, 70 kg, 1.5 mg/dL: 80 x 70 / 108 = 51.85 mL/min
    < 60: 20 mg; the basis shows the Cockcroft-Gault step."""
    from dosecal.model.measures import Creatinine, CreatinineUnit, Sex

    text = (
        'regimen x "X"\n  cycle 28 days, 1 cycle\n  CrCl Cockcroft-Gault, actual weight\n'
        "  lenalidomide 25 mg PO capsule, diary, 10 mg if CrCl < 60 mL/min\n    days 1-21\n"
    )
    creatinine = Creatinine(Decimal("1.5"), CreatinineUnit.MG_DL)
    measures = Measures(Decimal(70), age=60, sex=Sex.MALE, creatinine=creatinine)
    rows = list(
        dosecal.expand(
            dosecal.loads(text, "x.regimen"),
            dosecal.Course(dt.date(2026, 12, 7), measures=measures, cycles=1),
        )
    )
    assert {a.computed_amount for a in rows} == {Decimal(10)}
    assert rows[0].dose_basis == (
        "10 mg (flat dose); dose chosen: 10 mg if CrCl < 60 mL/min (regimen line 4): "
        "CrCl = (140 - 60) x 70 kg / (72 x 1.5 mg/dL) = 51.85 mL/min (Cockcroft-Gault, actual weight), "
        "so 10 mg"
    )
