"""The patient's values (dosecal.model.measures): what is accepted, kept as written, or refused.

Every refusal is checked whole: the sentence a user reads, the subject a course
file puts the caret on, the hint and the quoted text, since the command line, a
course file, a roster cell and the Python API all show these same fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from dosecal.errors import CourseError, Subject
from dosecal.model.measures import Creatinine, CreatinineUnit, Measures, Sex, age_at

MG_DL, UMOL_L = CreatinineUnit.MG_DL, CreatinineUnit.UMOL_L


def refused(call: Callable[[], object]) -> tuple[str, Subject | None, str | None, str | None]:
    """The message, subject, hint and quoted text of the CourseError `call` raises."""
    with pytest.raises(CourseError) as caught:
        call()
    error = caught.value
    return error.message, error.subject, error.hint, error.quoted


# ---- serum creatinine: the unit, the value as written, the day measured ------------------------


def test_a_creatinine_unit_given_as_a_word_is_refused() -> None:
    """The unit is a CreatinineUnit; the word "mg/dL" from a caller is refused in words that name
    both units and the value given, about the creatinine (not a crash later on `.limit`)."""
    assert refused(lambda: Creatinine(Decimal("1.0"), "mg/dL")) == (  # type: ignore[arg-type]
        "a creatinine unit is mg/dL or umol/L, not 'mg/dL'",
        Subject.CREATININE,
        None,
        None,
    )


def test_a_creatinine_given_as_a_float_keeps_the_decimal_written() -> None:
    """A float from a caller becomes the decimal it prints as (1.1, not 1.100000000000000088...),
    and is shown so."""
    creatinine = Creatinine(1.1, MG_DL)  # type: ignore[arg-type]
    assert creatinine.value == Decimal("1.1")
    assert str(creatinine) == "1.1 mg/dL"


def test_a_creatinine_that_is_not_a_number_is_refused_and_quoted() -> None:
    """A value that is no number is refused as a creatinine's, with the text quoted for the caret."""
    assert refused(lambda: Creatinine("high", MG_DL)) == (  # type: ignore[arg-type]
        "creatinine 'high' is not a number",
        Subject.CREATININE,
        None,
        "high",
    )


def test_the_day_a_creatinine_was_measured_must_be_a_date() -> None:
    """A day given as text (not a date) is refused, naming what was given, about the creatinine."""
    assert refused(lambda: Creatinine(Decimal("1.0"), MG_DL, "2026-12-01")) == (  # type: ignore[arg-type]
        "the day a creatinine was measured is a date, not '2026-12-01'",
        Subject.CREATININE,
        None,
        None,
    )


def test_a_creatinine_keeps_the_day_it_was_measured() -> None:
    """The day is kept as given; without one it is None."""
    day = dt.date(2026, 12, 1)
    assert Creatinine(Decimal("1.0"), MG_DL, day).measured == day
    assert Creatinine(Decimal("1.0"), MG_DL).measured is None


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (Decimal("1.0"), MG_DL, "1.0 mg/dL"),  # a laboratory's "1.0" stays 1.0, not 1
        (Decimal("1"), MG_DL, "1 mg/dL"),
        (Decimal("1.20"), MG_DL, "1.20 mg/dL"),
        (Decimal("88.4"), UMOL_L, "88.4 umol/L"),
        # As Decimal.normalize() leaves 10 and 100: in plain digits, never 1E+1 or 1E+2.
        (Decimal("1E+1"), MG_DL, "10 mg/dL"),
        (Decimal("100").normalize(), UMOL_L, "100 umol/L"),
    ],
)
def test_a_creatinine_is_shown_as_written_in_plain_digits(
    value: Decimal, unit: CreatinineUnit, shown: str
) -> None:
    """A creatinine is shown with the decimals it was given, never in scientific notation."""
    assert str(Creatinine(value, unit)) == shown


def test_creatinines_written_differently_are_different_values() -> None:
    """1.0 and 1 mg/dL are the same number but are shown differently, so they are not equal
    (two patients who differ only so must not share one expansion)."""
    assert Creatinine(Decimal("1.0"), MG_DL) != Creatinine(Decimal("1"), MG_DL)
    assert Creatinine(Decimal("1.0"), MG_DL) == Creatinine(Decimal("1.0"), MG_DL)


@pytest.mark.parametrize(
    ("value", "unit", "mg_dl"),
    [("1.3", MG_DL, "1.3"), ("88.4", UMOL_L, "1"), ("176.8", UMOL_L, "2"), ("132.6", UMOL_L, "1.5")],
)
def test_a_creatinine_in_mg_per_dl(value: str, unit: CreatinineUnit, mg_dl: str) -> None:
    """In mg/dL as given; in umol/L divided by 88.4 (88.4 umol/L is 1 mg/dL)."""
    assert Creatinine(Decimal(value), unit).mg_dl == Decimal(mg_dl)


# ---- serum creatinine: plausibility, 0.1-20 mg/dL and 9-1770 umol/L, both ends included ---------


@pytest.mark.parametrize(
    ("value", "unit"), [("0.1", MG_DL), ("20", MG_DL), ("20.00", MG_DL), ("9", UMOL_L), ("1770", UMOL_L)]
)
def test_a_creatinine_at_its_limits_is_accepted(value: str, unit: CreatinineUnit) -> None:
    """Each end of the plausible range is itself plausible."""
    assert Creatinine(Decimal(value), unit).value == Decimal(value)


@pytest.mark.parametrize(
    ("value", "unit", "message"),
    [
        ("0.09", MG_DL, "a serum creatinine of 0.09 mg/dL is not plausible (expected 0.1-20 mg/dL)"),
        ("20.01", MG_DL, "a serum creatinine of 20.01 mg/dL is not plausible (expected 0.1-20 mg/dL)"),
        ("8.9", UMOL_L, "a serum creatinine of 8.9 umol/L is not plausible (expected 9-1770 umol/L)"),
        ("1770.1", UMOL_L, "a serum creatinine of 1770.1 umol/L is not plausible (expected 9-1770 umol/L)"),
        # A value in mg/dL given as umol/L (or the reverse) is the common slip these catch.
        ("1.0", UMOL_L, "a serum creatinine of 1.0 umol/L is not plausible (expected 9-1770 umol/L)"),
        ("88.4", MG_DL, "a serum creatinine of 88.4 mg/dL is not plausible (expected 0.1-20 mg/dL)"),
        # As written, in plain digits: 3E+1 is shown 30.
        ("3E+1", MG_DL, "a serum creatinine of 30 mg/dL is not plausible (expected 0.1-20 mg/dL)"),
        ("NaN", MG_DL, "a serum creatinine of NaN mg/dL is not plausible (expected 0.1-20 mg/dL)"),
        (
            "Infinity",
            UMOL_L,
            "a serum creatinine of Infinity umol/L is not plausible (expected 9-1770 umol/L)",
        ),
    ],
)
def test_a_creatinine_past_its_limits_is_refused(value: str, unit: CreatinineUnit, message: str) -> None:
    """One step past a limit, a value in the other unit, or a value that is not finite is refused,
    with the value as written and the range in the same unit, about the creatinine."""
    assert refused(lambda: Creatinine(Decimal(value), unit)) == (message, Subject.CREATININE, None, None)


# ---- age ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("age", [0, 18, 120])
def test_an_age_from_0_to_120_is_accepted(age: int) -> None:
    """An age is checked for plausibility only (0-120 years, both ends included)."""
    assert Measures(age=age).age == age


@pytest.mark.parametrize(
    ("age", "message"),
    [
        (121, "age 121 years is not plausible (expected 0-120 years)"),
        (-1, "age -1 years is not plausible (expected 0-120 years)"),
    ],
)
def test_an_age_past_its_limits_is_refused(age: int, message: str) -> None:
    """An age outside 0-120 years is refused with the range, about the age."""
    assert refused(lambda: Measures(age=age)) == (message, Subject.AGE, None, None)


@pytest.mark.parametrize(
    ("age", "message"),
    [
        (True, "an age is a whole number of years, not True"),  # a bool is an int to Python
        (60.5, "an age is a whole number of years, not 60.5"),
        ("60", "an age is a whole number of years, not '60'"),
        (Decimal("60"), "an age is a whole number of years, not Decimal('60')"),
    ],
)
def test_an_age_that_is_not_a_whole_number_is_refused(age: object, message: str) -> None:
    """Only an int is an age: a bool, a float, a text or a Decimal is refused, about the age,
    naming what was given (never read as 1, 60 or 60.5 years)."""
    assert refused(lambda: Measures(age=age)) == (message, Subject.AGE, None, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (dt.date(1966, 3, 15), dt.date(2026, 3, 15), 60),  # the birthday itself counts
        (dt.date(1966, 3, 15), dt.date(2026, 3, 14), 59),  # the day before does not
        (dt.date(1966, 3, 15), dt.date(2026, 12, 31), 60),
        (dt.date(1966, 3, 15), dt.date(2027, 1, 1), 60),
        (dt.date(1966, 12, 31), dt.date(2026, 1, 1), 59),
        (dt.date(2026, 3, 15), dt.date(2026, 3, 15), 0),
        # Born on 29 February: in other years the birthday counts on 1 March, not 28 February.
        (dt.date(1964, 2, 29), dt.date(2026, 2, 28), 61),
        (dt.date(1964, 2, 29), dt.date(2026, 3, 1), 62),
        (dt.date(1964, 2, 29), dt.date(2028, 2, 29), 64),
    ],
)
def test_the_age_at_a_day_is_in_whole_years(born: dt.date, day: dt.date, age: int) -> None:
    """Whole years from the date of birth to the day, a year counted on the birthday."""
    assert age_at(born, day) == age


# ---- sex -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "sex"),
    [
        ("female", Sex.FEMALE),
        ("male", Sex.MALE),
        ("Female", Sex.FEMALE),
        ("MALE", Sex.MALE),
        (Sex.FEMALE, Sex.FEMALE),
        (None, None),
    ],
)
def test_a_sex_given_as_the_word_is_read_in_any_case(given: object, sex: Sex | None) -> None:
    """The API may pass the word, in any case; it is kept as the Sex it names."""
    assert Measures(sex=given).sex is sex  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("other", "sex 'other' is not female or male"),
        ("f", "sex 'f' is not female or male"),
        ("", "sex '' is not female or male"),
        (1, "sex 1 is not female or male"),
        (True, "sex True is not female or male"),
    ],
)
def test_a_sex_that_is_not_female_or_male_is_refused(given: object, message: str) -> None:
    """Any other word (or value) is refused, naming it, about the sex."""
    assert refused(lambda: Measures(sex=given)) == (message, Subject.SEX, None, None)  # type: ignore[arg-type]


# ---- the creatinine of the measures ------------------------------------------------------------


def test_a_creatinine_that_is_not_a_creatinine_is_refused_with_an_example() -> None:
    """A bare number for the creatinine (no unit) is refused, about the creatinine, with a hint
    that shows how to give one."""
    assert refused(lambda: Measures(creatinine=Decimal("1.0"))) == (  # type: ignore[arg-type]
        "a creatinine is a Creatinine (value, unit), not Decimal('1.0')",
        Subject.CREATININE,
        'e.g. Creatinine(Decimal("1.0"), CreatinineUnit.MG_DL)',
        None,
    )


def test_the_measures_keep_their_creatinine() -> None:
    """A Creatinine is kept as given."""
    creatinine = Creatinine(Decimal("1.0"), MG_DL)
    assert Measures(creatinine=creatinine).creatinine is creatinine
