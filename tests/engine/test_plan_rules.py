"""The plan's rules on a course's rounding rules and on the patient values a condition is on
(dosecal.engine.plan), each refusal with its whole sentence, subject and line.

The figures, worked by hand, for a 70 kg, 170 cm patient: BSA sqrt(170 x 70 / 3600) = 1.8181 ->
1.82 m2; oxaliplatin 130 mg/m2 x 1.82 = 236.6 mg; to the nearest 5 mg, 236.6 / 5 = 47.32 -> 47 ->
235 mg. Dexamethasone 20 mg is a stated (flat) dose, never rounded.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import dosecal
from dosecal import Course, CourseError, Measures
from dosecal.engine.plan import plan, rounding_for
from dosecal.errors import Subject
from dosecal.model.adjust import CycleRef, DoseFrom
from dosecal.model.dosing import Rounding
from dosecal.model.measures import Creatinine, CreatinineUnit, Sex
from dosecal.model.regimen import UNITS, Amount
from dosecal.model.strengths import Combination, RoundWay

from ..conftest import load

REGIMEN = (
    'regimen x "X"\n'
    "  cycle 21 days, 4 cycles\n"
    "  oxaliplatin 130 mg/m2 IV\n"
    "    day 1\n"
    "  dexamethasone 20 mg PO tablets\n"
    "    day 1\n"
)
START = dt.date(2026, 12, 7)
PATIENT = Measures(Decimal(70), Decimal(170))


def _amount(value: str, unit: str = "mg") -> Amount:
    return Amount(Decimal(value), UNITS[unit])


def _refused(regimen: str = REGIMEN, **kw: object) -> CourseError:
    """The error planning a one-cycle course of `regimen` for PATIENT raises."""
    course = Course(START, cycles=1, measures=PATIENT, **kw)  # type: ignore[arg-type]
    with pytest.raises(CourseError) as caught:
        plan(dosecal.loads(regimen, "x.regimen"), course)
    return caught.value


def _fields(error: CourseError) -> tuple[object, ...]:
    return (error.message, error.subject, error.line, error.hint, error.quoted)


# ---- a course's rounding rule for a drug --------------------------------------------------------------


def test_a_rounding_rule_for_a_drug_the_regimen_does_not_give() -> None:
    """`rounding carboplatin ...` for a regimen without carboplatin: refused at its line (7), naming
    the regimen's drugs in the order written."""
    error = _refused(roundings=(("carboplatin", Rounding(_amount("5"), line=7)),))
    assert _fields(error) == (
        "a rounding rule names 'carboplatin', which is not a drug of x",
        Subject.ROUNDING,
        7,
        "its drugs are oxaliplatin, dexamethasone",
        "carboplatin",
    )


def test_a_drug_named_by_two_rounding_rules_is_refused_at_the_second() -> None:
    """Two rules for oxaliplatin (lines 7 and 8): which one applies would be a guess; the second is
    the mistake, at its line, and the error says so in one sentence without a hint."""
    first, second = Rounding(_amount("5"), line=7), Rounding(_amount("10"), line=8)
    error = _refused(roundings=(("oxaliplatin", first), ("oxaliplatin", second)))
    assert _fields(error) == ("oxaliplatin has two rounding rules", Subject.ROUNDING, 8, None, "oxaliplatin")
    assert str(error) == "course line 8: oxaliplatin has two rounding rules"


def test_one_rounding_rule_for_each_of_two_drugs_is_not_twice() -> None:
    """A rule for oxaliplatin and one for dexamethasone are not two rules for one drug; but
    dexamethasone's own rule is unused (a stated dose is never rounded): refused at its line, 8."""
    rules = (
        ("oxaliplatin", Rounding(_amount("5"), line=7)),
        ("dexamethasone", Rounding(_amount("5"), line=8)),
    )
    error = _refused(roundings=rules)
    assert _fields(error) == (
        "dexamethasone has no computed dose: this rounding rule is not used",
        Subject.ROUNDING,
        8,
        "only doses per kg, per m2 or by AUC are rounded; a stated dose never is",
        "dexamethasone",
    )


def test_a_course_rule_for_a_computed_dose_rounds_it() -> None:
    """Oxaliplatin to the nearest 5 mg by the course's line 7: 236.6 -> 235 mg. The regimen has no
    rule for the course's to be in place of, so the basis names none (as a course file's does)."""
    course = Course(
        START, cycles=1, measures=PATIENT, roundings=(("oxaliplatin", Rounding(_amount("5"), line=7)),)
    )
    rows = dosecal.expand(dosecal.loads(REGIMEN, "x.regimen"), course).administrations
    oxaliplatin = next(a for a in rows if a.agent == "oxaliplatin")
    assert oxaliplatin.computed_amount == Decimal(235)
    assert oxaliplatin.dose_basis.startswith(
        "130 mg/m2 x 1.82 m2 = 236.6 mg, rounded to the nearest 5 mg = 235 mg; BSA"
    )


# ---- a rule in a unit the dose does not convert to -------------------------------------------------------


def test_a_course_rule_in_units_for_a_dose_in_mg_is_refused_at_its_line() -> None:
    """`rounding oxaliplatin to the nearest 5 units` at course line 7: a dose in mg is never a number
    of units, so the rule cannot apply; refused before anything is made, at line 7."""
    error = _refused(roundings=(("oxaliplatin", Rounding(_amount("5", "units"), line=7)),))
    assert _fields(error) == (
        "oxaliplatin 130 mg/m2 cannot be rounded to the nearest 5 units: the units do not convert",
        Subject.ROUNDING,
        7,
        "round it in its own unit",
        "oxaliplatin",
    )


def test_a_course_rule_for_every_dose_in_units_is_refused_at_its_line() -> None:
    """The same for the course's rule for every dose (line 6): oxaliplatin's mg do not convert."""
    error = _refused(rounding=Rounding(_amount("5", "units"), line=6))
    assert (error.message, error.line) == (
        "oxaliplatin 130 mg/m2 cannot be rounded to the nearest 5 units: the units do not convert",
        6,
    )


def test_a_course_rule_in_units_in_place_of_the_regimens_is_refused_at_the_course_line() -> None:
    """With a regimen rule too (line 3), the course's (line 8) is in force: the error is at the
    course's line 8, the one to correct, not at the regimen's."""
    regimen = REGIMEN.replace("  oxaliplatin", "  round to the nearest 5 mg\n  oxaliplatin")
    error = _refused(regimen, roundings=(("oxaliplatin", Rounding(_amount("5", "units"), line=8)),))
    assert (error.message, error.line) == (
        "oxaliplatin 130 mg/m2 cannot be rounded to the nearest 5 units: the units do not convert",
        8,
    )


def test_a_supplied_dose_in_units_against_the_regimens_rule_in_mg() -> None:
    """`--dose asparaginase=1000 units/m2` where the regimen rounds to the nearest 5 mg (its line 3):
    refused, but at no course line: the rule at fault is the regimen's, and "course line 3" would
    send the reader to the wrong file."""
    regimen = (
        'regimen x "X"\n  cycle 21 days, 4 cycles\n  round to the nearest 5 mg\n'
        "  asparaginase dose required IV\n    day 1\n"
    )
    error = _refused(regimen, doses=(("asparaginase", _amount("1000", "units/m2")),))
    assert _fields(error) == (
        "asparaginase 1000 units/m2 cannot be rounded to the nearest 5 mg: the units do not convert",
        Subject.ROUNDING,
        None,
        "round it in its own unit",
        "asparaginase",
    )


def test_a_change_to_units_against_the_regimens_rule_in_mg_is_at_the_changes_line() -> None:
    """`change asparaginase to 1000 units/m2 from cycle 1` (course line 9) where the regimen rounds to
    the nearest 5 mg: the change gives the dose that cannot be rounded, so the refusal is at its line."""
    regimen = (
        'regimen x "X"\n  cycle 21 days, 4 cycles\n  round to the nearest 5 mg\n'
        "  asparaginase dose required IV\n    day 1\n"
    )
    change = DoseFrom("asparaginase", _amount("1000", "units/m2"), CycleRef(None, 1), "x", 9)
    error = _refused(regimen, adjustments=(change,))
    assert _fields(error) == (
        "asparaginase 1000 units/m2 cannot be rounded to the nearest 5 mg: the units do not convert",
        Subject.ROUNDING,
        9,
        "round it in its own unit",
        "asparaginase",
    )


def test_a_course_rule_in_grams_for_a_dose_in_mg_converts() -> None:
    """0.005 g is 5 mg: a rule in g rounds a dose in mg (236.6 -> 235 mg)."""
    course = Course(
        START,
        cycles=1,
        measures=PATIENT,
        roundings=(("oxaliplatin", Rounding(_amount("0.005", "g"), line=7)),),
    )
    made = plan(dosecal.loads(REGIMEN, "x.regimen"), course)
    assert made.course.roundings[0][0] == "oxaliplatin"
    rows = dosecal.expand(dosecal.loads(REGIMEN, "x.regimen"), course).administrations
    assert next(a for a in rows if a.agent == "oxaliplatin").computed_amount == Decimal(235)


# ---- which rounding rule a dose is rounded by, and how its basis names it ---------------------------

ROUNDED = (
    'regimen x "X"\n'
    "  cycle 21 days, 4 cycles\n"
    "  round to the nearest 5 mg\n"
    "  oxaliplatin 130 mg/m2 IV\n"
    "    day 1\n"
    "  fluorouracil 400 mg/m2 IV\n"
    "    day 1\n"
)
OWN = ROUNDED.replace(
    "    day 1\n  fluorouracil", "    day 1\n    round to the nearest 10 mg\n  fluorouracil"
)


def _bases(regimen: str = ROUNDED, **kw: object) -> dict[str, str]:
    """Each drug's dose and basis, up to the BSA's step, for a one-cycle course of PATIENT."""
    course = Course(START, cycles=1, measures=PATIENT, **kw)  # type: ignore[arg-type]
    rows = dosecal.expand(dosecal.loads(regimen, "x.regimen"), course).administrations
    return {a.agent: a.dose_basis.split("; BSA")[0] for a in rows}


def test_the_regimens_rule_names_its_line() -> None:
    """No course rule: both drugs by the regimen's line 3. Fluorouracil 400 x 1.82 = 728 mg -> 730 mg
    (728 / 5 = 145.6 -> 146); oxaliplatin 236.6 -> 235 mg."""
    assert _bases() == {
        "oxaliplatin": "130 mg/m2 x 1.82 m2 = 236.6 mg, rounded to the nearest 5 mg (regimen line 3) "
        "= 235 mg",
        "fluorouracil": "400 mg/m2 x 1.82 m2 = 728 mg, rounded to the nearest 5 mg (regimen line 3) = 730 mg",
    }


def test_a_drugs_own_rule_comes_before_the_regimens() -> None:
    """Oxaliplatin's own rule (line 6, to the nearest 10 mg): 236.6 / 10 = 23.66 -> 24 -> 240 mg;
    fluorouracil, without one, keeps the regimen's (line 3): 730 mg."""
    assert _bases(OWN) == {
        "oxaliplatin": "130 mg/m2 x 1.82 m2 = 236.6 mg, rounded to the nearest 10 mg (regimen line 6) "
        "= 240 mg",
        "fluorouracil": "400 mg/m2 x 1.82 m2 = 728 mg, rounded to the nearest 5 mg (regimen line 3) = 730 mg",
    }


def test_a_drugs_own_rule_where_the_regimen_has_none() -> None:
    """Only oxaliplatin has a rule (line 5): it is named; fluorouracil is not rounded at all."""
    regimen = OWN.replace("  round to the nearest 5 mg\n", "")
    assert _bases(regimen) == {
        "oxaliplatin": "130 mg/m2 x 1.82 m2 = 236.6 mg, rounded to the nearest 10 mg (regimen line 5) "
        "= 240 mg",
        "fluorouracil": "400 mg/m2 x 1.82 m2 = 728 mg",
    }


def test_a_course_rule_for_one_drug_is_in_place_of_the_regimens_for_it_only() -> None:
    """`rounding oxaliplatin up to the nearest 10 mg` (course line 8): 236.6 -> 240 mg, named with
    the regimen line it replaces; fluorouracil keeps the regimen's rule, 730 mg."""
    rule = Rounding(_amount("10"), way=RoundWay.UP, line=8)
    assert _bases(roundings=(("oxaliplatin", rule),)) == {
        "oxaliplatin": "130 mg/m2 x 1.82 m2 = 236.6 mg, rounded up to the nearest 10 mg "
        "(course line 8, in place of regimen line 3) = 240 mg",
        "fluorouracil": "400 mg/m2 x 1.82 m2 = 728 mg, rounded to the nearest 5 mg (regimen line 3) = 730 mg",
    }


def test_a_course_rule_for_a_drug_comes_before_the_courses_rule_for_every_dose() -> None:
    """Course line 7 rounds every dose down to the nearest 10 mg (fluorouracil 728 -> 720 mg); line 8
    rounds oxaliplatin up to the nearest 10 mg (240 mg), in place of both."""
    every = Rounding(_amount("10"), way=RoundWay.DOWN, line=7)
    mine = Rounding(_amount("10"), way=RoundWay.UP, line=8)
    assert _bases(rounding=every, roundings=(("oxaliplatin", mine),)) == {
        "oxaliplatin": "130 mg/m2 x 1.82 m2 = 236.6 mg, rounded up to the nearest 10 mg "
        "(course line 8, in place of regimen line 3) = 240 mg",
        "fluorouracil": "400 mg/m2 x 1.82 m2 = 728 mg, rounded down to the nearest 10 mg "
        "(course line 7, in place of regimen line 3) = 720 mg",
    }


def test_a_course_rule_given_in_code_is_the_courses_rule() -> None:
    """A Rounding built in code has no line: the basis calls it "the course's rule"."""
    rule = Rounding(_amount("10"), way=RoundWay.UP)
    assert _bases(roundings=(("oxaliplatin", rule),))["oxaliplatin"] == (
        "130 mg/m2 x 1.82 m2 = 236.6 mg, rounded up to the nearest 10 mg "
        "(the course's rule, in place of regimen line 3) = 240 mg"
    )


def test_rounding_for_a_drug_the_course_and_regimen_leave_alone() -> None:
    """No rule anywhere: `rounding_for` gives None, and the dose is exact (236.6 mg)."""
    regimen = dosecal.loads(REGIMEN, "x.regimen")
    made = plan(regimen, Course(START, cycles=1, measures=PATIENT))
    assert rounding_for(made, regimen.phases[0].agents[0]) is None
    assert _bases(REGIMEN)["oxaliplatin"] == "130 mg/m2 x 1.82 m2 = 236.6 mg"


def test_a_course_step_for_every_dose_keeps_a_drugs_tablets() -> None:
    """Capecitabine 1250 mg/m2 x 1.82 = 2275 mg, down to its 150 mg and 500 mg tablets (line 4):
    2250 = 3 x 500 + 5 x 150 mg. The course's step for every dose (line 7) is not in place of
    tablets (it would give a dose no tablets make); a course rule for capecitabine itself is."""
    regimen = (
        'regimen c "C"\n  cycle 21 days, 4 cycles\n  capecitabine 1250 mg/m2 PO tablets\n'
        "    round down to 150 mg and 500 mg tablets\n    days 1-14 twice daily\n"
    )
    every = Rounding(_amount("10"), way=RoundWay.UP, line=7)
    assert _bases(regimen, rounding=every)["capecitabine"] == (
        "1250 mg/m2 x 1.82 m2 = 2275 mg, rounded down to 150 mg and 500 mg tablets (regimen line 4) "
        "= 2250 mg = 3 x 500 mg + 5 x 150 mg"
    )
    assert _bases(regimen, rounding=every, roundings=(("capecitabine", every),))["capecitabine"] == (
        "1250 mg/m2 x 1.82 m2 = 2275 mg, rounded up to the nearest 10 mg "
        "(course line 7, in place of regimen line 4) = 2280 mg"
    )


def test_a_rounding_rule_for_a_drug_given_a_computed_dose_only_by_a_change() -> None:
    """Dexamethasone's stated 20 mg changed to 0.1 mg/kg from cycle 2 (course line 9) is a computed
    dose (0.1 x 70 = 7 mg): a course rule for dexamethasone then rounds something and is accepted."""
    change = DoseFrom("dexamethasone", _amount("0.1", "mg/kg"), CycleRef(None, 2), "weight", 9)
    rule = Rounding(_amount("5"), line=8)
    course = Course(
        START, cycles=2, measures=PATIENT, adjustments=(change,), roundings=(("dexamethasone", rule),)
    )
    made = plan(dosecal.loads(REGIMEN, "x.regimen"), course)
    assert made.course.roundings == (("dexamethasone", rule),)


def test_another_drugs_change_does_not_make_a_rule_used() -> None:
    """Oxaliplatin changed to 100 mg/m2 from cycle 1 (line 9) is oxaliplatin's computed dose, not
    dexamethasone's: a rule for dexamethasone (line 8) still rounds nothing and is refused at its line."""
    change = DoseFrom("oxaliplatin", _amount("100", "mg/m2"), CycleRef(None, 1), "neuropathy", 9)
    rule = Rounding(_amount("5"), line=8)
    error = _refused(adjustments=(change,), roundings=(("dexamethasone", rule),))
    assert (error.message, error.line) == (
        "dexamethasone has no computed dose: this rounding rule is not used",
        8,
    )


def test_a_rule_for_a_drug_in_the_second_phase_only() -> None:
    """A drug given only in the regimen's second phase is still one whose doses a rule rounds."""
    regimen = (
        'regimen p "P"\n  phase a\n    cycle 21 days, 1 cycles\n    dexamethasone 20 mg PO\n      day 1\n'
        "  phase b\n    cycle 21 days, 1 cycles\n    oxaliplatin 130 mg/m2 IV\n      day 1\n"
    )
    course = Course(START, measures=PATIENT, roundings=(("oxaliplatin", Rounding(_amount("5"), line=7)),))
    rows = dosecal.expand(dosecal.loads(regimen, "p.regimen"), course).administrations
    assert next(a for a in rows if a.agent == "oxaliplatin").computed_amount == Decimal(235)


# ---- the patient values a condition is on ----------------------------------------------------------

LIMITED = 'regimen b "B"\n  cycle 21 days, 4 cycles\n  dexamethasone 20 mg PO\n    day 1\n    {limit}\n'


def _limited(limit: str, measures: Measures) -> CourseError:
    course = Course(START, cycles=1, measures=measures)
    with pytest.raises(CourseError) as caught:
        plan(dosecal.loads(LIMITED.format(limit=limit), "b.regimen"), course)
    return caught.value


def test_a_bmi_limit_shows_its_arithmetic_rounded_half_up() -> None:
    """160.5 kg, 200 cm: 160.5 / 2^2 = 40.125 kg/m2 exactly, said to 0.01 half up: 40.13 (half to
    even would say 40.12). 40.125 >= 40: not given, about the weight, with the regimen's word."""
    error = _limited("not given if BMI >= 40 kg/m2", Measures(Decimal("160.5"), Decimal(200)))
    assert _fields(error) == (
        "dexamethasone is not given if BMI >= 40 kg/m2 (regimen line 5): "
        "BMI = 160.5 kg / (2 m)^2 = 40.13 kg/m2",
        Subject.WEIGHT,
        None,
        "the regimen says not to give it to this patient",
        None,
    )


def test_a_bmi_limit_is_on_the_exact_bmi() -> None:
    """160 kg, 200 cm: 40 kg/m2 exactly is not above 40: given, with no warning on its row."""
    course = Course(START, cycles=1, measures=Measures(Decimal(160), Decimal(200)))
    regimen = dosecal.loads(LIMITED.format(limit="warn if BMI > 40 kg/m2"), "b.regimen")
    assert plan(regimen, course).warnings == ()


@pytest.mark.parametrize(
    ("weight", "height", "subject"),
    [(None, "165", Subject.WEIGHT), ("110", None, Subject.HEIGHT), (None, None, Subject.WEIGHT)],
    ids=["no-weight", "no-height", "neither"],
)
def test_a_bmi_needs_the_weight_and_the_height(
    weight: str | None, height: str | None, subject: Subject
) -> None:
    """A BMI is weight / height^2: without either it is not guessed. The error is about the value
    missing (the weight first), and says how to give both."""
    measures = Measures(Decimal(weight) if weight else None, Decimal(height) if height else None)
    error = _limited("warn if BMI >= 40 kg/m2", measures)
    assert _fields(error) == (
        "dexamethasone is limited (BMI >= 40 kg/m2, regimen line 5), which needs the patient's weight "
        "and height",
        subject,
        None,
        "give --weight KG, --height CM (in a course file or a roster: the 'weight' and 'height' lines "
        "or columns)",
        None,
    )


def test_an_age_limit_needs_the_age() -> None:
    """`warn if age >= 80` without an age: refused about the age, saying every way to give it."""
    error = _limited("warn if age >= 80", Measures(Decimal(70), Decimal(170)))
    assert _fields(error) == (
        "dexamethasone is limited (age >= 80, regimen line 5), which needs the patient's age",
        Subject.AGE,
        None,
        "give --age YEARS (in a course file or a roster: the 'age' (or 'born') line or column)",
        None,
    )


# ---- a dose change for a drug whose dose is chosen by a patient value -------------------------------

CHOSEN = (
    'regimen dex "D"\n  cycle 28 days, 2 cycles\n  dexamethasone 40 mg PO tablet, 20 mg if age >= 75\n'
    "    days 1, 8\n"
)
TWO_PHASES = (
    'regimen dex "D"\n  phase a\n    cycle 28 days, 1 cycles\n'
    "    dexamethasone 40 mg PO tablet, 20 mg if age >= 75\n      days 1, 8\n"
    "  phase b\n    cycle 28 days, 1 cycles\n    dexamethasone 8 mg PO tablet\n      day 1\n"
)


def _changed(change: DoseFrom, regimen: str = CHOSEN, age: int = 80) -> list[tuple[int, Decimal | None]]:
    """(cycle, dose) of each dexamethasone row for a patient of `age`, with `change`."""
    course = Course(START, measures=Measures(age=age), adjustments=(change,))
    rows = dosecal.expand(dosecal.loads(regimen, "dex.regimen"), course).administrations
    return [(a.cycle, a.dose_amount) for a in rows]


def _mg_change(to: str, replaces: str | None = None, phase: str | None = None) -> DoseFrom:
    old = _amount(replaces) if replaces else None
    return DoseFrom("dexamethasone", _amount(to), CycleRef(phase, 2 if phase is None else 1), "x", 9, old)


def test_a_patient_given_the_chosen_dose_has_one_dose_to_change() -> None:
    """At 80 (80 >= 75) the patient is given 20 mg only: `change dexamethasone to 12 mg from cycle 2`
    need not say which dose it changes. Cycle 1: 20, 20 mg; cycle 2: 12, 12 mg."""
    assert _changed(_mg_change("12")) == [
        (1, Decimal(20)),
        (1, Decimal(20)),
        (2, Decimal(12)),
        (2, Decimal(12)),
    ]


def test_a_change_may_name_the_chosen_dose() -> None:
    """`change dexamethasone 20 mg to 12 mg from cycle 2`: 20 mg is the dose this patient has."""
    assert _changed(_mg_change("12", "20"))[-1] == (2, Decimal(12))


def test_a_change_may_not_name_the_dose_the_patient_is_not_given() -> None:
    """At 80 the 40 mg branch does not apply: `change dexamethasone 40 mg to 12 mg` names a dose this
    patient does not have; refused at its line, listing the one it has."""
    with pytest.raises(CourseError) as caught:
        _changed(_mg_change("12", "40"))
    assert _fields(caught.value) == (
        "no dose of dexamethasone is 40 mg",
        Subject.ADJUSTMENT,
        9,
        "its doses are 20 mg",
        "40 mg",
    )


def test_the_chosen_dose_is_not_added_to_a_phase_without_it() -> None:
    """Phase b gives dexamethasone 8 mg, with no dose chosen by age: a change from b's cycle 1 has one
    dose (8 mg) to change, though phase a's dose was chosen (20 mg at 80)."""
    rows = _changed(_mg_change("4", phase="b"), TWO_PHASES)
    assert rows == [(1, Decimal(20)), (1, Decimal(20)), (1, Decimal(4))]


# ---- what the rows say of the plan's rules (dosecal.engine.expand) ---------------------------------


def test_rows_made_of_tablets_say_the_form_of_the_rule() -> None:
    """Capecitabine down to its 150 mg and 500 mg tablets: 2250 = 3 x 500 + 5 x 150 mg "tablets"; oxaliplatin,
    rounded to a step of 5 mg, is made of nothing and names no form."""
    regimen = (
        'regimen c "C"\n  cycle 21 days, 4 cycles\n  round to the nearest 5 mg\n'
        "  capecitabine 1250 mg/m2 PO tablets\n    round down to 150 mg and 500 mg tablets\n"
        "    day 1\n  oxaliplatin 130 mg/m2 IV\n    day 1\n"
    )
    course = Course(START, cycles=1, measures=PATIENT)
    rows = dosecal.expand(dosecal.loads(regimen, "c.regimen"), course).administrations
    assert {a.agent: (a.computed_amount, a.made_of_form) for a in rows} == {
        "capecitabine": (Decimal(2250), "tablets"),
        "oxaliplatin": (Decimal(235), ""),
    }
    made = {a.agent: a.made_of for a in rows}
    assert made["oxaliplatin"] is None
    assert made["capecitabine"] == Combination(Decimal(2250), ((Decimal(500), 3), (Decimal(150), 5)))


def test_a_change_naming_the_dose_of_the_level_in_force() -> None:
    """NCT04083898 at level 2 gives bendamustine 75 mg/m2 (the drug's own line states none):
    `change bendamustine 75 mg/m2 to 50 mg/m2 from cycle 2` names the level's dose, so cycle 2 is
    50 mg/m2 (x 1.82 m2 = 91 mg), cycle 1 still 75 mg/m2 (136.5 mg)."""
    fifty, seventy_five = _amount("50", "mg/m2"), _amount("75", "mg/m2")
    change = DoseFrom("bendamustine", fifty, CycleRef(None, 2), "neutropenia", 9, seventy_five)
    course = Course(START, cycles=2, level="2", measures=PATIENT, adjustments=(change,))
    rows = dosecal.expand(load("nct04083898"), course).administrations
    assert sorted(
        {(a.cycle, a.dose_amount, a.computed_amount) for a in rows if a.agent == "bendamustine"}
    ) == [
        (1, Decimal(75), Decimal("136.5")),
        (2, Decimal(50), Decimal(91)),
    ]


# ---- every limit, every drug, and the rules a drug's dose is computed by -----------------------------


def test_every_warning_of_a_drug_is_said() -> None:
    """Age 82 >= 80 and BMI 110 / 1.65^2 = 40.40 >= 40: both of dexamethasone's warnings hold, and
    its row says both, in the regimen's order (a warning does not stop the check of the next)."""
    text = (
        'regimen b "B"\n  cycle 21 days, 1 cycles\n  dexamethasone 20 mg PO\n    day 1\n'
        "    warn if age >= 80\n    warn if BMI >= 40 kg/m2\n"
    )
    course = Course(START, measures=Measures(Decimal(110), Decimal(165), age=82))
    (row,) = dosecal.expand(dosecal.loads(text, "b.regimen"), course)
    assert row.dose_basis == (
        "20 mg (flat dose); warning: age >= 80 (regimen line 5): the patient is 82; "
        "warning: BMI >= 40 kg/m2 (regimen line 6): BMI = 110 kg / (1.65 m)^2 = 40.4 kg/m2"
    )


def test_a_dose_chosen_by_age_after_a_drug_without_one() -> None:
    """Ondansetron (one dose) comes first in the phase; dexamethasone's dose chosen by age after it
    is still chosen: 80 >= 75, 20 mg."""
    text = (
        'regimen d "D"\n  cycle 21 days, 1 cycles\n  ondansetron 8 mg PO\n    day 1\n'
        "  dexamethasone 40 mg PO, 20 mg if age >= 75\n    day 1\n"
    )
    rows = dosecal.expand(dosecal.loads(text, "d.regimen"), Course(START, measures=Measures(age=80)))
    assert {a.agent: a.dose_amount for a in rows} == {"ondansetron": Decimal(8), "dexamethasone": Decimal(20)}


def test_a_rounding_rule_for_a_dose_chosen_per_kg() -> None:
    """`dexamethasone 20 mg PO, 0.3 mg/kg if age >= 75`: at 80 the dose is 0.3 x 70 = 21 mg, a computed
    dose, so the course's rule for dexamethasone (line 7) is used: to the nearest 5 mg, 20 mg."""
    text = 'regimen d "D"\n  cycle 21 days, 1 cycles\n  dexamethasone 20 mg PO, 0.3 mg/kg if age >= 75\n'
    text += "    day 1\n"
    rule = Rounding(_amount("5"), line=7)
    course = Course(START, measures=Measures(Decimal(70), age=80), roundings=(("dexamethasone", rule),))
    (row,) = dosecal.expand(dosecal.loads(text, "d.regimen"), course)
    assert (row.computed_amount, row.dose_basis.split("; ")[0]) == (
        Decimal(20),
        "0.3 mg/kg x 70 kg = 21 mg, rounded to the nearest 5 mg = 20 mg",
    )


def test_the_regimens_bsa_limit_holds_for_each_drug() -> None:
    """`BSA max 1.8 m2` under the regimen: 1.82 m2 is capped at 1.8; oxaliplatin 130 x 1.8 = 234 mg."""
    text = REGIMEN.replace("  oxaliplatin", "  BSA max 1.8 m2\n  oxaliplatin")
    rows = dosecal.expand(dosecal.loads(text, "x.regimen"), Course(START, cycles=1, measures=PATIENT))
    oxaliplatin = next(a for a in rows if a.agent == "oxaliplatin")
    assert oxaliplatin.computed_amount == Decimal(234)
    assert oxaliplatin.dose_basis.endswith(", capped at max 1.8 m2")


# Etoposide comes first and is limited by the clearance, so that the rule is used by a regimen whose
# carboplatin is not by AUC; the limit is checked after the doses by AUC.
CARBOPLATIN = (
    'regimen c "C"\n  cycle 21 days, 2 cycles\n  CrCl Cockcroft-Gault, actual weight\n'
    "  etoposide 100 mg/m2 IV\n    day 1\n    not given if CrCl < 20 mL/min\n  {drug}\n    day 1\n"
)


@pytest.mark.parametrize(
    ("drug", "doses", "changes"),
    [
        ("carboplatin AUC 5 IV", (), ()),
        ("carboplatin dose required IV", (("carboplatin", _amount("5", "AUC")),), ()),
        (
            "carboplatin 400 mg IV",
            (),
            (DoseFrom("carboplatin", _amount("5", "AUC"), CycleRef(None, 2), "renal", 9),),
        ),
    ],
    ids=["regimen", "supplied", "changed"],
)
def test_a_dose_by_auc_needs_the_creatinine_before_anything_is_made(
    drug: str, doses: tuple[tuple[str, Amount], ...], changes: tuple[DoseFrom, ...]
) -> None:
    """Carboplatin by AUC (the regimen's, a supplied one, or a change to one) for a patient without a
    serum creatinine: `plan` itself refuses the course, about the creatinine, naming carboplatin's
    dose (not etoposide, written first, whose doses are not by AUC)."""
    measures = Measures(Decimal(70), Decimal(170), age=60, sex=Sex.MALE)
    course = Course(START, cycles=2, measures=measures, doses=doses, adjustments=changes)
    with pytest.raises(CourseError) as caught:
        plan(dosecal.loads(CARBOPLATIN.format(drug=drug), "c.regimen"), course)
    assert caught.value.subject is Subject.CREATININE
    assert caught.value.message.startswith("carboplatin AUC 5 is dosed")


def test_a_later_phases_clearance_rule_is_not_held_against_an_earlier_phases_dose() -> None:
    """Phase a doses carboplatin by AUC 5 with the regimen's rule (actual weight: no height needed);
    phase b's carboplatin, 400 mg flat, has a rule of its own (ideal weight) for its limit. Without a
    height, AUC 5 of phase a is computable; what is refused is phase b's limit, which needs it."""
    text = (
        'regimen c "C"\n  CrCl Cockcroft-Gault, actual weight\n'
        "  phase a\n    cycle 21 days, 1 cycles\n    carboplatin AUC 5 IV\n      day 1\n"
        "  phase b\n    cycle 21 days, 1 cycles\n    carboplatin 400 mg IV\n"
        "      CrCl Cockcroft-Gault, ideal weight\n      not given if CrCl < 30 mL/min\n      day 1\n"
    )
    creatinine = Creatinine(Decimal("1.0"), CreatinineUnit.MG_DL)
    measures = Measures(Decimal(70), None, age=60, sex=Sex.MALE, creatinine=creatinine)
    with pytest.raises(CourseError) as caught:
        plan(dosecal.loads(text, "c.regimen"), Course(START, measures=measures))
    assert (caught.value.message, caught.value.subject) == (
        "carboplatin is limited (CrCl < 30 mL/min, regimen line 11) from the creatinine clearance "
        "(Cockcroft-Gault, regimen line 10), which needs the patient's height (for the ideal weight)",
        Subject.HEIGHT,
    )


# ---- a dose by AUC the course gives (--dose, a dose change) ---------------------------------------------

NO_RULE = (
    'regimen c "C"\n  cycle 21 days, 2 cycles\n  carboplatin dose required IV\n    day 1\n'
    "  etoposide dose required IV\n    day 1\n"
)
WITH_RULE = (
    'regimen c "C"\n  cycle 21 days, 2 cycles\n  CrCl Cockcroft-Gault, actual weight\n'
    "  carboplatin AUC 5 IV\n    day 1\n  etoposide 100 mg/m2 IV\n    day 1\n"
)
ONLY_CARBOPLATIN = "only carboplatin is dosed by AUC (the Calvert formula is carboplatin's)"
NO_CLEARANCE = "is a dose by AUC, but c says nothing of how its creatinine clearance is estimated"
NEEDS_RULE = "only a regimen with a 'CrCl Cockcroft-Gault ...' line can be dosed by AUC"


def _auc(
    regimen: str, doses: tuple[tuple[str, Amount], ...] = (), changes: tuple[DoseFrom, ...] = ()
) -> CourseError:
    course = Course(START, cycles=2, measures=PATIENT, doses=doses, adjustments=changes)
    with pytest.raises(CourseError) as caught:
        plan(dosecal.loads(regimen, "c.regimen"), course)
    return caught.value


def _to(drug: str, value: str, unit: str, line: int) -> DoseFrom:
    return DoseFrom(drug, _amount(value, unit), CycleRef(None, 2), "x", line)


def test_a_supplied_dose_by_auc_of_another_drug_than_carboplatin() -> None:
    """`--dose etoposide=AUC 5`: the Calvert formula is carboplatin's; refused about the dose."""
    doses = (("carboplatin", _amount("300")), ("etoposide", _amount("5", "AUC")))
    assert _fields(_auc(NO_RULE, doses)) == (
        f"etoposide AUC 5: {ONLY_CARBOPLATIN}",
        Subject.DOSE,
        None,
        None,
        "etoposide",
    )


def test_a_change_to_a_dose_by_auc_of_another_drug_than_carboplatin() -> None:
    """`change etoposide to AUC 5 from cycle 2` (line 10), after a change of carboplatin by AUC that
    the regimen's rule allows (line 9): refused at line 10, about the adjustment."""
    changes = (_to("carboplatin", "4", "AUC", 9), _to("etoposide", "5", "AUC", 10))
    error = _auc(WITH_RULE, changes=changes)
    assert _fields(error) == (
        f"etoposide AUC 5: {ONLY_CARBOPLATIN}",
        Subject.ADJUSTMENT,
        10,
        None,
        "etoposide",
    )


def test_a_supplied_carboplatin_by_auc_without_a_clearance_rule() -> None:
    """`--dose carboplatin=AUC 5` for a regimen with no CrCl line: refused about the dose."""
    doses = (("carboplatin", _amount("5", "AUC")), ("etoposide", _amount("100", "mg/m2")))
    assert _fields(_auc(NO_RULE, doses)) == (
        f"carboplatin AUC 5 {NO_CLEARANCE}",
        Subject.DOSE,
        None,
        NEEDS_RULE,
        "carboplatin",
    )


def test_a_change_to_carboplatin_by_auc_without_a_clearance_rule_after_a_dose_not_by_auc() -> None:
    """Carboplatin 300 mg and etoposide 100 mg/m2 supplied (not by AUC); a change of etoposide to
    80 mg/m2 (line 9); then `change carboplatin to AUC 5` (line 10): every given dose is looked at,
    and the last is refused at its line."""
    doses = (("carboplatin", _amount("300")), ("etoposide", _amount("100", "mg/m2")))
    changes = (_to("etoposide", "80", "mg/m2", 9), _to("carboplatin", "5", "AUC", 10))
    assert _fields(_auc(NO_RULE, doses, changes)) == (
        f"carboplatin AUC 5 {NO_CLEARANCE}",
        Subject.ADJUSTMENT,
        10,
        NEEDS_RULE,
        "carboplatin",
    )


def test_a_drug_without_a_rounding_rule_names_no_form() -> None:
    """No rule anywhere: the rows of oxaliplatin are made of nothing and name no form."""
    rows = dosecal.expand(dosecal.loads(REGIMEN, "x.regimen"), Course(START, cycles=1, measures=PATIENT))
    assert {(a.made_of, a.made_of_form) for a in rows} == {(None, "")}
