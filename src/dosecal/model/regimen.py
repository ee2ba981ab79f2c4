"""The regimen model: what a regimen file means, checked and typed.

Built by `language.lower` from the syntax tree; read by `expand`. Nothing
here knows about text positions beyond the source line each rule came from
(kept so every administration can say which line produced it).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import islice

from dosecal.errors import CourseError, Subject
from dosecal.limits import MAX_RUN_DAYS
from dosecal.model.measures import Sex
from dosecal.model.strengths import RoundWay


class Basis(enum.Enum):
    """How a prescribed amount scales with the patient."""

    FLAT = "flat"
    PER_KG = "per kg"
    PER_M2 = "per m2"
    AUC = "AUC"  # a target area under the curve: mg by the Calvert formula from the clearance


@dataclass(frozen=True, slots=True)
class Unit:
    """A dose unit: `mg/m2` is `mg` (the absolute unit) per m2; `mg/m2/day` is that per day."""

    text: str
    absolute: str
    basis: Basis
    per_day: bool = False  # an amount a day: given once a day, or the rate of a continuous infusion

    @property
    def kind(self) -> str:
        """What the unit measures, for conversions: 'mass', 'units' (of activity), 'cells' or
        'radiation' (an absorbed dose, Gy or cGy)."""
        if self.absolute in _IN_MG:
            return "mass"
        return RADIATION if self.absolute in _IN_GY else self.absolute

    @property
    def of_the_whole(self) -> Unit:
        """The unit of an amount over days: `mg/m2` for `mg/m2/day` (itself when not per day)."""
        return UNITS[self.text.removesuffix("/day")] if self.per_day else self


# Mass units convert to one another; "units" (of activity) and cells convert to nothing else.
_IN_MG = {"mg": Decimal(1), "g": Decimal(1000), "mcg": Decimal("0.001")}
# A radiotherapy fraction's absorbed dose, as protocols write it (1.8 Gy; older ones 180 cGy): flat,
# never per kg or m2, never a day's; it converts to nothing but itself.
RADIATION = "radiation"
_IN_GY = {"Gy": Decimal(1), "cGy": Decimal("0.01")}
# An amount of cells is written as protocols write it, by a power of ten: 2 x 10^6 cells/kg.
CELLS = "cells"
# The largest power of ten an amount is written with (limits.AMOUNT ends at 10^12).
MAX_POWER = 12


def _units() -> dict[str, Unit]:
    table: dict[str, Unit] = {}
    for absolute in ("mg", "g", "mcg", "units", CELLS):
        table[absolute] = Unit(absolute, absolute, Basis.FLAT)
        table[f"{absolute}/kg"] = Unit(f"{absolute}/kg", absolute, Basis.PER_KG)
        table[f"{absolute}/m2"] = Unit(f"{absolute}/m2", absolute, Basis.PER_M2)
    for absolute in ("mg", "g", "mcg", "units"):  # cells are given once, never a day
        for per in ("", "/kg", "/m2"):
            text = f"{absolute}{per}/day"
            table[text] = Unit(text, absolute, table[f"{absolute}{per}"].basis, per_day=True)
    # Written before its number, as protocols write it: `carboplatin AUC 5` (mg/mL x min).
    table["AUC"] = Unit("AUC", "mg", Basis.AUC)
    for absolute in _IN_GY:
        table[absolute] = Unit(absolute, absolute, Basis.FLAT)
    return table


UNITS: dict[str, Unit] = _units()


def convert(value: Decimal, unit: str, to: str) -> Decimal | None:
    """`value` in absolute unit `unit`, expressed in `to`; None if they do not convert."""
    if unit == to:
        return value
    for table in (_IN_MG, _IN_GY):
        if unit in table and to in table:
            return value * table[unit] / table[to]
    return None


ROUTES: dict[str, str] = {
    "IV": "intravenous",
    "PO": "oral",
    "SC": "subcutaneous",
    "IM": "intramuscular",
    "IT": "intrathecal",
    "SL": "sublingual",
}


@dataclass(frozen=True, slots=True)
class Amount:
    """A stated amount, e.g. 75 mg/m2. Decimal, so 1.4 stays 1.4.

    `power` is the power of ten it was written with (`0.2 x 10^6 cells/kg`), so that it is shown
    as written; it is not part of what the amount is (2 x 10^5 is 0.2 x 10^6).
    """

    value: Decimal
    unit: Unit
    power: int | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return amount_text(self.value, self.unit.text, self.power)


def size(amount: Amount) -> Decimal:
    """An amount's size for comparing strengths: in mg for mass (0.5 g is 500), as it is for units,
    which compare only among themselves (a rule's strengths are all mass, or all units)."""
    return convert(amount.value, amount.unit.absolute, "mg") or amount.value


def amount_text(value: Decimal, unit: str, power: int | None = None) -> str:
    """75 mg/m2, AUC 5 (the target comes first, as protocols write it), and cells by a power of
    ten, as protocols write them: 1.4 x 10^8 cells (`power`: the one it was written with); fewer
    than 10 cells plainly (no 5 x 10^0, a power the language does not read); units from a million
    by a power too (18000000 units is 1.8 x 10^7 units: eight digits are misread by ten)."""
    if unit == "AUC":
        return f"AUC {format_decimal(value)}"
    exponent = value.normalize().adjusted()
    if (
        power is not None
        or (unit.startswith(CELLS) and exponent >= 1)
        or (unit.startswith("units") and exponent >= 6)
    ):
        return f"{power_text(value, power)} {unit}"
    return f"{format_decimal(value)} {unit}"


def power_text(value: Decimal, power: int | None = None) -> str:
    """2000000 as '2 x 10^6'; with `power`, by that power (0.2 x 10^6), else from 1 to 9.99..."""
    exponent = power if power is not None else value.normalize().adjusted()
    mantissa = format_decimal(value.scaleb(-exponent))
    return f"{mantissa} x 10^{exponent}"


@dataclass(frozen=True, slots=True)
class Required:
    """A dose the regimen leaves to be supplied when expanding (e.g. an RP2D)."""


@dataclass(frozen=True, slots=True)
class Unstated:
    """A dose the source does not state. It stays blank in every output."""


@dataclass(frozen=True, slots=True)
class DoseRange:
    """A dose the source states as a range (folic acid 400 to 1000 mcg), in one flat unit. It is
    shown as the range in every output and never replaced by a value dosecal picks: the clinic may
    give the dose within it (--dose)."""

    low: Amount
    high: Amount

    def __str__(self) -> str:
        return f"{format_decimal(self.low.value)} to {self.high}"


DoseSpec = Amount | DoseRange | Required | Unstated


def format_decimal(value: Decimal) -> str:
    """75 -> '75', 1.40 -> '1.4', 136.50 -> '136.5' (never scientific notation)."""
    text = format(value.normalize(), "f")
    return text


class WeightBasis(enum.Enum):
    """The weight Cockcroft-Gault is computed with, as the regimen states it."""

    ACTUAL = "actual"
    IDEAL = "ideal"  # Devine
    ADJUSTED = "adjusted"  # ideal + 0.4 x (actual - ideal)


@dataclass(frozen=True, slots=True)
class Bounds:
    """Limits the regimen puts on a value computed for a patient: a BSA in m2, a clearance in
    mL/min. A value above `high` is used as `high`, one below `low` as `low`; the basis says so."""

    low: Decimal | None
    high: Decimal | None
    line: int


@dataclass(frozen=True, slots=True)
class Renal:
    """How the regimen estimates renal function for a dose by AUC: Cockcroft-Gault with the weight
    it states, within its bounds (FDA's carboplatin guidance caps it at 125 mL/min)."""

    weight: WeightBasis
    bounds: Bounds | None
    line: int


@dataclass(frozen=True, slots=True)
class Rounding:
    """A rounding rule for computed doses (a course's or a regimen's): to a `step` (the nearest,
    or down, or up), or to the totals whole units of `strengths` make (150 mg and 500 mg tablets);
    only when that moves the dose by at most `within_percent` (None: always). Stated doses are
    never rounded. `said` is what the basis names the rule by ("regimen line 14"), or nothing."""

    step: Amount | None  # a flat amount: 5 mg; None when the rule is one of strengths
    within_percent: Decimal | None = None
    way: RoundWay = RoundWay.NEAREST
    strengths: tuple[Amount, ...] = ()  # flat amounts, the largest first
    form: str = ""  # of the strengths: "tablets", "capsules", "vials"
    said: str = ""
    line: int | None = None  # the regimen's or the course's line that states it

    def __str__(self) -> str:
        limit = self.within_percent
        within = f" within {format_decimal(limit)} percent" if limit is not None else ""
        return f"{self.rule()}{within}"

    def rule(self) -> str:
        """'to the nearest 5 mg', 'down to the nearest 5 mg', 'down to 150 mg and 500 mg tablets'."""
        way = "" if self.way is RoundWay.NEAREST else f"{self.way.value} "
        if self.step is not None:
            return f"{way}to the nearest {self.step}"
        # By size, smallest first, as labels list them: 150 mg before 0.5 g.
        sizes = [str(s) for s in sorted(self.strengths, key=size)]
        listed = sizes[0] if len(sizes) == 1 else f"{', '.join(sizes[:-1])} and {sizes[-1]}"
        return f"{way}to {listed} {self.form}".rstrip()


class Attribute(enum.Enum):
    """A patient value a regimen's condition is on; the value is how the language writes it."""

    CRCL = "CrCl"  # mL/min: Cockcroft-Gault by the drug's rule, before that rule's bounds
    AGE = "age"  # whole years at the start
    BMI = "BMI"  # kg/m2: weight / height^2
    WEIGHT = "weight"  # kg, as the course gives it
    SEX = "sex"  # written `if female`, `if male`


class Compare(enum.Enum):
    """How a condition compares the patient's value with its number."""

    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    IS = "is"  # a sex: `if female`

    def holds(self, value: Decimal, limit: Decimal) -> bool:
        if self is Compare.LT:
            return value < limit
        if self is Compare.LE:
            return value <= limit
        if self is Compare.GT:
            return value > limit
        if self is Compare.GE:
            return value >= limit
        raise ValueError(f"{self.value} compares no numbers")  # IS: Condition.holds compares a sex


# The unit each attribute is written in after its number (age: none).
ATTRIBUTE_UNITS = {
    Attribute.CRCL: "mL/min",
    Attribute.AGE: "",
    Attribute.BMI: "kg/m2",
    Attribute.WEIGHT: "kg",
    Attribute.SEX: "",
}


@dataclass(frozen=True, slots=True)
class Condition:
    """`CrCl < 45 mL/min`, `age >= 75`, `female`: a patient value compared, decided at the start.

    A condition on the sex (`Compare.IS`) has a `Sex` for its value; every other, a number.
    """

    attribute: Attribute
    compare: Compare
    value: Decimal | Sex

    def holds(self, value: Decimal | Sex) -> bool:
        """Whether the patient's `value` (of this condition's attribute) meets it."""
        if isinstance(self.value, Sex) or isinstance(value, Sex):
            return value == self.value
        return self.compare.holds(value, self.value)

    def __str__(self) -> str:
        if isinstance(self.value, Sex):
            return self.value.value
        unit = ATTRIBUTE_UNITS[self.attribute]
        number = f"{format_decimal(self.value)} {unit}".rstrip()
        return f"{self.attribute.value} {self.compare.value} {number}"


@dataclass(frozen=True, slots=True)
class PatientLimit:
    """A label's limit on a patient value: the drug is not given when `condition` holds (a course
    is refused), or, `warn`, it is given and every output says the condition holds."""

    condition: Condition
    warn: bool
    line: int


@dataclass(frozen=True, slots=True)
class Alternative:
    """A dose the drug has in place of its own when `condition` holds for the patient (decided once,
    at the start): `dexamethasone 40 mg, 20 mg if age >= 75`."""

    dose: Amount
    condition: Condition
    line: int


@dataclass(frozen=True, slots=True)
class Duration:
    """Infusion time in minutes; `low < high` for a range such as 30-60 min.

    Said in words by dosecal.views.wording (`duration_text`), as every duration is.
    """

    low: int
    high: int


class Parity(enum.Enum):
    ODD = "odd"
    EVEN = "even"


@dataclass(frozen=True, slots=True)
class CycleRange:
    """Cycles `first` to `last` inclusive; `last` None means open-ended (7+)."""

    first: int
    last: int | None

    def __contains__(self, cycle: int) -> bool:
        return self.first <= cycle and (self.last is None or cycle <= self.last)

    def __str__(self) -> str:
        if self.last is None:
            return f"{self.first}+"
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


@dataclass(frozen=True, slots=True)
class CycleSelector:
    """Which cycles a clause applies to. No ranges means every cycle."""

    ranges: tuple[CycleRange, ...] = ()
    parity: Parity | None = None

    def matches(self, cycle: int) -> bool:
        if self.parity is Parity.ODD and cycle % 2 == 0:
            return False
        if self.parity is Parity.EVEN and cycle % 2 == 1:
            return False
        return not self.ranges or any(cycle in r for r in self.ranges)

    def describe(self) -> str:
        """'cycle 1', 'cycles 2 and later', 'odd cycles', 'every cycle'."""
        words = f"{self.parity.value} " if self.parity else ""
        if not self.ranges:
            return f"{words}cycles" if words else "every cycle"
        if len(self.ranges) == 1 and self.ranges[0].last is None:
            return f"{words}cycles {self.ranges[0].first} and later"
        single = len(self.ranges) == 1 and self.ranges[0].first == self.ranges[0].last
        noun = "cycle" if single else "cycles"
        return f"{words}{noun} {', '.join(str(r) for r in self.ranges)}"


@dataclass(frozen=True, slots=True)
class DayRule:
    """Days of the cycle (1-based) in the selected cycles.

    `runs` are the day items of a continuous infusion's line as written, each one infusion:
    `days 1-7` is (1, 7). Empty for any other drug, whose `days` are each a day's doses.
    """

    selector: CycleSelector
    days: tuple[int, ...]
    runs: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class IntervalRule:
    """Every N days from cycle/day anchor, for `count` doses or to the horizon.

    A dose falls on whatever cycle and day its date lands in.
    """

    every_days: int
    anchor_cycle: int
    anchor_day: int
    count: int | None


@dataclass(frozen=True, slots=True)
class Slot:
    """One of the day's doses of a drug: 1 (first) ..; a clock time if stated."""

    number: int
    time: str | None = None


@dataclass(frozen=True, slots=True)
class Anchor:
    """The other drug a line's days are counted from (`the day before, the day of and the day after
    pemetrexed`), resolved for the cycles in which the same lines of that drug are given: `serves`
    says for each day which of the other drug's days it goes with."""

    agent: str  # the other drug's key
    lines: tuple[int, ...]  # its schedule lines these days are counted from (in these cycles)
    shifts: tuple[int, ...]  # as written: -1 the day before, 0 the day of, 1 the day after
    serves: tuple[tuple[int, tuple[int, ...]], ...]  # (day of this line, the other drug's days)

    def words(self) -> str:
        """'the day before, the day of and the day after pemetrexed'."""
        said = [shift_words(k) for k in self.shifts]
        listed = ", ".join(said[:-1]) + " and " + said[-1] if len(said) > 1 else said[0]
        return f"{listed} {self.agent}"

    def anchor_days(self, day: int) -> tuple[int, ...]:
        """The other drug's days that this line's `day` goes with."""
        return next((days for d, days in self.serves if d == day), ())


_SHIFT_WORDS = {-1: "the day before", 0: "the day of", 1: "the day after"}


def shift_words(shift: int) -> str:
    """-1 'the day before', 0 'the day of', 7 '7 days after': a day counted from a dose."""
    return _SHIFT_WORDS.get(shift) or (f"{-shift} days before" if shift < 0 else f"{shift} days after")


@dataclass(frozen=True, slots=True)
class CoursePoint:
    """A day counted from the first or the last dose of another drug in the whole course, as labels
    write premedication: `7 days before the first pemetrexed`, `21 days after the last pemetrexed`."""

    agent: str  # the other drug's key
    last: bool  # its last dose given in the course, else its first
    shift: int  # days from that dose: -7 seven days before, 0 the day of it

    def words(self) -> str:
        """'7 days before the first pemetrexed'; 'the last pemetrexed' for the day of it."""
        which = f"the {'last' if self.last else 'first'} {self.agent}"
        return which if self.shift == 0 else f"{shift_words(self.shift)} {which}"


@dataclass(frozen=True, slots=True)
class CourseRule:
    """A line over the whole course, counted from another drug's doses rather than cycle days:
    a dose on `start`, then, every `every_days` days (None: that one dose), up to `end` (None: the
    last dose of the drug `start` is counted from) or `count` doses. A drug given by such lines
    belongs to no phase (`Regimen.course_agents`); its dates are found once the other drug's are."""

    start: CoursePoint
    every_days: int | None
    end: CoursePoint | None
    count: int | None

    @property
    def until(self) -> CoursePoint:
        """The last day it may fall on: `end`, else the day of the last dose of `start`'s drug."""
        return self.end or CoursePoint(self.start.agent, True, 0)

    def dates(self, scheduled: dict[str, list[dt.date]], given: dict[str, list[dt.date]]) -> list[dt.date]:
        """Its dates, from the dates of each drug's doses in the schedule and of those given (in
        date order): a first dose is the first in the schedule, held or not (what goes before it
        is begun before a hold can be decided on its day); a last dose is the last given. None
        when a drug a point is counted from has no such dose."""
        first, last = (_on(p, given if p.last else scheduled) for p in (self.start, self.until))
        if first is None or last is None:
            return []
        if self.every_days is None:
            return [first]
        out: list[dt.date] = []
        day = first
        while day <= last and (self.count is None or len(out) < self.count):
            out.append(day)
            day += dt.timedelta(days=self.every_days)
        return out


def _on(point: CoursePoint, given: dict[str, list[dt.date]]) -> dt.date | None:
    dates = given.get(point.agent)
    if not dates:
        return None
    return (dates[-1] if point.last else dates[0]) + dt.timedelta(days=point.shift)


# One day of each day of the week, from a Monday: where a count by days of the week is tried from
# every day a phase may start on (`WeekdayRule.most`, `dosecal show`'s counts).
A_WEEK = tuple(dt.date(2024, 1, 1) + dt.timedelta(days=n) for n in range(7))
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class WeekdayRule:
    """Days of the week (0 Monday .. 6 Sunday, as `date.weekday()`) on the dates of each selected
    cycle's days 1 to its length (NSABP R-04's "5 days/wk": Monday to Friday); with `count`, only
    the first `count` such days of the phase. `run` is the first day of a span as written
    (`Friday to Monday`), None for days listed; the days are in the week's order from it."""

    weekdays: tuple[int, ...]
    count: int | None
    run: int | None = None

    def days_in(
        self, selector: CycleSelector, cycle_days: int, starts: tuple[dt.date, ...]
    ) -> Iterator[tuple[int, int]]:
        """(cycle, day) of its days in the `selector`'s cycles, each starting on its date in
        `starts`: the cycle's days 1 to `cycle_days` whose dates fall on them, the first `count`."""
        days = (
            (cycle, day)
            for cycle, start in enumerate(starts, start=1)
            if selector.matches(cycle)
            for day in range(1, cycle_days + 1)
            if (start + dt.timedelta(days=day - 1)).weekday() in self.weekdays
        )
        return islice(days, self.count)

    def most(self, selector: CycleSelector, cycle_days: int, cycles: int) -> int:
        """The most of its days `cycles` cycles hold, from whichever day of the week they start."""
        return max(
            sum(1 for _ in self.days_in(selector, cycle_days, _starts(start, cycle_days, cycles)))
            for start in A_WEEK
        )

    def words(self) -> str:
        """'Monday to Friday', 'Mondays and Thursdays', 'Mondays'."""
        if self.run is not None and len(self.weekdays) > 1:
            last = self.weekdays[-1]
            return f"{WEEKDAYS[self.run]} to {WEEKDAYS[last]}"
        said = [f"{WEEKDAYS[d]}s" for d in self.weekdays]
        return said[0] if len(said) == 1 else f"{', '.join(said[:-1])} and {said[-1]}"


def last_day(clause: Clause, cycle_days: int, start: dt.date) -> int:
    """The last day a line gives a dose on in cycle 1 of `cycle_days` days starting on `start`
    (0: none): how long a run without cycles lasts (`Phase.length_from`). Every line of a run
    states its end (lowering refuses one that does not), so an interval here has its count."""
    rule = clause.rule
    if isinstance(rule, IntervalRule):
        return rule.anchor_day + ((rule.count or 1) - 1) * rule.every_days
    if clause.weekdays is not None:  # its days are found on the dates (its rule has none)
        return max((d for _, d in clause.weekdays.days_in(rule.selector, cycle_days, (start,))), default=0)
    return max((*rule.days, *(end for _, end in rule.runs)), default=0)


def _starts(first: dt.date, cycle_days: int, cycles: int) -> tuple[dt.date, ...]:
    return tuple(first + dt.timedelta(days=n * cycle_days) for n in range(cycles))


@dataclass(frozen=True, slots=True)
class Clause:
    """One schedule line of a drug, with what it may say about dose and time."""

    rule: DayRule | IntervalRule
    dose: DoseSpec | None  # None: the drug's own dose (or its level's)
    slots: tuple[Slot, ...]
    step_up: bool
    duration: Duration | None
    line: int
    cap: Amount | None = None  # the line's own cap, in place of the drug's
    condition: Condition | None = None  # the line is for patients it holds for (decided at the start)
    anchor: Anchor | None = None  # the days are counted from another drug's doses
    # A line over the whole course (`daily from 7 days before the first pemetrexed ...`): then `rule`
    # is a rule of no days, so that what reads cycle days finds none in it.
    course: CourseRule | None = None
    # Days of the week (`Monday to Friday`): then `rule` has the line's cycles and no days; the
    # days are found when the cycles' dates are (engine.expand).
    weekdays: WeekdayRule | None = None


# Just below and above a threshold, by the values a patient can have: ages are whole years (no
# one is both under 75 and over 74), weights are given to 0.01 kg (no one is over 44.99 and under
# 45); a BMI or a clearance is computed, exact, so 0.001 falls between two thresholds of 2 decimals.
_THRESHOLD_STEP = {Attribute.AGE: Decimal(1), Attribute.WEIGHT: Decimal("0.01")}
_FINE_STEP = Decimal("0.001")


def drug_key(name: str, label: str | None) -> str:
    """A drug as the regimen names it, with its label when it has one: 'fluorouracil (bolus)'.

    The one spelling of a drug everywhere: agents, course files, rows, visits, the diary.
    """
    return f"{name} ({label})" if label else name


def line_sets(clauses: tuple[Clause, ...]) -> list[tuple[Clause, ...]]:
    """The sets of a drug's schedule lines one patient can be given: every line without a condition,
    and the lines whose conditions hold at once. A drug's lines are chosen by one patient value
    (lowering says so), so trying that value at, just below and just above each threshold meets
    every set: thresholds are written to 2 decimals at most (ages whole), further apart than the
    step tried."""
    if all(c.condition is None for c in clauses):
        return [clauses]
    sets = (
        tuple(c for c in clauses if c.condition is None or c.condition.holds(p))
        for p in threshold_points(clauses)
    )
    return list(dict.fromkeys(sets))


def threshold_step(attribute: Attribute) -> Decimal:
    """The step between two values of `attribute` a patient can have, as finely as they differ."""
    return _THRESHOLD_STEP.get(attribute, _FINE_STEP)


def threshold_points(clauses: tuple[Clause, ...]) -> list[Decimal | Sex]:
    """The patient values that meet every set of a drug's lines: each threshold, and a step either
    side of it (both sexes, for a condition on the sex)."""
    points: list[Decimal | Sex] = []
    for c in (c.condition for c in clauses if c.condition is not None):
        if isinstance(c.value, Sex):
            points += list(Sex)
        else:
            step = threshold_step(c.attribute)
            points += [c.value - step, c.value, c.value + step]
    return points


class Kind(enum.StrEnum):
    """What a line of the regimen gives: the `kind` column's text (docs/table.md). A `str` enum, as
    the table's `Status` is."""

    DRUG = "drug"
    RADIOTHERAPY = "radiotherapy"  # fractions, the dose in Gy: given in the clinic, no route


@dataclass(frozen=True, slots=True)
class Agent:
    """A drug as the regimen gives it, with its schedule clauses (or radiotherapy: `kind`)."""

    name: str
    label: str | None  # tells two declarations of one drug apart: (bolus)
    dose: DoseSpec
    cap: Amount | None
    route: str | None
    form: str | None
    duration: Duration | None
    after: tuple[str, ...]  # keys of agents given before this one on a shared day
    self_administered: bool
    notes: tuple[str, ...]
    missed_dose: str | None
    clauses: tuple[Clause, ...]
    line: int
    bsa: Bounds | None = None  # the drug's own BSA limits, else the regimen's
    renal: Renal | None = None  # the drug's own clearance rule, else the regimen's
    rounding: Rounding | None = None  # the drug's own rounding rule, else the regimen's
    limits: tuple[PatientLimit, ...] = ()  # `not given if CrCl < 45 mL/min`, `warn if age >= 80`
    alternatives: tuple[Alternative, ...] = ()  # doses in place of `dose`, the first that holds
    # `at most 35 doses in all`: the drug's doses given in the whole course, all phases together
    # (a held dose is not given, so it does not count), with the line that says so.
    total: tuple[int, int] | None = None
    # Radiotherapy where the doses are in Gy (docs/language.md §33); else a drug.
    kind: Kind = Kind.DRUG
    # `with oxaliplatin`: the drug of the phase it starts together with, right before it in `agents`
    # (its `after` is then empty: it is placed by that drug).
    given_with: str | None = None

    @property
    def key(self) -> str:
        """Unique name within a phase: 'fluorouracil (bolus)'."""
        return drug_key(self.name, self.label)


def kind_misfit(agent: Agent, dose: DoseSpec) -> str | None:
    """Why `dose` cannot be `agent`'s (None: it can): a dose in Gy is a radiotherapy fraction's, and
    radiotherapy's doses are in Gy. The one rule for every dose a regimen, a level, a patient value
    or a course gives a drug (language/kinds.py says it for the drug's own lines)."""
    unit = dose.unit if isinstance(dose, Amount) else dose.low.unit if isinstance(dose, DoseRange) else None
    if unit is None or (unit.kind == RADIATION) == (agent.kind is Kind.RADIOTHERAPY):
        return None
    if unit.kind == RADIATION:
        return f"{agent.key}'s doses are not in Gy: {unit.text} is the unit of a radiotherapy fraction's dose"
    return f"{agent.key}'s doses are in Gy (radiotherapy): a fraction's dose is not in {unit.text}"


@dataclass(frozen=True, slots=True)
class Phase:
    """A run of cycles of one length. A regimen without phases has one, unnamed."""

    name: str | None
    cycle_days: int
    cycle_count: int | None  # None: open-ended, horizon chosen when expanding
    until: str | None
    agents: tuple[Agent, ...]  # in the order given on a shared day
    notes: tuple[str, ...]
    line: int
    # Days of planned rest, no cycle's, between the last cycle of the phase before and this
    # phase's first cycle (`rest 28 days`, written between the two phases).
    rest_before: int = 0
    # Whether the phase numbers a day 0 (`day 0`, `days -5 to 0`): then day -1 is the day before
    # day 0, as in protocols that number one; else it is the day before day 1 (there is no day 0).
    day_zero: bool = False
    # No cycles (docs/language.md §34): one run of days from the phase's start, its cycle 1 in the
    # table, `cycle_days` the longest it can be. It ends on the day of its last dose, which a line
    # of days of the week puts where the start's day of the week says (`length_from`).
    run: bool = False

    def length_from(self, start: dt.date) -> int:
        """Days from this phase's cycle starting on `start` to what follows it: a cycle's length, or
        a run's days to its last dose."""
        if not self.run:
            return self.cycle_days
        # At least its day 1: a phase after it never starts before it (lowering refuses a run of
        # doses before day 1 alone; an option's run is bounded again, `bounded`).
        return max(1, *(last_day(c, self.cycle_days, start) for a in self.agents for c in a.clauses))

    def bounded(self) -> Phase:
        """A run as long as its last dose can fall, from any day of the week (`cycle_days`, found
        within the longest a run may be; below 1 where no dose is on or after day 1, which lowering
        refuses); a phase of cycles as it is."""
        if not self.run:
            return self
        longest = replace(self, cycle_days=MAX_RUN_DAYS)
        return replace(self, cycle_days=max(longest.length_from(day) for day in A_WEEK))

    def offset(self, day: int) -> int:
        """Days from a cycle's day 1 to its `day`: 0 for day 1, -1 for the day before it."""
        return day - 1 if day > 0 or self.day_zero else day

    def day_at(self, offset: int) -> int:
        """The day `offset` days from a cycle's day 1 (`offset`'s inverse)."""
        return offset + 1 if offset >= 0 or self.day_zero else offset


@dataclass(frozen=True, slots=True)
class Override:
    agent: str  # agent key
    dose: Amount | DoseRange | Required
    line: int


@dataclass(frozen=True, slots=True)
class Level:
    """A named set of dose overrides (dose level 1, 2, 3, phase2 ...)."""

    name: str
    overrides: tuple[Override, ...]
    line: int

    def dose_for(self, agent_key: str) -> Override | None:
        return next((o for o in self.overrides if o.agent == agent_key), None)


@dataclass(frozen=True, slots=True)
class Option:
    """A named alternative (docs/language.md §35), chosen when expanding (`--option boost-10.8`):
    in each of `changes`' phases (by index), the drug in place of the one of its key. Lowering
    has checked each phase with it as it checks the phase."""

    name: str
    changes: tuple[tuple[int, Agent], ...]
    line: int  # the first line that names it


@dataclass(frozen=True, slots=True)
class Regimen:
    """A checked regimen: phases in order, dose levels, sources.

    Equal (and hashed alike) by what it says: one file read from two paths is
    one regimen. Every output is made from these fields, never from `path`,
    so equal regimens give the same outputs (a roster's tables share their
    work by it: dosecal.batch.tables).
    """

    name: str
    title: str
    sources: tuple[str, ...]
    notes: tuple[str, ...]
    phases: tuple[Phase, ...]
    levels: tuple[Level, ...]
    path: str = field(compare=False)  # where it was read from: not what it says
    bsa: Bounds | None = None  # limits on the BSA of every dose per m2 (a drug may set its own)
    renal: Renal | None = None  # how the clearance of every dose by AUC is estimated
    rounding: Rounding | None = None  # how every computed dose is rounded (a drug may set its own)
    # Drugs given over the whole course, by lines counted from another drug's first and last doses
    # (folic acid from 7 days before the first pemetrexed): they belong to no phase.
    course_agents: tuple[Agent, ...] = ()
    options: tuple[Option, ...] = ()

    def with_option(self, name: str | None) -> Regimen:
        """The regimen as the option called `name` has it (itself for None), or the `CourseError`
        saying there is none and which there are. The option is then made: it has no options."""
        if name is None:
            return self
        option = next((o for o in self.options if o.name == name), None)
        if option is None:
            names = ", ".join(o.name for o in self.options)
            hint = f"its options are {names}" if names else "it has none: leave the option out"
            raise CourseError(
                f"{self.name} has no option '{name}'", subject=Subject.OPTION, hint=hint, quoted=name
            )
        phases = list(self.phases)
        for index, agent in option.changes:
            phase = phases[index]
            agents = tuple(agent if a.key == agent.key else a for a in phase.agents)
            phases[index] = replace(phase, agents=agents).bounded()
        return replace(self, phases=tuple(phases), options=())

    @property
    def drugs(self) -> tuple[Agent, ...]:
        """Every drug: each phase's in order (a drug in two phases twice), then the course's."""
        return (*(a for p in self.phases for a in p.agents), *self.course_agents)

    @property
    def by_weekday(self) -> bool:
        """Whether a line gives days of the week: then the day of the week of the start matters (an
        option's lines too: a roster shares work between courses of the regimen, options or not)."""
        changed = (a for o in self.options for _, a in o.changes)
        return any(c.weekdays is not None for a in (*self.drugs, *changed) for c in a.clauses)

    def level(self, name: str) -> Level | None:
        return next((lv for lv in self.levels if lv.name == name), None)

    def level_named(self, name: str, *, line: int | None = None) -> Level:
        """The dose level called `name`, or the `CourseError` saying there is none and which there are.

        The one wording of an unknown level, for the course's level (Subject.LEVEL: `--level`,
        `dosecal show --level`, a course file's `level` line) and, given its course line, for a
        level change (Subject.ADJUSTMENT).
        """
        level = self.level(name)
        if level is not None:
            return level
        names = ", ".join(lv.name for lv in self.levels) or "none"
        message = f"{self.name} has no dose level '{name}'"
        if line is None:
            raise CourseError(message, subject=Subject.LEVEL, hint=f"its levels are {names}", quoted=name)
        # A level change's hint has always read 'its levels: ...' (golden course-errors/unknown-level).
        hint = f"its levels: {names}"
        raise CourseError(message, subject=Subject.ADJUSTMENT, line=line, hint=hint, quoted=name)

    @property
    def open_ended(self) -> bool:
        return any(p.cycle_count is None for p in self.phases)

    @property
    def total_cycles(self) -> int | None:
        counts = [p.cycle_count for p in self.phases]
        return None if any(c is None for c in counts) else sum(c for c in counts if c)
