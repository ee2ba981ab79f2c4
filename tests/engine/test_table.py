"""The administration table's typed seams: `Status`, `Change`, and `values`, the row as the column
contract (docs/table.md) has it, which the DataFrame and every renderer use."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

import dosecal
from dosecal.engine.table import COLUMNS, CONTINUOUS_MIN, Change, Status, adjustment_text, values
from dosecal.model.adjust import CycleRef, Delay, Hold, Withheld

from ..conftest import course, load

POM_HELD = Hold("pomalidomide", Withheld.HELD, CycleRef(None, 2), 15, None, False, "rash grade 2", 8)
DEX_OMITTED = Hold("dexamethasone", Withheld.OMITTED, CycleRef(None, 2), None, None, True, "insomnia", 9)
DELAY = Delay(CycleRef(None, 2), 7, "ANC 0.8", 7)


def adjusted() -> dosecal.Schedule:
    """NCT05922501, 2 cycles from 2026-12-07: cycle 2 delayed a week (course line 7), pomalidomide
    held from cycle 2 day 15 (line 8), dexamethasone omitted from cycle 2 (line 9)."""
    return dosecal.expand(
        load("nct05922501"), course("2026-12-07", cycles=2, adjustments=(DELAY, POM_HELD, DEX_OMITTED))
    )


def test_status_is_an_enum_with_the_column_texts() -> None:
    """Three members, whose values are the `status` column's texts; every row holds a member."""
    assert [(s.name, s.value) for s in Status] == [
        ("PLANNED", "planned"),
        ("HELD", "held"),
        ("OMITTED", "omitted"),
    ]
    schedule = adjusted()
    assert {type(a.status) for a in schedule} == {Status}
    assert {a.status for a in schedule} == {Status.PLANNED, Status.HELD, Status.OMITTED}


def test_each_hold_kind_gives_its_status() -> None:
    """Held pomalidomide is HELD, omitted dexamethasone OMITTED, the rest PLANNED."""
    by_kind = {(a.agent, a.cycle, a.status) for a in adjusted() if a.self_administered}
    assert ("pomalidomide", 2, Status.HELD) in by_kind
    assert ("dexamethasone", 2, Status.OMITTED) in by_kind
    assert {s for agent, cycle, s in by_kind if cycle == 1} == {Status.PLANNED}
    assert ("dexamethasone", 2, Status.PLANNED) not in by_kind


def test_a_status_still_equals_its_text() -> None:
    """Code written when the column was a string (`row.status == "held"`) keeps working."""
    assert all(s == s.value and hash(s) == hash(s.value) for s in Status)
    assert {a.status for a in adjusted()} == {"planned", "held", "omitted"}


def test_the_changes_of_a_row_are_records_in_the_course_order() -> None:
    """Pomalidomide on cycle 2 day 15: moved by the delay (line 7), then held (line 8); each change
    keeps its line and says what it did and why, with no "course line" prefix in its text."""
    row = next(a for a in adjusted() if (a.agent, a.cycle, a.cycle_day) == ("pomalidomide", 2, 15))
    assert row.adjustment == (
        Change(7, "cycle 2 delayed 7 days (ANC 0.8)"),
        Change(8, "pomalidomide held on cycle 2 from day 15 (rash grade 2)"),
    )


def test_values_give_the_contract_texts() -> None:
    """`values`: the status as its plain text and the changes joined as the column documents them;
    every other column as the row holds it."""
    row = next(a for a in adjusted() if (a.agent, a.cycle, a.cycle_day) == ("pomalidomide", 2, 15))
    got = dict(zip(COLUMNS, values(row), strict=True))
    assert type(got["status"]) is str and got["status"] == "held"
    assert got["adjustment"] == (
        "course line 7: cycle 2 delayed 7 days (ANC 0.8); "
        "course line 8: pomalidomide held on cycle 2 from day 15 (rash grade 2)"
    )
    assert {c: v for c, v in got.items() if c not in ("status", "adjustment")} == {
        c: v for c, v in dataclasses.asdict(row).items() if c in COLUMNS and c not in ("status", "adjustment")
    }


def test_no_change_is_an_empty_text() -> None:
    """A row no adjustment touched: an empty tuple, an empty column."""
    first = next(iter(adjusted()))
    assert first.adjustment == ()
    assert adjustment_text(first.adjustment) == ""


def test_the_frame_keeps_strings_in_status_and_adjustment() -> None:
    """`to_frame`: the `status` and `adjustment` columns hold plain strings, as docs/table.md says."""
    schedule = adjusted()
    frame = schedule.to_frame()
    assert {type(v) for v in frame["status"]} == {str}
    assert {type(v) for v in frame["adjustment"]} == {str}
    assert list(frame["status"]) == [a.status.value for a in schedule]
    assert list(frame["adjustment"]) == [adjustment_text(a.adjustment) for a in schedule]


def test_a_dose_change_is_an_enum_written_as_its_text() -> None:
    """`dose_change` is a `DoseChange`; the CSV and the frame hold its text ("" when unchanged)."""
    from dosecal import load_bundled
    from dosecal.engine.expand import expand
    from dosecal.engine.table import DoseChange
    from dosecal.model.adjust import CycleRef, LevelFrom
    from dosecal.model.course import Course
    from dosecal.model.dosing import Measures

    regimen = load_bundled("nct04083898")
    course = Course(
        dt.date(2026, 12, 7),
        cycles=2,
        level="2",
        measures=Measures(Decimal(70), Decimal(170)),
        adjustments=(LevelFrom("1", CycleRef(None, 2), "DLT", 9),),
    )
    rows = [a for a in expand(regimen, course) if a.agent == "bendamustine"]
    assert {(a.cycle, a.dose_change) for a in rows} == {(1, DoseChange.NONE), (2, DoseChange.REDUCED)}
    assert {values(a)[COLUMNS.index("dose_change")] for a in rows} == {"", "reduced"}
    assert all(type(v) is str for v in values(rows[-1]) if isinstance(v, str))


def test_a_row_names_its_drug_with_its_label() -> None:
    """`drug` is the drug as the regimen names it (model.regimen.drug_key): mFOLFOX6's two
    fluorouracil lines are 'fluorouracil (bolus)' and 'fluorouracil (infusion)'; a drug without a
    label (variant "") is its name alone. Not a column: `COLUMNS` stays the contract's."""
    rows = dosecal.expand(load("mfolfox6"), course("2026-12-07", cycles=1))
    assert list(dict.fromkeys((a.agent, a.variant, a.drug) for a in rows if a.cycle_day == 1)) == [
        ("oxaliplatin", "", "oxaliplatin"),
        ("leucovorin", "", "leucovorin"),
        ("fluorouracil", "bolus", "fluorouracil (bolus)"),
        ("fluorouracil", "infusion", "fluorouracil (infusion)"),
    ]
    assert "drug" not in COLUMNS and "runs_on" not in COLUMNS


@pytest.mark.parametrize(
    ("minutes", "runs_on"),
    [(None, False), (120, False), (CONTINUOUS_MIN - 1, False), (CONTINUOUS_MIN, True), (2760, True)],
)
def test_an_infusion_of_a_day_or_more_runs_on(minutes: int | None, runs_on: bool) -> None:
    """`runs_on`: an infusion whose longest stated time is 24 hours or more (a pump) runs on after
    its visit; a shorter one, or one whose time is not stated, does not."""
    row = next(iter(adjusted()))
    assert dataclasses.replace(row, duration_min=minutes, duration_max=minutes).runs_on is runs_on
