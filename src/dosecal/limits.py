"""The range of every kind of number the languages read, in one place.

Regimen files, course files and roster cells each hold numbers; every kind
has a range here, checked where the number is read (DESIGN.md §5, "Bounded"),
so that no file can ask for work or output without end: a cycle number of 23
digits, a 5,000-digit weight, an infusion of a million hours. The checks are
made on the text first, so a huge number costs no arithmetic (Python refuses
to turn more than 4,300 digits into an int at all).

The tables in docs/language.md and docs/course.md ("Limits") show these
values; tests/test_bounds.py checks that they agree.

Amounts leave room for the units to come: a cell dose is written
`2 x 10^6 cells/kg` and its cap `2 x 10^8 cells`, both well below 10^12. With
at most 6 decimal places an amount has at most 19 significant digits, so a
dose times a weight or a body surface area stays exact in Decimal's 28.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

# Longest course that can be expanded, in cycles over all phases.
MAX_CYCLES = 200
# A cycle (and an interval, a delay) lasts at most a year, leap day included.
MAX_CYCLE_DAYS = 366
# A run of days without cycles (docs/language.md §34) lasts at most ten years, as a course expanded
# to an end date does (engine/timeline.py's MAX_YEARS): past that it is a typo.
MAX_RUN_DAYS = 3653
# Administrations of one patient's course (the longest real courses have a few thousand):
# past this a course is a mistake (a drug six times a day, every day, for 200 cycles), and
# its calendar, diary and tables would take minutes and gigabytes.
MAX_ADMINISTRATIONS = 20_000
# Adjustments of one course (delays, holds, changes): a real course has a handful; each
# dose is checked against them, so their number bounds the work of a course file.
MAX_ADJUSTMENTS = 500
# Clock times given for a drug's doses on one day (`at 08:00, 20:00`).
MAX_TIMES_A_DAY = 24
# A regimen or course file, in bytes: sixty times the largest bundled regimen, and small
# enough that reading it, and reading it again after each mistake, takes a second or two.
FILE_BYTES = 256 * 1024

# ASCII digits only: `\d` (and Decimal) would read Arabic-Indic or full-width digits as a number.
_NUMBER = re.compile(r"([0-9]+)(?:\.([0-9]+))?")
# Longer than this, a number is cut short in a message (the caret shows it whole).
_SHOWN = 30


class LimitError(ValueError):
    """A number outside its kind's range, or not written as that kind allows."""

    def __init__(self, message: str, hint: str, outside: bool = False, above: bool = False) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint
        # Well written but outside the range (callers may say why in their own words), and too high.
        self.outside, self.above = outside, above


@dataclass(frozen=True, slots=True)
class Limit:
    """The range of one kind of number: `low` to `high` (in `unit`), at most `places` decimals."""

    what: str  # how a message names the kind: "a cycle number"
    low: Decimal
    high: Decimal
    places: int = 0  # decimal places allowed; 0: a whole number
    unit: str = ""  # of low and high: "days", "min", "kg"
    note: str = ""  # the range in other words: "(52 weeks)"

    @property
    def range_text(self) -> str:
        """'from 1 to 366 days (52 weeks)', as the hint and the docs say it."""
        unit = f" {self.unit}" if self.unit else ""
        note = f" {self.note}" if self.note else ""
        noun = "decimal place" if self.places == 1 else "decimal places"
        places = f", with at most {self.places} {noun}" if self.places else ""
        return f"from {plain(self.low)} to {plain(self.high)}{unit}{note}{places}"

    @property
    def hint(self) -> str:
        return f"{self.what} runs {self.range_text}"

    def read(self, text: str, scale: int = 1, written: str = "", within: bool = True) -> Decimal:
        """The number `text` times `scale` (7 for weeks), or `LimitError`.

        `written` is the unit as the file gives it ("weeks"), for the message.
        `within=False` leaves the range to the caller (a number too long for
        any value of the range is still refused here).
        """
        match = _NUMBER.fullmatch(text)
        if match is None:
            raise LimitError(f"{shown(text)} is not a number for {self.what}", self.hint)
        whole, decimals = match.group(1), match.group(2) or ""
        if decimals and not self.places:
            raise LimitError(f"{self.what} must be a whole number, not {shown(text)}", self.hint)
        if len(decimals) > self.places:
            noun = "decimal place" if self.places == 1 else "decimal places"
            raise LimitError(f"{shown(text)} has more than {self.places} {noun}", self.hint)
        unit = f" {written}" if written else ""
        # Digits past the highest value's are out of range whatever they are: no arithmetic on them.
        if len(whole.lstrip("0")) > len(str(int(self.high))):
            raise LimitError(f"{shown(text)}{unit} is out of range for {self.what}", self.hint, True, True)
        value = Decimal(text) * scale
        if within and not self.low <= value <= self.high:
            raise LimitError(
                f"{shown(text)}{unit} is out of range for {self.what}", self.hint, True, value > self.high
            )
        return value

    def whole(self, text: str, scale: int = 1, written: str = "") -> int:
        """`read` for a kind without decimals."""
        return int(self.read(text, scale, written))


def shown(text: str) -> str:
    """A number as written, cut short when it is long ('99999999999999999999…')."""
    return text if len(text) <= _SHOWN else f"{text[:20]}…"


def implausible_cycles(text: str) -> str:
    """A number of cycles out of range, in the words the command line uses (dosecal.engine.timeline)."""
    return f"{shown(text)} cycles is not plausible (expected {CYCLE_COUNT.low}-{CYCLE_COUNT.high})"


def plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _limit(what: str, low: str, high: str | int, places: int = 0, unit: str = "", note: str = "") -> Limit:
    return Limit(what, Decimal(low), Decimal(high), places, unit, note)


# ---- regimen files --------------------------------------------------------------

CYCLE_LENGTH = _limit("a cycle length", "1", MAX_CYCLE_DAYS, unit="days", note="(52 weeks)")
CYCLE_COUNT = _limit("the number of cycles", "1", MAX_CYCLES)
CYCLE_NUMBER = _limit("a cycle number", "1", MAX_CYCLES)
# Within its cycle, too; the cycle's length is checked when the day is read.
DAY = _limit("a day", "1", MAX_CYCLE_DAYS)
INTERVAL = _limit("an interval", "1", MAX_CYCLE_DAYS, unit="days", note="(52 weeks)")
DOSE_COUNT = _limit("the number of doses", "1", 1000)
REST = _limit("a rest", "1", MAX_CYCLE_DAYS, unit="days", note="(52 weeks)")
# Minutes (hours are read as 60 of them); as long as the longest cycle. A duration
# is also a whole number of minutes, which 2 decimal places of an hour can make.
DURATION = _limit("a duration", "1", MAX_CYCLE_DAYS * 24 * 60, 2, "min", "(8784 hours, 366 days)")
AMOUNT = _limit("an amount", "0.000001", 10**12, 6, note="(10^12)")
# A target AUC (mg/mL x min) for Calvert: protocols give 1.5 to 7; 10 leaves room, 0.5 too.
AUC = _limit("a target AUC", "0.5", 10, 2)

# ---- course files and rosters -----------------------------------------------------

# The same decimal places for both, so that a roster cell is read alike for either.
MEASURE_PLACES = 2
WEIGHT = _limit("a weight", "1", 300, MEASURE_PLACES, "kg")
HEIGHT = _limit("a height", "30", 250, MEASURE_PLACES, "cm")
DELAY = _limit("a delay", "1", MAX_CYCLE_DAYS, unit="days", note="(52 weeks)")
PERCENT = _limit("a rounding percent", "0.01", 100, 2)
# Cockcroft-Gault is an adult's formula; an age is checked here for plausibility only.
AGE = _limit("an age", "0", 120, unit="years")
# Serum creatinine, as laboratories report it; 88.4 umol/L is 1 mg/dL.
CREATININE_MG_DL = _limit("a creatinine in mg/dL", "0.1", 20, 2, "mg/dL")
CREATININE_UMOL_L = _limit("a creatinine in umol/L", "9", 1770, 1, "umol/L")

# ---- limits a regimen puts on values computed for a patient ---------------------------

BMI = _limit("a BMI", "10", 80, 1, "kg/m2")
BSA_BOUND = _limit("a body surface area limit", "0.1", 5, 2, "m2")
CLEARANCE_BOUND = _limit("a creatinine clearance limit", "1", 500, 2, "mL/min")

# Every kind, in the order the docs' tables list them.
REGIMEN_LIMITS = (
    CYCLE_LENGTH,
    CYCLE_COUNT,
    CYCLE_NUMBER,
    DAY,
    INTERVAL,
    DOSE_COUNT,
    REST,
    DURATION,
    AMOUNT,
    AUC,
    BSA_BOUND,
    CLEARANCE_BOUND,
    BMI,
)
COURSE_LIMITS = (
    CYCLE_COUNT,
    CYCLE_NUMBER,
    DAY,
    DELAY,
    WEIGHT,
    HEIGHT,
    AGE,
    CREATININE_MG_DL,
    CREATININE_UMOL_L,
    AMOUNT,
    AUC,
    PERCENT,
)
