"""How a day list and an infusion time are said, once for the views and `dosecal show`
(views/wording.py)."""

from __future__ import annotations

import pytest

from dosecal.views.wording import days_text, duration_text, range_text


def test_runs_of_three_or_more_become_ranges() -> None:
    """Three consecutive days or more are a range; two stay a list, as a protocol writes them."""
    assert days_text((1, 2, 3, 8, 9)) == "days 1-3, 8, 9"
    assert days_text((1, 2, 8, 9, 15, 16, 22, 23)) == "days 1, 2, 8, 9, 15, 16, 22, 23"
    assert days_text(tuple(range(1, 22))) == "days 1-21"


def test_one_day_is_singular() -> None:
    """A single day reads 'day 1', not 'days 1'."""
    assert days_text((1,)) == "day 1"
    assert days_text((1, 15)) == "days 1, 15"


def test_a_range_is_one_number_when_its_ends_agree() -> None:
    """(30, 60) is '30-60'; (30, 30) is '30', never '30-30'."""
    assert range_text(30, 60) == "30-60"
    assert range_text(30, 30) == "30"


@pytest.mark.parametrize(
    ("low", "high", "words"),
    [
        (5, 5, "over 5 min"),
        (60, 60, "over 60 min"),  # one hour stays in minutes, as protocols write it
        (90, 90, "over 90 min"),
        (30, 60, "over 30-60 min"),
        (120, 120, "over 2 hours"),
        (60, 120, "over 1-2 hours"),  # the longer end decides: both ends are whole hours
        (120, 180, "over 2-3 hours"),
        (90, 120, "over 90-120 min"),  # 90 min is no whole hour: the range stays in minutes
        (2760, 2760, "over 46 hours"),
        (121, 121, "over 121 min"),
    ],
)
def test_an_infusion_time_in_hours_or_minutes(low: int, high: int, words: str) -> None:
    """In hours when both ends are whole hours and the longer is at least 2 hours, else in minutes;
    the calendar's event lines and `dosecal show` both say it so."""
    assert duration_text(low, high) == words
