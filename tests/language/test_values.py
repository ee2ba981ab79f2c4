"""One value written as text (`language/values.py`): dates, body measures, amounts and doses, each
rule stated, each refusal's message asserted whole."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dosecal.language import values
from dosecal.language.values import AmountError, AmountFault
from dosecal.model.regimen import UNITS, Amount

# Written out, not joined from UNITS: a unit added or renamed shows here as a changed message.
UNIT_LIST = (
    "mg, g, mcg, units and cells, flat or per kg or m2 (mg/kg, mg/m2), "
    "or a day (mg/day, mg/m2/day; not cells), AUC, written before its number (AUC 5), "
    "and Gy or cGy for radiotherapy"
)
AMOUNT_RANGE = "from 0.000001 to 1000000000000 (10^12), with at most 6 decimal places"


def test_the_hint_says_every_unit_there_is_and_no_other() -> None:
    """The hint says the units in words (issue 12, point 6): mg, g, mcg, units and cells, each flat,
    per kg and per m2; all but cells a day too; AUC; and Gy and cGy, flat only (issue 13, point 5).
    That is every unit of UNITS, and no more."""
    from dosecal.model.regimen import UNITS

    said = {f"{a}{per}" for a in ("mg", "g", "mcg", "units", "cells") for per in ("", "/kg", "/m2")}
    said |= {f"{a}{per}/day" for a in ("mg", "g", "mcg", "units") for per in ("", "/kg", "/m2")}
    assert set(UNITS) == said | {"AUC", "Gy", "cGy"}
    assert f"units are {UNIT_LIST}" == values.UNITS_HINT


# ---- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-07", dt.date(2026, 12, 7)),
        ("0001-01-01", dt.date(1, 1, 1)),  # the calendar's first day (a range is the course's to check)
        ("2028-02-29", dt.date(2028, 2, 29)),  # 2028 is divisible by 4: a leap year
        ("2000-02-29", dt.date(2000, 2, 29)),  # divisible by 400: a leap year
        ("2026-01-31", dt.date(2026, 1, 31)),
    ],
)
def test_a_date_that_exists_is_read(text: str, expected: dt.date) -> None:
    """YYYY-MM-DD naming a day of the Gregorian calendar is that day, 29 February of a leap year too."""
    assert values.parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", "2026-02-30 is not a date: February 2026 has 28 days"),
        ("2026-04-31", "2026-04-31 is not a date: April 2026 has 30 days"),
        ("2026-01-00", "2026-01-00 is not a date: January 2026 has 31 days"),
        ("0000-01-01", "0000-01-01 is not a date: there is no year 0"),
        ("2026-13-01", "2026-13-01 is not a date: there is no month 13"),
        ("2026-00-10", "2026-00-10 is not a date: there is no month 0"),
        # 2027 is not divisible by 4; 2100 is divisible by 100 and not by 400: neither is leap.
        ("2027-02-29", "2027-02-29 is not a date: February 2027 has 28 days"),
        ("2100-02-29", "2100-02-29 is not a date: February 2100 has 28 days"),
    ],
)
def test_a_day_that_does_not_exist_is_refused_with_its_reason(text: str, message: str) -> None:
    """A well-formed date naming no day says why: no year 0, no month 13, or the month's days."""
    with pytest.raises(ValueError) as caught:
        values.parse_date(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-2-3", "'2026-2-3' is not a date; write it as YYYY-MM-DD, e.g. 2026-12-07"),
        ("07.12.2026", "'07.12.2026' is not a date; write it as YYYY-MM-DD, e.g. 2026-12-07"),
        ("2026-12-07 ", "'2026-12-07 ' is not a date; write it as YYYY-MM-DD, e.g. 2026-12-07"),
        ("", "'' is not a date; write it as YYYY-MM-DD, e.g. 2026-12-07"),
    ],
)
def test_a_date_not_written_yyyy_mm_dd_is_refused(text: str, message: str) -> None:
    """Only YYYY-MM-DD is a date (no other order, no single digits, nothing around it)."""
    with pytest.raises(ValueError) as caught:
        values.parse_date(text)
    assert str(caught.value) == message


def test_calendar_date_says_why_in_the_words_of_the_text_it_is_given() -> None:
    """`calendar_date` checks numbers already split out, and names the text they came from."""
    assert values.calendar_date("2028-02-29", 2028, 2, 29) == dt.date(2028, 2, 29)
    with pytest.raises(ValueError) as caught:
        values.calendar_date("2027-02-29", 2027, 2, 29)
    assert str(caught.value) == "2027-02-29 is not a date: February 2027 has 28 days"


# ---- body measures ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [("70", "70"), ("72.5", "72.5"), ("72.55", "72.55")])
def test_a_plain_number_is_read_as_written(text: str, expected: str) -> None:
    """A body measure keeps the decimal written (72.5, not a float near it), up to 2 places."""
    assert values.parse_number(text) == Decimal(expected)
    assert str(values.parse_number(text)) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("72.555", "72.555 has more than 2 decimal places"),
        ("1e3", "'1e3' is not a plain number such as 70 or 72.5"),
        ("1E309", "'1E309' is not a plain number such as 70 or 72.5"),
        ("-70", "'-70' is not a plain number such as 70 or 72.5"),
        ("+70", "'+70' is not a plain number such as 70 or 72.5"),
        ("70,5", "'70,5' is not a plain number such as 70 or 72.5"),
        ("1234567890", "'1234567890' is not a plain number such as 70 or 72.5"),  # 10 digits
    ],
)
def test_a_number_not_plain_is_refused(text: str, message: str) -> None:
    """3 decimal places, an exponent, a sign, a comma or 10 digits are refused, each in its words."""
    with pytest.raises(ValueError) as caught:
        values.parse_number(text)
    assert str(caught.value) == message


# ---- amounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "unit", "value"),
    [
        ("75", "mg/m2", "75"),
        ("1.5", "mg", "1.5"),
        ("0.000001", "mg", "0.000001"),  # the smallest amount
        ("1000000000000", "units", "1000000000000"),  # the largest: 10^12
        ("007", "mcg/kg", "7"),
    ],
)
def test_an_amount_in_a_known_unit_within_range_is_read(number: str, unit: str, value: str) -> None:
    """AMOUNT UNIT in one of the units, from 0.000001 to 10^12, is that amount, exactly."""
    assert values.amount(number, unit) == Amount(Decimal(value), UNITS[unit])


@pytest.mark.parametrize(
    ("number", "unit", "fault", "message", "hint"),
    [
        ("75", "mg/m^2", AmountFault.UNIT, "unknown dose unit 'mg/m^2'", f"units are {UNIT_LIST}"),
        ("75", "MG", AmountFault.UNIT, "unknown dose unit 'MG'", f"units are {UNIT_LIST}"),
        (
            "0",
            "mg/m^2",
            AmountFault.UNIT,
            "unknown dose unit 'mg/m^2'",
            f"units are {UNIT_LIST}",
        ),  # unit first
        ("0", "mg", AmountFault.ZERO, "an amount must be more than 0", None),
        ("0.000", "mg", AmountFault.ZERO, "an amount must be more than 0", None),
        (
            "0.0000001",
            "mg",
            AmountFault.NUMBER,
            "0.0000001 has more than 6 decimal places",
            f"an amount runs {AMOUNT_RANGE}",
        ),
        (
            "1000000000001",
            "mg",
            AmountFault.NUMBER,
            "1000000000001 is out of range for an amount",
            f"an amount runs {AMOUNT_RANGE}",
        ),
        (
            "1e3",
            "mg",
            AmountFault.NUMBER,
            "1e3 is not a number for an amount",
            f"an amount runs {AMOUNT_RANGE}",
        ),
        (
            "-5",
            "mg",
            AmountFault.NUMBER,
            "-5 is not a number for an amount",
            f"an amount runs {AMOUNT_RANGE}",
        ),
    ],
)
def test_an_amount_refused_says_which_rule_it_breaks(
    number: str, unit: str, fault: AmountFault, message: str, hint: str | None
) -> None:
    """The unit is checked first, then 0, then the range of limits.AMOUNT; the error carries the
    rule broken (`fault`, for the caret: the unit or the number) and a course file's words."""
    with pytest.raises(AmountError) as caught:
        values.amount(number, unit)
    assert (caught.value.fault, caught.value.message, caught.value.hint) == (fault, message, hint)
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)  # callers that catch ValueError keep working


# ---- doses (--dose, a roster's doses cell) ------------------------------------------------------


def test_a_dose_is_a_drug_and_an_amount() -> None:
    """DRUG=AMOUNT UNIT is the drug's name (spaces around it dropped) and its amount."""
    assert values.parse_dose("bendamustine=75 mg/m2") == ("bendamustine", Amount(Decimal(75), UNITS["mg/m2"]))
    assert values.parse_dose(" fluorouracil (bolus) =400  mg/m2") == (
        "fluorouracil (bolus)",
        Amount(Decimal(400), UNITS["mg/m2"]),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "bendamustine 75 mg/m2",
            '\'bendamustine 75 mg/m2\' should read "DRUG=AMOUNT UNIT", e.g. "bendamustine=75 mg/m2"',
        ),
        (
            "bendamustine=75",
            '\'bendamustine=75\' should read "DRUG=AMOUNT UNIT", e.g. "bendamustine=75 mg/m2"',
        ),
        ("=75 mg", '\'=75 mg\' should read "DRUG=AMOUNT UNIT", e.g. "bendamustine=75 mg/m2"'),
        (
            "bendamustine=75 mg/m^2",
            f"unknown unit 'mg/m^2' in 'bendamustine=75 mg/m^2'; units are {UNIT_LIST}",
        ),
        (
            "bendamustine=0 mg/m2",
            "'0' in 'bendamustine=0 mg/m2' is not a dose amount "
            f"(a number such as 75 or 1.5, {AMOUNT_RANGE})",
        ),
        (
            "bendamustine=1000000000001 mg",
            "'1000000000001' in 'bendamustine=1000000000001 mg' is not a dose amount "
            f"(a number such as 75 or 1.5, {AMOUNT_RANGE})",
        ),
        (
            "bendamustine=1e3 mg",
            "'1e3' in 'bendamustine=1e3 mg' is not a dose amount "
            f"(a number such as 75 or 1.5, {AMOUNT_RANGE})",
        ),
        (
            "bendamustine=75.1234567 mg",
            "'75.1234567' in 'bendamustine=75.1234567 mg' is not a dose amount "
            f"(a number such as 75 or 1.5, {AMOUNT_RANGE})",
        ),
    ],
)
def test_a_dose_refused_is_said_with_the_whole_text(text: str, message: str) -> None:
    """No '=', an unknown unit, 0, more than 10^12, an exponent or 7 places: each said with the
    text as given (the words of --dose and of a roster's doses cell, which amount's rule reads)."""
    with pytest.raises(ValueError) as caught:
        values.parse_dose(text)
    assert str(caught.value) == message
    assert not isinstance(caught.value, AmountError)  # the caller's words, not a course file's


# ---- quoting -----------------------------------------------------------------------------------


def test_quoted_shows_a_value_as_typed_and_cuts_a_long_one() -> None:
    """Quoted as typed; control characters made visible; past 40 characters cut, its length said."""
    assert values.quoted("abc") == "'abc'"
    assert values.quoted("a\tb\x1b") == "'a\\tb\\x1b'"
    assert values.quoted("x" * 40) == f"'{'x' * 40}'"
    assert values.quoted("x" * 41) == f"'{'x' * 39}…' (41 characters)"
