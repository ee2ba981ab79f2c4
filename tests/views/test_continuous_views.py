"""Continuous infusions over days (issue 12, point 5) as the calendar, the diary and the visit list
show them, worked by hand.

7+3 from Monday 2026-12-07 for a 70 kg, 170 cm patient (BSA 1.82 m2, see
tests/engine/test_continuous.py): cytarabine 100 mg/m2/day = 182 mg/day over days 1-7
(12-07 to 12-13, 1274 mg), daunorubicin 60 mg/m2/day = 109.2 mg/day on days 1-3.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from decimal import Decimal
from pathlib import Path

import icalendar
import pypdf
import recurring_ical_events  # type: ignore[import-untyped]  # it ships no type information
from click.testing import CliRunner

import dosecal
from dosecal import Measures, packet
from dosecal.cli.main import cli
from dosecal.engine.identity import visit_uid
from dosecal.render import pdf_diary
from dosecal.views import diary
from dosecal.views.events import CalendarEvent, CalendarOptions, events
from dosecal.views.visits import visits

from ..interop.lint import lint

SEVEN_THREE = """regimen seven-three "Cytarabine and daunorubicin (7+3)"
  source "cytarabine 100 mg/m2/day on Days 1-7 by continuous infusion + daunorubicin 60 mg/m2/day on Days 1-3"
  cycle 28 days, 1 cycle
  cytarabine 100 mg/m2/day IV continuous infusion
    days 1-7
  daunorubicin 60 mg/m2/day IV
    days 1-3
"""
START = dt.date(2026, 12, 7)
BODY = Measures(Decimal(70), Decimal(170))
BSA_SAID = "BSA 1.82 m2 = Mosteller sqrt(170 cm x 70 kg / 3600) = 1.8181, rounded to 0.01 m2"
STAMP = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
FOOTER = (
    "Regimen: seven-three, Cytarabine and daunorubicin (7+3)\n"
    "Source: cytarabine 100 mg/m2/day on Days 1-7 by continuous infusion + daunorubicin 60 mg/m2/day "
    "on Days 1-3\n"
    "Made with dosecal from the regimen as written; check it against the protocol."
)
CYTARABINE_LINE = (
    "cytarabine: 100 mg/m2/day = 182 mg/day for 7 days (1274 mg in all); "
    "IV, continuous infusion, days 1-7, to 2026-12-13"
)
CYTARABINE_COMPUTED = (
    f"   computed: 100 mg/m2/day x 1.82 m2 = 182 mg/day; 182 mg/day x 7 days = 1274 mg; {BSA_SAID}"
)
DAUNORUBICIN_LINES = (
    "daunorubicin: 60 mg/m2/day = 109.2 mg/day; IV",
    f"   computed: 60 mg/m2/day x 1.82 m2 = 109.2 mg/day; {BSA_SAID}",
)


def place_id(course_id: str, place: str) -> str:
    """The documented identity rule, restated: uuid5 of the course id and the place, in a fixed namespace."""
    return str(uuid.uuid5(uuid.UUID("6f1c1f0e-5d5b-4d1c-9a57-0d05eca10000"), course_id + place))


INFUSION_UID = f"{place_id('aml-1', '||1|1|cytarabine|1')}@dosecal"


def schedule_of(text: str = SEVEN_THREE) -> dosecal.Schedule:
    return dosecal.expand(dosecal.loads(text), dosecal.Course(START, course_id="aml-1", measures=BODY))


# ---- the calendar, default layout --------------------------------------------------------


def test_the_spanning_event() -> None:
    """Beside the visit of day 1, cytarabine gets one all-day event from 12-07 to 12-14 (exclusive:
    days 1-7), its UID the administration's, saying its dose a day, its days and its end."""
    found = events(schedule_of(), CalendarOptions())
    infusion = next(e for e in found if e.uid == INFUSION_UID)
    summary = "cytarabine continuous infusion 182 mg/day, days 1-7"
    description = "\n".join(
        ["cycle 1, day 1 (study day 1) to day 7", CYTARABINE_LINE, CYTARABINE_COMPUTED, "", FOOTER]
    )
    assert infusion == CalendarEvent(
        INFUSION_UID,
        summary,
        description,
        dt.date(2026, 12, 7),
        dt.date(2026, 12, 14),
        "clinic dose",
        True,
        None,
        summary,
    )


def test_the_events_of_the_course() -> None:
    """Four events: day 1's visit then the infusion, then the visits of days 2 and 3 (daunorubicin
    alone: the infusion running on is not a visit's drug)."""
    found = events(schedule_of(), CalendarOptions())
    assert [(e.uid, e.start, e.end, e.summary) for e in found] == [
        (
            visit_uid("aml-1", "", 1, 1),
            dt.date(2026, 12, 7),
            dt.date(2026, 12, 8),
            "Clinic: cytarabine 182 mg/day, daunorubicin 109.2 mg/day",
        ),
        (
            INFUSION_UID,
            dt.date(2026, 12, 7),
            dt.date(2026, 12, 14),
            "cytarabine continuous infusion 182 mg/day, days 1-7",
        ),
        (
            visit_uid("aml-1", "", 1, 2),
            dt.date(2026, 12, 8),
            dt.date(2026, 12, 9),
            "Clinic: daunorubicin 109.2 mg/day",
        ),
        (
            visit_uid("aml-1", "", 1, 3),
            dt.date(2026, 12, 9),
            dt.date(2026, 12, 10),
            "Clinic: daunorubicin 109.2 mg/day",
        ),
    ]


def test_the_visit_of_day_1_still_lists_cytarabine() -> None:
    """Day 1's visit lists both drugs in order; cytarabine's line says 'days 1-7, to 2026-12-13'."""
    visit = events(schedule_of(), CalendarOptions())[0]
    assert visit.description == "\n".join(
        [
            "Clinic visit, cycle 1, day 1 (study day 1). In the order given:",
            f"1. {CYTARABINE_LINE}",
            CYTARABINE_COMPUTED,
            f"2. {DAUNORUBICIN_LINES[0]}",
            DAUNORUBICIN_LINES[1],
            "",
            FOOTER,
        ]
    )


def cli_calendar(tmp_path: Path, *extra: str) -> bytes:
    """`dosecal ics` of 7+3 for patient aml-1, as the command line writes it."""
    regimen = tmp_path / "seven-three.regimen"
    regimen.write_text(SEVEN_THREE, "utf-8")
    out = tmp_path / "calendar.ics"
    args = ["ics", str(regimen), "--start", "2026-12-07", "--weight", "70", "--height", "170"]
    args += ["--course-id", "aml-1", "--generated-at", "2026-11-20T09:00:00Z", "-o", str(out), *extra]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    return out.read_bytes()


def days_of(vevent: icalendar.Component) -> tuple[object, object]:
    """An event's DTSTART and DTEND as icalendar reads them (dates for an all-day event)."""
    return vevent.decoded("DTSTART"), vevent.decoded("DTEND")


def test_the_calendar_file_read_back(tmp_path: Path) -> None:
    """The command line's bytes are packet.calendar's for the same course and revision time.
    icalendar reads them with no errors; the infusion's VEVENT has DTSTART 2026-12-07 and DTEND
    2026-12-14, both dates (VALUE=DATE in the file); recurring_ical_events finds it on each of days
    1-7 (12-07 to 12-13) and not on day 8 (12-14), where no event names cytarabine."""
    data = cli_calendar(tmp_path)
    settings = packet.CalendarSettings(CalendarOptions(), STAMP)
    assert data == packet.calendar(schedule_of(), settings)
    assert lint(data) == []
    calendar = icalendar.Calendar.from_ical(data)
    assert all(component.errors == [] for component in calendar.walk())
    (vevent,) = [e for e in calendar.walk("VEVENT") if str(e["UID"]) == INFUSION_UID]
    assert days_of(vevent) == (dt.date(2026, 12, 7), dt.date(2026, 12, 14))
    (block,) = [b for b in data.split(b"BEGIN:VEVENT") if f"UID:{INFUSION_UID}".encode() in b]
    assert b"\r\nDTSTART;VALUE=DATE:20261207\r\n" in block and b"\r\nDTEND;VALUE=DATE:20261214\r\n" in block
    assert str(vevent["SUMMARY"]) == "cytarabine continuous infusion 182 mg/day, days 1-7"
    reader = recurring_ical_events.of(calendar)
    for offset in range(7):
        day = START + dt.timedelta(days=offset)
        assert INFUSION_UID in {str(e["UID"]) for e in reader.at(day)}, day
    day_8 = reader.at(dt.date(2026, 12, 14))
    assert [e for e in day_8 if "cytarabine" in str(e["SUMMARY"])] == []


# ---- the calendar, one event per administration -------------------------------------------


def test_per_administration_the_event_covers_the_same_days(tmp_path: Path) -> None:
    """--per-administration: cytarabine's own event, the same UID, covers 12-07 to 12-14 (exclusive);
    no second event for it; each daunorubicin dose one day. Read back from the command line's file."""
    found = events(schedule_of(), CalendarOptions(per_administration=True))
    assert [(e.uid, e.start, e.end, e.summary) for e in found] == [
        (INFUSION_UID, dt.date(2026, 12, 7), dt.date(2026, 12, 14), "cytarabine 182 mg/day"),
        (
            f"{place_id('aml-1', '||1|1|daunorubicin|1')}@dosecal",
            dt.date(2026, 12, 7),
            dt.date(2026, 12, 8),
            "daunorubicin 109.2 mg/day",
        ),
        (
            f"{place_id('aml-1', '||1|2|daunorubicin|1')}@dosecal",
            dt.date(2026, 12, 8),
            dt.date(2026, 12, 9),
            "daunorubicin 109.2 mg/day",
        ),
        (
            f"{place_id('aml-1', '||1|3|daunorubicin|1')}@dosecal",
            dt.date(2026, 12, 9),
            dt.date(2026, 12, 10),
            "daunorubicin 109.2 mg/day",
        ),
    ]
    assert found[0].description == "\n".join(
        [
            "cycle 1, day 1 (study day 1); dose 1 of 2 on the day",
            CYTARABINE_LINE,
            CYTARABINE_COMPUTED,
            "",
            FOOTER,
        ]
    )
    calendar = icalendar.Calendar.from_ical(cli_calendar(tmp_path, "--per-administration"))
    (vevent,) = [e for e in calendar.walk("VEVENT") if str(e["UID"]) == INFUSION_UID]
    assert days_of(vevent) == (dt.date(2026, 12, 7), dt.date(2026, 12, 14))


# ---- the diary ---------------------------------------------------------------------------

PUMP = """regimen pump "Fluorouracil by a home pump over days 1-4"
  cycle 14 days, 1 cycle
  fluorouracil 1000 mg/m2/day IV continuous infusion, diary
    days 1-4
"""
PUMP_BASIS = f"1000 mg/m2/day x 1.82 m2 = 1820 mg/day; 1820 mg/day x 4 days = 7280 mg; {BSA_SAID}"


def test_a_home_pump_has_one_diary_cell_on_its_first_day() -> None:
    """1000 mg/m2/day x 1.82 m2 = 1820 mg/day, x 4 days = 7280 mg. One sheet, one column, one row:
    day 1 (12-07), '1820 mg/day', to day 4; nothing on days 2-4 (the pump runs on, nothing to tick)."""
    (sheet,) = diary.build(schedule_of(PUMP)).sheets
    assert (sheet.title, sheet.start, sheet.field) == ("Cycle 1", START, "c1")
    assert sheet.columns == (diary.Column("fluorouracil", 1, "fluorouracil", "fluorouracil-1"),)
    assert sheet.rows == (diary.Row(1, START, (diary.Cell("1820 mg/day", "", True, "to day 4"),), "c1-d1"),)


def test_a_home_pump_instructions() -> None:
    """How: 'continuous infusion, IV'; when: 'a continuous infusion over days 1-4 of this cycle
    (4 days)'; dose: '1000 mg/m2/day = 1820 mg/day for 4 days (7280 mg in all)'; and how it was
    computed."""
    (sheet,) = diary.build(schedule_of(PUMP)).sheets
    assert sheet.drugs == (
        diary.DrugInstructions(
            "fluorouracil",
            "continuous infusion, IV",
            "1000 mg/m2/day = 1820 mg/day for 4 days (7280 mg in all)",
            True,
            (PUMP_BASIS,),
            "a continuous infusion over days 1-4 of this cycle (4 days)",
            (),
            None,
        ),
    )


def test_a_home_pump_diary_renders() -> None:
    """The PDF of that diary is made, and its first sheet shows the dose a day."""
    data = pdf_diary.render(diary.build(schedule_of(PUMP)))
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "1820 mg/day" in text


def test_a_clinic_continuous_infusion_gives_no_diary_sheet() -> None:
    """7+3 is given in clinic: no sheet (the month views still mark day 1)."""
    built = diary.build(schedule_of())
    assert built.sheets == ()


# ---- the visit list ----------------------------------------------------------------------

TIMED = SEVEN_THREE.replace("daunorubicin 60 mg/m2/day IV\n", "daunorubicin 60 mg/m2/day IV over 15-30 min\n")


def test_the_infusion_is_not_chair_time() -> None:
    """Daunorubicin over 15-30 min: day 1's chair time is 15-30 min, cytarabine (7 days, 10080 min)
    running on after the visit and not counted; days 2 and 3 are daunorubicin's alone; no visit on
    days 4-7."""
    found = visits(schedule_of(TIMED), "p1")
    assert [(v.date, v.drugs, v.chair_minutes_min, v.chair_minutes_max, v.durations) for v in found] == [
        (
            dt.date(2026, 12, 7),
            ("cytarabine", "daunorubicin"),
            15,
            30,
            ("cytarabine 10080 min, runs on after the visit (not counted)", "daunorubicin 15-30 min"),
        ),
        (dt.date(2026, 12, 8), ("daunorubicin",), 15, 30, ("daunorubicin 15-30 min",)),
        (dt.date(2026, 12, 9), ("daunorubicin",), 15, 30, ("daunorubicin 15-30 min",)),
    ]


def test_an_unstated_duration_beside_the_infusion_leaves_chair_time_empty() -> None:
    """7+3 as written states no time for daunorubicin: the chair time is left empty, never guessed,
    though cytarabine's is known (it would not count)."""
    first = visits(schedule_of(), "p1")[0]
    assert (first.chair_minutes_min, first.chair_minutes_max) == (None, None)
    assert first.durations == (
        "cytarabine 10080 min, runs on after the visit (not counted)",
        "daunorubicin not stated",
    )
