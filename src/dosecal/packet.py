"""One patient's outputs, as named bytes: what `make`, `batch`, the page and the Python API hand out.

    >>> import datetime, dosecal
    >>> from dosecal import packet
    >>> schedule = dosecal.expand(dosecal.load_bundled("nct05922501"),
    ...                           dosecal.Course(datetime.date(2026, 12, 7), cycles=2, course_id="PAT-7"))
    >>> made = packet.build(schedule, packet.Options(patient_id="PAT-7"))
    >>> [f.name for f in made.files]
    ['calendar.ics', 'diary.pdf', 'administrations.csv', 'appointments.csv']

Each output also has its own function (`calendar`, `diary`, `administrations`,
`appointments`) for a caller that wants one. The options are typed and built
once, at the interface's edge (the CLI's flags, a roster's settings, a
form); nothing here reads a clock, the environment or a file, so the same
schedule and options give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from dosecal.engine.table import Schedule
from dosecal.errors import OutputError
from dosecal.render import csv_table, ics
from dosecal.render.csv_table import Profile
from dosecal.views.events import CalendarOptions
from dosecal.views.visits import ClosedDays, MovePolicy, Visit, visits

__all__ = [
    "CalendarSettings",
    "DiarySettings",
    "File",
    "Options",
    "Packet",
    "Paper",
    "Previous",
    "Profile",
    "VisitSettings",
    "administrations",
    "appointments",
    "build",
    "calendar",
    "clinic_visits",
    "diary",
    "revision_time",
]


class Paper(enum.Enum):
    """The diary's paper size."""

    LETTER = "letter"
    A4 = "a4"


@dataclass(frozen=True, slots=True)
class Previous:
    """The calendar a new one replaces: its name (for messages) and its bytes."""

    name: str
    content: bytes


@dataclass(frozen=True, slots=True)
class CalendarSettings:
    """The calendar: its layout, its revision time, and the calendar it replaces (if any).

    `stamp` is DTSTAMP; `None` means the course's start at 00:00 UTC (never
    the clock: see `revision_time`). `previous` is the calendar file this one
    replaces: unchanged events keep their SEQUENCE, changed ones get the next.
    """

    layout: CalendarOptions = field(default_factory=CalendarOptions)
    stamp: dt.datetime | None = None
    previous: Previous | None = None


@dataclass(frozen=True, slots=True)
class DiarySettings:
    paper: Paper = Paper.LETTER


@dataclass(frozen=True, slots=True)
class VisitSettings:
    """The clinic-visit list: a start time for every visit, closed days and what to do on them."""

    visit_time: dt.time | None = None
    closed: ClosedDays | None = None
    policy: MovePolicy = MovePolicy.KEEP


@dataclass(frozen=True, slots=True)
class Options:
    """Everything a packet needs besides the schedule.

    `patient_id` is printed on every diary page and written on every visit
    row; the schedule's course id (`Course.course_id`) is what ids and UIDs
    are made from. An interface makes them the same (see `dosecal make
    --patient-id`); here they are kept apart because a caller may have both.
    """

    patient_id: str | None = None
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    diary: DiarySettings = field(default_factory=DiarySettings)
    visits: VisitSettings = field(default_factory=VisitSettings)
    profile: Profile = Profile.SPREADSHEET


@dataclass(frozen=True, slots=True)
class File:
    name: str
    content: bytes


@dataclass(frozen=True, slots=True)
class Packet:
    """A patient's files, in the order they are listed, and the visits the visit list holds."""

    files: tuple[File, ...]
    visits: tuple[Visit, ...]

    def __getitem__(self, name: str) -> bytes:
        found = next((f.content for f in self.files if f.name == name), None)
        if found is None:
            raise KeyError(name)
        return found


def revision_time(start: dt.date) -> dt.datetime:
    """The DTSTAMP of a calendar given no revision time: the course's start at 00:00 UTC."""
    return dt.datetime.combine(start, dt.time(0, 0), tzinfo=dt.UTC)


def calendar(schedule: Schedule, settings: CalendarSettings | None = None) -> bytes:
    """The patient's calendar (iCalendar), as bytes."""
    chosen = settings or CalendarSettings()
    stamp = chosen.stamp or revision_time(schedule.plan.course.start)
    if chosen.previous is None:
        return ics.render(schedule, chosen.layout, stamp)
    try:
        return ics.render(schedule, chosen.layout, stamp, chosen.previous.content)
    except ics.ForeignCalendarError as error:
        raise ics.ForeignCalendarError(error.course_id, chosen.previous.name, error.regimen) from None
    except OutputError as error:
        raise OutputError(f"{chosen.previous.name}: {error}") from None


def diary(schedule: Schedule, patient_id: str | None = None, settings: DiarySettings | None = None) -> bytes:
    """The printable, fillable drug diary (PDF) for the drugs taken at home, as bytes."""
    # Imported here: a calendar or a table alone does not load the diary's view and renderer.
    from dosecal.render import pdf_diary
    from dosecal.views import diary as diary_view

    paper = (settings or DiarySettings()).paper
    return pdf_diary.render(diary_view.build(schedule, patient_id), paper.value)


def administrations(schedule: Schedule, profile: Profile = Profile.SPREADSHEET) -> bytes:
    """The administration table as CSV bytes (docs/table.md)."""
    return csv_table.render(schedule, profile).encode("utf-8")


def clinic_visits(
    schedule: Schedule, patient_id: str | None = None, settings: VisitSettings | None = None
) -> list[Visit]:
    """The clinic visits, checked against closed days (moved if the settings say so)."""
    chosen = settings or VisitSettings()
    who = patient_id or schedule.plan.course_id
    return visits(schedule, who, chosen.visit_time, chosen.closed, chosen.policy)


def appointments(found: list[Visit] | tuple[Visit, ...], profile: Profile = Profile.SPREADSHEET) -> bytes:
    """The visit list as CSV bytes, one row per clinic visit."""
    from dosecal.render import csv_visits

    return csv_visits.render(found, profile).encode("utf-8")


def build(schedule: Schedule, options: Options | None = None) -> Packet:
    """Every file of the patient's packet, rendered, none written (the caller writes them, or not)."""
    chosen = options or Options()
    found = clinic_visits(schedule, chosen.patient_id, chosen.visits)
    files = (
        File("calendar.ics", calendar(schedule, chosen.calendar)),
        File("diary.pdf", diary(schedule, chosen.patient_id, chosen.diary)),
        File("administrations.csv", administrations(schedule, chosen.profile)),
        File("appointments.csv", appointments(found, chosen.profile)),
    )
    return Packet(files, tuple(found))
