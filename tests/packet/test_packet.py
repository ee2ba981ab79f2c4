"""The packet builder: one patient's files as named bytes, the same for make, batch and the API."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import pytest
from click.testing import CliRunner

import dosecal
from dosecal import packet
from dosecal.cli.main import cli
from dosecal.views.events import CalendarOptions
from dosecal.views.holidays import Region, closed_days
from dosecal.views.visits import MovePolicy

START = dt.date(2026, 12, 7)


def schedule(course_id: str | None = "PAT-7") -> dosecal.Schedule:
    regimen = dosecal.load_bundled("nct05922501")
    return dosecal.expand(regimen, dosecal.Course(START, cycles=2, course_id=course_id))


def test_build_is_the_four_files_of_the_single_output_functions() -> None:
    """`build` lists calendar, diary, administrations, appointments: each the bytes of its own function."""
    made = packet.build(schedule(), packet.Options(patient_id="PAT-7"))
    assert [f.name for f in made.files] == [
        "calendar.ics",
        "diary.pdf",
        "administrations.csv",
        "appointments.csv",
    ]
    assert made["calendar.ics"] == packet.calendar(schedule())
    assert made["diary.pdf"] == packet.diary(schedule(), "PAT-7")
    assert made["administrations.csv"] == packet.administrations(schedule())
    assert made["appointments.csv"] == packet.appointments(packet.clinic_visits(schedule(), "PAT-7"))
    assert tuple(packet.clinic_visits(schedule(), "PAT-7")) == made.visits
    with pytest.raises(KeyError):
        made["calendar.pdf"]


def test_the_same_inputs_give_the_same_bytes() -> None:
    """No clock, no randomness: two builds of one course are byte for byte the same."""
    options = packet.Options(patient_id="PAT-7", diary=packet.DiarySettings(packet.Paper.A4))
    assert packet.build(schedule(), options) == packet.build(schedule(), options)


def test_the_calendar_stamp_defaults_to_the_start() -> None:
    """Without a revision time, DTSTAMP is the course's start at 00:00 UTC, never now."""
    assert b"DTSTAMP:20261207T000000Z" in packet.calendar(schedule())
    stamp = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    assert b"DTSTAMP:20261120T090000Z" in packet.calendar(schedule(), packet.CalendarSettings(stamp=stamp))


def test_the_packet_is_what_make_writes(tmp_path: Path) -> None:
    """`dosecal make` with options is `packet.build` with the same options, file for file."""
    result = CliRunner().invoke(
        cli,
        [
            "make", "nct05922501", "--start", "2026-12-07", "--cycles", "2", "--patient-id", "PAT-7",
            "--paper", "a4", "--holidays", "US", "--move-closed", "next", "--csv-profile", "machine",
            "--tz", "Europe/Berlin", "--visit-time", "08:30", "-o", str(tmp_path),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    zone = zoneinfo.ZoneInfo("Europe/Berlin")
    options = packet.Options(
        patient_id="PAT-7",
        calendar=packet.CalendarSettings(CalendarOptions(zone, dt.time(8, 30))),
        diary=packet.DiarySettings(packet.Paper.A4),
        visits=packet.VisitSettings(dt.time(8, 30), closed_days(Region("US")), MovePolicy.NEXT),
        profile=packet.Profile.MACHINE,
    )
    made = packet.build(schedule(), options)
    for file in made.files:
        assert (tmp_path / "PAT-7" / file.name).read_bytes() == file.content, file.name


def test_the_patient_and_the_course_are_kept_apart() -> None:
    """The patient id is what the diary prints and the visits list; the course id makes the ids."""
    made = packet.build(schedule(course_id="c-1"), packet.Options(patient_id="PAT-7"))
    visits = made["appointments.csv"].decode("utf-8-sig").splitlines()[1:]
    assert visits and all(v.startswith("PAT-7,") for v in visits)
    assert made["administrations.csv"] == packet.administrations(schedule(course_id="c-1"))
    assert made["administrations.csv"] != packet.administrations(schedule(course_id="PAT-7"))


def test_a_changed_previous_calendar_raises_sequences() -> None:
    """`previous` carries SEQUENCE: the same calendar again keeps 0; a changed event gets 1."""
    first = packet.calendar(schedule())
    again = packet.calendar(schedule(), packet.CalendarSettings(previous=packet.Previous("old.ics", first)))
    assert again == first
    later = dosecal.expand(
        dosecal.load_bundled("nct05922501"),
        dosecal.Course(START + dt.timedelta(days=7), cycles=2, course_id="PAT-7"),
    )
    moved = packet.calendar(later, packet.CalendarSettings(previous=packet.Previous("old.ics", first)))
    assert b"SEQUENCE:1" in moved
