"""Timed visits never move a drug to another day than its table row.

With `--tz` and `--visit-time` each drug of a visit starts when the one before
it ends (its longest stated duration). A visit time under which a drug would
start on a later local day than its row is refused; a drug that starts on its
day and runs past midnight (a visit's last infusion, a 46-hour pump) is kept.

Every expected time below is worked out by hand from the regimens' durations
and the zones' rules (not from zoneinfo):

- NCT05922501 day 1 of cycle 1: isatuximab over 30-60 min, then belantamab
  mafodotin "after isatuximab", so belantamab starts 60 minutes after the
  visit. Days 8, 15 and 22 have isatuximab alone, which starts at the visit
  time, so the latest visit time of a one-cycle course is 60 minutes before
  midnight: 22:59.
- St. John's in December is on NST, UTC-3:30, all month.
- Nuuk (tzdata 2023 on) is on UTC-2 and goes to UTC-1 at 01:00 UTC on the last
  Sunday of March: on Saturday 2028-03-25 the clock jumps from 23:00 to 00:00.
- Berlin in December is on CET, UTC+1.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

import dosecal
from dosecal.cli.main import cli
from dosecal.errors import CourseError, VisitTimeError
from dosecal.views.events import CalendarEvent, CalendarOptions, events

from ..conftest import course, load

UTC = dt.UTC
ST_JOHNS = ZoneInfo("America/St_Johns")
NUUK = ZoneInfo("America/Nuuk")
BERLIN = ZoneInfo("Europe/Berlin")
REPRODUCTION = [
    "ics",
    "nct05922501",
    "--start",
    "2028-12-04",
    "--cycles",
    "1",
    "--tz",
    "America/St_Johns",
    "--per-administration",
    "--generated-at",
    "2028-11-20T09:00:00Z",
]


def isa_bela(
    start: str, zone: ZoneInfo, clock: dt.time, per_administration: bool = False
) -> list[CalendarEvent]:
    schedule = dosecal.expand(load("nct05922501"), course(start, cycles=1))
    return events(schedule, CalendarOptions(zone, clock, per_administration=per_administration))


def refusal(start: str, zone: ZoneInfo, clock: dt.time, per_administration: bool = False) -> VisitTimeError:
    with pytest.raises(VisitTimeError) as caught:
        isa_bela(start, zone, clock, per_administration)
    return caught.value


def test_the_reproduction_is_refused_with_one_line(tmp_path: Path) -> None:
    """The issue's command: belantamab would start at 00:30 on 5 December; exit 1, one line, no file."""
    target = tmp_path / "x.ics"
    result = CliRunner().invoke(cli, [*REPRODUCTION, "--visit-time", "23:30", "-o", str(target)])
    assert result.exit_code == 1
    assert result.stderr == (
        "dosecal: with --visit-time 23:30, belantamab mafodotin on 2028-12-04 (cycle 1 day 1) "
        "would start at 00:30 on 2028-12-05, the next day; "
        "choose an earlier visit time (at the latest 22:59 for this course)\n"
    )
    assert not target.exists()


def test_the_error_carries_its_fields() -> None:
    """A course error whose fields say which drug, which day, when it would start and the latest time."""
    error = refusal("2028-12-04", ST_JOHNS, dt.time(23, 30), per_administration=True)
    assert isinstance(error, CourseError)
    assert (error.agent, error.day, error.visit_time, error.latest) == (
        "belantamab mafodotin",
        dt.date(2028, 12, 4),
        dt.time(23, 30),
        dt.time(22, 59),
    )
    # 23:30 NST is 03:00Z on 5 December; belantamab 60 minutes later.
    assert error.starts == dt.datetime(2028, 12, 5, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize("per_administration", [False, True], ids=["visit", "per-administration"])
def test_midnight_itself_is_the_next_day(per_administration: bool) -> None:
    """23:00: belantamab would start at 00:00 on 5 December, which is already the next day."""
    error = refusal("2028-12-04", ST_JOHNS, dt.time(23, 0), per_administration)
    assert str(error) == (
        "with --visit-time 23:00, belantamab mafodotin on 2028-12-04 (cycle 1 day 1) "
        "would start at 00:00 on 2028-12-05, the next day; "
        "choose an earlier visit time (at the latest 22:59 for this course)"
    )


def test_one_minute_before_is_kept_and_the_visit_ends_after_midnight() -> None:
    """22:59 NST (02:29Z): isatuximab 22:59, belantamab 23:59 (03:29Z); the visit ends 00:59 (04:29Z)."""
    visit = next(e for e in isa_bela("2028-12-04", ST_JOHNS, dt.time(22, 59)) if e.category == "clinic visit")
    assert (visit.start, visit.end) == (
        dt.datetime(2028, 12, 5, 2, 29, tzinfo=UTC),
        dt.datetime(2028, 12, 5, 4, 29, tzinfo=UTC),
    )
    assert "1. 22:59 isatuximab" in visit.description
    assert "2. 23:59 belantamab mafodotin" in visit.description


def test_per_administration_one_minute_before() -> None:
    """Per administration at 22:59: belantamab 03:29Z-04:29Z, an event that ends after midnight."""
    found = isa_bela("2028-12-04", ST_JOHNS, dt.time(22, 59), per_administration=True)
    bela = next(e for e in found if e.summary == "belantamab mafodotin")
    assert (bela.start, bela.end) == (
        dt.datetime(2028, 12, 5, 3, 29, tzinfo=UTC),
        dt.datetime(2028, 12, 5, 4, 29, tzinfo=UTC),
    )


def test_the_clocks_going_forward_before_midnight() -> None:
    """Nuuk, Saturday 2028-03-25: 22:00 (00:00Z) + 60 min is 01:00Z, when the clock reads 00:00 Sunday.

    The wall clock alone would say 23:00; the refusal says why it is the next
    day. The latest visit time is 21:59: belantamab at 00:59Z, 22:59 Saturday.
    """
    error = refusal("2028-03-25", NUUK, dt.time(22, 0))
    assert str(error) == (
        "with --visit-time 22:00, belantamab mafodotin on 2028-03-25 (cycle 1 day 1) "
        "would start at 00:00 on 2028-03-26, the next day, as the clocks go forward that night; "
        "choose an earlier visit time (at the latest 21:59 for this course)"
    )
    kept = isa_bela("2028-03-25", NUUK, dt.time(21, 59), per_administration=True)
    bela = next(e for e in kept if e.summary == "belantamab mafodotin")
    assert bela.start == dt.datetime(2028, 3, 26, 0, 59, tzinfo=UTC)


def test_a_visit_time_that_does_not_exist_that_day() -> None:
    """Nuuk 23:30 on 2028-03-25 is in the skipped hour: read as 01:30Z, 00:30 Sunday, for isatuximab too."""
    error = refusal("2028-03-25", NUUK, dt.time(23, 30))
    assert error.agent == "isatuximab" and error.starts == dt.datetime(2028, 3, 26, 1, 30, tzinfo=UTC)
    assert str(error).startswith(
        "with --visit-time 23:30, isatuximab on 2028-03-25 (cycle 1 day 1) would start at 00:30 on "
        "2028-03-26, the next day, as the clocks go forward that night;"
    )


def test_the_clocks_going_back_at_midnight_keep_the_day() -> None:
    """Beirut, Saturday 2028-10-28: at 00:00 EEST (UTC+3) the clock goes back to 23:00 EET (UTC+2).

    23:30 (fold 0: the first, 20:30Z) + 60 min is 21:30Z, 23:30 again on
    Saturday: the wall clock alone would say 00:30, the local date says the day.
    """
    found = isa_bela("2028-10-28", ZoneInfo("Asia/Beirut"), dt.time(23, 30))
    visit = next(e for e in found if e.category == "clinic visit")
    assert (visit.start, visit.end) == (
        dt.datetime(2028, 10, 28, 20, 30, tzinfo=UTC),
        dt.datetime(2028, 10, 28, 22, 30, tzinfo=UTC),
    )
    assert "2. 23:30 belantamab mafodotin" in visit.description


@pytest.mark.parametrize("per_administration", [False, True], ids=["visit", "per-administration"])
def test_a_pump_started_before_midnight_runs_on(per_administration: bool) -> None:
    """mFOLFOX6 at 23:30 CET (22:30Z): no drug before the pump states a time, so all start at 23:30.

    The 46-hour pump runs until 20:30Z on day 3; the visit, with no stated
    infusion time, is the 60-minute block, ending 23:30Z (00:30 CET, day 2).
    """
    schedule = dosecal.expand(load("mfolfox6"), course("2026-12-07", cycles=1))
    found = events(schedule, CalendarOptions(BERLIN, dt.time(23, 30), per_administration=per_administration))
    start = dt.datetime(2026, 12, 7, 22, 30, tzinfo=UTC)
    if per_administration:
        pump = next(e for e in found if e.summary.startswith("fluorouracil") and "2400" in e.description)
        assert (pump.start, pump.end) == (start, dt.datetime(2026, 12, 9, 20, 30, tzinfo=UTC))
        return
    (visit,) = found
    assert (visit.start, visit.end) == (start, dt.datetime(2026, 12, 7, 23, 30, tzinfo=UTC))
    assert "4. 23:30 fluorouracil (infusion)" in visit.description
    assert "fluorouracil runs on after the visit, until 2026-12-09 20:30 UTC" in visit.description


def test_no_visit_time_fits() -> None:
    """Two 13-hour infusions: the second starts 13 hours in, so any time after 10:59 is refused.

    A third drug after 26 hours can never start on its day: the hint says so.
    """
    text = (
        'regimen long "Long visit"\n  cycle 7 days, 1 cycles\n'
        "  a IV over 13 hours\n    day 1\n"
        "  b IV over 13 hours, after a\n    day 1\n"
    )
    schedule = dosecal.expand(dosecal.loads(text), course("2026-12-07"))
    with pytest.raises(VisitTimeError) as caught:
        events(schedule, CalendarOptions(BERLIN, dt.time(11, 0)))
    assert str(caught.value).endswith("(at the latest 10:59 for this course)")
    longer = text + "  c IV over 15 min, after b\n    day 1\n"
    schedule = dosecal.expand(dosecal.loads(longer), course("2026-12-07"))
    with pytest.raises(VisitTimeError) as caught:
        events(schedule, CalendarOptions(BERLIN, dt.time(0, 0)))
    assert str(caught.value) == (
        "with --visit-time 00:00, c on 2026-12-07 (cycle 1 day 1) would start at 02:00 on 2026-12-08, "
        "the next day; no visit time keeps every drug of this course on its day: "
        "leave out --visit-time for all-day visits"
    )


def test_the_message_names_the_phase_and_the_label() -> None:
    """Maintenance day 1 (2026-12-14, after one 7-day induction cycle): 2 h of x, then "y (slow)" at 00:00.

    Induction has y over 60 min alone, fitting at any time up to 23:59; the
    latest for the course is the maintenance visit's: 21:59 (y at 23:59).
    """
    text = (
        'regimen phased "Phases"\n'
        "  phase induction\n    cycle 7 days, 1 cycles\n"
        "    y (slow) IV over 60 min\n      day 1\n"
        "  phase maintenance\n    cycle 7 days, 1 cycles\n"
        "    x IV over 2 hours\n      day 1\n"
        "    y (slow) IV over 60 min, after x\n      day 1\n"
    )
    schedule = dosecal.expand(dosecal.loads(text), course("2026-12-07"))
    with pytest.raises(VisitTimeError) as caught:
        events(schedule, CalendarOptions(BERLIN, dt.time(22, 0), per_administration=True))
    assert str(caught.value) == (
        "with --visit-time 22:00, y (slow) on 2026-12-14 (maintenance phase, cycle 1 day 1) "
        "would start at 00:00 on 2026-12-15, the next day; "
        "choose an earlier visit time (at the latest 21:59 for this course)"
    )
    assert caught.value.agent == "y (slow)"


def _home(clock: dt.time) -> list[CalendarEvent]:
    """NCT05922501 from Monday 2028-03-20: pomalidomide at home on days 1-21 and dexamethasone on
    days 1, 2, 8, 9, 15, 16, 22, 23 (home days 1-23), so on Saturday 2028-03-25 (day 6), the night
    Nuuk's clock jumps from 23:00 to 00:00."""
    schedule = dosecal.expand(load("nct05922501"), course("2028-03-20", cycles=1))
    return events(schedule, CalendarOptions(NUUK, home_time=clock))


def test_a_home_time_in_the_skipped_hour_is_refused() -> None:
    """--home-reminder 23:30 does not exist on 2028-03-25 in Nuuk: read as 01:30Z, 00:30 on Sunday."""
    with pytest.raises(VisitTimeError) as caught:
        _home(dt.time(23, 30))
    assert str(caught.value) == (
        "with --home-reminder 23:30, the home doses of 2028-03-25 (cycle 1 day 6) would show at 00:30 on "
        "2028-03-26: that time does not exist that night, as the clocks go forward; choose 22:59 or earlier"
    )
    assert caught.value.latest == dt.time(22, 59)


def test_a_home_time_before_the_skipped_hour_keeps_every_day() -> None:
    """22:59 on 2028-03-25 is 00:59Z on the 26th (UTC-2), still Saturday in Nuuk; 23:00 is 00:00 Sunday."""
    home = [e for e in _home(dt.time(22, 59)) if e.category == "home dose"]
    assert len(home) == 23
    saturday = next(e for e in home if "day 6 " in e.description)
    assert saturday.start == dt.datetime(2028, 3, 26, 0, 59, tzinfo=UTC)
    with pytest.raises(VisitTimeError):
        _home(dt.time(23, 0))
