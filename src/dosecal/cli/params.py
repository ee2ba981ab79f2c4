"""Command-line parameters and helpers shared by the commands in cli.py.

Parameter types turn text into checked values with one clear sentence on
failure; `course_options` are the options every output command takes.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import os
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from dosecal import limits

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_date(text: str) -> dt.date:
    """YYYY-MM-DD, or `ValueError` saying what is wrong with it."""
    match = _DATE.fullmatch(text)
    if not match:
        raise ValueError(f"{shown(text)} is not a date; write it as YYYY-MM-DD, e.g. 2026-12-07")
    year, month, day = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        raise ValueError(f"{text} is not a date: there is no month {month}")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise ValueError(f"{text} is not a date: {calendar.month_name[month]} {year} has {last} days")
    return dt.date(year, month, day)


def parse_number(text: str) -> Decimal:
    """A body measure as a plain decimal number such as 70 or 72.5 (no sign, no exponent), or `ValueError`.

    An exponent would let `1e309` through as a 310-digit weight; nobody
    writes a body measure that way.
    """
    if not re.fullmatch(r"\d{1,9}(\.\d{1,9})?", text):
        raise ValueError(f"{shown(text)} is not a plain number such as 70 or 72.5")
    if len(text.partition(".")[2]) > limits.MEASURE_PLACES:  # as in course files and rosters
        raise ValueError(f"{text} has more than {limits.MEASURE_PLACES} decimal places")
    return Decimal(text)


def shown(text: str, limit: int = 40) -> str:
    """A value as the user typed it, quoted, shortened when long, control characters made visible."""
    visible = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)
    return f"'{visible}'" if len(visible) <= limit else f"'{visible[: limit - 1]}…' ({len(text)} characters)"


class DateParam(click.ParamType):  # type: ignore[type-arg]
    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return parse_date(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


class CyclesParam(click.ParamType):  # type: ignore[type-arg]
    """A whole number of cycles; its range (1-200) is the course's to check, in the words it uses."""

    name = "N"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value)
        if not text.isascii() or not text.isdigit():
            self.fail(f"{shown(text)} is not a whole number of cycles", param, ctx)
        if len(text.lstrip("0")) > len(str(limits.MAX_CYCLES)):
            from dosecal.errors import CourseError

            # The course's own refusal (exit 1), as for 201: only the digits are not made an int.
            raise CourseError(limits.implausible_cycles(text))
        return int(text)


class DecimalParam(click.ParamType):  # type: ignore[type-arg]
    name = "NUMBER"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Decimal:
        try:
            return parse_number(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


class TextParam(click.ParamType):  # type: ignore[type-arg]
    """One line of text (an id, a `--dose`): no character that no output may hold (dosecal.text)."""

    name = "TEXT"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from dosecal.text import refused

        text = str(value)
        if any("\udc80" <= c <= "\udcff" for c in text):  # bytes the shell passed that are not UTF-8
            self.fail("the value is not UTF-8 text", param, ctx)
        found = refused(text)
        if found:  # the value itself is not repeated: the character would reach the terminal
            self.fail(found.sentence("the value"), param, ctx)
        return text


# ---- shared pieces -------------------------------------------------------------


def regimen_path(value: str) -> Path:
    from dosecal.io.read import bundled, resolve

    try:
        return resolve(value)
    except FileNotFoundError:
        names = ", ".join(bundled())
        raise click.BadParameter(
            f"no regimen '{value}': not a file, and not a bundled regimen ({names})",
            param_hint="REGIMEN",
        ) from None


def load_regimen(value: str) -> Any:
    from dosecal.io.read import load

    path = regimen_path(value)
    try:
        return load(path)
    except OSError as error:
        raise click.FileError(str(path), error.strerror) from None


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write `content` to `path` through a temporary file and a rename (dosecal.io.files)."""
    from dosecal.io import files as io

    io.write_atomically(path, content.encode("utf-8") if isinstance(content, str) else content)


def emit(content: str | bytes, output: Path | None) -> None:
    """To the file, atomically, or to standard output."""
    if output is None:
        click.echo(content, nl=False)
    else:
        write_atomically(output, content)


def parse_dose(text: str) -> tuple[str, Any]:
    from dosecal.model.regimen import UNITS, Amount

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
    # Plain decimals only (no exponent, no sign), in the range regimen and course files allow.
    try:
        value = limits.AMOUNT.read(amount)
    except limits.LimitError:
        raise click.BadParameter(
            f"{shown(amount)} in {shown(text)} is not a dose amount (a number such as 75 or 1.5, "
            f"{limits.AMOUNT.range_text})",
            param_hint="--dose",
        ) from None
    return name.strip(), Amount(value, UNITS[unit])


def course_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that describe a patient's course (shared by every output command)."""
    options = [
        click.argument("regimen", required=False),
        click.option(
            "--course",
            "course_file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="A course file: the regimen, start, measures and adjustments of one patient.",
        ),
        click.option("--start", type=DateParam(), help="Cycle 1 day 1 (YYYY-MM-DD)."),
        click.option(
            "--cycles", type=CyclesParam(), help="Number of cycles to expand (all phases together), 1 to 200."
        ),
        click.option(
            "--until", type=DateParam(), help="Expand every cycle that starts on or before this date."
        ),
        click.option("--level", type=TextParam(), help="Dose level (for regimens that have levels)."),
        click.option(
            "--dose",
            "doses",
            multiple=True,
            type=TextParam(),
            metavar='"DRUG=AMOUNT UNIT"',
            help="A dose the regimen leaves to be supplied; repeatable.",
        ),
        click.option("--weight", type=DecimalParam(), help="Body weight in kg."),
        click.option("--height", type=DecimalParam(), help="Height in cm."),
        click.option(
            "--bsa",
            "bsa_formula",
            type=click.Choice(["mosteller", "dubois"]),
            help="BSA formula for per-m2 doses (default: mosteller).",
        ),
        click.option(
            "--course-id",
            type=TextParam(),
            help="Identity of this course in administration ids and calendar UIDs "
            "(default: the regimen's name). Give each patient their own.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def build_schedule(
    regimen: str | None,
    course_file: Path | None,
    start: dt.date | None,
    cycles: int | None,
    until: dt.date | None,
    level: str | None,
    doses: tuple[str, ...],
    weight: Decimal | None,
    height: Decimal | None,
    bsa_formula: str | None,
    course_id: str | None,
) -> Any:
    from dosecal.engine.expand import expand
    from dosecal.model.course import Course
    from dosecal.model.dosing import BsaFormula, Measures

    if course_file is not None:
        stated = {
            "REGIMEN": regimen,
            "--start": start,
            "--cycles": cycles,
            "--until": until,
            "--level": level,
            "--dose": doses,
            "--weight": weight,
            "--height": height,
            "--bsa": bsa_formula,
            "--course-id": course_id,
        }
        given = [name for name, value in stated.items() if value]
        if given:
            raise click.UsageError(f"--course gives the whole course: leave out {', '.join(given)}")
        from dosecal.io.read import load_course

        return expand(*load_course(course_file))
    if regimen is None or start is None:
        raise click.UsageError("give REGIMEN and --start DATE, or --course FILE")
    if cycles is not None and until is not None:
        raise click.UsageError("give --cycles or --until, not both")
    model = load_regimen(regimen)
    supplied = tuple(parse_dose(d) for d in doses)
    measures = Measures(weight, height, BsaFormula(bsa_formula or "mosteller"))
    course = Course(start, cycles, until, level, supplied, measures, course_id)
    return expand(model, course)


class ClockParam(click.ParamType):  # type: ignore[type-arg]
    """HH:MM on a 24-hour clock."""

    name = "HH:MM"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.time:
        if isinstance(value, dt.time):
            return value
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", str(value))
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            self.fail(f"'{value}' is not a clock time; write HH:MM from 00:00 to 23:59", param, ctx)
        return dt.time(int(match.group(1)), int(match.group(2)))


class ZoneParam(click.ParamType):  # type: ignore[type-arg]
    """An IANA time zone name, checked against the zoneinfo database."""

    name = "ZONE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        import difflib
        import zoneinfo

        text = str(value)
        try:
            if "/" in text or text == "UTC":
                return zoneinfo.ZoneInfo(text)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
        close = difflib.get_close_matches(text, sorted(zoneinfo.available_timezones()), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else " (an IANA name such as Europe/Berlin)"
        self.fail(f"unknown time zone '{text}'{hint}", param, ctx)


def revision_time(generated_at: str | None, start: dt.date) -> dt.datetime:
    """DTSTAMP: --generated-at, else SOURCE_DATE_EPOCH, else the course's start at 00:00 UTC.

    Never the clock: the same inputs must give the same bytes.
    """
    if generated_at is not None:
        try:
            stamp = dt.datetime.fromisoformat(generated_at.replace("Z", "+00:00"))
            utc = stamp.astimezone(dt.UTC) if stamp.tzinfo is not None else None
        except (ValueError, OverflowError):  # not a time, or one whose UTC is past year 1 or 9999
            utc = None
        if utc is None:
            raise click.BadParameter(
                f"{shown(generated_at)} is not a date and time with its offset, e.g. 2026-11-20T09:00:00Z",
                param_hint="--generated-at",
            )
        return utc
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        if epoch.isascii() and epoch.isdigit() and len(epoch) <= 12:
            with contextlib.suppress(ValueError, OverflowError, OSError):
                return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        raise click.UsageError(
            f"SOURCE_DATE_EPOCH must be whole seconds since 1970 (before the year 10000), not {shown(epoch)}"
        )
    return dt.datetime.combine(start, dt.time(0, 0), tzinfo=dt.UTC)


def csv_profile_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--csv-profile machine|spreadsheet` (docs/table.md, "CSV profiles")."""
    return click.option(
        "--csv-profile",
        "csv_profile",
        type=click.Choice(["spreadsheet", "machine"]),
        default="spreadsheet",
        show_default=True,
        help="spreadsheet: byte order mark, cells that could run as formulas neutralised; "
        "machine: plain RFC 4180 UTF-8, text exactly as written.",
    )(command)


class HolidaysParam(click.ParamType):  # type: ignore[type-arg]
    """A country code for the `holidays` package, optionally with a subdivision: US, US-NY, DE-BY."""

    name = "COUNTRY"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, str | None]:
        import holidays

        if isinstance(value, tuple):
            return value
        country, _, subdiv = str(value).strip().partition("-")
        supported = holidays.list_supported_countries()
        country = country.upper()
        if country not in supported:
            self.fail(f"'{value}' is not a country the holidays package knows (e.g. US, GB, DE)", param, ctx)
        if not subdiv:
            return country, None
        # The package's own spelling ("NY", "Augsburg", "NSW Western"), matched ignoring case.
        found = next((s for s in supported[country] if s.casefold() == subdiv.strip().casefold()), None)
        if found is None:
            known = ", ".join(supported[country]) or "none"
            self.fail(f"{country} has no subdivision '{subdiv}'; its subdivisions are {known}", param, ctx)
        return country, found


def closed_days(code: tuple[str, str | None] | None) -> Any:
    """Weekend days, and the public holidays of `code` (looked up year by year, as dates ask)."""
    from dosecal.views.visits import ClosedDays

    if code is None:
        return ClosedDays(source="weekends (Saturday, Sunday)")
    import holidays

    country, subdiv = code
    kind = holidays.country_holidays(country, subdiv=subdiv)
    # Names in English where the package has them, else in the country's own language.
    language = "en_US" if "en_US" in getattr(kind, "supported_languages", ()) else None
    found = holidays.country_holidays(country, subdiv=subdiv, language=language)
    where = f"{country}-{subdiv}" if subdiv else country
    return ClosedDays(
        weekend=frozenset(found.weekend),
        holidays=found,
        source=f"public holidays of {where} (from the holidays package) and weekends",
    )


def appointment_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options of the clinic-visit list: closed days, and what to do about visits on them."""
    options = [
        click.option(
            "--holidays",
            "holiday_code",
            type=HolidaysParam(),
            help="Flag visits on this country's public holidays, e.g. US, US-NY, GB, DE-BY "
            "(weekends are always flagged).",
        ),
        click.option(
            "--move-closed",
            type=click.Choice(["keep", "next", "previous"]),
            default="keep",
            show_default=True,
            help="A visit on a closed day: keep it (flagged), or move it to the next or previous open day.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


class OutputParam(click.ParamType):  # type: ignore[type-arg]
    """`-o FILE`: a regular file in a folder that exists (a symlink to one is followed); `-` is
    standard output (converted to None). Checked before anything is computed."""

    name = "FILE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path | None:
        from dosecal.io import files as io

        if value is None or isinstance(value, Path):
            return value
        text = str(value)
        if text == "-":
            return None
        try:
            return io.check_file_target(text)
        except io.TargetError as error:
            self.fail(str(error), param, ctx)


class FolderParam(click.ParamType):  # type: ignore[type-arg]
    """`-o DIR` of make and batch: a folder, created when it does not exist yet."""

    name = "DIR"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        from dosecal.io import files as io

        if isinstance(value, Path):
            return value
        try:
            return io.check_folder_target(str(value))
        except io.TargetError as error:
            self.fail(str(error), param, ctx)


# `-o`: a file (standard output when left out, or given as `-`).
stdout_or_file_option = click.option(
    "-o",
    "--output",
    type=OutputParam(),
    help="Write to this file, whole or not at all; '-' or no -o: standard output. "
    "The file's folder must exist.",
)


def folder_option(help_text: str) -> Callable[..., Any]:
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
