"""Golden expansions of the two seed trials.

Every date below was worked out by hand from the trial records (28-day
cycles; start dates chosen to cross a year end and 29 February 2028), not
copied from dosecal's output.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

from dosecal import CourseError, Regimen, expand

from ..conftest import course


def dates(schedule: object, agent: str) -> list[str]:
    return [a.date.isoformat() for a in schedule if a.agent == agent]  # type: ignore[attr-defined]


# NCT05922501 from Monday 2026-12-07: cycle starts 12-07, 01-04, 02-01, 03-01, 03-29, 04-26.
ISATUXIMAB_6 = [
    "2026-12-07",
    "2026-12-14",
    "2026-12-21",
    "2026-12-28",  # cycle 1: days 1, 8, 15, 22
    "2027-01-04",
    "2027-01-18",  # cycle 2: days 1, 15
    "2027-02-01",
    "2027-02-15",
    "2027-03-01",
    "2027-03-15",  # February 2027 has 28 days
    "2027-03-29",
    "2027-04-12",
    "2027-04-26",
    "2027-05-10",
]
BELANTAMAB_6 = ["2026-12-07", "2027-02-01", "2027-03-29"]  # every 56 days from C1D1
DEXAMETHASONE_C1_C2 = [
    "2026-12-07",
    "2026-12-08",
    "2026-12-14",
    "2026-12-15",
    "2026-12-21",
    "2026-12-22",
    "2026-12-28",
    "2026-12-29",
    "2027-01-04",
    "2027-01-05",
    "2027-01-11",
    "2027-01-12",
    "2027-01-18",
    "2027-01-19",
    "2027-01-25",
    "2027-01-26",
]
POMALIDOMIDE_FIRST_LAST = [
    ("2026-12-07", "2026-12-27"),
    ("2027-01-04", "2027-01-24"),
    ("2027-02-01", "2027-02-21"),
    ("2027-03-01", "2027-03-21"),
    ("2027-03-29", "2027-04-18"),
    ("2027-04-26", "2027-05-16"),
]


def test_nct05922501_clinic_drugs_six_cycles(isa_bela: Regimen) -> None:
    """Isatuximab C1 days 1, 8, 15, 22 then days 1, 15; belantamab on C1, C3, C5 day 1."""
    schedule = expand(isa_bela, course("2026-12-07", cycles=6))
    assert dates(schedule, "isatuximab") == ISATUXIMAB_6
    assert dates(schedule, "belantamab mafodotin") == BELANTAMAB_6
    bela = [(a.cycle, a.cycle_day) for a in schedule if a.agent == "belantamab mafodotin"]
    assert bela == [(1, 1), (3, 1), (5, 1)]


def test_nct05922501_home_drugs_six_cycles(isa_bela: Regimen) -> None:
    """Pomalidomide days 1-21 and dexamethasone days 1, 2, 8, 9, 15, 16, 22, 23 of every cycle."""
    schedule = expand(isa_bela, course("2026-12-07", cycles=6))
    dex = [a for a in schedule if a.agent == "dexamethasone"]
    assert [a.date.isoformat() for a in dex if a.cycle <= 2] == DEXAMETHASONE_C1_C2
    assert {a.cycle_day for a in dex} == {1, 2, 8, 9, 15, 16, 22, 23}
    for cycle, (first, last) in enumerate(POMALIDOMIDE_FIRST_LAST, start=1):
        pom = [a for a in schedule if a.agent == "pomalidomide" and a.cycle == cycle]
        assert [a.cycle_day for a in pom] == list(range(1, 22))
        assert (pom[0].date.isoformat(), pom[-1].date.isoformat()) == (first, last)
    counts = Counter(a.agent for a in schedule)
    assert counts == {"isatuximab": 14, "belantamab mafodotin": 3, "pomalidomide": 126, "dexamethasone": 48}


def test_nct05922501_states_no_dose(isa_bela: Regimen) -> None:
    """The record states no dose: every row leaves dose and computed dose empty."""
    schedule = expand(isa_bela, course("2026-12-07", cycles=2, weight="70", height="170"))
    for a in schedule:
        assert a.dose_amount is None and a.dose_unit == ""
        assert a.computed_amount is None and a.dose_source == "not stated"
    assert {a.agent: a.self_administered for a in schedule} == {
        "isatuximab": False,
        "belantamab mafodotin": False,
        "pomalidomide": True,
        "dexamethasone": True,
    }


def test_nct05922501_belantamab_after_isatuximab(isa_bela: Regimen) -> None:
    """ "after completion of isatuximab infusion": on shared days belantamab comes later."""
    schedule = expand(isa_bela, course("2026-12-07", cycles=5))
    for day in ("2026-12-07", "2027-02-01", "2027-03-29"):
        order = {a.agent: a.order for a in schedule if a.date.isoformat() == day}
        assert order["isatuximab"] < order["belantamab mafodotin"]


def test_nct05922501_open_ended_needs_horizon(isa_bela: Regimen) -> None:
    """Treatment is until progression: the caller must say how far to expand."""
    with pytest.raises(CourseError, match="--cycles N or --until DATE"):
        expand(isa_bela, course("2026-12-07"))


def test_nct05922501_until_date(isa_bela: Regimen) -> None:
    """--until takes every cycle that starts on or before the date, whole."""
    schedule = expand(isa_bela, course("2026-12-07", until=dt.date(2027, 2, 1)))
    assert max(a.cycle for a in schedule) == 3
    assert dates(schedule, "pomalidomide")[-1] == "2027-02-21"


# NCT04083898 from Tuesday 2028-02-01: cycle 2 starts on 29 February 2028.
def test_nct04083898_leap_day(isa_benda: Regimen) -> None:
    """Cycle 2 day 1 is 2028-02-29; bendamustine day 2 is 1 March."""
    schedule = expand(isa_benda, course("2028-02-01", cycles=2, level="1", weight="70", height="170"))
    assert dates(schedule, "isatuximab") == [
        "2028-02-01",
        "2028-02-08",
        "2028-02-15",
        "2028-02-22",
        "2028-02-29",
        "2028-03-14",
    ]
    assert dates(schedule, "bendamustine") == ["2028-02-01", "2028-02-02", "2028-02-29", "2028-03-01"]
    assert dates(schedule, "prednisone") == [
        "2028-02-01",
        "2028-02-02",
        "2028-02-03",
        "2028-02-04",
        "2028-02-29",
        "2028-03-01",
        "2028-03-02",
        "2028-03-03",
    ]
    leap = next(a for a in schedule if a.date == dt.date(2028, 2, 29))
    assert (leap.weekday, leap.cycle, leap.cycle_day, leap.study_day) == ("Tue", 2, 1, 29)


# 70 kg, 170 cm: BSA (Mosteller) = sqrt(170 x 70 / 3600) = sqrt(3.3056) = 1.8181 -> 1.82 m2.
@pytest.mark.parametrize(
    ("level", "per_m2", "mg"),
    [("1", "50", "91"), ("2", "75", "136.5"), ("3", "100", "182")],
)
def test_nct04083898_dose_levels(isa_benda: Regimen, level: str, per_m2: str, mg: str) -> None:
    """Each phase I level gives its bendamustine dose on days 1 and 2, computed for 1.82 m2."""
    schedule = expand(isa_benda, course("2026-12-07", cycles=3, level=level, weight="70", height="170"))
    benda = [a for a in schedule if a.agent == "bendamustine"]
    assert [a.date.isoformat() for a in benda] == [
        "2026-12-07",
        "2026-12-08",
        "2027-01-04",
        "2027-01-05",
        "2027-02-01",
        "2027-02-02",
    ]
    for a in benda:
        assert (a.dose_amount, a.dose_unit) == (Decimal(per_m2), "mg/m2")
        assert (a.computed_amount, a.computed_unit) == (Decimal(mg), "mg")
        assert a.dose_basis.startswith(f"{per_m2} mg/m2 x 1.82 m2 = {mg} mg; BSA 1.82 m2 = Mosteller")
        assert a.level == level and a.dose_source.startswith(f"level {level}")
    isa = next(a for a in schedule if a.agent == "isatuximab")
    assert (isa.computed_amount, isa.dose_basis) == (Decimal(700), "10 mg/kg x 70 kg = 700 mg")
    pred = next(a for a in schedule if a.agent == "prednisone")
    assert (pred.computed_amount, pred.dose_basis) == (Decimal(60), "60 mg (flat dose)")


def test_nct04083898_phase2_requires_dose(isa_benda: Regimen) -> None:
    """The RP2D is chosen after phase I: without it, expansion is refused and names what to supply."""
    with pytest.raises(CourseError) as caught:
        expand(isa_benda, course("2026-12-07", cycles=1, level="phase2"))
    assert str(caught.value) == (
        "level phase2 leaves the bendamustine dose to be chosen: "
        'supply it with --dose "bendamustine=AMOUNT UNIT"'
    )


def test_nct04083898_phase2_with_supplied_dose(isa_benda: Regimen) -> None:
    """A supplied RP2D of 90 mg/m2 gives 90 x 1.82 = 163.8 mg, marked as supplied."""
    from dosecal import Amount
    from dosecal.model.regimen import UNITS

    c = course(
        "2026-12-07",
        cycles=1,
        level="phase2",
        weight="70",
        height="170",
        doses=(("bendamustine", Amount(Decimal(90), UNITS["mg/m2"])),),
    )
    benda = [a for a in expand(isa_benda, c) if a.agent == "bendamustine"]
    assert [(a.computed_amount, a.dose_source) for a in benda] == [
        (Decimal("163.8"), "supplied (--dose)")
    ] * 2


def test_nct04083898_level_required(isa_benda: Regimen) -> None:
    """A regimen with dose levels is never expanded at a guessed level."""
    with pytest.raises(CourseError, match="has dose levels 1, 2, 3, phase2: choose one with --level"):
        expand(isa_benda, course("2026-12-07", cycles=1))
    with pytest.raises(CourseError, match="has no dose level '4'"):
        expand(isa_benda, course("2026-12-07", cycles=1, level="4"))


def test_nct04083898_without_measures_keeps_prescribed_dose(isa_benda: Regimen) -> None:
    """Without weight and height the prescribed dose is shown and nothing is computed."""
    schedule = expand(isa_benda, course("2026-12-07", cycles=1, level="2"))
    benda = next(a for a in schedule if a.agent == "bendamustine")
    assert (benda.dose_amount, benda.dose_unit, benda.computed_amount) == (Decimal(75), "mg/m2", None)
    assert benda.dose_basis == "not computed: needs weight and height (--weight, --height)"
    assert {a.route for a in schedule} == {""}  # the record states no route
