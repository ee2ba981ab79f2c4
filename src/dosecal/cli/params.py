"""Command-line parameter types: text -> a checked value, or one clear sentence.

`convert` takes an `object`: a flag's value is a string from the shell, or
a default (or an already converted value) of any type.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dosecal import limits
from dosecal.language import values
from dosecal.language.values import quoted as shown

if TYPE_CHECKING:
    from dosecal.model.measures import Creatinine
    from dosecal.views.holidays import Region


class DateParam(click.ParamType):  # type: ignore[type-arg]
    name = "DATE"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return values.parse_date(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


class CyclesParam(click.ParamType):  # type: ignore[type-arg]
    """A whole number of cycles; its range (1-200) is the course's to check, in the words it uses."""

    name = "N"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> int:
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

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> Decimal:
        try:
            return values.parse_number(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


class AgeParam(click.ParamType):  # type: ignore[type-arg]
    """Whole years; the range is the course's to check (exit 1), as a weight's is."""

    name = "YEARS"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            return values.parse_age(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


class CreatinineParam(click.ParamType):  # type: ignore[type-arg]
    """ "1.0 mg/dL", "88 umol/L on 2026-12-01"; an implausible value is the course's refusal (exit 1)."""

    name = "CREATININE"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> Creatinine:
        from dosecal.model.measures import Creatinine

        if isinstance(value, Creatinine):
            return value
        try:
            number, unit, measured = values.parse_creatinine(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)
        return Creatinine(number, unit, measured)  # CourseError (exit 1) if implausible


class TextParam(click.ParamType):  # type: ignore[type-arg]
    """One line of text (an id, a `--dose`): no character that no output may hold (dosecal.text)."""

    name = "TEXT"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from dosecal.text import refused

        text = str(value)
        if any("\udc80" <= c <= "\udcff" for c in text):  # bytes the shell passed that are not UTF-8
            self.fail("the value is not UTF-8 text", param, ctx)
        found = refused(text)
        if found:  # the value itself is not repeated: the character would reach the terminal
            self.fail(found.sentence("the value"), param, ctx)
        return text


class ClockParam(click.ParamType):  # type: ignore[type-arg]
    """HH:MM on a 24-hour clock."""

    name = "HH:MM"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> dt.time:
        if isinstance(value, dt.time):
            return value
        match = re.fullmatch(r"([0-9]{1,2}):([0-9]{2})", str(value))
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            self.fail(f"'{value}' is not a clock time; write HH:MM from 00:00 to 23:59", param, ctx)
        return dt.time(int(match.group(1)), int(match.group(2)))


class ZoneParam(click.ParamType):  # type: ignore[type-arg]
    """An IANA time zone name, checked against the zoneinfo database."""

    name = "ZONE"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> zoneinfo.ZoneInfo:
        import difflib

        text = str(value)
        try:
            if "/" in text or text == "UTC":
                return zoneinfo.ZoneInfo(text)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
        close = difflib.get_close_matches(text, sorted(zoneinfo.available_timezones()), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else " (an IANA name such as Europe/Berlin)"
        self.fail(f"unknown time zone '{text}'{hint}", param, ctx)


class HolidaysParam(click.ParamType):  # type: ignore[type-arg]
    """A country code for the `holidays` package, optionally with a subdivision: US, US-NY, DE-BY."""

    name = "COUNTRY"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> Region:
        import holidays

        from dosecal.views.holidays import Region

        if isinstance(value, Region):
            return value
        country, _, subdiv = str(value).strip().partition("-")
        supported = holidays.list_supported_countries()
        country = country.upper()
        if country not in supported:
            self.fail(f"'{value}' is not a country the holidays package knows (e.g. US, GB, DE)", param, ctx)
        if not subdiv:
            return Region(country)
        # The package's own spelling ("NY", "Augsburg", "NSW Western"), matched ignoring case.
        found = next((s for s in supported[country] if s.casefold() == subdiv.strip().casefold()), None)
        if found is None:
            known = ", ".join(supported[country]) or "none"
            self.fail(f"{country} has no subdivision '{subdiv}'; its subdivisions are {known}", param, ctx)
        return Region(country, found)


class OutputParam(click.ParamType):  # type: ignore[type-arg]
    """`-o FILE`: a regular file in a folder that exists (a symlink to one is followed); `-` is
    standard output (converted to None). Checked before anything is computed."""

    name = "FILE"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> Path | None:
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

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        from dosecal.io import files as io

        if isinstance(value, Path):
            return value
        try:
            return io.check_folder_target(str(value))
        except io.TargetError as error:
            self.fail(str(error), param, ctx)
