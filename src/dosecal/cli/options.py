"""The options the commands share, each group collected into one typed value.

A decorator such as `course_options` adds its flags to a command and hands
the command one frozen dataclass (`course: CourseFlags`) instead of a dozen
keyword arguments, so what crosses into `dosecal.cli.course` and the packet
builder is typed, and a flag is declared once for every command that takes it.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, fields
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dosecal.cli.params import (
    AgeParam,
    ClockParam,
    CreatinineParam,
    CyclesParam,
    DateParam,
    DecimalParam,
    FolderParam,
    HolidaysParam,
    OutputParam,
    TextParam,
    ZoneParam,
)

if TYPE_CHECKING:
    from dosecal.model.measures import Creatinine
    from dosecal.packet import Paper, Profile
    from dosecal.views.holidays import Region
    from dosecal.views.visits import MovePolicy

# The choices of the enum flags, as their values: `--help` and `list` must not import the
# stages behind the enums (the renderers, the views) to list them. tests/cli/test_options.py
# holds each list equal to its enum's values.
PAPERS = ("letter", "a4")
PROFILES = ("spreadsheet", "machine")
MOVE_POLICIES = ("keep", "next", "previous")


def _paper(_ctx: click.Context, _param: click.Parameter, value: str) -> Paper:
    from dosecal.packet import Paper

    return Paper(value)


def _profile(_ctx: click.Context, _param: click.Parameter, value: str) -> Profile:
    from dosecal.packet import Profile

    return Profile(value)


def _move_policy(_ctx: click.Context, _param: click.Parameter, value: str) -> MovePolicy:
    from dosecal.views.visits import MovePolicy

    return MovePolicy(value)


# A click command's callback: click calls it with keyword arguments of any type.
Command = Callable[..., None]


@dataclass(frozen=True, slots=True)
class CourseFlags:
    """The flags that describe a patient's course (or name a course file that does)."""

    regimen: str | None
    course_file: Path | None
    start: dt.date | None
    cycles: int | None
    until: dt.date | None
    level: str | None
    option: str | None
    doses: tuple[str, ...]
    weight: Decimal | None
    height: Decimal | None
    bsa_formula: str | None
    age: int | None
    sex: str | None
    creatinine: Creatinine | None
    course_id: str | None
    patient_id: str | None


@dataclass(frozen=True, slots=True)
class CalendarFlags:
    zone: zoneinfo.ZoneInfo | None
    visit_time: dt.time | None
    reminder: int | None
    home_reminder: dt.time | None
    per_administration: bool
    previous: Path | None
    generated_at: str | None


@dataclass(frozen=True, slots=True)
class VisitFlags:
    holidays: Region | None
    move_closed: MovePolicy


def _collect(kind: type[CourseFlags | CalendarFlags | VisitFlags], into: str, command: Command) -> Command:
    """`command`, called with the flags of `kind` gathered into one `kind` value named `into`."""
    names = [f.name for f in fields(kind)]

    @functools.wraps(command)
    def gathered(**params: object) -> None:
        value = kind(**{name: params.pop(name) for name in names})  # type: ignore[arg-type]
        command(**params, **{into: value})

    return gathered


def _with(options: list[Callable[[Command], Command]], command: Command) -> Command:
    for option in reversed(options):
        command = option(command)
    return command


def course_options(command: Command) -> Command:
    """REGIMEN or --course, and the course's flags: `course: CourseFlags`."""
    return _with(
        [
            click.argument("regimen", required=False),
            click.option(
                "--course",
                "course_file",
                type=click.Path(exists=True, dir_okay=False, path_type=Path),
                help="A course file: the regimen, start, measures and adjustments of one patient.",
            ),
            click.option("--start", type=DateParam(), help="Cycle 1 day 1 (YYYY-MM-DD)."),
            click.option(
                "--cycles",
                type=CyclesParam(),
                help="Number of cycles to expand (all phases together), 1 to 200.",
            ),
            click.option(
                "--until", type=DateParam(), help="Expand every cycle that starts on or before this date."
            ),
            click.option("--level", type=TextParam(), help="Dose level (for regimens that have levels)."),
            click.option(
                "--option",
                type=TextParam(),
                help="The regimen's option to give (for regimens that have options).",
            ),
            click.option(
                "--dose",
                "doses",
                multiple=True,
                type=TextParam(),
                metavar='"DRUG=AMOUNT UNIT"',
                help="A dose the regimen leaves to be supplied; repeatable.",
            ),
            click.option(
                "--weight",
                type=DecimalParam(),
                help="Body weight in kg (doses per kg or m2, and lines or doses chosen by weight).",
            ),
            click.option("--height", type=DecimalParam(), help="Height in cm."),
            click.option(
                "--bsa",
                "bsa_formula",
                type=click.Choice(["mosteller", "dubois"]),
                help="BSA formula for per-m2 doses (default: mosteller).",
            ),
            click.option(
                "--age",
                type=AgeParam(),
                help="Age in whole years (for doses by renal function, and lines or doses chosen by age).",
            ),
            click.option(
                "--sex",
                type=click.Choice(["female", "male"], case_sensitive=False),
                help="For Cockcroft-Gault and ideal weight (doses by renal function), and lines or "
                "doses chosen by sex.",
            ),
            click.option(
                "--creatinine",
                type=CreatinineParam(),
                metavar='"VALUE mg/dL"',
                help='Serum creatinine, in mg/dL or umol/L, optionally "... on YYYY-MM-DD" '
                "(for doses by renal function).",
            ),
            click.option(
                "--patient-id",
                type=TextParam(),
                help="The patient: on the diary and every visit row, and the identity of the course's "
                "ids and calendar UIDs unless --course-id is given. Give every patient their own.",
            ),
            click.option(
                "--course-id",
                type=TextParam(),
                help="Identity of this course in administration ids and calendar UIDs, unique "
                "across all patients, e.g. PAT-7-C2 for a second course (default: the patient id, "
                "else the regimen's name).",
            ),
        ],
        _collect(CourseFlags, "course", command),
    )


def calendar_options(command: Command) -> Command:
    """The calendar's layout, reminders and revision: `calendar: CalendarFlags`."""
    return _with(
        [
            click.option(
                "--tz", "zone", type=ZoneParam(), help="IANA time zone of the clinic, e.g. Europe/Berlin."
            ),
            click.option(
                "--visit-time", type=ClockParam(), help="Local start of clinic visits (needs --tz)."
            ),
            click.option(
                "--reminder",
                type=click.IntRange(0, 7 * 24 * 60),
                metavar="MINUTES",
                help="Reminder this many minutes before a timed visit.",
            ),
            click.option(
                "--home-reminder",
                type=ClockParam(),
                help="Show home doses at this local time, with a reminder (needs --tz).",
            ),
            click.option("--per-administration", is_flag=True, help="One event per administration."),
            click.option(
                "--previous",
                type=click.Path(exists=True, dir_okay=False, path_type=Path),
                help="The calendar this one replaces (the same patient's): changed events get the next "
                "SEQUENCE.",
            ),
            click.option(
                "--generated-at",
                metavar="DATETIME",
                help="Revision time for DTSTAMP (default: SOURCE_DATE_EPOCH, else the start date).",
            ),
        ],
        _collect(CalendarFlags, "calendar", command),
    )


def visit_options(command: Command) -> Command:
    """Closed days, and what to do about visits on them: `visits: VisitFlags`."""
    return _with(
        [
            click.option(
                "--holidays",
                type=HolidaysParam(),
                help="Flag visits on this country's public holidays, e.g. US, US-NY, GB, DE-BY "
                "(weekends are always flagged).",
            ),
            click.option(
                "--move-closed",
                type=click.Choice(MOVE_POLICIES),
                default="keep",
                show_default=True,
                callback=_move_policy,
                help="A visit on a closed day: keep it (flagged), or move it to the next or previous "
                "open day.",
            ),
        ],
        _collect(VisitFlags, "visits", command),
    )


def paper_option(command: Command) -> Command:
    """`--paper letter|a4`, passed as `paper: Paper`."""
    return click.option(
        "--paper",
        type=click.Choice(PAPERS),
        default="letter",
        show_default=True,
        callback=_paper,
        help="Paper size of the diary.",
    )(command)


def csv_profile_option(command: Command) -> Command:
    """`--csv-profile machine|spreadsheet` (docs/table.md, "CSV profiles"), passed as `profile: Profile`."""
    return click.option(
        "--csv-profile",
        "profile",
        type=click.Choice(PROFILES),
        default="spreadsheet",
        show_default=True,
        callback=_profile,
        help="spreadsheet: byte order mark, cells that could run as formulas neutralised; "
        "machine: plain RFC 4180 UTF-8, text exactly as written.",
    )(command)


# `-o`: a file (standard output when left out, or given as `-`).
stdout_or_file_option = click.option(
    "-o",
    "--output",
    type=OutputParam(),
    help="Write to this file, whole or not at all; '-' or no -o: standard output. "
    "The file's folder must exist.",
)


def folder_option(help_text: str) -> Callable[[Command], Command]:
    """`-o/--output DIR` (default `out`), passed to the command as `folder`."""
    return click.option(
        "-o",
        "--output",
        "folder",
        type=FolderParam(),
        default="out",
        show_default=True,
        help=help_text + " Created if it does not exist.",
    )
