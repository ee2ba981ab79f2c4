"""Expansion: the order of a day's doses (`order`), worked by hand from the rule.

The rows of a day are ordered by dose of the day (slot), then as the drugs are
written (`after` aside); on a day where every dose has a clock time, by time
instead, doses at the same time keeping that order.
"""

from __future__ import annotations

import datetime as dt

import dosecal

TIMED = """regimen timed "Clock times on some days"
  cycle 21 days, 2 cycles
  ondansetron 8 mg PO tablet, diary
    days 1-4 at 08:00, 20:00
  dexamethasone 4 mg PO tablet, diary
    day 1 at 07:00
    day 2 at 12:00
    day 4 at 08:00
  aprepitant 80 mg PO capsule, diary
    day 3
"""


def day_order(cycle_day: int) -> list[tuple[int, str, int, str]]:
    """(order, drug, slot, time) of cycle 1's day `cycle_day`, in table order."""
    rows = dosecal.expand(dosecal.loads(TIMED), dosecal.Course(dt.date(2026, 3, 2), cycles=1))
    return [(a.order, a.agent, a.slot, a.time) for a in rows if a.cycle_day == cycle_day]


def test_a_day_with_every_dose_timed_is_ordered_by_time() -> None:
    """Day 1: by slot, then as written, it would be ondansetron 08:00, dexamethasone 07:00,
    ondansetron 20:00; every dose has a time, so by time: 07:00, 08:00, 20:00."""
    assert day_order(1) == [
        (1, "dexamethasone", 1, "07:00"),
        (2, "ondansetron", 1, "08:00"),
        (3, "ondansetron", 2, "20:00"),
    ]


def test_time_order_and_slot_order_agree() -> None:
    """Day 2: ondansetron 08:00, dexamethasone 12:00, ondansetron 20:00 either way."""
    assert day_order(2) == [
        (1, "ondansetron", 1, "08:00"),
        (2, "dexamethasone", 1, "12:00"),
        (3, "ondansetron", 2, "20:00"),
    ]


def test_a_day_with_an_untimed_dose_is_ordered_by_slot() -> None:
    """Day 3: aprepitant has no time, so the day keeps slot order: every first dose (ondansetron
    08:00, aprepitant), then the second (ondansetron 20:00)."""
    assert day_order(3) == [
        (1, "ondansetron", 1, "08:00"),
        (2, "aprepitant", 1, ""),
        (3, "ondansetron", 2, "20:00"),
    ]


def test_doses_at_the_same_time_keep_the_written_order() -> None:
    """Day 4: ondansetron and dexamethasone both at 08:00: ondansetron, written first, comes first."""
    assert day_order(4) == [
        (1, "ondansetron", 1, "08:00"),
        (2, "dexamethasone", 1, "08:00"),
        (3, "ondansetron", 2, "20:00"),
    ]


def test_each_date_is_numbered_from_1() -> None:
    """`order` starts again at 1 on every date: cycle 1 days 1-4 and cycle 2 days 1-4 (from 03-23)."""
    rows = dosecal.expand(dosecal.loads(TIMED), dosecal.Course(dt.date(2026, 3, 2), cycles=2))
    orders: dict[str, list[int]] = {}
    for a in rows:
        orders.setdefault(a.date.isoformat(), []).append(a.order)
    assert orders == {
        day: [1, 2, 3]
        for day in (
            "2026-03-02",
            "2026-03-03",
            "2026-03-04",
            "2026-03-05",
            "2026-03-23",
            "2026-03-24",
            "2026-03-25",
            "2026-03-26",
        )
    }
