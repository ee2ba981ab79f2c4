"""Shared fixtures: the bundled regimens and a course builder."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import settings

import dosecal
from dosecal import Course, Measures, Regimen

# No property test is timed: speed is measured in bench/, and a deadline only makes a loaded
# machine (CI, a mutation run beside the suite) fail a test whose rule holds.
settings.register_profile("dosecal", deadline=None)
settings.load_profile("dosecal")

ROOT = Path(__file__).resolve().parents[1]
SCHEDULES = ROOT / "schedules"


# The worked example: NCT04083898 at level 2 for a 70 kg, 170 cm patient.
LEVEL_2_EXAMPLE = [
    "expand",
    "nct04083898",
    "--start",
    "2026-12-07",
    "--cycles",
    "3",
    "--level",
    "2",
    "--weight",
    "70",
    "--height",
    "170",
]


def load(name: str) -> Regimen:
    """A bundled regimen, read from the repository's schedules/ folder."""
    return dosecal.load(SCHEDULES / f"{name}.regimen")


def course(
    start: str,
    cycles: int | None = None,
    level: str | None = None,
    weight: str | None = None,
    height: str | None = None,
    **kw: object,
) -> Course:
    measures = Measures(Decimal(weight) if weight else None, Decimal(height) if height else None)
    return Course(dt.date.fromisoformat(start), cycles=cycles, level=level, measures=measures, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def isa_bela() -> Regimen:
    return load("nct05922501")


@pytest.fixture(scope="session")
def isa_benda() -> Regimen:
    return load("nct04083898")


def refused(text: str, path: str = "e.regimen") -> list[str]:
    """The lines of the report a regimen text is refused with (it must be refused)."""
    from dosecal.errors import RegimenError
    from dosecal.language.load import loads

    with pytest.raises(RegimenError) as caught:
        loads(text, path)
    return caught.value.render().split("\n")
