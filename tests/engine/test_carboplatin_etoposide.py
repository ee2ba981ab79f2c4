"""The bundled carboplatin-etoposide regimen, expanded by hand from its sources.

IMpower133's chemotherapy: "four 21-day cycles of CP (area under the curve 5 mg per mL/min
intravenously [IV], day 1) plus ET (100 mg/m2 IV, days 1-3)"; carboplatin by Calvert,
"(target AUC) x (GFR +25)", with the GFR "estimated by calculated creatinine clearance using
Cockcroft-Gault" and "capped at 125 mL/min".

The patient of the issue: 60 years, male, 70 kg, 170 cm, serum creatinine 1.0 mg/dL, starting
Monday 2026-12-07. By hand:
- cycles start 21 days apart: 2026-12-07, 2026-12-28, 2027-01-18, 2027-02-08;
- CrCl = (140 - 60) x 70 / (72 x 1.0) = 5600 / 72 = 77.777... mL/min (under 125: not capped);
- carboplatin = 5 x (77.777... + 25) = 513.888... = 513.9 mg;
- BSA = sqrt(170 x 70 / 3600) = sqrt(3.30555...) = 1.8181... = 1.82 m2 (Mosteller);
- etoposide = 100 mg/m2 x 1.82 m2 = 182 mg on days 1, 2 and 3.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import dosecal
from dosecal.errors import CourseError, Subject
from dosecal.model.measures import Creatinine, CreatinineUnit, Measures, Sex

from ..conftest import load

START = dt.date(2026, 12, 7)


def _measures(creatinine: str = "1.0", **kw: object) -> Measures:
    values: dict[str, object] = {
        "weight_kg": Decimal(70),
        "height_cm": Decimal(170),
        "age": 60,
        "sex": Sex.MALE,
        "creatinine": Creatinine(Decimal(creatinine), CreatinineUnit.MG_DL),
    }
    values.update(kw)
    return Measures(**values)  # type: ignore[arg-type]


def _expand(measures: Measures) -> list[dosecal.Administration]:
    course = dosecal.Course(START, cycles=4, measures=measures)
    return list(dosecal.expand(load("carboplatin-etoposide"), course))


# (date, cycle, cycle day, study day, drug, computed mg), worked out by hand above.
EXPECTED = [
    ("2026-12-07", 1, 1, 1, "carboplatin", "513.9"),
    ("2026-12-07", 1, 1, 1, "etoposide", "182"),
    ("2026-12-08", 1, 2, 2, "etoposide", "182"),
    ("2026-12-09", 1, 3, 3, "etoposide", "182"),
    ("2026-12-28", 2, 1, 22, "carboplatin", "513.9"),
    ("2026-12-28", 2, 1, 22, "etoposide", "182"),
    ("2026-12-29", 2, 2, 23, "etoposide", "182"),
    ("2026-12-30", 2, 3, 24, "etoposide", "182"),
    ("2027-01-18", 3, 1, 43, "carboplatin", "513.9"),
    ("2027-01-18", 3, 1, 43, "etoposide", "182"),
    ("2027-01-19", 3, 2, 44, "etoposide", "182"),
    ("2027-01-20", 3, 3, 45, "etoposide", "182"),
    ("2027-02-08", 4, 1, 64, "carboplatin", "513.9"),
    ("2027-02-08", 4, 1, 64, "etoposide", "182"),
    ("2027-02-09", 4, 2, 65, "etoposide", "182"),
    ("2027-02-10", 4, 3, 66, "etoposide", "182"),
]


def test_the_issues_patient_gets_the_doses_worked_out_by_hand() -> None:
    """Every row of the four cycles: its date, cycle day, study day, drug and dose in mg."""
    rows = _expand(_measures())
    got = [
        (str(a.date), a.cycle, a.cycle_day, a.study_day, a.agent, str(a.computed_amount.normalize()))
        for a in rows
        if a.computed_amount is not None
    ]
    assert got == EXPECTED
    assert {(a.dose_unit, a.computed_unit) for a in rows if a.agent == "carboplatin"} == {("AUC", "mg")}
    assert {a.dose_amount for a in rows if a.agent == "carboplatin"} == {Decimal(5)}


def test_the_basis_shows_cockcroft_gault_and_calvert() -> None:
    """The issue's text, step by step, rounded for reading only."""
    carboplatin = _expand(_measures())[0]
    assert carboplatin.dose_basis == (
        "CrCl = (140 - 60) x 70 kg / (72 x 1.0 mg/dL) = 77.78 mL/min (Cockcroft-Gault, actual weight); "
        "carboplatin = AUC 5 x (77.78 + 25) = 513.9 mg (Calvert)"
    )


def test_a_low_creatinine_meets_the_fda_cap() -> None:
    """0.4 mg/dL: 5600 / 28.8 = 194.44 mL/min, capped at 125: 5 x (125 + 25) = 750 mg, the FDA's
    maximum for AUC 5 ("5 x 150 = 750 mg"), and the basis says the cap applied."""
    carboplatin = [a for a in _expand(_measures("0.4")) if a.agent == "carboplatin"]
    assert {a.computed_amount for a in carboplatin} == {Decimal(750)}
    assert carboplatin[0].dose_basis == (
        "CrCl = (140 - 60) x 70 kg / (72 x 0.4 mg/dL) = 194.44 mL/min (Cockcroft-Gault, actual weight), "
        "capped at max 125 mL/min; carboplatin = AUC 5 x (125 + 25) = 750 mg (Calvert)"
    )


def test_without_the_creatinine_the_course_is_refused_naming_it() -> None:
    """Nothing is guessed: the course lacks the creatinine, and the one line says so."""
    with pytest.raises(CourseError) as caught:
        _expand(_measures_without())
    assert caught.value.subject is Subject.CREATININE
    assert caught.value.message == (
        "carboplatin AUC 5 is dosed from the creatinine clearance (Cockcroft-Gault, regimen line 39), "
        "which needs the patient's serum creatinine"
    )
    hint = (
        """give --creatinine "VALUE mg/dL" (in a course file or a roster: the 'creatinine' line or column)"""
    )
    assert caught.value.hint == hint


def _measures_without() -> Measures:
    return Measures(Decimal(70), Decimal(170), age=60, sex=Sex.MALE)


def test_show_reads_back_the_clearance_rule() -> None:
    """`show` states how the clearance is estimated and capped, for the pharmacist to compare."""
    from dosecal.render.protocol_text import render

    text = render(load("carboplatin-etoposide"))
    assert (
        "creatinine clearance by Cockcroft-Gault (actual weight), at most 125 mL/min; "
        "doses by AUC by Calvert: AUC x (clearance + 25) mg"
    ) in text
    assert "  carboplatin, AUC 5, IV (intravenous)" in text
