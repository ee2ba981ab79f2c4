"""One value written as text: a date, a body measure, a dose. One home for each, so a date or an
amount means the same on the command line, in a roster cell and in a course file.

Each function returns the value or raises `ValueError` with one sentence
saying what is wrong; the caller says where (a flag, a roster column, a
course line). `amount` raises `AmountError`, a `ValueError` that also says
which rule failed (`AmountFault`), so that a caller can word it its own way
and put a caret under the number or the unit.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import re
from decimal import Decimal

from dosecal import limits
from dosecal.model.regimen import UNITS, Amount

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_NUMBER = re.compile(r"\d{1,9}(\.\d{1,9})?")
# Every digit 0 (0, 000, 0.00): no dose, said as such rather than as a number out of range.
_ZERO = re.compile(r"0+(\.0+)?")


def quoted(text: str, limit: int = 40) -> str:
    """A value as the user typed it, quoted, shortened when long, control characters made visible."""
    visible = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)
    return f"'{visible}'" if len(visible) <= limit else f"'{visible[: limit - 1]}…' ({len(text)} characters)"


def parse_date(text: str) -> dt.date:
    """YYYY-MM-DD, a day that exists."""
    match = _DATE.fullmatch(text)
    if not match:
        raise ValueError(f"{quoted(text)} is not a date; write it as YYYY-MM-DD, e.g. 2026-12-07")
    return calendar_date(text, *(int(g) for g in match.groups()))


def calendar_date(text: str, year: int, month: int, day: int) -> dt.date:
    """The day `text` names (already split into numbers), or why it is not a day."""
    if year == 0:  # the pattern allows 0000; the calendar starts at year 1
        raise ValueError(f"{text} is not a date: there is no year 0")
    if not 1 <= month <= 12:
        raise ValueError(f"{text} is not a date: there is no month {month}")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise ValueError(f"{text} is not a date: {calendar.month_name[month]} {year} has {last} days")
    return dt.date(year, month, day)


def parse_number(text: str) -> Decimal:
    """A body measure as a plain decimal number such as 70 or 72.5 (no sign, no exponent).

    An exponent would let `1e309` through as a 310-digit weight; nobody
    writes a body measure that way. Its range is `dosecal.model.dosing.Measures`'s.
    """
    if not _NUMBER.fullmatch(text):
        raise ValueError(f"{quoted(text)} is not a plain number such as 70 or 72.5")
    if len(text.partition(".")[2]) > limits.MEASURE_PLACES:  # as in course files and rosters
        raise ValueError(f"{text} has more than {limits.MEASURE_PLACES} decimal places")
    return Decimal(text)


class AmountFault(enum.Enum):
    """Which rule of `amount` a written amount breaks."""

    UNIT = "unit"  # the unit is not one of UNITS
    ZERO = "zero"  # the number is 0: no dose
    NUMBER = "number"  # not a plain decimal within limits.AMOUNT (an exponent, 7 places, 10^13)


class AmountError(ValueError):
    """`AMOUNT UNIT` refused: the rule it breaks (`fault`), and a sentence and hint saying so
    (a course file's words; `parse_dose` has its own)."""

    def __init__(self, fault: AmountFault, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.fault, self.message, self.hint = fault, message, hint


_UNITS = "units are " + ", ".join(UNITS)


def amount(number: str, unit: str) -> Amount:
    """`AMOUNT UNIT` ("75", "mg/m2"): a unit of UNITS, and a plain decimal more than 0 within
    limits.AMOUNT (from 0.000001 to 10^12, at most 6 places); the unit is checked first."""
    found = UNITS.get(unit)
    if found is None:
        raise AmountError(AmountFault.UNIT, f"unknown dose unit '{unit}'", _UNITS)
    if _ZERO.fullmatch(number):
        raise AmountError(AmountFault.ZERO, "an amount must be more than 0")
    try:
        value = limits.AMOUNT.read(number)
    except limits.LimitError as error:
        raise AmountError(AmountFault.NUMBER, error.message, error.hint) from None
    return Amount(value, found)


def parse_dose(text: str) -> tuple[str, Amount]:
    """`DRUG=AMOUNT UNIT` ("bendamustine=75 mg/m2"): a dose the regimen leaves to be supplied.

    The amount is read by `amount`; its mistakes are said with the whole text, as the
    command line's `--dose` and a roster's `doses` cell have always said them.
    """
    name, sep, rest = text.partition("=")
    parts = rest.split()
    if not sep or len(parts) != 2 or not name.strip():
        raise ValueError(f'\'{text}\' should read "DRUG=AMOUNT UNIT", e.g. "bendamustine=75 mg/m2"')
    number, unit = parts
    try:
        return name.strip(), amount(number, unit)
    except AmountError as error:
        if error.fault is AmountFault.UNIT:
            raise ValueError(f"unknown unit '{unit}' in '{text}'; {_UNITS}") from None
        raise ValueError(
            f"{quoted(number)} in {quoted(text)} is not a dose amount (a number such as 75 or 1.5, "
            f"{limits.AMOUNT.range_text})"
        ) from None
