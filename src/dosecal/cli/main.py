"""The `dosecal` command line.

Every refusal is one clear message on stderr and an exit code: 0 ok,
1 invalid input (a regimen, a course, a patient value), 2 usage. No
traceback reaches a user. Outputs go through `dosecal.io.files`: written to a
temporary file in the target's folder and renamed, so a failed run leaves
nothing half-written; `-o` is checked before anything is computed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dosecal.cli.params import (
    ClockParam,
    OutputParam,
    TextParam,
    ZoneParam,
    appointment_options,
    build_schedule,
    closed_days,
    course_options,
    csv_profile_option,
    emit,
    folder_option,
    load_regimen,
    revision_time,
    stdout_or_file_option,
)
from dosecal.errors import DosecalError, OutputError, RegimenError
from dosecal.text import visible
from dosecal.version import __version__

if TYPE_CHECKING:
    from dosecal.views.visits import Visit


class _Cli(click.Group):
    """A group whose errors are one line on stderr, without click's usage block."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name or "dosecal", complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as error:
            click.echo(error.format_message())
            sys.exit(error.exit_code)
        except click.UsageError as error:
            where = f"dosecal {error.ctx.info_name}" if error.ctx and error.ctx.parent else "dosecal"
            click.echo(
                visible(f"{where}: {error.format_message()} (see '{where} --help')", lines=True), err=True
            )
            sys.exit(error.exit_code)
        except click.ClickException as error:
            click.echo(visible(f"dosecal: {error.format_message()}", lines=True), err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("dosecal: aborted", err=True)
            sys.exit(1)
        except DosecalError as error:
            said = str(error) if isinstance(error, RegimenError) else f"dosecal: {error}"
            click.echo(visible(said, lines=True), err=True)
            sys.exit(error.exit_code)
        except Exception as error:
            # A bug, not a user's mistake. Say so plainly; DOSECAL_DEBUG=1 shows the traceback.
            if os.environ.get("DOSECAL_DEBUG"):
                raise
            click.echo(
                f"dosecal: internal error ({type(error).__name__}: {error}); this is a bug in "
                "dosecal, please report it with the command you ran",
                err=True,
            )
            sys.exit(70)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, message="dosecal %(version)s")
def cli() -> None:
    """Turn a cycle-based treatment regimen into a dated administration table."""


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="dosecal")


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# ---- commands ------------------------------------------------------------------


@cli.command("list")
def list_command() -> None:
    """List the bundled regimens."""
    from dosecal.io.read import bundled, load, resolve

    for name in bundled():
        regimen = load(resolve(name))
        sources = "; ".join(regimen.sources)
        click.echo(f"{name:<22} {regimen.title}" + (f"  [{sources}]" if sources else ""))


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def check(files: tuple[str, ...]) -> None:
    """Check regimen files; report every mistake of each (exit 1 if any)."""
    from dosecal.io.read import load

    failed = 0
    for name in files:
        try:
            regimen = load(name)
        except RegimenError as error:
            click.echo(visible(error.render(), lines=True), err=True)
            failed += 1
            continue
        except OSError as error:
            click.echo(f"dosecal: cannot read {visible(name)}: {error.strerror}", err=True)
            failed += 1
            continue
        agents = len({a.key for p in regimen.phases for a in p.agents})
        counts = [
            _plural(agents, "drug"),
            _plural(len(regimen.phases), "phase"),
            _plural(len(regimen.levels), "dose level"),
        ]
        click.echo(f"ok: {visible(name)} ({regimen.name}: {', '.join(counts)})")
    if failed:
        raise click.exceptions.Exit(1)


@cli.command()
@click.argument("regimen")
@click.option("--level", type=TextParam(), help="Show the doses of this dose level.")
def show(regimen: str, level: str | None) -> None:
    """Show a regimen in protocol words, with its doses per cycle."""
    from dosecal.errors import CourseError
    from dosecal.render.protocol_text import render

    model = load_regimen(regimen)
    chosen = None
    if level is not None:
        chosen = model.level(level)
        if chosen is None:
            names = ", ".join(lv.name for lv in model.levels) or "none"
            raise CourseError(f"{model.name} has no dose level '{level}'; its levels are {names}")
    click.echo(render(model, chosen), nl=False)


@cli.command()
@course_options
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@csv_profile_option
@stdout_or_file_option
def expand(fmt: str, csv_profile: str, output: Path | None, **course: Any) -> None:
    """Expand a regimen from a start date into its administration table."""
    schedule = build_schedule(**course)
    from dosecal.render import csv_table as csv
    from dosecal.render import json_table as json

    if fmt == "json":
        emit(json.render(schedule), output)
    else:
        emit(csv.render(schedule, csv.Profile(csv_profile)), output)
    if output is not None:
        click.echo(f"wrote {visible(str(output))} ({len(schedule)} administrations)", err=True)


def calendar_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options for the calendar: timed visits, reminders, layout, revision time."""
    options = [
        click.option(
            "--tz", "zone", type=ZoneParam(), help="IANA time zone of the clinic, e.g. Europe/Berlin."
        ),
        click.option("--visit-time", type=ClockParam(), help="Local start of clinic visits (needs --tz)."),
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
            help="The calendar this one replaces: changed events get the next SEQUENCE.",
        ),
        click.option(
            "--generated-at",
            metavar="DATETIME",
            help="Revision time for DTSTAMP (default: SOURCE_DATE_EPOCH, else the start date).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


_CALENDAR_PARAMS = (
    "zone",
    "visit_time",
    "reminder",
    "home_reminder",
    "per_administration",
    "generated_at",
    "previous",
)


def _calendar_bytes(schedule: Any, params: dict[str, Any], replaces: Path | None = None) -> bytes:
    """The calendar file for `schedule`; `replaces` is a previous calendar to carry SEQUENCEs from."""
    from dosecal.render import ics as ics_render
    from dosecal.views.events import CalendarOptions

    zone, visit_time, reminder, home_reminder = (params[k] for k in _CALENDAR_PARAMS[:4])
    if visit_time is not None and zone is None:
        raise click.UsageError("--visit-time needs --tz, the clinic's time zone (e.g. --tz Europe/Berlin)")
    if home_reminder is not None and zone is None:
        raise click.UsageError("--home-reminder needs --tz, the patient's time zone")
    if reminder is not None and visit_time is None:
        raise click.UsageError(
            "--reminder needs --visit-time and --tz: an all-day visit has no time to remind before"
        )
    if zone is not None and visit_time is None and home_reminder is None:
        raise click.UsageError("--tz is used with --visit-time or --home-reminder")
    options = CalendarOptions(zone, visit_time, reminder, home_reminder, params["per_administration"])
    previous = params["previous"] or (replaces if replaces is not None and replaces.is_file() else None)
    stamp = revision_time(params["generated_at"], schedule.plan.course.start)
    before = _read(previous) if previous else None
    try:
        return ics_render.render(schedule, options, stamp, before)
    except OutputError as error:
        raise OutputError(f"{previous}: {error}") from None


# A calendar of 200 cycles is a few MB; past this the file is not one of ours.
_PREVIOUS_BYTES = 64 * 1024 * 1024


def _read(path: Path) -> bytes:
    """The calendar being replaced: a regular file of a calendar's size (never /dev/zero, a FIFO)."""
    import stat

    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise OutputError(
                f"{path} is not a regular file: --previous names the calendar file this one replaces"
            )
        with path.open("rb") as handle:
            data = handle.read(_PREVIOUS_BYTES + 1)
    except OSError as error:
        raise OutputError(f"cannot read {path}: {error.strerror}") from None
    if len(data) > _PREVIOUS_BYTES:
        raise OutputError(
            f"{path} is larger than {_PREVIOUS_BYTES // 2**20} MB: it is not a calendar dosecal wrote"
        )
    return data


def _split(params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Course parameters, calendar parameters."""
    calendar = {k: params.pop(k) for k in _CALENDAR_PARAMS}
    return params, calendar


@cli.command()
@course_options
@calendar_options
@stdout_or_file_option
def ics(output: Path | None, **params: Any) -> None:
    """Write the patient's calendar as an iCalendar (.ics) file."""
    course, calendar = _split(params)
    emit(_calendar_bytes(build_schedule(**course), calendar), output)
    if output is not None:
        click.echo(f"wrote {visible(str(output))}", err=True)


def diary_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options for the printable drug diary."""
    command = click.option(
        "--paper",
        type=click.Choice(["letter", "a4"]),
        default="letter",
        show_default=True,
        help="Paper size of the diary.",
    )(command)
    return click.option(
        "--patient-id", type=TextParam(), help="Printed on every diary page (else a field to fill in)."
    )(command)


def _diary_bytes(schedule: Any, patient_id: str | None, paper: str) -> bytes:
    from dosecal.render import pdf_diary as diary
    from dosecal.views.diary import build

    if patient_id is not None and not patient_id.strip():
        raise click.BadParameter("the patient id is empty", param_hint="--patient-id")
    return diary.render(build(schedule, patient_id), paper)


@cli.command("diary")
@course_options
@diary_options
@click.option(
    "-o",
    "--output",
    type=OutputParam(),
    required=True,
    help="The PDF file to write, whole or not at all; '-' for standard output (not a terminal).",
)
def diary_command(output: Path | None, patient_id: str | None, paper: str, **course: Any) -> None:
    """Write the printable, fillable drug diary (PDF) for the drugs taken at home."""
    if output is None and sys.stdout.isatty():
        raise click.UsageError(
            "the diary is a PDF and cannot be shown on a terminal: give -o FILE.pdf, "
            "or send it on with -o - > diary.pdf"
        )
    emit(_diary_bytes(build_schedule(**course), patient_id, paper), output)
    if output is not None:
        click.echo(f"wrote {visible(str(output))}", err=True)


@cli.command()
@course_options
@calendar_options
@diary_options
@appointment_options
@csv_profile_option
@folder_option("Folder for the packet; it goes into <folder>/<regimen>-<start>/.")
def make(
    folder: Path,
    patient_id: str | None,
    paper: str,
    holiday_code: Any,
    move_closed: str,
    csv_profile: str,
    **params: Any,
) -> None:
    """Write the patient packet: calendar (ICS), drug diary (PDF), administrations and visits (CSV).

    Made again into the same folder, the calendar keeps each unchanged
    event's SEQUENCE and raises it for changed ones.
    """
    from dosecal.io.files import commit_all, make_folder

    course, calendar = _split(params)
    schedule = build_schedule(**course)
    target = folder / f"{schedule.plan.regimen.name}-{schedule.plan.course.start.isoformat()}"
    checked = _visits(schedule, patient_id, calendar["visit_time"], holiday_code, move_closed)
    files = _packet(schedule, target, calendar, patient_id, paper, checked, csv_profile)
    # Everything is rendered before anything is written: a refusal leaves no files.
    make_folder(target)
    commit_all({target / name: content for name, content in files.items()})
    click.echo(
        f"wrote {visible(str(target))}/: {', '.join(files)} ({len(schedule)} administrations)", err=True
    )
    _say_closed(checked, move_closed)


def _packet(
    schedule: Any,
    target: Path,
    calendar: dict[str, Any],
    patient_id: str | None,
    paper: str,
    found: list[Visit],
    csv_profile: str,
) -> dict[str, bytes]:
    """Every file of a patient's packet, by name, rendered and not yet written."""
    from dosecal.render import csv_table as csv
    from dosecal.render import csv_visits as appointments

    profile = csv.Profile(csv_profile)
    return {
        "calendar.ics": _calendar_bytes(schedule, calendar, replaces=target / "calendar.ics"),
        "diary.pdf": _diary_bytes(schedule, patient_id, paper),
        "administrations.csv": csv.render(schedule, profile).encode("utf-8"),
        "appointments.csv": appointments.render(found, profile).encode("utf-8"),
    }


def _visits(schedule: Any, patient_id: str | None, visit_time: Any, code: Any, move: str) -> list[Visit]:
    """The clinic visits, checked for closed days (moved if `move` says so)."""
    from dosecal.views.visits import MovePolicy, visits

    if patient_id is not None and not patient_id.strip():
        raise click.BadParameter("the patient id is empty", param_hint="--patient-id")
    closed = closed_days(code)
    return visits(schedule, patient_id or schedule.plan.course_id, visit_time, closed, MovePolicy(move))


def _say_closed(checked: list[Visit], move: str) -> None:
    """After the files are written: which visits fall on closed days, and what was done. Else nothing."""
    flagged = [v for v in checked if v.closed]
    if not flagged:
        return
    verb = "kept; --move-closed next|previous moves them" if move == "keep" else f"moved ({move})"
    click.echo(f"dosecal: {_plural(len(flagged), 'visit')} on closed days, {verb}:", err=True)
    for v in flagged:
        planned = v.planned_date or v.date
        to = f" -> {v.date.isoformat()}" if v.planned_date else ""
        click.echo(f"  cycle {v.cycle} day {v.cycle_day}: {planned.isoformat()} ({v.closed}){to}", err=True)
    if move != "keep":
        click.echo(
            "dosecal: only the visit list moves; the calendar and diary keep the planned dates "
            "until the course itself is changed (a delay or a start date in the course file)",
            err=True,
        )


@cli.command()
@course_options
@click.option("--patient-id", type=TextParam(), help="The patient id on every row (default: the course id).")
@click.option("--visit-time", type=ClockParam(), help="Local start time of clinic visits (HH:MM).")
@appointment_options
@csv_profile_option
@stdout_or_file_option
def appointments(
    patient_id: str | None,
    visit_time: Any,
    holiday_code: Any,
    move_closed: str,
    csv_profile: str,
    output: Path | None,
    **course: Any,
) -> None:
    """List the clinic visits for chair booking: one row per visit (CSV)."""
    from dosecal.render import csv_visits as render
    from dosecal.render.csv_table import Profile

    schedule = build_schedule(**course)
    found = _visits(schedule, patient_id, visit_time, holiday_code, move_closed)
    emit(render.render(found, Profile(csv_profile)), output)
    if output is not None:
        click.echo(f"wrote {visible(str(output))} ({_plural(len(found), 'visit')})", err=True)
    _say_closed(found, move_closed)


def _register() -> None:
    from dosecal.cli.batch import batch

    cli.add_command(batch)


_register()
