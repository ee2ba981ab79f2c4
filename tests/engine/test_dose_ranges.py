"""Dose ranges as labels write them (issue 13, point 9): `folic acid 400 to 1000 mcg`.

By hand, from the ALIMTA label ("folic acid 400 mcg to 1000 mcg orally once daily"): without a
dose from the care team every row keeps the range, 400 to 1000 mcg, and no dose (dose_amount and
computed_amount empty); with `--dose "folic acid=500 mcg"` the rows give 500 mcg and still say the
range; 0.5 mg is the same dose (the range then reads 0.4 to 1 mg); 300 mcg and 2 mg are outside it
and refused; a dose in units does not compare and is refused.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import dosecal
from dosecal.errors import CourseError, Subject
from dosecal.language.load import loads
from dosecal.language.values import parse_dose
from dosecal.render import protocol_text
from dosecal.views import diary, events

from ..conftest import refused

START = dt.date(2026, 12, 7)
FOLIC = """\
regimen folic "Folic acid"
  cycle 21 days, 1 cycle
  folic acid 400 to 1000 mcg PO tablet, diary
    days 1-3
"""


def rows(text: str = FOLIC, dose: str | None = None) -> list[dosecal.Administration]:
    doses = (parse_dose(dose),) if dose else ()
    return list(dosecal.expand(loads(text, "f.regimen"), dosecal.Course(START, doses=doses)))


def test_the_range_is_kept_and_no_dose_is_picked() -> None:
    got = rows()
    assert len(got) == 3
    for a in got:
        assert (a.dose_amount, a.dose_unit, a.dose_min, a.dose_max) == (
            None,
            "mcg",
            Decimal(400),
            Decimal(1000),
        )
        assert (a.computed_amount, a.computed_unit, a.dose_source) == (None, "", "regimen line 3")
        assert a.dose_basis == (
            "the regimen states a range, 400 to 1000 mcg (regimen line 3): "
            "the dose within it is the care team's to choose; none is picked here"
        )


@pytest.mark.parametrize(
    ("dose", "amount", "unit", "low", "high"),
    [
        ("folic acid=500 mcg", "500", "mcg", "400", "1000"),
        ("folic acid=400 mcg", "400", "mcg", "400", "1000"),
        ("folic acid=1000 mcg", "1000", "mcg", "400", "1000"),
        ("folic acid=0.5 mg", "0.5", "mg", "0.4", "1"),
    ],
)
def test_a_dose_within_the_range_is_given_and_the_range_stays(
    dose: str, amount: str, unit: str, low: str, high: str
) -> None:
    a = rows(dose=dose)[0]
    assert (a.dose_amount, a.dose_unit, a.dose_source) == (Decimal(amount), unit, "supplied (--dose)")
    assert (a.dose_min, a.dose_max) == (Decimal(low), Decimal(high))
    assert a.computed_amount == Decimal(amount)
    assert a.dose_basis == (
        f"{amount} {unit} (flat dose); the regimen states a range, 400 to 1000 mcg (regimen line 3), "
        "and this dose was supplied (--dose)"
    )


STATES = "but the regimen states it as 400 to 1000 mcg"


@pytest.mark.parametrize(
    ("dose", "message"),
    [
        ("folic acid=300 mcg", "--dose gives folic acid 300 mcg, outside the regimen's 400 to 1000 mcg"),
        ("folic acid=2 mg", "--dose gives folic acid 2 mg, outside the regimen's 400 to 1000 mcg"),
        (
            "folic acid=1000.5 mcg",
            "--dose gives folic acid 1000.5 mcg, outside the regimen's 400 to 1000 mcg",
        ),
        ("folic acid=5 units", f"--dose gives folic acid 5 units, {STATES}"),
        # A dose by weight or BSA is not held against a flat range (10 mcg/kg x 70 kg would be 700).
        ("folic acid=10 mcg/kg", f"--dose gives folic acid 10 mcg/kg, {STATES}"),
        ("folic acid=500 mcg/m2", f"--dose gives folic acid 500 mcg/m2, {STATES}"),
    ],
)
def test_a_dose_outside_the_range_is_refused(dose: str, message: str) -> None:
    with pytest.raises(CourseError) as caught:
        rows(dose=dose)
    assert caught.value.message == message
    assert caught.value.hint == "give a dose from 400 to 1000 mcg"
    assert caught.value.subject is Subject.DOSE
    assert caught.value.quoted == "folic acid"  # a course file's `dose` line is marked at the drug


def test_what_people_see_says_the_range() -> None:
    schedule = dosecal.expand(loads(FOLIC, "f.regimen"), dosecal.Course(START))
    a = schedule.administrations[0]
    assert events.dose_words(a) == "400 to 1000 mcg: take the dose your care team prescribed within it"
    assert events.range_words(a) == "400 to 1000 mcg"
    (sheet,) = diary.build(schedule).sheets
    assert sheet.drugs[0].dose_stated is False
    assert sheet.drugs[0].blank_note == "stated as 400 to 1000 mcg: your care team writes it here"
    # The cell is a plain blank (the range is said above the table), so a range widens no diary.
    assert sheet.rows[0].cells[0] is not None and sheet.rows[0].cells[0].dose == "______"
    supplied = rows(dose="folic acid=500 mcg")[0]
    assert events.dose_words(supplied) == "500 mcg (the regimen states 400 to 1000 mcg)"
    assert "  folic acid, 400 to 1000 mcg, PO (oral)" in protocol_text.render(loads(FOLIC, "f.regimen"))


def test_a_supplied_dose_is_held_to_every_range_it_fills() -> None:
    """Step-up day 1 at 1 to 2 mg, day 8 at 2 to 4 mg: 1.5 mg fits the first, not the second."""
    text = 'regimen s "S"\n  cycle 21 days, 1 cycle\n  vit PO\n'
    text += "    step-up cycle 1: day 1 at 1 to 2 mg\n    cycle 1: day 8 at 2-4 mg\n"
    for dose, refused_by in (("vit=1.5 mg", "2 to 4 mg"), ("vit=3 mg", "1 to 2 mg")):
        with pytest.raises(CourseError, match=f"outside the regimen's {refused_by}"):
            rows(text, dose)
    assert [a.dose_amount for a in rows(text, "vit=2 mg")] == [Decimal(2), Decimal(2)]


def test_a_course_change_is_held_to_the_range_and_keeps_it() -> None:
    """`change folic acid to 800 mcg from cycle 2`: within the range, which stays on the rows;
    to 5000 mcg: refused at the course line."""
    from dosecal.model.adjust import CycleRef, DoseFrom

    text = FOLIC.replace("1 cycle", "2 cycles")
    regimen = loads(text, "f.regimen")
    change = DoseFrom("folic acid", parse_dose("x=800 mcg")[1], CycleRef(None, 2), "tolerance", 7)
    got = dosecal.expand(regimen, dosecal.Course(START, adjustments=(change,))).administrations
    later = [a for a in got if a.cycle == 2]
    assert {(a.dose_amount, a.dose_min, a.dose_max, a.dose_source) for a in later} == {
        (Decimal(800), Decimal(400), Decimal(1000), "course line 7")
    }
    assert later[0].dose_basis.endswith("the regimen states a range, 400 to 1000 mcg (regimen line 3), "
                                        "and this dose was set by the course")  # fmt: skip
    too_much = DoseFrom("folic acid", parse_dose("x=5000 mcg")[1], CycleRef(None, 2), "error", 7)
    with pytest.raises(CourseError) as caught:
        dosecal.expand(regimen, dosecal.Course(START, adjustments=(too_much,)))
    assert (
        caught.value.message
        == "the course changes folic acid to 5000 mcg, outside the regimen's 400 to 1000 mcg"
    )
    assert (caught.value.line, caught.value.subject) == (7, Subject.ADJUSTMENT)  # said at the course line
    by_weight = DoseFrom("folic acid", parse_dose("x=10 mcg/kg")[1], CycleRef(None, 2), "error", 8)
    with pytest.raises(CourseError) as caught:
        dosecal.expand(regimen, dosecal.Course(START, adjustments=(by_weight,)))
    assert caught.value.message == f"the course changes folic acid to 10 mcg/kg, {STATES}"
    assert (caught.value.line, caught.value.subject) == (8, Subject.ADJUSTMENT)


def test_a_range_on_a_line_and_in_a_level() -> None:
    text = 'regimen r "R"\n  cycle 21 days, 1 cycle\n  folic acid PO\n    day 1 at 1 to 5 mg\n'
    a = rows(text)[0]
    assert (a.dose_min, a.dose_max, a.dose_unit, a.dose_source) == (
        Decimal(1),
        Decimal(5),
        "mg",
        "regimen line 4",
    )
    text = 'regimen r "R"\n  cycle 21 days, 1 cycle\n  folic acid 1 mg PO\n    day 1\n'
    text += "  level 2: folic acid 1-5 mg\n"
    regimen = loads(text, "r.regimen")
    a = dosecal.expand(regimen, dosecal.Course(START, level="2")).administrations[0]
    assert (a.dose_amount, a.dose_min, a.dose_max, a.dose_source) == (
        None,
        Decimal(1),
        Decimal(5),
        "level 2 (line 5)",
    )


def test_a_dose_is_held_to_the_range_of_the_level_in_force() -> None:
    """Level 2 gives folic acid 1 to 5 mg (the drug line 1 mg): at level 2, --dose 6 mg is outside."""
    text = 'regimen r "R"\n  cycle 21 days, 1 cycle\n  folic acid 1 mg PO\n    day 1\n'
    text += "  level 1: folic acid 1 mg\n  level 2: folic acid 1 to 5 mg\n"
    regimen = loads(text, "r.regimen")
    supplied = (parse_dose("folic acid=6 mg"),)
    with pytest.raises(CourseError, match="outside the regimen's 1 to 5 mg"):
        dosecal.expand(regimen, dosecal.Course(START, level="2", doses=supplied))
    given = dosecal.expand(regimen, dosecal.Course(START, level="2", doses=(parse_dose("folic acid=4 mg"),)))
    assert given.administrations[0].dose_amount == Decimal(4)


refusal = refused


HEAD = 'regimen x "X"\n  cycle 21 days, 1 cycle\n'


@pytest.mark.parametrize(
    ("drug", "first", "caret", "hint"),
    [
        ("folic acid 1000 to 400 mcg PO",
         "e.regimen:3:14: the dose range 1000 to 400 does not run from a lower dose to a higher one",
         "                 ^^^^^^^^^^^^^^^",
         "write the lower dose first; a single dose is written alone ('400 mcg')"),
        ("folic acid 4 to 10 mg/kg PO", "e.regimen:3:22: a dose range is of a flat dose, not mg/kg",
         "                         ^^^^^", "write it in mg, mcg, g or units, as the label states it"),
        ("folic acid 400 to 1000 mcg PO, max 800 mcg",
         "e.regimen:3:14: the dose of 1000 mcg is above the drug's cap of 800 mcg",
         "                 ^^^^^^^^^^^^^^^",
         None),
        ("folic acid 400 to 1000 mcg/day IV continuous infusion",
         "e.regimen:3:26: a dose range is of a flat dose, not mcg/day", None, None),
    ],
)  # fmt: skip
def test_a_range_that_cannot_be_is_refused_at_it(
    drug: str, first: str, caret: str | None, hint: str | None
) -> None:
    report = refusal(HEAD + f"  {drug}\n    day 1\n")
    assert report[0] == first
    if caret is not None:
        assert report[2] == caret
    if hint is not None:
        assert report[3] == f"    hint: {hint}"


def test_a_continuous_infusion_is_not_given_as_a_range() -> None:
    report = refusal(HEAD + "  cytarabine 100 to 200 mg IV continuous infusion\n    days 1-3\n")
    assert "a continuous infusion over days runs at one dose a day" in "\n".join(report)


@given(st.decimals(min_value=Decimal("0.1"), max_value=Decimal(2000), places=1))
def test_a_supplied_dose_is_taken_exactly_when_it_is_within_the_range(value: Decimal) -> None:
    """Rule: --dose is accepted iff 400 <= dose <= 1000 mcg, and then given as supplied."""
    text = f"folic acid={value} mcg"
    if Decimal(400) <= value <= Decimal(1000):
        a = rows(dose=text)[0]
        assert a.dose_amount == value and a.dose_min == Decimal(400)
    else:
        with pytest.raises(CourseError, match="outside the regimen's 400 to 1000 mcg"):
            rows(dose=text)
