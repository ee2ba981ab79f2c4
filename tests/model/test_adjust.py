"""Course adjustments: delays, set starts, holds, omissions, level changes, dose changes, rounding.

Dates are worked out by hand: NCT04083898 from Monday 2026-12-07, 28-day cycles.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import dosecal
from dosecal import CourseError
from dosecal.engine.plan import plan
from dosecal.engine.table import adjustment_text
from dosecal.errors import Subject
from dosecal.model.adjust import CycleRef, Delay, DoseFrom, Hold, LevelFrom, StartOn, Withheld
from dosecal.model.dosing import Rounding
from dosecal.model.regimen import UNITS, Amount

from ..conftest import course, load

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
        assert "course line 10: cycle 3 delayed 7 days (ANC 0.8 on day 1)" in adjustment_text(new.adjustment)
        if new.agent == "bendamustine" and new.cycle >= 4:
            assert (new.dose_amount, new.level, new.dose_change) == (Decimal(50), "1", "reduced")
            assert "course line 11: level 1 from cycle 4 (DLT in cycle 3)" in adjustment_text(new.adjustment)
        else:
            assert (new.dose_amount, new.dose_change) == (old.dose_amount, "")
            assert "level 1 from cycle 4" not in adjustment_text(new.adjustment)


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
    assert (
        adjustment_text(held.adjustment)
        == "course line 8: pomalidomide held on cycle 2 from day 15 (rash grade 2)"
    )
    assert {adjustment_text(a.adjustment) for a in dex if a.cycle >= 3} == {
        "course line 9: dexamethasone omitted from cycle 3 (insomnia)"
    }


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


@pytest.mark.parametrize(
    ("at", "message"),
    [
        (
            C(None, 3),
            "course line 4: s0777-vrd-rd has phases (induction, maintenance): "
            "say which, e.g. 'induction cycle 3'",
        ),
        (C("consolidation", 1), "course line 4: s0777-vrd-rd has no phase 'consolidation'"),
    ],
)
def test_an_adjustment_must_name_a_phase_of_a_phased_regimen(at: CycleRef, message: str) -> None:
    """S0777 has an induction and a maintenance phase: 'cycle 3' alone could be either, so it is
    refused with the phases listed and the first one as the example; an unknown phase is named."""
    with pytest.raises(CourseError) as caught:
        dosecal.expand(
            load("s0777-vrd-rd"), course("2026-12-07", cycles=10, adjustments=(Delay(at, 7, "x", 4),))
        )
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("adjustment", "message"),
    [
        (Delay(C(None, 0), 7, "late", 4), "course line 4: there is no cycle 0; cycle 1 is the first cycle"),
        (
            Hold("vincristine", Withheld.HELD, C(None, -1), 1, 1, False, "neuropathy", 5),
            "course line 5: there is no cycle -1; cycle 1 is the first cycle",
        ),
    ],
)
def test_an_adjustment_before_the_first_cycle(adjustment: object, message: str) -> None:
    """Through the Python API a cycle 0 or -1 can come (a course file refuses it when read): it is
    refused, not silently left out. Before the fix the course expanded as if it were not there."""
    with pytest.raises(CourseError) as caught:
        dosecal.expand(load("r-chop-21"), course("2026-12-07", cycles=3, adjustments=(adjustment,)))
    assert str(caught.value) == message


def test_a_drug_with_no_close_name_lists_the_drugs() -> None:
    """'aspirin' is like no drug of R-CHOP-21: instead of a guess, its five drugs, in order."""
    hold = Hold("aspirin", Withheld.HELD, C(None, 2), 1, 1, False, "bleeding", 5)
    with pytest.raises(CourseError) as caught:
        dosecal.expand(load("r-chop-21"), course("2026-12-07", cycles=3, adjustments=(hold,)))
    assert str(caught.value) == (
        "course line 5: 'aspirin' is not a drug of r-chop-21; its drugs are cyclophosphamide, "
        "doxorubicin, vincristine, rituximab, prednisolone"
    )


def test_a_level_change_in_a_regimen_without_levels() -> None:
    """R-CHOP-21 has no dose levels: the sentence says its levels are none."""
    change = LevelFrom("1", C(None, 2), "toxicity", 5)
    with pytest.raises(CourseError) as caught:
        dosecal.expand(load("r-chop-21"), course("2026-12-07", cycles=3, adjustments=(change,)))
    assert str(caught.value) == "course line 5: r-chop-21 has no dose level '1'; its levels: none"


def test_a_cycle_moved_twice_is_refused() -> None:
    """R-CHOP-21 cycle 2 delayed on line 4 and started on a date on line 5: one move per cycle."""
    moves = (Delay(C(None, 2), 7, "ANC", 4), StartOn(C(None, 2), dt.date(2027, 1, 4), "clinic", 5))
    with pytest.raises(CourseError) as caught:
        dosecal.expand(load("r-chop-21"), course("2026-12-07", cycles=3, adjustments=moves))
    assert str(caught.value) == "course line 5: cycle 2 is already moved on course line 4"


def test_a_delay_of_one_day() -> None:
    """The shortest delay, 1 day: NCT04083898 cycle 2, planned on 2027-01-04, starts 2027-01-05."""
    the_course = course("2026-12-07", cycles=2, level="1", adjustments=(Delay(C(None, 2), 1, "ANC", 7),))
    schedule = dosecal.expand(load("nct04083898"), the_course)
    assert {a.date for a in schedule if a.cycle == 2 and a.cycle_day == 1} == {dt.date(2027, 1, 5)}


@pytest.mark.parametrize(
    ("first", "last", "held", "message"),
    [
        (1, 1, {1}, None),  # the first day of the cycle
        (21, 28, {21}, None),  # to the last day of a 28-day cycle (pomalidomide on days 1-21)
        (0, 0, set(), "course line 4: day 0 is outside a 28-day cycle"),
        (21, 29, set(), "course line 4: day 29 is outside a 28-day cycle"),
    ],
)
def test_a_hold_from_the_first_to_the_last_day_of_a_cycle(
    first: int, last: int, held: set[int], message: str | None
) -> None:
    """NCT05922501 has 28-day cycles: a hold may name days 1 to 28, not 0 or 29."""
    hold = Hold("pomalidomide", Withheld.HELD, C(None, 2), first, last, False, "rash", 4)
    the_course = course("2026-12-07", cycles=2, adjustments=(hold,))
    if message is None:
        schedule = dosecal.expand(load("nct05922501"), the_course)
        days = {a.cycle_day for a in schedule if a.agent == "pomalidomide" and a.status == "held"}
        assert days == held
        return
    with pytest.raises(CourseError) as caught:
        dosecal.expand(load("nct05922501"), the_course)
    assert str(caught.value) == message


# ---- two changes in force: the latest wins ------------------------------------------------


def test_the_latest_of_two_level_changes_wins() -> None:
    """Level 3 (bendamustine 100 mg/m2), level 2 (75) from cycle 2, level 1 (50) from cycle 4: a
    later reduction is never ignored. The lines are written in the other order on purpose: the
    cycle decides, not the line. BSA 1.82 m2: 182, 136.5 and 91 mg."""
    schedule = dosecal.expand(
        load("nct04083898"),
        course(
            "2026-12-07",
            cycles=5,
            level="3",
            weight="70",
            height="170",
            adjustments=(
                LevelFrom("1", C(None, 4), "second DLT", 11),
                LevelFrom("2", C(None, 2), "DLT in cycle 1", 12),
            ),
        ),
    )
    benda = {
        (a.cycle, a.dose_amount, a.computed_amount, a.level, a.dose_change, adjustment_text(a.adjustment))
        for a in schedule
        if a.agent == "bendamustine"
    }
    assert benda == {
        (1, Decimal(100), Decimal(182), "3", "", ""),
        (
            2,
            Decimal(75),
            Decimal("136.5"),
            "2",
            "reduced",
            "course line 12: level 2 from cycle 2 (DLT in cycle 1)",
        ),
        (
            3,
            Decimal(75),
            Decimal("136.5"),
            "2",
            "reduced",
            "course line 12: level 2 from cycle 2 (DLT in cycle 1)",
        ),
        (4, Decimal(50), Decimal(91), "1", "reduced", "course line 11: level 1 from cycle 4 (second DLT)"),
        (5, Decimal(50), Decimal(91), "1", "reduced", "course line 11: level 1 from cycle 4 (second DLT)"),
    }
    # Isatuximab's dose is the same at every level: no level change is named on its rows.
    assert {adjustment_text(a.adjustment) for a in schedule if a.agent == "isatuximab"} == {""}


def test_the_latest_of_two_dose_changes_wins() -> None:
    """Isatuximab 10 mg/kg x 70 kg = 700 mg; 8 mg/kg (560 mg) from cycle 2, 6 mg/kg (420 mg) from
    cycle 4. The note of a dose change reads in full, never 'None'."""
    schedule = dosecal.expand(
        load("nct04083898"),
        course(
            "2026-12-07",
            cycles=5,
            level="1",
            weight="70",
            adjustments=(
                DoseFrom("isatuximab", Amount(Decimal(6), UNITS["mg/kg"]), C(None, 4), "neuropathy", 9),
                DoseFrom(
                    "isatuximab", Amount(Decimal(8), UNITS["mg/kg"]), C(None, 2), "infusion reaction", 8
                ),
            ),
        ),
    )
    isa = {
        (
            a.cycle,
            a.dose_amount,
            a.computed_amount,
            a.dose_source,
            a.dose_change,
            adjustment_text(a.adjustment),
        )
        for a in schedule
        if a.agent == "isatuximab"
    }
    eight = "course line 8: isatuximab 8 mg/kg from cycle 2 (infusion reaction)"
    six = "course line 9: isatuximab 6 mg/kg from cycle 4 (neuropathy)"
    assert isa == {
        (1, Decimal(10), Decimal(700), "regimen line 15", "", ""),  # the drug line
        (2, Decimal(8), Decimal(560), "course line 8", "reduced", eight),
        (3, Decimal(8), Decimal(560), "course line 8", "reduced", eight),
        (4, Decimal(6), Decimal(420), "course line 9", "reduced", six),
        (5, Decimal(6), Decimal(420), "course line 9", "reduced", six),
    }


def test_every_move_behind_a_cycles_dates_is_named() -> None:
    """Cycle 2 delayed 7 days, cycle 4 delayed 7 more, cycle 6 started on a date. Cycle starts: 12-07,
    01-04 + 7 = 01-11, 02-08, 03-08 + 7 = 03-15, 04-12, then 05-17 (set; 05-10 as planned). Cycles 4
    and 5 are 14 days late because of both delays, and say so; from cycle 6 the set date alone
    decides. The note of a set start reads in full, never 'None'."""
    schedule = dosecal.expand(
        load("nct04083898"),
        course(
            "2026-12-07",
            cycles=7,
            level="1",
            adjustments=(
                Delay(C(None, 2), 7, "ANC 0.9", 8),
                Delay(C(None, 4), 7, "platelets 60", 9),
                StartOn(C(None, 6), dt.date(2027, 5, 17), "clinic closed", 10),
            ),
        ),
    )
    first = "course line 8: cycle 2 delayed 7 days (ANC 0.9)"
    second = "course line 9: cycle 4 delayed 7 days (platelets 60)"
    started = "course line 10: cycle 6 started on 2027-05-17 (clinic closed)"
    days_1 = {
        (a.cycle, a.date.isoformat(), adjustment_text(a.adjustment))
        for a in schedule
        if a.agent == "prednisone" and a.cycle_day == 1
    }
    assert days_1 == {
        (1, "2026-12-07", ""),
        (2, "2027-01-11", first),
        (3, "2027-02-08", first),
        (4, "2027-03-15", f"{first}; {second}"),
        (5, "2027-04-12", f"{first}; {second}"),
        (6, "2027-05-17", started),
        (7, "2027-06-14", started),
    }


def test_a_hold_beside_a_move_and_a_level_change() -> None:
    """One row touched by three course lines names all three: the move, the hold, the level change."""
    schedule = dosecal.expand(
        load("nct04083898"),
        course(
            "2026-12-07",
            cycles=3,
            level="2",
            adjustments=(
                Delay(C(None, 2), 7, "ANC 0.9", 8),
                Hold("bendamustine", Withheld.HELD, C(None, 3), 2, 2, False, "creatinine up", 9),
                LevelFrom("1", C(None, 3), "DLT", 10),
            ),
        ),
    )
    row = next(a for a in schedule if a.agent == "bendamustine" and (a.cycle, a.cycle_day) == (3, 2))
    assert (row.date.isoformat(), row.status) == ("2027-02-09", "held")
    assert adjustment_text(row.adjustment) == (
        "course line 8: cycle 2 delayed 7 days (ANC 0.9); "
        "course line 9: bendamustine held on cycle 3 day 2 (creatinine up); "
        "course line 10: level 1 from cycle 3 (DLT)"
    )


@pytest.mark.parametrize(
    ("adjustments", "message"),
    [
        (
            (LevelFrom("1", C(None, 3), "DLT", 8), LevelFrom("3", C(None, 3), "no toxicity", 9)),
            "course line 9: the dose level from cycle 3 is already set on course line 8",
        ),
        (
            (
                DoseFrom("isatuximab", Amount(Decimal(8), UNITS["mg/kg"]), C(None, 2), "reaction", 8),
                DoseFrom("isatuximab", Amount(Decimal(6), UNITS["mg/kg"]), C(None, 2), "reaction", 9),
            ),
            "course line 9: the isatuximab dose from cycle 2 is already changed on course line 8",
        ),
    ],
)
def test_two_changes_from_the_same_cycle_are_refused(adjustments: tuple[object, ...], message: str) -> None:
    """Two level changes (or two dose changes of one drug) from the same cycle contradict each other:
    refused, not settled by which line comes last."""
    with pytest.raises(CourseError) as caught:
        dosecal.expand(
            load("nct04083898"), course("2026-12-07", cycles=4, level="2", adjustments=adjustments)
        )
    assert str(caught.value) == message


def test_changes_of_two_drugs_from_the_same_cycle_are_accepted() -> None:
    """A dose change of each of two drugs from one cycle is not a contradiction."""
    schedule = dosecal.expand(
        load("nct04083898"),
        course(
            "2026-12-07",
            cycles=2,
            level="2",
            adjustments=(
                DoseFrom("isatuximab", Amount(Decimal(8), UNITS["mg/kg"]), C(None, 2), "reaction", 8),
                DoseFrom("prednisone", Amount(Decimal(40), UNITS["mg"]), C(None, 2), "glucose", 9),
            ),
        ),
    )
    assert {(a.agent, a.dose_amount) for a in schedule if a.cycle == 2 and a.cycle_day == 1} == {
        ("isatuximab", Decimal(8)),
        ("bendamustine", Decimal(75)),
        ("prednisone", Decimal(40)),
    }


# ---- boundaries ---------------------------------------------------------------------------


def test_an_adjustment_on_the_last_cycle_of_a_fixed_regimen() -> None:
    """R-CHOP-21 has 8 cycles: cycle 8 may be delayed (21 x 7 = 147 days on, 2027-05-03, + 7 =
    2027-05-10); cycle 9 does not exist."""
    regimen = load("r-chop-21")
    schedule = dosecal.expand(
        regimen, course("2026-12-07", adjustments=(Delay(C(None, 8), 7, "infection", 4),))
    )
    assert [a.date.isoformat() for a in schedule if a.agent == "rituximab"][-2:] == [
        "2027-04-12",
        "2027-05-10",
    ]
    with pytest.raises(CourseError) as caught:
        dosecal.expand(regimen, course("2026-12-07", adjustments=(Delay(C(None, 9), 7, "infection", 4),)))
    assert str(caught.value) == "course line 4: cycle 9 is past the last cycle (8)"


@pytest.mark.parametrize(
    ("at", "message"),
    [
        (C("maintenance", 2), None),
        (
            C("maintenance", 3),
            "course line 4: maintenance cycle 3 is past the last cycle expanded (10 in all)",
        ),
        (C("induction", 8), None),
        (C("induction", 9), "course line 4: induction cycle 9 is past the last cycle (8)"),
    ],
)
def test_an_adjustment_at_the_end_of_a_multi_phase_course(at: CycleRef, message: str | None) -> None:
    """S0777: 8 induction cycles, then maintenance; 10 cycles expanded = 8 + 2 maintenance cycles.
    The last expanded cycle of each phase may be adjusted; one more is refused, with its reason."""
    the_course = course("2026-12-07", cycles=10, adjustments=(Delay(at, 7, "infection", 4),))
    if message is None:
        schedule = dosecal.expand(load("s0777-vrd-rd"), the_course)
        assert any(adjustment_text(a.adjustment).startswith("course line 4:") for a in schedule)
        return
    with pytest.raises(CourseError) as caught:
        dosecal.expand(load("s0777-vrd-rd"), the_course)
    assert str(caught.value) == message


def test_an_adjustment_past_the_end_of_a_short_course() -> None:
    """A course of 5 induction cycles has no maintenance cycle 1 to adjust."""
    with pytest.raises(CourseError) as caught:
        dosecal.expand(
            load("s0777-vrd-rd"),
            course("2026-12-07", cycles=5, adjustments=(LevelFrom("x", C("maintenance", 1), "x", 4),)),
        )
    assert str(caught.value).startswith("course line 4: s0777-vrd-rd has no dose level 'x'")
    with pytest.raises(CourseError) as caught:
        dosecal.expand(
            load("s0777-vrd-rd"),
            course("2026-12-07", cycles=5, adjustments=(Delay(C("maintenance", 1), 7, "x", 4),)),
        )
    assert (
        str(caught.value) == "course line 4: maintenance cycle 1 is past the last cycle expanded (5 in all)"
    )


@pytest.mark.parametrize(
    ("date", "message"),
    [
        # Cycle 1 runs 2026-12-07 to 2027-01-03 (28 days): cycle 2 may start the day after.
        ("2027-01-04", None),
        (
            "2027-01-03",
            "course line 7: cycle 2 cannot start on 2027-01-03: the cycle before it runs until 2027-01-03",
        ),
    ],
)
def test_a_set_start_the_day_after_the_cycle_before_ends(date: str, message: str | None) -> None:
    """A cycle may start the day after the cycle before it has run its length, not on its last day."""
    the_course = course(
        "2026-12-07",
        cycles=2,
        level="1",
        adjustments=(StartOn(C(None, 2), dt.date.fromisoformat(date), "as planned", 7),),
    )
    if message is None:
        schedule = dosecal.expand(load("nct04083898"), the_course)
        row = next(a for a in schedule if a.cycle == 2)
        assert (row.date.isoformat(), adjustment_text(row.adjustment)) == (
            "2027-01-04",
            "course line 7: cycle 2 started on 2027-01-04 (as planned)",
        )
        return
    with pytest.raises(CourseError) as caught:
        dosecal.expand(load("nct04083898"), the_course)
    assert str(caught.value) == message


def test_a_set_start_after_a_delayed_cycle() -> None:
    """Cycle 2 delayed 7 days runs 2027-01-11 to 2027-02-07: cycle 3 may start on 2027-02-08, not on
    2027-02-07 (the planned 2027-02-01 is a week too early now)."""

    def expand(date: str) -> dosecal.Schedule:
        return dosecal.expand(
            load("nct04083898"),
            course(
                "2026-12-07",
                cycles=3,
                level="1",
                adjustments=(
                    Delay(C(None, 2), 7, "ANC 0.9", 7),
                    StartOn(C(None, 3), dt.date.fromisoformat(date), "clinic", 8),
                ),
            ),
        )

    assert next(a.date for a in expand("2027-02-08") if a.cycle == 3) == dt.date(2027, 2, 8)
    with pytest.raises(CourseError) as caught:
        expand("2027-02-07")
    assert str(caught.value) == (
        "course line 8: cycle 3 cannot start on 2027-02-07: the cycle before it runs until 2027-02-07"
    )


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (366, None),  # cycle 2 planned on 2027-01-04, + 366 days = 2028-01-05
        (367, "course line 7: a delay of 367 days is not plausible (expected 1-366 days)"),
        (0, "course line 7: a delay of 0 days is not plausible (expected 1-366 days)"),
        # From Python a negative delay would start cycle 2 inside cycle 1.
        (-7, "course line 7: a delay of -7 days is not plausible (expected 1-366 days)"),
        # Before this bound 3,000,000 days ran past the year 9999: an internal error, not a message.
        (3_000_000, "course line 7: a delay of 3000000 days is not plausible (expected 1-366 days)"),
    ],
)
def test_a_delay_of_at_most_a_year(days: int, message: str | None) -> None:
    """A delay is 1 to 366 days: longer is a typo or a new course, refused like any implausible value."""
    the_course = course("2026-12-07", cycles=2, level="1", adjustments=(Delay(C(None, 2), days, "ANC", 7),))
    if message is None:
        schedule = dosecal.expand(load("nct04083898"), the_course)
        assert next(a.date for a in schedule if a.cycle == 2) == dt.date(2028, 1, 5)
        return
    with pytest.raises(CourseError) as caught:
        dosecal.expand(load("nct04083898"), the_course)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2028-01-05", None),  # cycle 2 planned on 2027-01-04, + 366 days
        (
            "2028-01-06",
            "course line 7: cycle 2 cannot start on 2028-01-06: that is more than 366 days after "
            "2027-01-04, when it would start",
        ),
        (
            "2927-01-04",  # a typo for 2027
            "course line 7: cycle 2 cannot start on 2927-01-04: that is more than 366 days after "
            "2027-01-04, when it would start",
        ),
    ],
)
def test_a_set_start_at_most_a_year_late(date: str, message: str | None) -> None:
    """A set start moves a cycle by at most 366 days, as a delay does."""
    the_course = course(
        "2026-12-07",
        cycles=2,
        level="1",
        adjustments=(StartOn(C(None, 2), dt.date.fromisoformat(date), "clinic", 7),),
    )
    if message is None:
        schedule = dosecal.expand(load("nct04083898"), the_course)
        assert next(a.date for a in schedule if a.cycle == 2) == dt.date(2028, 1, 5)
        return
    with pytest.raises(CourseError) as caught:
        dosecal.expand(load("nct04083898"), the_course)
    assert str(caught.value) == message


# ---- the fields of an adjustment's error -------------------------------------------------------

MG_KG = UNITS["mg/kg"]


@pytest.mark.parametrize(
    ("name", "adjustments", "line", "message", "hint", "quoted"),
    [
        ("r-chop-21", (Delay(C(None, 2), 7, " ", 6),), 6, 'say why (because "...")', None, None),
        (
            "s0777-vrd-rd",
            (Delay(C(None, 3), 7, "x", 4),),
            4,
            "s0777-vrd-rd has phases (induction, maintenance): say which, e.g. 'induction cycle 3'",
            None,
            None,  # the example is not on the line: nothing there to put the caret under
        ),
        (
            "s0777-vrd-rd",
            (Delay(C("consolidation", 1), 7, "x", 4),),
            4,
            "s0777-vrd-rd has no phase 'consolidation'",
            None,
            "consolidation",
        ),
        (
            "r-chop-21",
            (Delay(C(None, 0), 7, "late", 4),),
            4,
            "there is no cycle 0",
            "cycle 1 is the first cycle",
            None,
        ),
        (
            "r-chop-21",
            (Delay(C(None, 9), 7, "late", 4),),
            4,
            "cycle 9 is past the last cycle (8)",
            None,
            None,
        ),
        (
            "nct05922501",
            (Hold("pomalidomid", Withheld.HELD, C(None, 2), 1, 1, False, "rash", 4),),
            4,
            "'pomalidomid' is not a drug of nct05922501",
            "did you mean 'pomalidomide'?",
            "pomalidomid",
        ),
        (
            "r-chop-21",
            (DoseFrom("aspirin", Amount(Decimal(1), MG_KG), C(None, 2), "bleeding", 5),),
            5,
            "'aspirin' is not a drug of r-chop-21",
            "its drugs are cyclophosphamide, doxorubicin, vincristine, rituximab, prednisolone",
            "aspirin",
        ),
        (
            "r-chop-21",
            (Delay(C(None, 2), 0, "ANC", 7),),
            7,
            "a delay of 0 days is not plausible (expected 1-366 days)",
            None,
            None,
        ),
        (
            "nct05922501",
            (Hold("pomalidomide", Withheld.HELD, C(None, 2), 30, 30, False, "rash", 4),),
            4,
            "day 30 is outside a 28-day cycle",
            None,
            None,
        ),
        (
            "r-chop-21",
            (LevelFrom("1", C(None, 2), "toxicity", 5),),
            5,
            "r-chop-21 has no dose level '1'",
            "its levels: none",
            "1",
        ),
        (
            "r-chop-21",
            (
                DoseFrom("vincristine", Amount(Decimal(1), MG_KG), C(None, 2), "neuropathy", 8),
                DoseFrom("vincristine", Amount(Decimal(2), MG_KG), C(None, 2), "neuropathy", 9),
            ),
            9,
            "the vincristine dose from cycle 2 is already changed on course line 8",
            None,
            None,
        ),
        (
            "r-chop-21",
            (StartOn(C(None, 2), dt.date(2026, 12, 20), "clinic", 6),),
            6,
            "cycle 2 cannot start on 2026-12-20: the cycle before it runs until 2026-12-27",
            None,
            None,
        ),
        (
            "r-chop-21",
            (StartOn(C(None, 2), dt.date(2028, 1, 1), "clinic", 6),),
            6,
            "cycle 2 cannot start on 2028-01-01: that is more than 366 days after 2026-12-28, "
            "when it would start",
            None,
            None,
        ),
        (
            "r-chop-21",
            (Delay(C(None, 1), 7, "late", 3),),
            3,
            "the course's start date says when cycle 1 starts",
            None,
            None,
        ),
        (
            "r-chop-21",
            (Delay(C(None, 2), 7, "ANC", 4), StartOn(C(None, 2), dt.date(2027, 1, 4), "clinic", 5)),
            5,
            "cycle 2 is already moved on course line 4",
            None,
            None,
        ),
        (
            "r-chop-21",
            (Delay(C(None, 5), 7, "late", 3),),
            3,
            "cycle 5 is past the last cycle expanded (3 in all)",
            None,
            None,
        ),
        (
            "r-chop-21",
            (Delay(C(None, 2), 7, "ANC\x07", 6),),
            6,
            "the reason holds U+0007 BELL (an invisible control character) at character 4",
            "delete it",
            None,
        ),
    ],
)
def test_an_adjustments_error_carries_its_line_and_parts(
    name: str,
    adjustments: tuple[object, ...],
    line: int,
    message: str,
    hint: str | None,
    quoted: str | None,
) -> None:
    """Every refused adjustment says so in fields: its course line, the sentence, the hint and the
    name to put the caret under. A course file's report is made from these (never from the text),
    and the text is 'course line N: sentence; hint', as it always was."""
    with pytest.raises(CourseError) as caught:
        plan(load(name), course("2026-12-07", cycles=3, adjustments=adjustments))
    error = caught.value
    assert (error.subject, error.line, error.message, error.hint, error.quoted) == (
        Subject.ADJUSTMENT,
        line,
        message,
        hint,
        quoted,
    )
    assert str(error) == f"course line {line}: {message}" + (f"; {hint}" if hint else "")
