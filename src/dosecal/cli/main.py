"""The `dosecal` command line.

Every refusal is one clear message on stderr and an exit code: 0 ok,
1 invalid input (a regimen, a course, a patient value), 2 usage, 70 a bug
(an internal error, said as one line; DOSECAL_DEBUG=1 shows its traceback).
No traceback reaches a user. The commands turn flags into typed options
(`dosecal.cli.options`, `dosecal.cli.course`), call the packet builder
(`dosecal.packet`), and write through `dosecal.io.files`: a temporary file
in the target's folder, then a rename, so a failed run leaves nothing
half-written; `-o` is checked before anything is computed.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dosecal.cli.batch import batch
from dosecal.cli.options import (
    CalendarFlags,
    CourseFlags,
    VisitFlags,
    calendar_options,
    course_options,
    csv_profile_option,
    folder_option,
    paper_option,
    stdout_or_file_option,
    visit_options,
)
from dosecal.cli.params import ClockParam, OutputParam, TextParam
from dosecal.errors import DosecalError, RegimenError
from dosecal.text import visible
from dosecal.version import __version__

if TYPE_CHECKING:
    # The commands import the stages they use when they run: `--help`, `list` and `check`
    # must not load the renderers, the views, the packet or batch (bench/layout_ab.py).
    from dosecal import packet
    from dosecal.cli.course import Identity
    from dosecal.engine.table import Schedule
    from dosecal.packet import Paper, Profile
    from dosecal.views.visits import MovePolicy, Visit


class _Cli(click.Group):
    """A group whose errors are one line on stderr, without click's usage block."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,  # Any: click.Group.main's own signature (it passes them to make_context)
    ) -> Any:  # Any: click.Group.main's return type (the command's return value)
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
    """Check regimen files (or bundled regimens by name); report every mistake of each (exit 1 if any)."""
    from dosecal.io.read import load, resolve

    failed = 0
    for name in files:
        try:
            regimen = load(resolve(name))  # a path, else a bundled regimen's name, as everywhere
        except RegimenError as error:
            click.echo(visible(error.render(), lines=True), err=True)
            failed += 1
            continue
        except OSError as error:
            a_path = "/" in name or name.endswith(".regimen")
            why = error.strerror or (
                "No such file or directory" if a_path else "no such file, and no bundled regimen of that name"
            )
            click.echo(f"dosecal: cannot read {visible(name)}: {why}", err=True)
            failed += 1
            continue
        agents = len({a.key for a in regimen.drugs})
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
@click.option("--option", type=TextParam(), help="Show the regimen as this option of it has it.")
def show(regimen: str, level: str | None, option: str | None) -> None:
    """Show a regimen in protocol words, with its doses per cycle."""
    from dosecal.cli.course import load_regimen
    from dosecal.render.protocol_text import render

    model = load_regimen(regimen)
    chosen = model.level_named(level) if level is not None else None
    click.echo(render(model.with_option(option), chosen, option), nl=False)


@cli.command()
@course_options
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@csv_profile_option
@stdout_or_file_option
def expand(course: CourseFlags, fmt: str, profile: Profile, output: Path | None) -> None:
    """Expand a regimen from a start date into its administration table."""
    from dosecal import packet
    from dosecal.cli.course import emit, schedule_of
    from dosecal.render import json_table

    schedule, _ = schedule_of(course)
    if fmt == "json":
        emit(json_table.render(schedule), output)
    else:
        emit(packet.administrations(schedule, profile), output)
    if output is not None:
        click.echo(f"wrote {visible(str(output))} ({len(schedule)} administrations)", err=True)


@cli.command()
@course_options
@calendar_options
@stdout_or_file_option
def ics(course: CourseFlags, calendar: CalendarFlags, output: Path | None) -> None:
    """Write the patient's calendar as an iCalendar (.ics) file."""
    from dosecal import packet
    from dosecal.cli import calendar as calendar_flags
    from dosecal.cli.course import emit, schedule_of

    schedule, _ = schedule_of(course)
    settings = calendar_flags.settings(calendar, schedule.plan.course.start)
    with calendar_flags.foreign_refused("leave out --previous to make a new one"):
        content = packet.calendar(schedule, settings)
    emit(content, output)
    if output is not None:
        click.echo(f"wrote {visible(str(output))}", err=True)


@cli.command("diary")
@course_options
@paper_option
@click.option(
    "-o",
    "--output",
    type=OutputParam(),
    required=True,
    help="The PDF file to write, whole or not at all; '-' for standard output (not a terminal).",
)
def diary_command(course: CourseFlags, paper: Paper, output: Path | None) -> None:
    """Write the printable, fillable drug diary (PDF) for the drugs taken at home."""
    from dosecal import packet
    from dosecal.cli.course import emit, schedule_of

    if output is None and sys.stdout.isatty():
        raise click.UsageError(
            "the diary is a PDF and cannot be shown on a terminal: give -o FILE.pdf, "
            "or send it on with -o - > diary.pdf"
        )
    schedule, identity = schedule_of(course)
    emit(packet.diary(schedule, identity.patient_id, packet.DiarySettings(paper)), output)
    if output is not None:
        click.echo(f"wrote {visible(str(output))}", err=True)


@cli.command()
@course_options
@calendar_options
@paper_option
@visit_options
@csv_profile_option
@folder_option(
    "Folder for the packet: <folder>/<patient id>/ (<folder>/<patient id>/<course id>/ with "
    "--course-id; <folder>/<course id>/ with a course id alone), else <folder>/<regimen>-<start>/."
)
def make(
    course: CourseFlags,
    calendar: CalendarFlags,
    paper: Paper,
    visits: VisitFlags,
    profile: Profile,
    folder: Path,
) -> None:
    """Write the patient packet: calendar (ICS), drug diary (PDF), administrations and visits (CSV).

    Made again into the same folder, the calendar keeps each unchanged
    event's SEQUENCE and raises it for changed ones.
    """
    from dosecal import packet
    from dosecal.cli import calendar as calendar_flags
    from dosecal.cli.course import schedule_of
    from dosecal.io.files import commit_all, make_folder

    schedule, identity = schedule_of(course)
    target = folder / _packet_folder(schedule, identity)
    options = packet.Options(
        patient_id=identity.patient_id,
        calendar=calendar_flags.settings(calendar, schedule.plan.course.start, target / "calendar.ics"),
        diary=packet.DiarySettings(paper),
        visits=_visit_settings(visits, calendar.visit_time),
        profile=profile,
    )
    hint = (
        "leave out --previous to make a new one"
        if calendar.previous
        else "this folder holds another course's packet: give this course its own --course-id "
        "(a folder of its own inside the patient's), or another -o"
    )
    with calendar_flags.foreign_refused(hint):
        made = packet.build(schedule, options)
    # Everything is rendered before anything is written: a refusal leaves no files.
    make_folder(target)
    commit_all({target / f.name: f.content for f in made.files})
    names = ", ".join(f.name for f in made.files)
    said = f"{len(schedule)} administrations; {identity.said()}"
    click.echo(f"wrote {visible(str(target))}/: {names} ({visible(said)})", err=True)
    _say_closed(list(made.visits), visits.move_closed)


def _packet_folder(schedule: Schedule, identity: Identity) -> Path:
    """The packet's folder: the patient's id (and the course's, when it is another), else the
    regimen and start.

    An id names a folder, so it must be a plain name (never '../x' or 'a/b'): the rule `batch`
    applies to a roster's patient ids. A second course of one patient (`--course-id`) goes into
    a folder of its own inside the patient's, so it never replaces the first.
    """
    from dosecal.batch.roster_file import RESERVED
    from dosecal.engine.identity import folder_id_problem

    if not identity.explicit:
        return Path(f"{schedule.plan.regimen.name}-{schedule.plan.course.start.isoformat()}")
    names = [(identity.patient_id, "patient id", "--patient-id")] if identity.patient_id else []
    if identity.course_id != identity.patient_id:
        names.append((identity.course_id, "course id", "--course-id"))
    for name, what, flag in names:
        cannot = folder_id_problem(name) or (
            f"'{name}' is the name of a combined table of `dosecal batch`"
            if name.casefold() in RESERVED
            else None
        )
        if cannot:
            raise click.BadParameter(f"the {what} {cannot}", param_hint=f"'{flag}'")
    return Path(*(name for name, _, _ in names))


def _visit_settings(flags: VisitFlags, visit_time: dt.time | None) -> packet.VisitSettings:
    from dosecal import packet
    from dosecal.views.holidays import closed_days

    return packet.VisitSettings(visit_time, closed_days(flags.holidays), flags.move_closed)


def _say_closed(checked: list[Visit], move: MovePolicy) -> None:
    """After the files are written: which visits fall on closed days, and what was done. Else nothing."""
    from dosecal.views.visits import MovePolicy

    flagged = [v for v in checked if v.closed]
    if not flagged:
        return
    kept = move is MovePolicy.KEEP
    verb = "kept; --move-closed next|previous moves them" if kept else f"moved ({move.value})"
    click.echo(f"dosecal: {_plural(len(flagged), 'visit')} on closed days, {verb}:", err=True)
    for v in flagged:
        planned = v.planned_date or v.date
        # A visit the policy could not move says why (another visit on that day, the course's start).
        to = f" -> {v.date.isoformat()}" if v.planned_date else "" if kept else f": {v.moved}"
        click.echo(f"  {v.where}: {planned.isoformat()} ({v.closed}){to}", err=True)
    if not kept:
        click.echo(
            "dosecal: only the visit list moves; the calendar and diary keep the planned dates "
            "until the course itself is changed (a delay or a start date in the course file)",
            err=True,
        )


@cli.command()
@course_options
@click.option("--visit-time", type=ClockParam(), help="Local start time of clinic visits (HH:MM).")
@visit_options
@csv_profile_option
@stdout_or_file_option
def appointments(
    course: CourseFlags, visit_time: dt.time | None, visits: VisitFlags, profile: Profile, output: Path | None
) -> None:
    """List the clinic visits for chair booking: one row per visit (CSV)."""
    from dosecal import packet
    from dosecal.cli.course import emit, schedule_of

    schedule, identity = schedule_of(course)
    found = packet.clinic_visits(schedule, identity.patient_id, _visit_settings(visits, visit_time))
    emit(packet.appointments(found, profile), output)
    if output is not None:
        click.echo(f"wrote {visible(str(output))} ({_plural(len(found), 'visit')})", err=True)
    _say_closed(found, visits.move_closed)


cli.add_command(batch)
