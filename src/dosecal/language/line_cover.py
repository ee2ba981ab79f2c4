"""Whom a drug's lines chosen by a patient value leave out: a patient with no line of the drug, or
none in a cycle other patients are given it.

BLINCYTO's Table 1 gives each weight band its own line for each part of a cycle. A band written
with `>` where `>=` was meant (`> 45 kg` beside `< 45 kg`) leaves a patient of 45 kg without the
drug; a band left off one line leaves its patients without the drug in that line's cycles. Both
would expand without a word, so lowering refuses them here, naming a patient left out. The
patients tried are those of `model.regimen.threshold_points` (each threshold, and a step either
side), which meet every set of lines one patient can be given.

Days within a cycle are not held to this: `days 1-4` for some and `days 1, 8` for others is how
protocols differ by band. Interval lines (`every 3 weeks`) are not counted by cycle here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial

from dosecal.model.measures import Sex
from dosecal.model.regimen import (
    ATTRIBUTE_UNITS,
    Attribute,
    Clause,
    DayRule,
    format_decimal,
    threshold_points,
    threshold_step,
)

HINT = (
    "cover every patient (e.g. 'if weight >= 45 kg' beside 'if weight < 45 kg'), "
    "or give the drug a line without a condition"
)
CYCLE_HINT = "give each band of patients its line in every cycle the drug is given in, as the protocol does"


def horizon(clauses: Sequence[Clause]) -> int:
    """The cycles an open-ended phase is checked over: one past the last cycle a line names."""
    named = [1]
    for clause in clauses:
        if isinstance(clause.rule, DayRule):
            named += [n for r in clause.rule.selector.ranges for n in (r.first, r.last or r.first)]
    return max(named) + 1


def problem(
    key: str, clauses: tuple[Clause, ...], attribute: Attribute, bounds: tuple[Decimal, Decimal], cycles: int
) -> tuple[str, str] | None:
    """The message and hint of the first patient `clauses` (every one with a condition on
    `attribute`) leave out, or None. `bounds`: the values a patient can have."""
    if not clauses or any(c.condition is None for c in clauses):
        return None
    thresholds = [c.condition.value for c in clauses if c.condition is not None]
    low, high = bounds
    points = [
        p
        for p in dict.fromkeys([*thresholds, *threshold_points(clauses)])  # a threshold itself said first
        if isinstance(p, Sex) or low <= p <= high
    ]

    def lines(point: Decimal | Sex) -> list[Clause]:
        return [c for c in clauses if c.condition is not None and c.condition.holds(point)]

    for point in points:
        if not lines(point):
            whom = _whom(point, attribute, thresholds, lambda p: not lines(p))
            return (
                f"{key} has no schedule line for {whom}: every line has a condition, and none holds for them",
                HINT,
            )
    return _cycle_left_out(key, attribute, thresholds, points, lines, cycles)


def _cycle_left_out(
    key: str,
    attribute: Attribute,
    thresholds: list[Decimal | Sex],
    points: list[Decimal | Sex],
    lines: Callable[[Decimal | Sex], list[Clause]],
    cycles: int,
) -> tuple[str, str] | None:
    """A patient given the drug, but in fewer of the first `cycles` than another patient is."""
    if any(not isinstance(c.rule, DayRule) for p in points for c in lines(p)):
        return None
    given = {p: {n for n in range(1, cycles + 1) if any(_in_cycle(c, n) for c in lines(p))} for p in points}
    every = set().union(*given.values())
    for point, cycles_given in given.items():
        missing = sorted(every - cycles_given)
        if missing:
            whom = _whom(point, attribute, thresholds, partial(_same, given, cycles_given))
            return (
                f"{key} is given in cycle {missing[0]} to other patients, but to {whom} not at all",
                CYCLE_HINT,
            )
    return None


def _same(given: dict[Decimal | Sex, set[int]], cycles: set[int], point: Decimal) -> bool:
    """Whether the patient of `point` is given the drug in just these cycles (tried points only)."""
    return given.get(point) == cycles


def _in_cycle(clause: Clause, cycle: int) -> bool:
    return isinstance(clause.rule, DayRule) and clause.rule.selector.matches(cycle)


def _whom(
    point: Decimal | Sex, attribute: Attribute, thresholds: Sequence[object], alike: Callable[[Decimal], bool]
) -> str:
    """'male patients', 'patients with weight 45 kg', 'patients with weight 45 kg or more',
    'patients with weight under 45 kg', 'patients with age 74': the patients left out, as the
    conditions write values; `alike` tells which values near a threshold are left out as well."""
    if isinstance(point, Sex):
        return f"{point.value} patients"
    unit = f" {ATTRIBUTE_UNITS[attribute]}".rstrip()
    if attribute is Attribute.AGE:  # ages are whole: 74 is the age left out
        return f"patients with age {format_decimal(point)}"
    if point in thresholds:
        step = threshold_step(attribute)
        above, below = alike(point + step), alike(point - step)
        more = " or more" if above and not below else " or less" if below and not above else ""
        return f"patients with {attribute.value} {format_decimal(point)}{unit}{more}"
    nearest = min((v for v in thresholds if isinstance(v, Decimal)), key=lambda v: abs(v - point))
    side = "under" if point < nearest else "over"
    return f"patients with {attribute.value} {side} {format_decimal(nearest)}{unit}"
