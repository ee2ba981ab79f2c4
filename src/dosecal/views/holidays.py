"""Closed days from the `holidays` package: weekends, and a country's public holidays.

The lookup is kept apart from `visits` so that the visit list never imports
the package unless a country is named.
"""

from __future__ import annotations

from dataclasses import dataclass

from dosecal.views.visits import ClosedDays


@dataclass(frozen=True, slots=True)
class Region:
    """A country the holidays package knows, and optionally one of its subdivisions (US, US-NY)."""

    country: str
    subdivision: str | None = None

    def __str__(self) -> str:
        return f"{self.country}-{self.subdivision}" if self.subdivision else self.country


def closed_days(region: Region | None) -> ClosedDays:
    """Weekend days, and the public holidays of `region` (looked up year by year, as dates ask)."""
    if region is None:
        return ClosedDays(source="weekends (Saturday, Sunday)")
    import holidays

    kind = holidays.country_holidays(region.country, subdiv=region.subdivision)
    # Names in English where the package has them, else in the country's own language.
    language = "en_US" if "en_US" in getattr(kind, "supported_languages", ()) else None
    found = holidays.country_holidays(region.country, subdiv=region.subdivision, language=language)
    return ClosedDays(
        weekend=frozenset(found.weekend),
        holidays=found,
        source=f"public holidays of {region} (from the holidays package) and weekends",
    )
