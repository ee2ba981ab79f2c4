"""A dose made of the strengths that exist: tablets of 150 mg and 500 mg, vials of 100 mg.

`combine` finds the total a rule asks for (the largest not above the dose,
the smallest not below it, or the nearest, half up) among the totals whole
units of the strengths can make, and the units that make it: the fewest, and
among as few, the most of the larger strengths, so the answer is one and the
same on every run. "2250 mg = 3 x 500 mg + 5 x 150 mg", not 15 x 150 mg.

Exact: amounts are scaled to whole numbers (an amount has at most 6 decimal
places, dosecal.limits) and the totals are searched as multiples of the
strengths' greatest common divisor, a bounded number of them.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from decimal import Decimal

from dosecal.errors import CourseError, Subject

# Totals searched (multiples of the strengths' common divisor): 150 mg and 500 mg tablets
# for a dose of 10 g are 201; past this a rule is not one of tablets or vials.
MAX_TOTALS = 200_000
# A rounding rule's strengths: a drug comes in a few (capecitabine: 150 mg, 500 mg).
MAX_STRENGTHS = 6
# A dose of more units than this is not one a patient takes or a nurse draws up.
MAX_UNITS = 100


class RoundWay(enum.Enum):
    """Which way a rule rounds: to the nearest (half up), down (not above), up (not below)."""

    NEAREST = "nearest"
    DOWN = "down"
    UP = "up"


@dataclass(frozen=True, slots=True)
class Combination:
    """A total and the units that make it: ((strength, count), ...), the largest strength first."""

    total: Decimal
    units: tuple[tuple[Decimal, int], ...]

    @property
    def count(self) -> int:
        return sum(n for _, n in self.units)


def combine(dose: Decimal, strengths: tuple[Decimal, ...], way: RoundWay) -> Combination | None:
    """The total of whole units of `strengths` that `way` asks for from `dose` (more than 0), or
    None when there is none (no unit is small enough to round down to, or only 0 would do)."""
    places = max(_places(s) for s in (*strengths, dose))
    scale = 10**places
    units = sorted({int(s * scale) for s in strengths}, reverse=True)
    step = math.gcd(*units)
    target = dose * scale / step  # in steps; not a whole number in general
    high = math.ceil(target) + units[0] // step
    if high > MAX_TOTALS:
        raise CourseError(f"more than {MAX_TOTALS:,} totals to search", subject=Subject.ROUNDING)
    fewest = _fewest([u // step for u in units], high)
    below = next((t for t in range(math.floor(target), 0, -1) if fewest[t][0] is not None), None)
    above = next((t for t in range(math.ceil(target), high + 1) if fewest[t][0] is not None), None)
    chosen = _choose(target, below, above, way)
    if chosen is None:
        return None
    counts = _units(fewest, chosen, [u // step for u in units])
    if sum(counts.values()) > MAX_UNITS:
        raise CourseError(f"it would take more than {MAX_UNITS} units", subject=Subject.ROUNDING)
    total = Decimal(chosen * step) / scale
    made = tuple((Decimal(u) / scale, counts[u // step]) for u in units if counts.get(u // step))
    return Combination(total, made)


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _choose(target: Decimal, below: int | None, above: int | None, way: RoundWay) -> int | None:
    if way is RoundWay.DOWN:
        return below
    if way is RoundWay.UP:
        return above
    if above is None:
        return below
    low = 0 if below is None else below  # nothing below: 0 is the nearest below, and never given
    chosen = low if target - low < above - target else above  # half up: a tie goes up
    return chosen or None


def _fewest(units: list[int], high: int) -> list[tuple[int | None, int]]:
    """For each total 0..high (in steps): the fewest units that make it (None: none do), and the
    unit the last of them is, the largest among those that give as few."""
    table: list[tuple[int | None, int]] = [(0, 0)] + [(None, 0)] * high
    for total in range(1, high + 1):
        best: tuple[int | None, int] = (None, 0)
        for unit in units:  # largest first: a tie keeps the larger unit
            if unit > total:
                continue
            before = table[total - unit][0]
            if before is not None and (best[0] is None or before + 1 < best[0]):
                best = (before + 1, unit)
        table[total] = best
    return table


def _units(table: list[tuple[int | None, int]], total: int, units: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    while total:
        unit = table[total][1]
        counts[unit] = counts.get(unit, 0) + 1
        total -= unit
    return counts
