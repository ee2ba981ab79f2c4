"""A label's limits on patient values: `not given if CrCl < 45 mL/min`, `warn if age >= 80`.

The pemetrexed label: "Do not administer ... if the creatinine clearance is less than 45 mL/min."
By hand, Cockcroft-Gault (actual weight), male, 60 kg:
- age 70, creatinine 1.4 mg/dL: (140 - 70) x 60 / (72 x 1.4) = 4200 / 100.8 = 41.666... < 45: refused;
- age 82, creatinine 1.0 mg/dL: 58 x 60 / 72 = 48.333... >= 45: given; 82 >= 80: a warning;
- exactly 45: age 86, 60 kg, 1.0 mg/dL: 54 x 60 / 72 = 45 exactly: not below 45, given.
The limit is on the patient's clearance, before the rule's `min`: a regimen that raises the
clearance to 50 mL/min for carboplatin still refuses pemetrexed at 41.67.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import dosecal
from dosecal.errors import CourseError, RegimenError, Subject
from dosecal.model.measures import Creatinine, CreatinineUnit, Measures, Sex

REGIMEN = (
    'regimen pem "Pemetrexed + carboplatin"\n'
    "  cycle 21 days, 4 cycles\n"
    "  CrCl Cockcroft-Gault, actual weight, {bounds}\n"
    "  pemetrexed 500 mg/m2 IV\n"
    "    day 1\n"
    "    not given if CrCl < 45 mL/min\n"
    "    warn if age >= 80\n"
    "  carboplatin AUC 5 IV, after pemetrexed\n"
    "    day 1\n"
)


def _expand(age: int, creatinine: str | None, bounds: str = "max 125 mL/min") -> dosecal.Schedule:
    regimen = dosecal.loads(REGIMEN.format(bounds=bounds), "pem.regimen")
    values: dict[str, object] = {
        "weight_kg": Decimal(60),
        "height_cm": Decimal(165),
        "age": age,
        "sex": Sex.MALE,
        "creatinine": Creatinine(Decimal(creatinine), CreatinineUnit.MG_DL) if creatinine else None,
    }
    course = dosecal.Course(dt.date(2026, 3, 2), cycles=1, measures=Measures(**values))  # type: ignore[arg-type]
    return dosecal.expand(regimen, course)


def test_below_the_limit_the_course_is_refused_with_the_arithmetic() -> None:
    """41.67 mL/min < 45: one sentence with the rule's line and the patient's clearance."""
    with pytest.raises(CourseError) as caught:
        _expand(70, "1.4")
    assert caught.value.message == (
        "pemetrexed is not given if CrCl < 45 mL/min (regimen line 6): CrCl = (140 - 70) x 60 kg / "
        "(72 x 1.4 mg/dL) = 41.67 mL/min (Cockcroft-Gault, actual weight)"
    )
    assert caught.value.subject is Subject.CREATININE


def test_the_limit_is_on_the_clearance_before_the_rules_minimum() -> None:
    """A `min 50 mL/min` raises the figure carboplatin is dosed from, not the patient's clearance."""
    with pytest.raises(CourseError, match=r"41\.67 mL/min"):
        _expand(70, "1.4", bounds="min 50 mL/min, max 125 mL/min")


def test_exactly_at_the_limit_is_not_below_it() -> None:
    """45 mL/min exactly (86 years): `< 45` does not hold; no warning either (86 >= 80 does)."""
    schedule = _expand(86, "1.0")
    pemetrexed = [a for a in schedule if a.agent == "pemetrexed"]
    assert len(pemetrexed) == 1
    assert pemetrexed[0].dose_basis.endswith("; warning: age >= 80 (regimen line 7): the patient is 86")


def test_a_warning_is_said_on_the_drugs_rows_only() -> None:
    """82 >= 80: pemetrexed's rows say it; carboplatin's do not; the plan keeps it for the CLI."""
    schedule = _expand(82, "1.0")
    by_drug = {a.agent: a.dose_basis for a in schedule}
    assert by_drug["pemetrexed"] == (
        "500 mg/m2 x 1.66 m2 = 830 mg; BSA 1.66 m2 = Mosteller sqrt(165 cm x 60 kg / 3600) = 1.6583, "
        "rounded to 0.01 m2; warning: age >= 80 (regimen line 7): the patient is 82"
    )
    assert "warning" not in by_drug["carboplatin"]
    assert schedule.plan.warnings == (
        ("pemetrexed", "warning: age >= 80 (regimen line 7): the patient is 82"),
    )


def test_under_the_warning_age_nothing_is_said() -> None:
    """79 < 80, and 61 x 60 / 72 = 50.83 mL/min >= 45: no warning, no refusal."""
    schedule = _expand(79, "1.0")
    assert schedule.plan.warnings == ()
    assert all("warning" not in a.dose_basis for a in schedule)


def test_a_limit_needs_its_value() -> None:
    """Without the creatinine, the limit cannot be decided: refused, naming it."""
    text = REGIMEN.format(bounds="max 125 mL/min").split("  carboplatin")[0]  # pemetrexed alone
    course = dosecal.Course(
        dt.date(2026, 3, 2), cycles=1, measures=Measures(Decimal(60), age=70, sex=Sex.MALE)
    )
    with pytest.raises(CourseError) as caught:
        dosecal.expand(dosecal.loads(text, "pem.regimen"), course)
    assert caught.value.message == (
        "pemetrexed is limited (CrCl < 45 mL/min, regimen line 6) from the creatinine clearance "
        "(Cockcroft-Gault, regimen line 3), which needs the patient's serum creatinine"
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not given if CrCl < 45 mg", "CrCl is compared in mL/min"),
        ("not given if age >= 75 mL/min", "age is compared in years"),
        ("warn if BMI > 40", "BMI is compared in kg/m2"),
        ("warn if BMI > 90 kg/m2", "90 is out of range for a BMI"),
    ],
)
def test_a_condition_is_in_its_attributes_unit_and_range(line: str, message: str) -> None:
    """Each attribute has its unit (age may say `years`) and its range (dosecal.limits)."""
    text = REGIMEN.format(bounds="max 125 mL/min").replace("not given if CrCl < 45 mL/min", line)
    with pytest.raises(RegimenError) as caught:
        dosecal.loads(text, "pem.regimen")
    assert message in caught.value.render()


def test_a_limit_on_the_clearance_needs_a_rule_for_it() -> None:
    """Without a CrCl line the clearance of the limit is not estimable: an error at the limit."""
    text = (
        'regimen pem "P"\n  cycle 21 days, 4 cycles\n  pemetrexed 500 mg/m2 IV\n    day 1\n'
        "    not given if CrCl < 45 mL/min\n"
    )
    with pytest.raises(RegimenError) as caught:
        dosecal.loads(text, "pem.regimen")
    assert caught.value.render().splitlines()[0] == (
        "pem.regimen:5:5: this limit is on the creatinine clearance: say how it is estimated"
    )


def test_a_rule_used_only_by_a_limit_is_used() -> None:
    """A CrCl line with no dose by AUC, but a limit on the clearance, is not 'not used'."""
    text = (
        'regimen pem "P"\n  cycle 21 days, 4 cycles\n  CrCl Cockcroft-Gault, actual weight\n'
        "  pemetrexed 500 mg/m2 IV\n    day 1\n    not given if CrCl < 45 mL/min\n"
    )
    regimen = dosecal.loads(text, "pem.regimen")
    (limit,) = regimen.phases[0].agents[0].limits
    assert (str(limit.condition), limit.warn, limit.line) == ("CrCl < 45 mL/min", False, 6)


def test_a_bmi_limit_shows_its_arithmetic() -> None:
    """110 kg, 165 cm: 110 / 1.65^2 = 110 / 2.7225 = 40.40... kg/m2 >= 40: the warning says it."""
    text = (
        'regimen b "B"\n  cycle 21 days, 4 cycles\n  paclitaxel 175 mg/m2 IV\n    day 1\n'
        "    warn if BMI >= 40 kg/m2\n"
    )
    course = dosecal.Course(dt.date(2026, 3, 2), cycles=1, measures=Measures(Decimal(110), Decimal(165)))
    (row,) = dosecal.expand(dosecal.loads(text, "b.regimen"), course)
    assert row.dose_basis.endswith(
        "; warning: BMI >= 40 kg/m2 (regimen line 5): BMI = 110 kg / (1.65 m)^2 = 40.4 kg/m2"
    )
