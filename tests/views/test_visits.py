"""Clinic visits (`dosecal appointments`): chair time, closed days, moves, held doses.

Every expected date below was worked out on a paper calendar from the
NCT05922501 record: isatuximab on days 1, 8, 15, 22 of cycle 1 and days 1, 15
after; belantamab mafodotin every 8 weeks from cycle 1 day 1; both IV, the
rest taken at home.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import icalendar
from click.testing import CliRunner, Result

from dosecal.cli.main import cli
from dosecal.engine.table import Schedule, Status
from dosecal.views.visits import ClosedDays, MovePolicy, visits
from tests.conftest import course, load


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def table(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_one_row_per_clinic_visit_with_chair_minutes_in_order() -> None:
    """Two cycles from Monday 7 Dec 2026: six visits; C1D1 has both IV drugs, isatuximab first."""
    result = run(
        "appointments", "nct05922501", "--start", "2026-12-07", "--cycles", "2", "--patient-id", "p1"
    )
    assert result.exit_code == 0, result.stderr
    rows = table(result.stdout)
    assert [(r["date"], r["cycle"], r["cycle_day"]) for r in rows] == [
        ("2026-12-07", "1", "1"),
        ("2026-12-14", "1", "8"),
        ("2026-12-21", "1", "15"),
        ("2026-12-28", "1", "22"),
        ("2027-01-04", "2", "1"),
        ("2027-01-18", "2", "15"),
    ]
    first = rows[0]
    assert first["patient_id"] == "p1"
    assert first["drugs"] == "isatuximab; belantamab mafodotin"
    assert first["durations"] == "isatuximab 30-60 min; belantamab mafodotin 60 min"
    # 30-60 min + 60 min: book 90 to 120 minutes.
    assert (first["chair_minutes_min"], first["chair_minutes_max"]) == ("90", "120")
    assert {(r["chair_minutes_min"], r["chair_minutes_max"]) for r in rows[1:]} == {("30", "60")}
    assert all(r["weekday"] == "Mon" and r["status"] == "planned" and not r["closed"] for r in rows)


def test_visit_id_is_the_calendar_event_uid(tmp_path: Path) -> None:
    """A scheduler can find each visit's calendar event: visit_id is that event's UID."""
    args = ["nct05922501", "--start", "2026-12-07", "--cycles", "3"]
    visits_csv = table(run("appointments", *args).stdout)
    ics = run("ics", *args).stdout_bytes
    events = {str(e["UID"]): e["DTSTART"].dt for e in icalendar.Calendar.from_ical(ics).walk("VEVENT")}
    for row in visits_csv:
        assert events[row["visit_id"]] == dt.date.fromisoformat(row["date"])


def test_unstated_infusion_time_leaves_chair_minutes_empty() -> None:
    """NCT04083898 states no infusion time: chair minutes are left empty, never guessed."""
    result = run("appointments", "nct04083898", "--start", "2026-12-07", "--cycles", "1", "--level", "1")
    rows = table(result.stdout)
    assert [r["cycle_day"] for r in rows] == ["1", "2", "8", "15", "22"]
    assert rows[0]["drugs"] == "isatuximab; bendamustine"
    assert rows[0]["durations"] == "isatuximab not stated; bendamustine not stated"
    assert all(r["chair_minutes_min"] == r["chair_minutes_max"] == "" for r in rows)


def test_a_multi_day_pump_is_not_chair_time(tmp_path: Path) -> None:
    """mFOLFOX6 with stated times: 120 + 120 + 5 minutes in the chair; the 46-hour pump runs on."""
    path = tmp_path / "folfox.regimen"
    path.write_text(
        'regimen demo-folfox "mFOLFOX6 (illustration)"\n'
        "  cycle 14 days, 12 cycles\n"
        "  oxaliplatin 85 mg/m2 IV over 2 hours\n    day 1\n"
        "  leucovorin 400 mg/m2 IV over 2 hours\n    day 1\n"
        "  fluorouracil (bolus) 400 mg/m2 IV bolus over 5 min, after leucovorin\n    day 1\n"
        "  fluorouracil (infusion) 2400 mg/m2 IV infusion over 46 hours, after fluorouracil (bolus)\n"
        "    day 1\n",
        "utf-8",
    )
    rows = table(run("appointments", str(path), "--start", "2026-03-02", "--cycles", "1").stdout)
    assert len(rows) == 1
    assert rows[0]["drugs"] == ("oxaliplatin; leucovorin; fluorouracil (bolus); fluorouracil (infusion)")
    assert rows[0]["durations"].endswith(
        "fluorouracil (infusion) 2760 min, runs on after the visit (not counted)"
    )
    assert (rows[0]["chair_minutes_min"], rows[0]["chair_minutes_max"]) == ("245", "245")


def test_christmas_is_flagged_and_kept_by_default() -> None:
    """From Friday 4 Dec 2026, C1D22 is Friday 25 Dec; with --holidays US it is flagged, not moved."""
    result = run("appointments", "nct05922501", "--start", "2026-12-04", "--cycles", "1", "--holidays", "US")
    assert result.exit_code == 0, result.stderr
    rows = table(result.stdout)
    christmas = [r for r in rows if r["closed"]]
    assert [(r["date"], r["closed"], r["planned_date"]) for r in christmas] == [
        ("2026-12-25", "Christmas Day", "")
    ]
    assert "kept on a closed day" in christmas[0]["moved"]
    assert "cycle 1 day 22: 2026-12-25 (Christmas Day)" in result.stderr
    assert "--move-closed next|previous moves them" in result.stderr


def test_move_next_skips_the_weekend_and_says_so() -> None:
    """Christmas (Fri) -> the next open day is Monday 28 Dec (26, 27 are a weekend)."""
    args = ["nct05922501", "--start", "2026-12-04", "--cycles", "1", "--holidays", "US"]
    result = run("appointments", *args, "--move-closed", "next")
    moved = [r for r in table(result.stdout) if r["planned_date"]]
    assert [(r["planned_date"], r["date"], r["weekday"]) for r in moved] == [
        ("2026-12-25", "2026-12-28", "Mon")
    ]
    assert moved[0]["moved"] == "moved from 2026-12-25 (Christmas Day) to the next open day"
    assert "2026-12-25 (Christmas Day) -> 2026-12-28" in result.stderr
    assert "the calendar and diary keep the planned dates" in result.stderr


def test_move_previous_takes_the_day_before() -> None:
    """Christmas Eve is not a US federal holiday: the previous open day is Thursday 24 Dec."""
    args = ["nct05922501", "--start", "2026-12-04", "--cycles", "1", "--holidays", "US"]
    rows = table(run("appointments", *args, "--move-closed", "previous").stdout)
    assert [(r["planned_date"], r["date"]) for r in rows if r["planned_date"]] == [
        ("2026-12-25", "2026-12-24")
    ]


def test_weekends_are_closed_without_holidays() -> None:
    """A course started on a Saturday puts every isatuximab visit on a Saturday: each is flagged."""
    rows = table(run("appointments", "nct05922501", "--start", "2026-12-05", "--cycles", "1").stdout)
    assert [r["closed"] for r in rows] == ["Saturday"] * 4


def test_country_weekend_comes_from_the_holidays_package() -> None:
    """Israel's weekend is Friday and Saturday: a Friday visit is closed there, a Sunday one is open."""
    rows = table(
        run(
            "appointments", "nct05922501", "--start", "2027-01-01", "--cycles", "1", "--holidays", "IL"
        ).stdout
    )
    assert [(r["weekday"], r["closed"]) for r in rows] == [("Fri", "Friday")] * 4


def test_a_held_visit_keeps_its_row() -> None:
    """Every clinic dose of C1D8 held: the visit stays, with no drug given and why."""
    from dosecal.engine.expand import expand
    from dosecal.model.adjust import CycleRef, Hold, Withheld

    hold = Hold("isatuximab", Withheld.HELD, CycleRef(None, 1), 8, 8, False, "IRR on day 1", 9)
    schedule = expand(load("nct05922501"), course("2026-12-07", cycles=1, adjustments=(hold,)))
    found = visits(schedule, "p1")
    held = next(v for v in found if v.cycle_day == 8)
    assert (held.status, held.drugs, held.chair_minutes_max) == ((Status.HELD,), (), 0)
    assert held.not_given[0].startswith("isatuximab (held: ")
    assert "IRR" in held.not_given[0]


def test_a_move_never_puts_two_visits_on_one_day() -> None:
    """A week's closure would push C1D1 onto C1D8's day: it stays, flagged, for booking by hand."""
    schedule = expand_seed(cycles=1)
    closed = ClosedDays(weekend=frozenset(), holidays={dt.date(2026, 12, 7 + n): "closure" for n in range(7)})
    found = visits(schedule, "p1", closed=closed, policy=MovePolicy.NEXT)
    first = next(v for v in found if v.cycle_day == 1)
    assert (first.date, first.planned_date) == (dt.date(2026, 12, 7), None)
    assert first.moved == (
        "not moved to the next open day, 2026-12-14: cycle 1 day 8 is already on that day; book by hand"
    )
    assert len({v.date for v in found}) == len(found)


def test_consecutive_closed_days_do_not_collapse_onto_one_day() -> None:
    """Bendamustine days 1 and 2 on a Saturday and Sunday: day 1 moves to Monday, day 2 cannot."""
    result = run(
        "appointments", "nct04083898", "--start", "2026-12-05", "--cycles", "1", "--level", "1",
        "--move-closed", "next",
    )  # fmt: skip
    rows = table(result.stdout)
    days = {r["cycle_day"]: r for r in rows}
    first_two = [(d, days[d]["date"], days[d]["planned_date"], days[d]["moved"]) for d in ("1", "2")]
    assert first_two == [
        ("1", "2026-12-07", "2026-12-05", "moved from 2026-12-05 (Saturday) to the next open day"),
        ("2", "2026-12-06", "", "not moved to the next open day, 2026-12-07: cycle 1 day 1 is already on "
         "that day; book by hand"),
    ]  # fmt: skip
    assert len({r["date"] for r in rows}) == len(rows)


def test_no_visit_moves_before_the_course_starts() -> None:
    """C1D1 on a Saturday with --move-closed previous would be the Friday before the start: it stays."""
    result = run(
        "appointments", "nct05922501", "--start", "2026-12-05", "--cycles", "1", "--move-closed", "previous"
    )
    first = table(result.stdout)[0]
    assert (first["date"], first["closed"]) == ("2026-12-05", "Saturday")
    assert first["moved"] == (
        "not moved to the previous open day, 2026-12-04: that is before the course starts on 2026-12-05; "
        "book by hand"
    )


def expand_seed(cycles: int) -> Schedule:
    from dosecal.engine.expand import expand

    return expand(load("nct05922501"), course("2026-12-07", cycles=cycles))


def test_bad_holiday_codes_are_usage_errors() -> None:
    """An unknown country or subdivision is one line, exit 2, naming what is known."""
    result = run("appointments", "nct05922501", "--start", "2026-12-07", "--holidays", "XX")
    assert result.exit_code == 2
    assert "'XX' is not a country the holidays package knows" in result.stderr
    result = run("appointments", "nct05922501", "--start", "2026-12-07", "--holidays", "US-ZZ")
    assert result.exit_code == 2
    assert "US has no subdivision 'ZZ'" in result.stderr
