"""The one exception tree of dosecal.

::

    DosecalError                 anything dosecal refuses; carries its exit code
     │                           (`exit_code`: 1, for it and every class below)
     ├── RegimenError            a regimen or course file says something wrong (its
     │                           Diagnostics at once, each with file:line:col;
     │                           the first 50 shown, all counted)
     ├── CourseError             a course value is wrong: start date, horizon,
     │    │                      level, supplied dose, body measures, an adjustment;
     │    │                      fields: subject, line, hint, quoted
     │    ├── VisitTimeError     a visit time would start a drug after its day
     │    └── RosterError        a roster's header cannot be read
     │                           (dosecal.batch.roster_file)
     └── OutputError             an output cannot be written
          └── ForeignCalendarError
                                 the calendar to replace holds none of this
                                 course's events (dosecal.render.ics)

The command line (dosecal.cli.main) prints `str(error)` and exits with
`error.exit_code`; no traceback reaches a user. Its exit codes:

    0    done
    1    a DosecalError (its exit_code); any other click.ClickException (a file
         or roster that cannot be read); Ctrl-C (click.Abort); `check` with a
         file refused, `batch` with a row refused or no patient made
    2    a usage error (click.UsageError: an unknown option, a value an option
         refuses, a missing argument; no command at all)
    70   an internal error: any other exception, a bug (EX_SOFTWARE of sysexits.h;
         DOSECAL_DEBUG=1 shows its traceback)

`batch` stopped by SIGTERM or SIGHUP exits 128 + the signal's number.
"""

from __future__ import annotations

import datetime as dt
import enum
import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from dosecal.source import Source, Span

# Diagnostics shown for one file; the closing line counts all of them.
MAX_SHOWN = 50


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One mistake in a source file: where, what, and what to do about it."""

    span: Span
    message: str
    hint: str | None = None

    def render(self, source: Source) -> str:
        """`file:line:col: message`, the source line, a caret, and the hint."""
        head = f"{source.name}:{self.span.line}:{self.span.col}: {self.message}"
        parts = [head, source.caret(self.span)]
        if self.hint:
            parts.append(f"    hint: {self.hint}")
        return "\n".join(parts)


class DosecalError(Exception):
    """Base of every error dosecal raises on purpose."""

    exit_code = 1


class Findings:
    """The diagnostics of one file as they are found: every one counted, the first `MAX_SHOWN` kept.

    "First" is in file order (line, column, then as found), whatever order
    they are found in, so a file with 20,000 mistakes holds 50 of them and
    the number of the others. Collectors use it like a list.
    """

    def __init__(self, diagnostics: Iterable[Diagnostic] = ()) -> None:
        # A max-heap on the position: its top is the last kept, the first to give way.
        self._kept: list[tuple[int, int, int, Diagnostic]] = []
        self.count = 0
        # The file was read up to this line only (the parser gave up): there may be more.
        self.stopped_at: int | None = None
        self.extend(diagnostics)

    def append(self, diagnostic: Diagnostic) -> None:
        self.count += 1
        entry = (-diagnostic.span.line, -diagnostic.span.col, -self.count, diagnostic)
        if len(self._kept) < MAX_SHOWN:
            heapq.heappush(self._kept, entry)
        elif entry > self._kept[0]:
            heapq.heapreplace(self._kept, entry)

    def unshown(self) -> None:
        """Count one more that cannot be among those kept (one known to follow `MAX_SHOWN` others)."""
        self.count += 1

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            self.append(diagnostic)
        if isinstance(diagnostics, Findings):
            self.count += diagnostics.count - len(diagnostics._kept)  # those it counted but did not keep
            self.stopped_at = self.stopped_at or diagnostics.stopped_at

    def __iadd__(self, diagnostics: Iterable[Diagnostic]) -> Findings:
        self.extend(diagnostics)
        return self

    def __bool__(self) -> bool:
        return self.count > 0

    def __iter__(self) -> Iterator[Diagnostic]:
        """The kept diagnostics, in file order."""
        return iter([entry[3] for entry in sorted(self._kept, reverse=True)])


class RegimenError(DosecalError):
    """A regimen (or course) file is wrong: its first `MAX_SHOWN` diagnostics in file order, and how many
    there are in all (`count`)."""

    def __init__(self, source: Source, diagnostics: Iterable[Diagnostic]) -> None:
        found = diagnostics if isinstance(diagnostics, Findings) else Findings(diagnostics)
        self.source = source
        self.diagnostics = list(found)
        self.count = found.count
        self.stopped_at = found.stopped_at
        super().__init__(self.render())

    def render(self) -> str:
        """The diagnostics, blank-line separated, with a closing count (of all, also those not shown)."""
        blocks = [d.render(self.source) for d in self.diagnostics]
        n = self.count
        closing = f"{n} error{'s' if n != 1 else ''} in {self.source.name}"
        if n > len(self.diagnostics):
            closing += f"; the first {len(self.diagnostics)} are shown"
        if self.stopped_at is not None:
            closing += (
                f"; reading stopped at line {self.stopped_at}, so there may be more after it: "
                "fix these and check again"
            )
        blocks.append(closing)
        return "\n\n".join(blocks)


class Subject(enum.Enum):
    """What a `CourseError` is about: the course value at fault, named as a course file's statement."""

    COURSE = "course"  # the course as a whole: its id, its number of adjustments
    START = "start"
    CYCLES = "cycles"
    UNTIL = "until"
    HORIZON = "horizon"  # how far to expand, when the course gives neither cycles nor an end date
    LEVEL = "level"
    OPTION = "option"  # the regimen's option chosen (--option, a course file's `option` line)
    WEIGHT = "weight"
    HEIGHT = "height"
    AGE = "age"  # or a course file's date of birth (`born`)
    SEX = "sex"
    CREATININE = "creatinine"
    DOSE = "dose"  # a supplied dose, or one the regimen leaves to be supplied
    ROUNDING = "rounding"
    ADJUSTMENT = "adjustment"  # a delay, set start, hold, level or dose change (its course line: `line`)


class CourseError(DosecalError):
    """A value that describes a patient's course is wrong or implausible.

    `str(error)` is the sentence a user reads: "course line {line}: " when the
    error is about an adjustment that knows its line, the `message`, and
    "; {hint}" when there is a hint. A course file's report takes the fields
    instead (dosecal.language.course_file.located): `subject` or `line` for the
    line at fault, `quoted` for the text on it to put the caret under.
    """

    def __init__(
        self,
        message: str,
        *,
        subject: Subject | None = None,
        line: int | None = None,
        hint: str | None = None,
        quoted: str | None = None,
    ) -> None:
        where = f"course line {line}: " if line is not None else ""
        super().__init__(f"{where}{message}; {hint}" if hint else f"{where}{message}")
        self.message = message
        self.subject = subject
        self.line = line  # a course file's line
        self.hint = hint
        self.quoted = quoted  # a name the message quotes ('pomalidomid'), as the course writes it


class VisitTimeError(CourseError):
    """A visit time under which a drug would start on a later day than its table row.

    The message is worded by the calendar view; the fields are for callers.
    """

    def __init__(
        self,
        message: str,
        *,
        agent: str,
        day: dt.date,
        starts: dt.datetime,
        visit_time: dt.time,
        latest: dt.time | None,
    ) -> None:
        super().__init__(message)
        self.agent = agent  # with its label: "fluorouracil (bolus)"
        self.day = day  # the table row's date
        self.starts = starts  # the UTC instant it would start
        self.visit_time = visit_time
        self.latest = latest  # the latest visit time that keeps the whole course; None if none does


class OutputError(DosecalError):
    """An output file cannot be written."""
