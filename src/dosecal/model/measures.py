"""The patient's values a dose may be computed from: body measures, age, sex, serum creatinine.

Each is checked for plausibility here, where it is made, so that the command
line, a course file, a roster cell and the Python API refuse the same values
in the same words. Which of them a regimen needs is the dose rules' business
(dosecal.model.dosing, dosecal.model.renal); a value no rule uses changes
nothing and is accepted, as a weight is for a regimen of flat doses.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from decimal import Decimal

from dosecal import limits
from dosecal.errors import CourseError, Subject
from dosecal.limits import Limit

# 88.4 umol/L of creatinine is 1 mg/dL (molar mass 113.12 g/mol).
UMOL_PER_MG_DL = Decimal("88.4")


class BsaFormula(enum.Enum):
    """How body surface area is computed from weight and height (Mosteller unless the course says)."""

    MOSTELLER = "mosteller"
    DUBOIS = "dubois"


class Sex(enum.Enum):
    """The sex a formula asks for (Cockcroft-Gault, Devine): the value as written in every input."""

    FEMALE = "female"
    MALE = "male"


class CreatinineUnit(enum.Enum):
    """The two units laboratories report serum creatinine in; the value is how dosecal writes it."""

    MG_DL = "mg/dL"
    UMOL_L = "umol/L"

    @property
    def limit(self) -> Limit:
        return limits.CREATININE_MG_DL if self is CreatinineUnit.MG_DL else limits.CREATININE_UMOL_L


@dataclass(frozen=True, slots=True)
class Creatinine:
    """A serum creatinine as the laboratory reported it, with the day it was measured if known."""

    value: Decimal
    unit: CreatinineUnit
    measured: dt.date | None = None
    # As written, and part of its identity: "1.0" and "1" are equal numbers, but each is shown as
    # written, so two patients who differ only so must not share one expansion (batch.tables).
    written: str = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.unit, CreatinineUnit):
            raise CourseError(
                f"a creatinine unit is mg/dL or umol/L, not {self.unit!r}", subject=Subject.CREATININE
            )
        if not isinstance(self.value, Decimal):
            object.__setattr__(self, "value", _decimal(self.value, "creatinine"))
        if self.measured is not None and not isinstance(self.measured, dt.date):
            raise CourseError(
                f"the day a creatinine was measured is a date, not {self.measured!r}",
                subject=Subject.CREATININE,
            )
        object.__setattr__(
            self, "written", format(self.value, "f") if self.value.is_finite() else str(self.value)
        )
        limit = self.unit.limit
        if not self.value.is_finite() or not limit.low <= self.value <= limit.high:
            shown = format(self.value, "f") if self.value.is_finite() else str(self.value)
            raise CourseError(
                f"a serum creatinine of {shown} {self.unit.value} is not plausible "
                f"(expected {limits.plain(limit.low)}-{limits.plain(limit.high)} {self.unit.value})",
                subject=Subject.CREATININE,
            )

    @property
    def mg_dl(self) -> Decimal:
        """In mg/dL, exact (not rounded): umol/L divided by 88.4."""
        return self.value if self.unit is CreatinineUnit.MG_DL else self.value / UMOL_PER_MG_DL

    def __str__(self) -> str:
        # As written: a laboratory's "1.0 mg/dL" stays 1.0, not 1.
        return f"{self.written} {self.unit.value}"


@dataclass(frozen=True, slots=True)
class Measures:
    """The patient's values; any may be missing.

    `age` is in whole years at the start of the course (a course file's date
    of birth is turned into it there, so that every cycle is dosed from the
    same age: a dose rule is decided once, at the start).
    """

    weight_kg: Decimal | None = None
    height_cm: Decimal | None = None
    bsa_formula: BsaFormula = BsaFormula.MOSTELLER
    age: int | None = None
    sex: Sex | None = None
    creatinine: Creatinine | None = None

    def __post_init__(self) -> None:
        # Callers may pass ints or floats; keep the decimal they wrote (70.5, not 70.5000000001).
        for name in ("weight_kg", "height_cm"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Decimal):
                object.__setattr__(self, name, _decimal(value, name))
        _check(Subject.WEIGHT, self.weight_kg, limits.WEIGHT)
        _check(Subject.HEIGHT, self.height_cm, limits.HEIGHT)
        if self.age is not None:
            if isinstance(self.age, bool) or not isinstance(self.age, int):
                raise CourseError(f"an age is a whole number of years, not {self.age!r}", subject=Subject.AGE)
            _check(Subject.AGE, Decimal(self.age), limits.AGE)
        if isinstance(self.sex, str) and not isinstance(self.sex, Sex):  # the API may pass the word
            if self.sex.lower() not in ("female", "male"):
                raise CourseError(f"sex '{self.sex}' is not female or male", subject=Subject.SEX)
            object.__setattr__(self, "sex", Sex(self.sex.lower()))
        elif self.sex is not None and not isinstance(self.sex, Sex):
            raise CourseError(f"sex {self.sex!r} is not female or male", subject=Subject.SEX)
        if self.creatinine is not None and not isinstance(self.creatinine, Creatinine):
            raise CourseError(
                f"a creatinine is a Creatinine (value, unit), not {self.creatinine!r}",
                subject=Subject.CREATININE,
                hint='e.g. Creatinine(Decimal("1.0"), CreatinineUnit.MG_DL)',
            )


# The field of each measure, and what its value is about.
_SUBJECTS = {"weight_kg": Subject.WEIGHT, "height_cm": Subject.HEIGHT, "creatinine": Subject.CREATININE}


def _decimal(value: object, name: str) -> Decimal:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise CourseError(
            f"{name.replace('_', ' in ')} '{value}' is not a number",
            subject=_SUBJECTS[name],
            quoted=str(value),
        ) from None


def _check(what: Subject, value: Decimal | None, limit: Limit) -> None:
    if value is None:
        return
    low, high, unit = limit.low, limit.high, limit.unit
    if not value.is_finite() or not low <= value <= high:
        shown = format(value.normalize(), "f") if value.is_finite() else str(value)
        raise CourseError(
            f"{what.value} {shown} {unit} is not plausible (expected {low}-{high} {unit})", subject=what
        )


def age_at(born: dt.date, day: dt.date) -> int:
    """Whole years from `born` to `day` (a birthday on 29 February counts on 1 March in other years)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
