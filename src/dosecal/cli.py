"""The `dosecal` command line: the only place that reads and writes files.

Every refusal is one clear message on stderr and an exit code: 0 ok,
1 invalid input (a regimen, a course, a patient value), 2 usage. No
traceback reaches a user. Outputs are written to a temporary file in the
target folder and renamed, so a failed run leaves nothing half-written.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click

from dosecal.errors import DosecalError, OutputError, RegimenError

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class _Date(click.ParamType):  # type: ignore[type-arg]
    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        match = _DATE.fullmatch(str(value))
        if not match:
            self.fail(f"'{value}' is not a date; write it as YYYY-MM-DD, e.g. 2026-12-07", param, ctx)
        year, month, day = (int(g) for g in match.groups())
        if not 1 <= month <= 12:
            self.fail(f"{value} is not a date: there is no month {month}", param, ctx)
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            self.fail(
                f"{value} is not a date: {calendar.month_name[month]} {year} has {last} days", param, ctx
            )
        return dt.date(year, month, day)


class _Decimal(click.ParamType):  # type: ignore[type-arg]
    name = "NUMBER"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Decimal:
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(f"'{value}' is not a number", param, ctx)
        if not number.is_finite():
            self.fail(f"'{value}' is not a number", param, ctx)
        return number


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
            click.echo(f"{where}: {error.format_message()} (see '{where} --help')", err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            click.echo(f"dosecal: {error.format_message()}", err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("dosecal: aborted", err=True)
            sys.exit(1)
        except DosecalError as error:
            click.echo(str(error) if isinstance(error, RegimenError) else f"dosecal: {error}", err=True)
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
@click.version_option(package_name="dosecal", message="dosecal %(version)s")
def cli() -> None:
    """Turn a cycle-based treatment regimen into a dated administration table."""


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="dosecal")


# ---- shared pieces -------------------------------------------------------------


def _regimen_path(value: str) -> Path:
    from dosecal.loader import bundled, resolve

    try:
        return resolve(value)
    except FileNotFoundError:
        names = ", ".join(bundled())
        raise click.BadParameter(
            f"no regimen '{value}': not a file, and not a bundled regimen ({names})",
            param_hint="REGIMEN",
        ) from None


def _load(value: str) -> Any:
    from dosecal.loader import load

    path = _regimen_path(value)
    try:
        return load(path)
    except OSError as error:
        raise click.FileError(str(path), error.strerror) from None


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file and a rename."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        Path(temp).replace(path)
    except OSError as error:
        Path(temp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {error.strerror}") from None


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomically(output, text)


def _parse_dose(text: str) -> tuple[str, Any]:
    from dosecal.model import UNITS, Amount

    name, sep, rest = text.partition("=")
    parts = rest.split()
    if not sep or len(parts) != 2 or not name.strip():
        raise click.BadParameter(
            f'\'{text}\' should read "DRUG=AMOUNT UNIT", e.g. "bendamustine=75 mg/m2"', param_hint="--dose"
        )
    amount, unit = parts
    if unit not in UNITS:
        raise click.BadParameter(
            f"unknown unit '{unit}' in '{text}'; units are {', '.join(UNITS)}", param_hint="--dose"
        )
    try:
        value = Decimal(amount)
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value <= 0:
        raise click.BadParameter(f"'{amount}' in '{text}' is not a dose amount", param_hint="--dose")
    return name.strip(), Amount(value, UNITS[unit])


def course_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that describe a patient's course (shared by every output command)."""
    options = [
        click.argument("regimen"),
        click.option("--start", type=_Date(), required=True, help="Cycle 1 day 1 (YYYY-MM-DD)."),
        click.option("--cycles", type=int, help="Number of cycles to expand (all phases together)."),
        click.option("--until", type=_Date(), help="Expand every cycle that starts on or before this date."),
        click.option("--level", help="Dose level (for regimens that have levels)."),
        click.option(
            "--dose",
            "doses",
            multiple=True,
            metavar='"DRUG=AMOUNT UNIT"',
            help="A dose the regimen leaves to be supplied; repeatable.",
        ),
        click.option("--weight", type=_Decimal(), help="Body weight in kg."),
        click.option("--height", type=_Decimal(), help="Height in cm."),
        click.option(
            "--bsa",
            "bsa_formula",
            type=click.Choice(["mosteller", "dubois"]),
            default="mosteller",
            show_default=True,
            help="BSA formula for per-m2 doses.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _schedule(
    regimen: str,
    start: dt.date,
    cycles: int | None,
    until: dt.date | None,
    level: str | None,
    doses: tuple[str, ...],
    weight: Decimal | None,
    height: Decimal | None,
    bsa_formula: str,
) -> Any:
    from dosecal.course import Course
    from dosecal.dosing import BsaFormula, Measures
    from dosecal.expand import expand

    if cycles is not None and until is not None:
        raise click.UsageError("give --cycles or --until, not both")
    model = _load(regimen)
    supplied = tuple(_parse_dose(d) for d in doses)
    measures = Measures(weight, height, BsaFormula(bsa_formula))
    course = Course(start, cycles, until, level, supplied, measures)
    return expand(model, course)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# ---- commands ------------------------------------------------------------------


@cli.command("list")
def list_command() -> None:
    """List the bundled regimens."""
    from dosecal.loader import bundled, load, resolve

    for name in bundled():
        regimen = load(resolve(name))
        sources = "; ".join(regimen.sources)
        click.echo(f"{name:<22} {regimen.title}" + (f"  [{sources}]" if sources else ""))


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def check(files: tuple[str, ...]) -> None:
    """Check regimen files; report every mistake of each (exit 1 if any)."""
    from dosecal.loader import load

    failed = 0
    for name in files:
        try:
            regimen = load(name)
        except RegimenError as error:
            click.echo(error.render(), err=True)
            failed += 1
            continue
        except OSError as error:
            click.echo(f"dosecal: cannot read {name}: {error.strerror}", err=True)
            failed += 1
            continue
        agents = sum(len(p.agents) for p in regimen.phases)
        counts = [
            _plural(agents, "drug"),
            _plural(len(regimen.phases), "phase"),
            _plural(len(regimen.levels), "dose level"),
        ]
        click.echo(f"ok: {name} ({regimen.name}: {', '.join(counts)})")
    if failed:
        raise click.exceptions.Exit(1)


@cli.command()
@click.argument("regimen")
@click.option("--level", help="Show the doses of this dose level.")
def show(regimen: str, level: str | None) -> None:
    """Show a regimen in protocol words, with its doses per cycle."""
    from dosecal.errors import CourseError
    from dosecal.render.text import render

    model = _load(regimen)
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
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (default: standard output).",
)
def expand(fmt: str, output: Path | None, **course: Any) -> None:
    """Expand a regimen from a start date into its administration table."""
    schedule = _schedule(**course)
    from dosecal.render import csv, json

    _emit((csv.render if fmt == "csv" else json.render)(schedule), output)
    if output is not None:
        click.echo(f"wrote {output} ({len(schedule)} administrations)", err=True)
