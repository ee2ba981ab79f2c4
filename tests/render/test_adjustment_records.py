"""A row's status and changes are typed (`Status`, `Change`); each output writes them as before.

The CSV and JSON `adjustment` column joins a row's changes, each with its course line; the diary
shows each change on its own, in the patient's words, without the line; the calendar and the
visit list write a status by its text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pypdf
import pytest

import dosecal
from dosecal.engine.table import Status, Value
from dosecal.model.adjust import CycleRef, Delay, Hold, Withheld
from dosecal.render import csv_table, json_table, pdf_diary
from dosecal.render.csv_table import Profile, cell
from dosecal.render.csv_visits import visit_cells
from dosecal.views.diary import build
from dosecal.views.events import CalendarOptions, events
from dosecal.views.visits import visits

from ..conftest import course, load

DELAY = Delay(CycleRef(None, 2), 7, "ANC 0.8", 7)
# The reason holds "; ", the separator of the joined column: the diary must still show one change.
POM_HELD = Hold("pomalidomide", Withheld.HELD, CycleRef(None, 2), 15, None, False, "rash; grade 2", 8)
JOINED = (
    "course line 7: cycle 2 delayed 7 days (ANC 0.8); "
    "course line 8: pomalidomide held on cycle 2 from day 15 (rash; grade 2)"
)


@pytest.fixture(scope="module")
def schedule() -> dosecal.Schedule:
    """NCT05922501, 2 cycles from 2026-12-07: cycle 2 delayed a week (course line 7), pomalidomide
    held from cycle 2 day 15 (line 8): its rows of cycle 2 days 15-21 carry both changes."""
    return dosecal.expand(load("nct05922501"), course("2026-12-07", cycles=2, adjustments=(DELAY, POM_HELD)))


def test_two_changes_are_joined_in_the_csv(schedule: dosecal.Schedule) -> None:
    """Machine CSV: cycle 2 day 15 pomalidomide is `held`, with both changes in one cell, joined by
    "; " and each with its course line; a cycle 2 dexamethasone row has the delay alone."""
    rows = list(csv.DictReader(io.StringIO(csv_table.render(schedule, Profile.MACHINE))))
    pom = next(r for r in rows if (r["agent"], r["cycle"], r["cycle_day"]) == ("pomalidomide", "2", "15"))
    assert (pom["status"], pom["adjustment"]) == ("held", JOINED)
    dex = next(r for r in rows if (r["agent"], r["cycle"], r["cycle_day"]) == ("dexamethasone", "2", "15"))
    assert (dex["status"], dex["adjustment"]) == (
        "planned",
        "course line 7: cycle 2 delayed 7 days (ANC 0.8)",
    )


def test_two_changes_are_joined_in_the_json(schedule: dosecal.Schedule) -> None:
    """JSON: the same text as the CSV; a row nothing changed has null, as every empty cell."""
    rows = json.loads(json_table.render(schedule))["administrations"]
    pom = next(r for r in rows if (r["agent"], r["cycle"], r["cycle_day"]) == ("pomalidomide", 2, 15))
    assert (pom["status"], pom["adjustment"]) == ("held", JOINED)
    assert (rows[0]["status"], rows[0]["adjustment"]) == ("planned", None)


def test_the_diary_view_shows_each_change_on_its_own(schedule: dosecal.Schedule) -> None:
    """Cycle 2's sheet: the delay once (every home row of the cycle has it) and the hold, each
    without "course line N:", the hold's reason whole although it holds "; "; cycle 1 has none."""
    sheets = build(schedule).sheets
    assert [s.changes for s in sheets] == [
        (),
        ("cycle 2 delayed 7 days (ANC 0.8)", "pomalidomide held on cycle 2 from day 15 (rash; grade 2)"),
    ]


def test_the_diary_pdf_prints_the_changes_without_their_lines(schedule: dosecal.Schedule) -> None:
    """The PDF shows both changes under "Changed by your care team:" and never a course line."""
    reader = pypdf.PdfReader(io.BytesIO(pdf_diary.render(build(schedule))))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Changed by your care team:" in text
    assert "cycle 2 delayed 7 days (ANC 0.8)" in text
    assert "pomalidomide held on cycle 2 from day 15 (rash; grade 2)" in text
    assert "course line" not in text


def test_the_calendar_writes_a_status_by_its_text(schedule: dosecal.Schedule) -> None:
    """Per administration, a held dose's summary says "(held: do not give)", and its description
    names the changes as the table's column does."""
    held = [e for e in events(schedule, CalendarOptions(per_administration=True)) if "held" in e.summary]
    assert len(held) == 7  # cycle 2 days 15-21
    assert {e.summary for e in held} == {"pomalidomide (held: do not give)"}  # no dose stated
    assert all(f"changed by the course: {JOINED}" in e.description for e in held)


def test_a_visit_with_held_and_omitted_doses() -> None:
    """C1D1 with isatuximab held and belantamab mafodotin omitted: the visit's statuses are both,
    in the order of their text, and its cell says "held/omitted"."""
    adjustments = (
        Hold("isatuximab", Withheld.HELD, CycleRef(None, 1), 1, 1, False, "IRR", 4),
        Hold("belantamab mafodotin", Withheld.OMITTED, CycleRef(None, 1), 1, 1, False, "keratopathy", 5),
    )
    schedule = dosecal.expand(load("nct05922501"), course("2026-12-07", cycles=1, adjustments=adjustments))
    first = visits(schedule, "p1")[0]
    assert (first.cycle_day, first.status, first.drugs) == (1, (Status.HELD, Status.OMITTED), ())
    cells = visit_cells(first)
    assert cells[12:14] == [
        "held/omitted",
        "isatuximab (held: course line 4: isatuximab held on cycle 1 day 1 (IRR)); "
        "belantamab mafodotin (omitted: course line 5: belantamab mafodotin omitted on cycle 1 day 1 "
        "(keratopathy))",
    ]
    assert visit_cells(visits(schedule, "p1")[1])[12] == "planned"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (Decimal("136.50"), "136.5"),
        (Decimal("0.000001"), "0.000001"),
        (dt.date(2026, 12, 7), "2026-12-07"),
        (-1, "-1"),
        ("held", "held"),
        ("", ""),
    ],
)
def test_a_cell_as_text(value: Value, text: str) -> None:
    """`render.csv_table.cell`: none is empty, booleans true/false, decimals exact and without a
    trailing zero, dates ISO, the rest as written."""
    assert cell(value) == text
