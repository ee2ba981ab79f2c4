"""Closed days from the holidays package (dosecal.views.holidays)."""

from __future__ import annotations

import datetime as dt

from dosecal.views.holidays import Region, closed_days


def test_without_a_region_only_weekends_are_closed() -> None:
    """No country: Saturday and Sunday are closed, named; a weekday is open."""
    closed = closed_days(None)
    assert closed.reason(dt.date(2026, 12, 12)) == "Saturday"
    assert closed.reason(dt.date(2026, 12, 13)) == "Sunday"
    assert closed.reason(dt.date(2026, 12, 25)) == ""
    assert closed.source == "weekends (Saturday, Sunday)"


def test_a_countrys_public_holidays_are_closed_by_name() -> None:
    """US: Christmas Day and Martin Luther King Jr. Day (third Monday of January 2027) are closed."""
    closed = closed_days(Region("US"))
    assert closed.reason(dt.date(2026, 12, 25)) == "Christmas Day"
    assert closed.reason(dt.date(2027, 1, 18)) == "Martin Luther King Jr. Day"
    assert closed.reason(dt.date(2027, 1, 19)) == ""
    assert "US" in closed.source


def test_a_subdivision_adds_its_own_holidays() -> None:
    """DE-BY closes on Epiphany (6 January), which Germany as a whole does not."""
    assert closed_days(Region("DE", "BY")).reason(dt.date(2027, 1, 6)) != ""
    assert closed_days(Region("DE")).reason(dt.date(2027, 1, 6)) == ""
    assert str(Region("DE", "BY")) == "DE-BY" and str(Region("US")) == "US"
