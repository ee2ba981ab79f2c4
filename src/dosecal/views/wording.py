"""How a schedule is said in words, shared by the views and the renderers.

Wording belongs to views (DESIGN.md §2): a renderer that writes a day list
(`dosecal show`) and a view that puts one in the diary (its "how to take"
line) both take it from here, so the two never say the same days differently
and no view has to import a renderer. An infusion time is said here too: the
calendar's and `dosecal show`'s "over 30-60 min", and the span a visit list
gives in minutes.
"""

from __future__ import annotations

from collections.abc import Sequence

from dosecal.engine.table import Administration


def days_text(days: tuple[int, ...]) -> str:
    """(1, 2, 3, 8, 9) -> 'days 1-3, 8, 9'; runs of three or more become ranges; (-5, -4, -3) ->
    'days -5 to -3'."""
    parts: list[str] = []
    i = 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and days[j + 1] == days[j] + 1:
            j += 1
        if j - i >= 2:  # '-5 to -3': a hyphen would read as a minus
            parts.append(f"{days[i]} to {days[j]}" if days[i] < 0 else f"{days[i]}-{days[j]}")
            i = j + 1
        else:
            parts.append(str(days[i]))
            i += 1
    return ("day " if len(days) == 1 else "days ") + ", ".join(parts)


# A weekday in full, where a person reads it ("Saturday": why a clinic is closed).
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def range_text(low: int, high: int) -> str:
    """(30, 60) -> '30-60'; (30, 30) -> '30': one number when the two ends are the same."""
    return str(low) if low == high else f"{low}-{high}"


def duration_text(low: int, high: int) -> str:
    """An infusion time of `low` to `high` minutes: 'over 30-60 min', 'over 2 hours', 'over 1-2 hours'.

    In hours when both ends are whole hours and the longer is 2 hours or more ('over 60 min'
    stays in minutes, as protocols write it); else in minutes.
    """
    if high >= 120 and low % 60 == 0 and high % 60 == 0:
        return f"over {range_text(low // 60, high // 60)} hours"
    return f"over {range_text(low, high)} min"


def own_row(rows: Sequence[Administration]) -> Administration:
    """The row a day's event or visit is named after (and its UID made from): the day's own cycle.

    A date may hold days of two cycles: cycle 1's day 21 and cycle 2's day -1 (a premedication),
    or cycle 1's day 22 (the day after its last) and cycle 2's day 1. The day counted from its
    cycle's day 1 the least (day 1 before day 22) names it, so the name and the UID do not change
    with how many cycles are expanded; failing one, the day nearest its cycle's day 1 (-1)."""
    counted = [a for a in rows if a.cycle_day >= 1]
    if counted:
        return min(counted, key=lambda a: a.cycle_day)
    return max(rows, key=lambda a: a.cycle_day)
