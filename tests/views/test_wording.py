"""How a day list is said, once for the diary and `dosecal show` (views/wording.py)."""

from __future__ import annotations

from dosecal.views.wording import days_text


def test_runs_of_three_or_more_become_ranges() -> None:
    """Three consecutive days or more are a range; two stay a list, as a protocol writes them."""
    assert days_text((1, 2, 3, 8, 9)) == "days 1-3, 8, 9"
    assert days_text((1, 2, 8, 9, 15, 16, 22, 23)) == "days 1, 2, 8, 9, 15, 16, 22, 23"
    assert days_text(tuple(range(1, 22))) == "days 1-21"


def test_one_day_is_singular() -> None:
    """A single day reads 'day 1', not 'days 1'."""
    assert days_text((1,)) == "day 1"
    assert days_text((1, 15)) == "days 1, 15"
