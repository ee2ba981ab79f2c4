"""The calendar flags -> `packet.CalendarSettings`: layout, revision time, the calendar replaced.

The revision time is the interface's to choose (a flag, SOURCE_DATE_EPOCH,
else the course's start), never the clock: the same inputs give the same
bytes. The calendar being replaced is read here, bounded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import click

from dosecal.cli.options import CalendarFlags
from dosecal.errors import OutputError
from dosecal.io.read import previous_calendar
from dosecal.language.values import quoted
from dosecal.packet import CalendarSettings, Previous
from dosecal.packet import revision_time as packet_revision_time
from dosecal.render.ics import ForeignCalendarError
from dosecal.views.events import CalendarOptions


def layout(flags: CalendarFlags) -> CalendarOptions:
    """The calendar's layout; a usage error for flags that need another."""
    if flags.visit_time is not None and flags.zone is None:
        raise click.UsageError("--visit-time needs --tz, the clinic's time zone (e.g. --tz Europe/Berlin)")
    if flags.home_reminder is not None and flags.zone is None:
        raise click.UsageError("--home-reminder needs --tz, the patient's time zone")
    if flags.reminder is not None and flags.visit_time is None:
        raise click.UsageError(
            "--reminder needs --visit-time and --tz: an all-day visit has no time to remind before"
        )
    if flags.zone is not None and flags.visit_time is None and flags.home_reminder is None:
        raise click.UsageError("--tz is used with --visit-time or --home-reminder")
    return CalendarOptions(
        flags.zone, flags.visit_time, flags.reminder, flags.home_reminder, flags.per_administration
    )


def settings(flags: CalendarFlags, start: dt.date, replaces: Path | None = None) -> CalendarSettings:
    """Everything the calendar needs; `replaces` is the packet's own calendar, if it is there."""
    options = layout(flags)
    previous = flags.previous or (replaces if replaces is not None and _is_file(replaces) else None)
    return CalendarSettings(options, revision_time(flags.generated_at, start), _read(previous))


def _is_file(path: Path) -> bool:
    """Whether the packet's folder already holds a calendar; a path that cannot be looked at (too
    long, no permission) holds none, and writing there will say why."""
    try:
        return path.is_file()
    except OSError:
        return False


@contextlib.contextmanager
def foreign_refused(hint: str) -> Iterator[None]:
    """Another patient's calendar named as the one replaced: refused, with what to do instead."""
    try:
        yield
    except ForeignCalendarError as error:
        raise OutputError(f"{error}; {hint}") from None


def revision_time(generated_at: str | None, start: dt.date) -> dt.datetime:
    """DTSTAMP: --generated-at, else SOURCE_DATE_EPOCH, else the course's start at 00:00 UTC."""
    if generated_at is not None:
        try:
            stamp = dt.datetime.fromisoformat(generated_at.replace("Z", "+00:00"))
            utc = stamp.astimezone(dt.UTC) if stamp.tzinfo is not None else None
        except (ValueError, OverflowError):  # not a time, or one whose UTC is past year 1 or 9999
            utc = None
        if utc is None:
            raise click.BadParameter(
                f"{quoted(generated_at)} is not a date and time with its offset, e.g. 2026-11-20T09:00:00Z",
                param_hint="--generated-at",
            )
        return utc
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        if epoch.isascii() and epoch.isdigit() and len(epoch) <= 12:
            with contextlib.suppress(ValueError, OverflowError, OSError):
                return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        raise click.UsageError(
            f"SOURCE_DATE_EPOCH must be whole seconds since 1970 (before the year 10000), not {quoted(epoch)}"
        )
    return packet_revision_time(start)


def _read(path: Path | None) -> Previous | None:
    return Previous(str(path), previous_calendar(path)) if path is not None else None
