"""The calendar: what each event says, stable identity, time zones at DST changes.

Expected instants at the DST changes are worked out by hand from the zones'
rules (second Sunday of March / first Sunday of November in New York, last
Sunday of March in Berlin, first Sunday of April in Sydney), not from
zoneinfo.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

import dosecal
from dosecal.cli.main import cli
from dosecal.model.adjust import CycleRef, Hold, Withheld
from dosecal.render import ics
from dosecal.views.events import CalendarEvent, CalendarOptions, events

from ..conftest import course, load
from ..interop.lint import lint

STAMP = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
UTC = dt.UTC


def test_default_layout_nct05922501() -> None:
    """12 cycles: 23 home days a cycle (pomalidomide 1-21, dexamethasone 22-23) and 26 clinic visits."""
    schedule = dosecal.expand(load("nct05922501"), course("2026-12-07", cycles=12))
    found = events(schedule, CalendarOptions())
    home = [e for e in found if e.category == "home dose"]
    clinic = [e for e in found if e.category == "clinic visit"]
    assert len(home) == 23 * 12
    assert len(clinic) == 4 + 2 * 11
    first = clinic[0]
    assert (first.start, first.end) == (dt.date(2026, 12, 7), dt.date(2026, 12, 8))
    assert first.summary == "Clinic: isatuximab, belantamab mafodotin"
    assert "1. isatuximab: dose not stated in the regimen" in first.description
    assert "2. belantamab mafodotin: dose not stated in the regimen" in first.description
    assert "over 30-60 min" in first.description and "after isatuximab" in first.description
    assert "Source: ClinicalTrials.gov NCT05922501" in first.description
    assert home[0].summary == "Take: pomalidomide, dexamethasone"
    assert "Swallow the capsules whole" in home[0].description
    assert all(e.transparent for e in home)


def test_summary_carries_computed_doses() -> None:
    """With measures: "Take: prednisone 60 mg", "Clinic: isatuximab 700 mg, bendamustine 136.5 mg"."""
    schedule = dosecal.expand(
        load("nct04083898"), course("2026-12-07", cycles=1, level="2", weight="70", height="170")
    )
    home, first = events(schedule, CalendarOptions())[:2]
    assert home.summary == "Take: prednisone 60 mg"
    assert first.summary == "Clinic: isatuximab 700 mg, bendamustine 136.5 mg"
    assert "bendamustine: 75 mg/m2 = 136.5 mg; route not stated" in first.description
    assert "computed: 75 mg/m2 x 1.82 m2 = 136.5 mg; BSA 1.82 m2 = Mosteller" in first.description
    assert "Dose level: 2" in first.description


def test_timed_visit_in_order() -> None:
    """09:00 in New York in December (UTC-5): isatuximab at 14:00Z, belantamab 15:00Z, end 16:00Z."""
    schedule = dosecal.expand(load("nct05922501"), course("2026-12-07", cycles=1))
    options = CalendarOptions(ZoneInfo("America/New_York"), dt.time(9, 0), reminder_minutes=60)
    visit = next(e for e in events(schedule, options) if e.category == "clinic visit")
    assert (visit.start, visit.end) == (
        dt.datetime(2026, 12, 7, 14, tzinfo=UTC),
        dt.datetime(2026, 12, 7, 16, tzinfo=UTC),
    )
    assert "1. 09:00 isatuximab" in visit.description and "2. 10:00 belantamab mafodotin" in visit.description
    assert visit.alarm_before_minutes == 60 and not visit.transparent


def test_continuous_infusion_runs_on_after_the_visit() -> None:
    """mFOLFOX6: the 46-hour pump starts in clinic and does not make the visit 46 hours long."""
    schedule = dosecal.expand(load("mfolfox6"), course("2026-12-07", cycles=1))
    visit = events(schedule, CalendarOptions(ZoneInfo("Europe/Berlin"), dt.time(8, 0)))[0]
    assert visit.start == dt.datetime(2026, 12, 7, 7, tzinfo=UTC)  # 08:00 CET
    assert visit.end == dt.datetime(2026, 12, 7, 8, tzinfo=UTC)  # no duration stated: 60-minute block
    assert "fluorouracil runs on after the visit, until 2026-12-09 05:00 UTC" in visit.description
    assert "infusion time is not stated" in visit.description


def test_per_administration_multi_day_infusion() -> None:
    """One event per administration; a 46-hour infusion started on day 1 covers days 1 to 3."""
    schedule = dosecal.expand(load("mfolfox6"), course("2026-12-07", cycles=1))
    found = events(schedule, CalendarOptions(per_administration=True))
    assert len(found) == 4
    pump = next(e for e in found if "2400" in e.description)
    assert (pump.start, pump.end) == (dt.date(2026, 12, 7), dt.date(2026, 12, 10))
    assert {e.uid for e in found} == {f"{a.administration_id}@dosecal" for a in schedule}


def test_uids_survive_a_later_start() -> None:
    """A start one week later moves every date and keeps every UID."""
    regimen = load("nct05922501")
    one = events(dosecal.expand(regimen, course("2026-12-07", cycles=3)), CalendarOptions())
    other = events(dosecal.expand(regimen, course("2026-12-14", cycles=3)), CalendarOptions())
    assert [e.uid for e in one] == [e.uid for e in other]
    assert all(b.start == a.start + dt.timedelta(days=7) for a, b in zip(one, other, strict=True))


def test_course_id_separates_patients() -> None:
    """Two patients on one regimen get different UIDs when given their own course ids."""
    regimen = load("nct05922501")
    a = events(dosecal.expand(regimen, course("2026-12-07", cycles=1, course_id="pt-001")), CalendarOptions())
    b = events(dosecal.expand(regimen, course("2026-12-07", cycles=1, course_id="pt-002")), CalendarOptions())
    assert not {e.uid for e in a} & {e.uid for e in b}


IDENTITIES = """regimen uid "Identities"
  cycle 21 days, 2 cycles
  alpha 10 mg IV
    day 1
  beta 5 mg PO tablet, diary
    day 1
"""


def test_event_uids_are_fixed() -> None:
    """The UID of a day's home event is uuid5 of 'course|phase|cycle|day|home' in the calendar's
    namespace (2b1f4c8e-...-d05eca1e0001), a clinic visit's of '...|clinic', then '@dosecal':
    pt-1, no phase, cycle 1 day 1, pinned as literals (computed once with uuid.uuid5 from the
    rule), so calendars already imported keep matching."""
    schedule = dosecal.expand(
        dosecal.loads(IDENTITIES), dosecal.Course(dt.date(2026, 3, 2), cycles=1, course_id="pt-1")
    )
    expected = [
        ("home dose", "60bd553f-61d9-5ac9-b8be-4dbacc270406@dosecal"),
        ("clinic visit", "da688022-f337-539a-90b6-1fb75a0ce94c@dosecal"),
    ]
    assert [(e.category, e.uid) for e in events(schedule, CalendarOptions())] == expected
    # Timed events (a visit at 09:00, home doses at 08:00 Berlin time) are the same events: same UIDs.
    timed = CalendarOptions(ZoneInfo("Europe/Berlin"), dt.time(9, 0), home_time=dt.time(8, 0))
    assert [(e.category, e.uid) for e in events(schedule, timed)] == expected


def test_a_visit_whose_doses_are_all_held_keeps_its_uid() -> None:
    """alpha held on cycle 1 day 1: the visit stays, all day, with the same UID (so a regenerated
    calendar replaces it), saying what is not given and why."""
    hold = Hold("alpha", Withheld.HELD, CycleRef(None, 1), 1, 1, False, "ANC 0.8", 3)
    schedule = dosecal.expand(
        dosecal.loads(IDENTITIES),
        dosecal.Course(dt.date(2026, 3, 2), cycles=1, course_id="pt-1", adjustments=(hold,)),
    )
    visit = events(schedule, CalendarOptions())[1]
    assert visit == CalendarEvent(
        "da688022-f337-539a-90b6-1fb75a0ce94c@dosecal",
        "Not given: alpha 10 mg",
        "No treatment, cycle 1, day 1 (study day 1).\n"
        "Not given: alpha (held). course line 3: alpha held on cycle 1 day 1 (ANC 0.8)\n"
        "\n"
        "Regimen: uid, Identities\n"
        "Made with dosecal from the regimen as written; check it against the protocol.",
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 3),
        "clinic visit",
        True,
        None,
        "Not given: alpha 10 mg",
    )


DST_REGIMEN = 'regimen dst "Daily infusion"\n  cycle 7 days\n  infusion 1 mg IV over 60 min\n    days 1-7\n'


def visit_starts(zone: str, start: str, clock: dt.time) -> dict[dt.date, dt.datetime]:
    schedule = dosecal.expand(dosecal.loads(DST_REGIMEN), course(start, cycles=1))
    found = events(schedule, CalendarOptions(ZoneInfo(zone), clock))
    return {a.date: e.start for a, e in zip(schedule, found, strict=True)}  # type: ignore[misc]


@pytest.mark.parametrize(
    ("zone", "start", "clock", "expected"),
    [
        # New York, DST from Sunday 2027-03-14 02:00: 09:00 is 14:00Z before, 13:00Z after.
        (
            "America/New_York",
            "2027-03-12",
            dt.time(9),
            {
                dt.date(2027, 3, 13): dt.datetime(2027, 3, 13, 14, tzinfo=UTC),
                dt.date(2027, 3, 14): dt.datetime(2027, 3, 14, 13, tzinfo=UTC),
            },
        ),
        # 02:30 on 2027-03-14 does not exist: read with the offset before the gap (UTC-5).
        (
            "America/New_York",
            "2027-03-12",
            dt.time(2, 30),
            {dt.date(2027, 3, 14): dt.datetime(2027, 3, 14, 7, 30, tzinfo=UTC)},
        ),
        # 01:30 on Sunday 2027-11-07 happens twice: the first (EDT, UTC-4) is meant.
        (
            "America/New_York",
            "2027-11-05",
            dt.time(1, 30),
            {
                dt.date(2027, 11, 6): dt.datetime(2027, 11, 6, 5, 30, tzinfo=UTC),
                dt.date(2027, 11, 7): dt.datetime(2027, 11, 7, 5, 30, tzinfo=UTC),
                dt.date(2027, 11, 8): dt.datetime(2027, 11, 8, 6, 30, tzinfo=UTC),
            },
        ),
        # Berlin, summer time from Sunday 2027-03-28: 09:00 is 08:00Z, then 07:00Z.
        (
            "Europe/Berlin",
            "2027-03-26",
            dt.time(9),
            {
                dt.date(2027, 3, 27): dt.datetime(2027, 3, 27, 8, tzinfo=UTC),
                dt.date(2027, 3, 28): dt.datetime(2027, 3, 28, 7, tzinfo=UTC),
            },
        ),
        # Sydney, summer time ends Sunday 2027-04-04 03:00: 09:00 is 22:00Z the day before, then 23:00Z.
        (
            "Australia/Sydney",
            "2027-04-02",
            dt.time(9),
            {
                dt.date(2027, 4, 3): dt.datetime(2027, 4, 2, 22, tzinfo=UTC),
                dt.date(2027, 4, 4): dt.datetime(2027, 4, 3, 23, tzinfo=UTC),
            },
        ),
        # 02:30 on 2027-04-04 in Sydney happens twice: the first (AEDT, UTC+11).
        (
            "Australia/Sydney",
            "2027-04-02",
            dt.time(2, 30),
            {dt.date(2027, 4, 4): dt.datetime(2027, 4, 3, 15, 30, tzinfo=UTC)},
        ),
        # Kolkata has no DST: 09:00 is always 03:30Z.
        (
            "Asia/Kolkata",
            "2027-03-26",
            dt.time(9),
            {
                dt.date(2027, 3, 27): dt.datetime(2027, 3, 27, 3, 30, tzinfo=UTC),
                dt.date(2027, 3, 28): dt.datetime(2027, 3, 28, 3, 30, tzinfo=UTC),
            },
        ),
    ],
)
def test_visit_times_at_dst_changes(
    zone: str, start: str, clock: dt.time, expected: dict[dt.date, dt.datetime]
) -> None:
    """Local visit times become the right UTC instants on and around DST changes."""
    starts = visit_starts(zone, start, clock)
    for day, instant in expected.items():
        assert starts[day] == instant


def test_file_is_byte_identical_and_lint_clean() -> None:
    """Same inputs, same bytes (across processes with different hash seeds); the byte lint passes."""
    args = [
        "ics",
        "nct05922501",
        "--start",
        "2026-12-07",
        "--cycles",
        "12",
        "--generated-at",
        "2026-11-20T09:00:00Z",
    ]
    outputs = set()
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", "from dosecal.cli.main import main; main()", *args],
            capture_output=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
    data = outputs.pop()
    assert lint(data) == []
    assert b"DTSTAMP:20261120T090000Z\r\n" in data


def test_dtstamp_from_source_date_epoch() -> None:
    """SOURCE_DATE_EPOCH sets DTSTAMP when --generated-at is not given; never the clock."""
    runner = CliRunner(env={"SOURCE_DATE_EPOCH": "1790000000"})
    result = runner.invoke(cli, ["ics", "nct05922501", "--start", "2026-12-07", "--cycles", "1"])
    # 1790000000 s = 20717 days (2026-09-21) + 51200 s (14:13:20)
    assert "DTSTAMP:20260921T141320Z" in result.output
    plain = CliRunner(env={"SOURCE_DATE_EPOCH": None}).invoke(
        cli, ["ics", "nct05922501", "--start", "2026-12-07", "--cycles", "1"]
    )
    assert "DTSTAMP:20261207T000000Z" in plain.output


def test_home_reminder_is_a_timed_event_with_an_alarm() -> None:
    """--home-reminder 08:00 in Berlin: home doses at 07:00Z in winter, with an alarm at the start."""
    schedule = dosecal.expand(load("nct05922501"), course("2026-12-07", cycles=1))
    found = events(schedule, CalendarOptions(ZoneInfo("Europe/Berlin"), home_time=dt.time(8, 0)))
    home = next(e for e in found if e.category == "home dose")
    assert home.start == dt.datetime(2026, 12, 7, 7, tzinfo=UTC)
    assert home.alarm_before_minutes == 0 and home.transparent
    data = ics.render(schedule, CalendarOptions(ZoneInfo("Europe/Berlin"), home_time=dt.time(8, 0)), STAMP)
    assert b"TRIGGER:P0D\r\n" in data  # at the start: neither after it nor a positive offset
    assert lint(data) == []


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["--tz", "Europe/Berln", "--visit-time", "09:00"],
            2,
            "unknown time zone 'Europe/Berln'; did you mean 'Europe/Berlin'?",
        ),
        (["--tz", "Europe/Berlin", "--visit-time", "25:00"], 2, "'25:00' is not a clock time"),
        (["--visit-time", "09:00"], 2, "--visit-time needs --tz"),
        (["--reminder", "30"], 2, "--reminder needs --visit-time and --tz"),
        (["--generated-at", "yesterday"], 2, "'yesterday' is not a date and time with its offset"),
    ],
)
def test_calendar_mistakes(args: list[str], code: int, message: str, tmp_path: object) -> None:
    """Each mistake is one line, exit 2, and no file is left."""
    from pathlib import Path

    target = Path(str(tmp_path)) / "x.ics"
    result = CliRunner().invoke(
        cli, ["ics", "nct05922501", "--start", "2026-12-07", "--cycles", "1", *args, "-o", str(target)]
    )
    assert result.exit_code == code
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not target.exists()


def test_unwritable_output_leaves_no_file(tmp_path: object) -> None:
    """An -o under a regular file: one line, exit 2 (refused before any work), nothing written."""
    from pathlib import Path

    blocker = Path(str(tmp_path)) / "file"
    blocker.write_text("")
    result = CliRunner().invoke(
        cli, ["ics", "nct05922501", "--start", "2026-12-07", "--cycles", "1", "-o", str(blocker / "x.ics")]
    )
    assert result.exit_code == 2 and "x.ics is under something that is not a folder" in result.stderr
    assert sorted(p.name for p in Path(str(tmp_path)).iterdir()) == ["file"]


def test_make_writes_the_packet(tmp_path: object) -> None:
    """`make` writes calendar.ics, diary.pdf and administrations.csv into <folder>/<regimen>-<start>/."""
    from pathlib import Path

    folder = Path(str(tmp_path))
    result = CliRunner().invoke(
        cli, ["make", "nct05922501", "--start", "2026-12-07", "--cycles", "6", "-o", str(folder)]
    )
    assert result.exit_code == 0, result.stderr
    packet = folder / "nct05922501-2026-12-07"
    assert sorted(p.name for p in packet.iterdir()) == [
        "administrations.csv",
        "appointments.csv",
        "calendar.ics",
        "diary.pdf",
    ]
    assert lint((packet / "calendar.ics").read_bytes()) == []


def test_sequence_rises_only_for_changed_events(tmp_path: object) -> None:
    """make into the same folder: unchanged events keep SEQUENCE 0; changed ones get 1, and keep it.

    A new weight changes isatuximab (mg/kg) and bendamustine (mg/m2) doses; the
    days with only prednisone (60 mg flat) do not change.
    """
    from pathlib import Path

    import icalendar

    folder = Path(str(tmp_path))

    def make(weight: str) -> dict[str, int]:
        args = [
            "make",
            "nct04083898",
            "--start",
            "2026-12-07",
            "--cycles",
            "2",
            "--level",
            "1",
            "--weight",
            weight,
            "--height",
            "170",
            "-o",
            str(folder),
        ]
        assert CliRunner().invoke(cli, args).exit_code == 0
        data = (folder / "nct04083898-2026-12-07" / "calendar.ics").read_bytes()
        return {
            str(e["DTSTART"].dt): int(e["SEQUENCE"])
            for e in icalendar.Calendar.from_ical(data).walk("VEVENT")
        }

    first = make("70")
    assert set(first.values()) == {0}
    assert make("70") == first
    changed = make("72")
    prednisone_only = {"2026-12-09", "2026-12-10", "2027-01-06", "2027-01-07"}  # days 3 and 4 of each cycle
    assert {day for day, seq in changed.items() if seq == 0} == prednisone_only
    assert set(changed) == set(first) and set(changed.values()) == {0, 1}
    assert make("72") == changed
