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
from dosecal.model.measures import CreatinineUnit, Sex
from dosecal.model.regimen import MAX_POWER, UNITS, Amount, Basis

_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_NUMBER = re.compile(r"[0-9]{1,9}(\.[0-9]{1,9})?")
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


def parse_age(text: str) -> int:
    """An age as a whole number of years (its plausibility is `Measures`'s, as a weight's is)."""
    if not re.fullmatch(r"[0-9]{1,9}", text):
        raise ValueError(f"{quoted(text)} is not an age: give whole years, such as 64")
    return int(text)


def parse_sex(text: str) -> Sex:
    """female or male, in any case (the two values Cockcroft-Gault and Devine distinguish)."""
    try:
        return Sex(text.strip().lower())
    except ValueError:
        raise ValueError(f"{quoted(text)} is not a sex for a dose formula: give female or male") from None


# The spellings of the two units laboratories report creatinine in; the micro sign may be either.
_CREATININE_UNITS = {
    "mg/dl": CreatinineUnit.MG_DL,
    "umol/l": CreatinineUnit.UMOL_L,
    "\u00b5mol/l": CreatinineUnit.UMOL_L,
    "\u03bcmol/l": CreatinineUnit.UMOL_L,
}
_CREATININE = re.compile(r"(\S+)\s+(\S+)(?:\s+on\s+(\S+))?")


def parse_creatinine(text: str) -> tuple[Decimal, CreatinineUnit, dt.date | None]:
    """`VALUE UNIT [on YYYY-MM-DD]` ("1.0 mg/dL", "88 umol/L on 2026-12-01"): a serum creatinine as
    written, its unit, and the day it was measured. Its plausibility is `Creatinine`'s."""
    match = _CREATININE.fullmatch(text.strip())
    if match is None:
        raise ValueError(
            f'{quoted(text)} is not a serum creatinine; write it as "1.0 mg/dL" or "88 umol/L", '
            'optionally with the day it was measured: "1.0 mg/dL on 2026-12-01"'
        )
    number, unit_text, day = match.groups()
    unit = _CREATININE_UNITS.get(unit_text.lower())
    if unit is None:
        raise ValueError(f"unknown creatinine unit {quoted(unit_text)}: write mg/dL or umol/L")
    try:
        value = unit.limit.read(number, within=False)
    except limits.LimitError as error:
        raise ValueError(error.message) from None  # the limit's name says the unit
    return value, unit, parse_date(day) if day is not None else None


class AmountFault(enum.Enum):
    """Which rule of `amount` a written amount breaks."""

    UNIT = "unit"  # the unit is not one of UNITS
    ZERO = "zero"  # the number is 0: no dose
    NUMBER = "number"  # not a plain decimal within limits.AMOUNT (an exponent, 7 places, 10^13)
    POWER = "power"  # `x 10^N` with N beyond 1 to MAX_POWER


class AmountError(ValueError):
    """`AMOUNT UNIT` refused: the rule it breaks (`fault`), and a sentence and hint saying so
    (a course file's words; `parse_dose` has its own)."""

    def __init__(self, fault: AmountFault, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.fault, self.message, self.hint = fault, message, hint


# Said, not listed: the units are every one of mg, g, mcg, units and cells, flat, per kg and per
# m2, and of the first four a day too (UNITS, tests/language/test_values.py checks the words).
UNITS_HINT = (
    "units are mg, g, mcg, units and cells, flat or per kg or m2 (mg/kg, mg/m2), "
    "or a day (mg/day, mg/m2/day; not cells), AUC, written before its number (AUC 5), "
    "and Gy or cGy for radiotherapy"
)


def amount(number: str, unit: str, power: str | None = None) -> Amount:
    """`AMOUNT UNIT` ("75", "mg/m2"): a unit of UNITS, and a plain decimal more than 0 within
    limits.AMOUNT (from 0.000001 to 10^12, at most 6 places); the unit is checked first. `power`:
    the `x 10^6` of `2 x 10^6 cells/kg`, which the amount is then written with."""
    found = UNITS.get(unit)
    if found is None:
        raise AmountError(AmountFault.UNIT, f"unknown dose unit '{unit}'", UNITS_HINT)
    if _ZERO.fullmatch(number):
        raise AmountError(AmountFault.ZERO, "an amount must be more than 0")
    exponent = None if power is None else _exponent(power)
    written = "" if exponent is None else f"x 10^{exponent} {unit}"
    try:
        limit = limits.AUC if found.basis is Basis.AUC else limits.AMOUNT
        value = limit.read(number, 10**exponent if exponent else 1, written)
    except limits.LimitError as error:
        raise AmountError(AmountFault.NUMBER, error.message, error.hint) from None
    return Amount(value, found, exponent)


_POWER = re.compile(r"x[\t ]*10\^([0-9]{1,2})")


def _exponent(power: str) -> int:
    """The N of `x 10^N`, from 1 to MAX_POWER."""
    match = _POWER.fullmatch(power)
    if match is None or not 1 <= int(match.group(1)) <= MAX_POWER:
        written = power[power.index("10^") :] if "10^" in power else power
        message = f"{quoted(written)} is not a power of ten an amount is written with"
        raise AmountError(AmountFault.POWER, message, POWER_HINT)
    return int(match.group(1))


# Said alike by the regimen language (checks.py), course files and --dose.
POWER_HINT = f"write a power from 10^1 to 10^{MAX_POWER}, e.g. '2 x 10^6 cells/kg'"


# 2 x 10^6 cells/kg, and as the regimen language reads it, spaces or none: 2x10^6cells/kg.
_BY_POWER = re.compile(r"([0-9.]+)\s*(x\s*10\^[0-9]+)\s*(\S+)")


def parse_dose(text: str) -> tuple[str, Amount]:
    """`DRUG=AMOUNT UNIT` ("bendamustine=75 mg/m2"): a dose the regimen leaves to be supplied.

    The amount is read by `amount`; its mistakes are said with the whole text, as the
    command line's `--dose` and a roster's `doses` cell have always said them.
    """
    name, sep, rest = text.partition("=")
    parts = rest.split()
    power = None
    by_power = _BY_POWER.fullmatch(rest.strip())
    if by_power is not None:  # 2 x 10^6 cells/kg
        parts, power = [by_power.group(1), by_power.group(3)], by_power.group(2)
    if len(parts) == 2 and parts[1] == "AUC":
        raise ValueError(
            f"{quoted(text)}: a target AUC is written before its number, as in 'carboplatin=AUC 5'"
        )
    if len(parts) == 2 and parts[0] == "AUC":  # a target AUC is written before its number: AUC 5
        parts = [parts[1], parts[0]]
    if not sep or len(parts) != 2 or not name.strip():
        raise ValueError(f'\'{text}\' should read "DRUG=AMOUNT UNIT", e.g. "bendamustine=75 mg/m2"')
    number, unit = parts
    try:
        return name.strip(), amount(number, unit, power)
    except AmountError as error:
        if error.fault is AmountFault.POWER:
            raise ValueError(f"{error.message} in {quoted(text)}; {error.hint}") from None
        if error.fault is AmountFault.UNIT:
            raise ValueError(f"unknown unit '{unit}' in '{text}'; {UNITS_HINT}") from None
        if unit == "AUC":
            raise ValueError(f"AUC {quoted(number)} in {quoted(text)}: {limits.AUC.hint}") from None
        written = number if power is None else f"{number} {power}"
        raise ValueError(
            f"{quoted(written)} in {quoted(text)} is not a dose amount (a number such as 75 or 1.5, "
            f"{limits.AMOUNT.range_text})"
        ) from None
