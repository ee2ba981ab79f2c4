"""A course's dose change touches only the dose it names (issue 12, point 7: a safety defect).

Carfilzomib in KRd is 56 mg/m2, but 20 mg/m2 on cycle 1 days 1 and 2. `change carfilzomib to
45 mg/m2 from cycle 1` used to give 45 mg/m2 on those two days too, marked "increased": a dose
the clinic never meant to raise. Worked by hand from the regimen below, start 2026-12-07
(a Monday), 28-day cycles: cycle 1 days 1, 2, 8, 15 are 12-07, 12-08, 12-14, 12-21; cycle 2
days 1, 8, 15 are 2027-01-04, 01-11, 01-18.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import dosecal
from dosecal.engine.expand import expand
from dosecal.errors import CourseError, Subject
from dosecal.model.adjust import CycleRef, DoseFrom, LevelFrom
from dosecal.model.course import Course
from dosecal.model.regimen import UNITS, Amount

KRD = """regimen krd "Carfilzomib with its cycle-1 days 1-2 at 20 mg/m2"
  cycle 28 days, 2 cycles
  carfilzomib 56 mg/m2 IV over 30 min
    cycle 1: days 1, 2 at 20 mg/m2
    cycle 1: days 8, 15
    cycle 2: days 1, 8, 15
"""
START = dt.date(2026, 12, 7)


def per_m2(value: str) -> Amount:
    return Amount(Decimal(value), UNITS["mg/m2"])


def doses(*changes: DoseFrom) -> list[tuple[str, Decimal | None, str]]:
    schedule = expand(dosecal.loads(KRD), Course(START, adjustments=changes))
    return [(a.date.isoformat(), a.dose_amount, a.dose_change.value) for a in schedule]


def test_without_changes_the_step_up_is_20_then_56() -> None:
    """The plan as written: 20 mg/m2 on cycle 1 days 1-2, 56 mg/m2 on every other day."""
    assert doses() == [
        ("2026-12-07", Decimal(20), ""),
        ("2026-12-08", Decimal(20), ""),
        ("2026-12-14", Decimal(56), ""),
        ("2026-12-21", Decimal(56), ""),
        ("2027-01-04", Decimal(56), ""),
        ("2027-01-11", Decimal(56), ""),
        ("2027-01-18", Decimal(56), ""),
    ]


def test_a_change_that_does_not_name_its_dose_is_refused() -> None:
    """`change carfilzomib to 45 mg/m2 from cycle 1`: two doses could be meant; refused, with the form
    that says which, at the change's course line."""
    with pytest.raises(CourseError) as caught:
        doses(DoseFrom("carfilzomib", per_m2("45"), CycleRef(None, 1), "reduced for neuropathy", 9))
    error = caught.value
    assert str(error) == (
        "course line 9: carfilzomib has more than one dose (20 mg/m2, 56 mg/m2): say which this changes; "
        "e.g. 'change carfilzomib 56 mg/m2 to 45 mg/m2 from cycle 1'"
    )
    assert (error.subject, error.line, error.quoted) == (Subject.ADJUSTMENT, 9, "carfilzomib")


def test_a_named_change_leaves_the_step_up_alone() -> None:
    """`change carfilzomib 56 mg/m2 to 45 mg/m2 from cycle 1`: days 1-2 stay 20 mg/m2, unchanged;
    every 56 becomes 45, marked reduced."""
    change = DoseFrom("carfilzomib", per_m2("45"), CycleRef(None, 1), "neuropathy", 9, per_m2("56"))
    assert doses(change) == [
        ("2026-12-07", Decimal(20), ""),
        ("2026-12-08", Decimal(20), ""),
        ("2026-12-14", Decimal(45), "reduced"),
        ("2026-12-21", Decimal(45), "reduced"),
        ("2027-01-04", Decimal(45), "reduced"),
        ("2027-01-11", Decimal(45), "reduced"),
        ("2027-01-18", Decimal(45), "reduced"),
    ]


def test_a_second_change_names_the_dose_the_first_gave() -> None:
    """56 -> 45 from cycle 1, then 45 -> 36 from cycle 2: the second names the dose in force then."""
    first = DoseFrom("carfilzomib", per_m2("45"), CycleRef(None, 1), "neuropathy", 9, per_m2("56"))
    second = DoseFrom("carfilzomib", per_m2("36"), CycleRef(None, 2), "still", 10, per_m2("45"))
    assert [d[1] for d in doses(first, second)] == [20, 20, 45, 45, 36, 36, 36]


def test_a_named_dose_the_drug_does_not_have_is_refused() -> None:
    """`change carfilzomib 27 mg/m2 to ...`: no line gives 27 mg/m2; refused with the doses it has."""
    with pytest.raises(CourseError) as caught:
        doses(DoseFrom("carfilzomib", per_m2("20"), CycleRef(None, 2), "x", 9, per_m2("27")))
    assert str(caught.value) == (
        "course line 9: no dose of carfilzomib is 27 mg/m2; its doses are 20 mg/m2, 56 mg/m2"
    )


def test_a_drug_with_one_dose_needs_no_name() -> None:
    """NCT04083898's bendamustine has one dose a level: `change bendamustine to 60 mg/m2` stays valid."""
    regimen = dosecal.load_bundled("nct04083898")
    change = DoseFrom("bendamustine", per_m2("60"), CycleRef(None, 2), "toxicity", 9)
    rows = expand(regimen, Course(START, cycles=2, level="2", adjustments=(change,)))
    assert [(a.cycle, a.dose_amount) for a in rows if a.agent == "bendamustine"] == [
        (1, Decimal(75)),
        (1, Decimal(75)),
        (2, Decimal(60)),
        (2, Decimal(60)),
    ]


def test_a_course_file_names_the_dose_it_changes(tmp_path: object) -> None:
    """The course-file form: `change carfilzomib 56 mg/m2 to 45 mg/m2 from cycle 1 because "..."`."""
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "krd.regimen").write_text(KRD, "utf-8")
    course = folder / "pt.course"
    course.write_text(
        'course pt-1\n  regimen "krd.regimen"\n  start 2026-12-07\n'
        '  change carfilzomib 56 mg/m2 to 45 mg/m2 from cycle 1 because "neuropathy"\n',
        "utf-8",
    )
    regimen, read = dosecal.load_course(course)
    rows = expand(regimen, read).administrations
    assert [a.dose_amount for a in rows] == [20, 20, 45, 45, 45, 45, 45]
    assert rows[2].adjustment[0].text == "carfilzomib 56 mg/m2 changed to 45 mg/m2 from cycle 1 (neuropathy)"


def test_a_change_cannot_name_the_dose_it_gives_as_the_one_it_replaces() -> None:
    """`change carfilzomib 45 mg/m2 to 45 mg/m2`: no line, and no earlier change, gives 45 mg/m2."""
    with pytest.raises(CourseError) as caught:
        doses(DoseFrom("carfilzomib", per_m2("45"), CycleRef(None, 1), "x", 9, per_m2("45")))
    assert str(caught.value) == (
        "course line 9: no dose of carfilzomib is 45 mg/m2; its doses are 20 mg/m2, 56 mg/m2"
    )


def test_a_dose_left_to_be_chosen_counts_as_one_of_the_doses() -> None:
    """NCT04083898 at level phase2 (bendamustine to be chosen, 90 mg/m2 supplied), then level 2
    (75 mg/m2) from cycle 2: a change from cycle 3 could mean either, so it must say which."""
    regimen = dosecal.load_bundled("nct04083898")
    course = Course(
        START,
        cycles=3,
        level="phase2",
        doses=(("bendamustine", per_m2("90")),),
        adjustments=(
            LevelFrom("2", CycleRef(None, 2), "escalated", 8),
            DoseFrom("bendamustine", per_m2("60"), CycleRef(None, 3), "toxicity", 9),
        ),
    )
    with pytest.raises(CourseError) as caught:
        expand(regimen, course)
    assert str(caught.value) == (
        "course line 9: bendamustine has more than one dose (the dose to be chosen, 75 mg/m2): say which "
        "this changes; e.g. 'change bendamustine 75 mg/m2 to 60 mg/m2 from cycle 3'"
    )


def test_a_named_dose_the_drug_lacks_is_refused_with_its_fields() -> None:
    """The refusal of a dose the drug does not have is at the change's line, caret under the dose."""
    named = DoseFrom("carfilzomib", per_m2("45"), CycleRef(None, 1), "x", 9, per_m2("27"))
    with pytest.raises(CourseError) as caught:
        doses(named)
    error = caught.value
    assert (error.subject, error.line, error.quoted, error.hint) == (
        Subject.ADJUSTMENT,
        9,
        "27 mg/m2",
        "its doses are 20 mg/m2, 56 mg/m2",
    )


def refusal_with_two_levels(level_1: str) -> str:
    """The refusal of `change alpha to 8 mg from cycle 1` in a regimen whose level 1 says `level_1`
    of alpha and whose level 2 (from cycle 2) says nothing of it."""
    regimen = dosecal.loads(
        'regimen lv "Levels"\n  cycle 28 days, 2 cycles\n  alpha IV\n    days 1\n  beta 5 mg PO\n    days 1\n'
        f"  level 1: alpha {level_1}\n  level 2: beta 6 mg\n"
    )
    eight = Amount(Decimal(8), UNITS["mg"])
    course = Course(
        START,
        level="1",
        adjustments=(
            LevelFrom("2", CycleRef(None, 2), "x", 8),
            DoseFrom("alpha", eight, CycleRef(None, 1), "y", 9),
        ),
    )
    with pytest.raises(CourseError) as caught:
        expand(regimen, course)
    return str(caught.value)


def test_a_dose_not_stated_counts_too_and_the_hint_names_a_stated_one() -> None:
    """Level 1 gives alpha 10 mg, level 2 says nothing of it: from level 2 on alpha's dose is not
    stated, so a change from cycle 1 could mean either; the hint names the stated 10 mg."""
    assert refusal_with_two_levels("10 mg") == (
        "course line 9: alpha has more than one dose (10 mg, the dose not stated): say which this changes; "
        "e.g. 'change alpha 10 mg to 8 mg from cycle 1'"
    )


def test_doses_that_cannot_be_named_get_a_hint_that_says_so() -> None:
    """Level 1 leaves alpha to be chosen, level 2 says nothing of it: neither dose can be named."""
    assert refusal_with_two_levels("dose required") == (
        "course line 9: alpha has more than one dose (the dose to be chosen, the dose not stated): say which "
        "this changes; only a stated dose can be named; set a dose left open with --dose instead"
    )
