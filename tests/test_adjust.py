"""Course adjustments: delays, set starts, holds, omissions, level changes, dose changes, rounding.

Dates are worked out by hand: NCT04083898 from Monday 2026-12-07, 28-day cycles.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import dosecal
from dosecal import CourseError
from dosecal.adjust import CycleRef, Delay, DoseFrom, Hold, LevelFrom, StartOn, Withheld
from dosecal.dosing import Rounding
from dosecal.model import UNITS, Amount

from .conftest import course, load

C = CycleRef


def by_id(schedule: dosecal.Schedule) -> dict[str, dosecal.Administration]:
    return {a.administration_id: a for a in schedule}


def test_delay_and_level_change_change_exactly_the_affected_rows() -> None:
    """Cycle 3 delayed 7 days and bendamustine level 1 from cycle 4: cycles 1-2 untouched,
    cycles 3-5 a week later, bendamustine 50 instead of 75 mg/m2 from cycle 4; every id kept."""
    regimen = load("nct04083898")
    planned = dosecal.expand(regimen, course("2026-12-07", cycles=5, level="2"))
    adjusted = dosecal.expand(
        regimen,
        course(
            "2026-12-07",
            cycles=5,
            level="2",
            adjustments=(
                Delay(C(None, 3), 7, "ANC 0.8 on day 1", 10),
                LevelFrom("1", C(None, 4), "DLT in cycle 3", 11),
            ),
        ),
    )
    before, after = by_id(planned), by_id(adjusted)
    assert before.keys() == after.keys()
    starts = {a.cycle: a.date.isoformat() for a in adjusted if a.cycle_day == 1}
    assert starts == {1: "2026-12-07", 2: "2027-01-04", 3: "2027-02-08", 4: "2027-03-08", 5: "2027-04-05"}
    changed = {i for i in before if before[i] != after[i]}
    assert changed == {i for i, a in before.items() if a.cycle >= 3}
    for i in changed:
        old, new = before[i], after[i]
        assert new.date - old.date == dt.timedelta(days=7)
        assert new.study_day - old.study_day == 7
        assert "course line 10: cycle 3 delayed 7 days (ANC 0.8 on day 1)" in new.adjustment
        if new.agent == "bendamustine" and new.cycle >= 4:
            assert (new.dose_amount, new.level, new.dose_change) == (Decimal(50), "1", "reduced")
            assert "course line 11: level 1 from cycle 4 (DLT in cycle 3)" in new.adjustment
        else:
            assert (new.dose_amount, new.dose_change) == (old.dose_amount, "")
            assert "level 1 from cycle 4" not in new.adjustment


def test_start_on_a_date() -> None:
    """Cycle 2 started on 2027-01-11 (a week late): it and cycle 3 move; an earlier start is refused."""
    regimen = load("nct04083898")
    adjusted = dosecal.expand(
        regimen,
        course(
            "2026-12-07",
            cycles=3,
            level="1",
            adjustments=(StartOn(C(None, 2), dt.date(2027, 1, 11), "clinic closed", 7),),
        ),
    )
    assert sorted({a.date.isoformat() for a in adjusted if a.cycle_day == 1}) == [
        "2026-12-07",
        "2027-01-11",
        "2027-02-08",
    ]
    with pytest.raises(
        CourseError, match="cannot start on 2027-01-02: the cycle before it runs until 2027-01-03"
    ):
        dosecal.expand(
            regimen,
            course(
                "2026-12-07",
                cycles=3,
                level="1",
                adjustments=(StartOn(C(None, 2), dt.date(2027, 1, 2), "early", 7),),
            ),
        )


def test_holds_and_omissions_keep_their_rows() -> None:
    """Pomalidomide held for the rest of cycle 2 from day 15; dexamethasone omitted from cycle 3 on."""
    schedule = dosecal.expand(
        load("nct05922501"),
        course(
            "2026-12-07",
            cycles=4,
            adjustments=(
                Hold("pomalidomide", Withheld.HELD, C(None, 2), 15, None, False, "rash grade 2", 8),
                Hold("dexamethasone", Withheld.OMITTED, C(None, 3), None, None, True, "insomnia", 9),
            ),
        ),
    )
    pom = {(a.cycle, a.cycle_day): a.status for a in schedule if a.agent == "pomalidomide"}
    assert len(pom) == 4 * 21
    assert {k for k, s in pom.items() if s == "held"} == {(2, d) for d in range(15, 22)}
    dex = [a for a in schedule if a.agent == "dexamethasone"]
    assert {a.status for a in dex if a.cycle <= 2} == {"planned"}
    assert {a.status for a in dex if a.cycle >= 3} == {"omitted"}
    held = next(a for a in schedule if a.status == "held")
    assert held.adjustment == "course line 8: pomalidomide held on cycle 2 from day 15 (rash grade 2)"


def test_dose_change_from_a_cycle() -> None:
    """The clinic sets isatuximab's unstated dose from cycle 2: marked 'changed', with its reason."""
    schedule = dosecal.expand(
        load("nct05922501"),
        course(
            "2026-12-07",
            cycles=2,
            weight="70",
            adjustments=(
                DoseFrom("isatuximab", Amount(Decimal(10), UNITS["mg/kg"]), C(None, 2), "per protocol v3", 5),
            ),
        ),
    )
    isa = [a for a in schedule if a.agent == "isatuximab"]
    assert [(a.cycle, a.dose_amount, a.computed_amount) for a in isa] == [(1, None, None)] * 4 + [
        (2, Decimal(10), Decimal(700))
    ] * 2
    assert {a.dose_change for a in isa if a.cycle == 2} == {"changed"}
    assert isa[-1].dose_source == "course line 5"


@pytest.mark.parametrize(
    ("rounding", "mg", "basis"),
    [
        (
            Rounding(Amount(Decimal(5), UNITS["mg"])),
            Decimal(135),
            "75 mg/m2 x 1.82 m2 = 136.5 mg, rounded to the nearest 5 mg = 135 mg",
        ),
        (
            Rounding(Amount(Decimal(5), UNITS["mg"]), Decimal(1)),
            Decimal("136.5"),
            "75 mg/m2 x 1.82 m2 = 136.5 mg, not rounded: "
            "the nearest 5 mg (135 mg) is 1.1% away, more than 1%",
        ),
    ],
)
def test_rounding_policy(rounding: Rounding, mg: Decimal, basis: str) -> None:
    """136.5 mg to the nearest 5 mg is 135 mg (1.1% less); within 1 percent it stays 136.5 mg."""
    schedule = dosecal.expand(
        load("nct04083898"),
        course("2026-12-07", cycles=1, level="2", weight="70", height="170", rounding=rounding),
    )
    benda = next(a for a in schedule if a.agent == "bendamustine")
    assert benda.computed_amount == mg and benda.dose_basis.startswith(basis)
    prednisone = next(a for a in schedule if a.agent == "prednisone")
    assert prednisone.dose_basis == "60 mg (flat dose)"  # a stated flat dose is never rounded


@pytest.mark.parametrize(
    ("adjustment", "message"),
    [
        (Delay(C(None, 1), 7, "late", 3), "course line 3: the course's start date says when cycle 1 starts"),
        (
            Delay(C(None, 9), 7, "late", 3),
            "course line 3: cycle 9 is past the last cycle expanded (4 in all)",
        ),
        (
            Hold("pomalidomid", Withheld.HELD, C(None, 2), 1, 1, False, "rash", 4),
            "course line 4: 'pomalidomid' is not a drug of nct05922501; did you mean 'pomalidomide'?",
        ),
        (
            Hold("pomalidomide", Withheld.HELD, C(None, 2), 30, 30, False, "rash", 4),
            "course line 4: day 30 is outside a 28-day cycle",
        ),
        (LevelFrom("1", C(None, 2), "toxicity", 5), "course line 5: nct05922501 has no dose level '1'"),
        (Delay(C(None, 2), 7, " ", 6), "course line 6: say why"),
    ],
)
def test_adjustment_mistakes(adjustment: object, message: str) -> None:
    """Each wrong adjustment is refused with its course line and one clear sentence."""
    with pytest.raises(CourseError) as caught:
        dosecal.expand(load("nct05922501"), course("2026-12-07", cycles=4, adjustments=(adjustment,)))
    assert str(caught.value).startswith(message)
