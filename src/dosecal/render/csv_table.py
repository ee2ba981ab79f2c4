"""Tables as CSV, in one of two profiles (docs/table.md, "CSV profiles").

Both profiles are RFC 4180: UTF-8, CRLF after every record, a field quoted
(with doubled quotes inside) only when it holds a comma, a quote, CR or LF.

- `machine`: exactly that, nothing added. For databases and scripts, which
  must get the text as written.
- `spreadsheet` (the default): a UTF-8 byte order mark first, so Excel reads
  the file as UTF-8 and not as the local code page; and no text cell can run
  as a formula when the file is opened (what a user writes, a note or a
  reason, must never run in a clinic's spreadsheet), see `neutralise`.
  A dose level named `-1` is written `'-1` in this profile, and as `-1` in
  the machine profile. Number columns (`cycle_day`, `dose_amount`, ...) are
  left alone, so that a `cycle_day` of -1 stays the number -1.

The formatting is written out here, not left to the csv module, so that the
roster's fast path (`dosecal.batch.tables`) and the per-patient writers share one
definition of a record, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import typing
from collections.abc import Container, Iterable, Sequence
from decimal import Decimal

from dosecal.engine.table import COLUMNS, Administration, Schedule, Value, values
from dosecal.model.regimen import format_decimal

# Where a spreadsheet may start reading a cell: the cell's start, and after a
# character it may split the file at when it is opened with another
# separator than the comma. Excel in a locale whose list separator is `;`
# (most of Europe), LibreOffice's import dialog with `;` or tab ticked, and
# Excel's text import (tab by default) all do; and once the split is not at
# the comma, a line break inside a quoted cell ends the record, so what
# follows it starts a row. LibreOffice 7.4 makes a formula of each of these
# (tests/interop/test_spreadsheet.py).
_PART_BREAKS = ";\t\r\n"
# A part is a formula when, after any white space (LibreOffice's "trim
# spaces" drops leading spaces; other readers other white space), it starts
# with = + - or @ (Excel takes all four; LibreOffice only =), or with their
# full-width forms (what an East Asian input method may type for them).
_STARTERS = "=+\\-@\uff1d\uff0b\uff0d\uff20"
_HOSTILE_PART = re.compile(rf"(?:^(?=[\t\r])|(?:^|(?<=[{_PART_BREAKS}]))(?=\s*[{_STARTERS}]))")
_BREAKS = frozenset(_PART_BREAKS)
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_NEEDS_QUOTES = frozenset(',"\r\n')
EOL = "\r\n"


class Profile(enum.Enum):
    """How a CSV file is written; see the module docstring."""

    MACHINE = "machine"
    SPREADSHEET = "spreadsheet"

    @property
    def preamble(self) -> str:
        """What the file starts with: the byte order mark for spreadsheets."""
        return "\ufeff" if self is Profile.SPREADSHEET else ""


def cell(value: Value) -> str:
    """A column's value as the text of its cell (docs/table.md, "CSV"): empty for none,
    `true`/`false`, decimals as exact text, dates `YYYY-MM-DD`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def row_cells(a: Administration) -> list[str]:
    """An administration's cells, in `COLUMNS` order."""
    return [cell(v) for v in values(a)]


def neutralise(cell: str) -> str:
    """The text cell with an apostrophe at the start of each part that could run as a formula.

    A part is the cell, or what follows a `;`, a tab, a CR or a LF in it; it
    could run when, after any white space, it starts with = + - @ or
    ＝ ＋ － ＠ (and, as before, a cell starting with a tab or a CR).
    '=1+1' -> "'=1+1", ' =1' -> "' =1", 'ok;=1+1' -> "ok;'=1+1"; a cell
    with no such part is returned as it is. The apostrophe is a
    spreadsheet's own "this is text" mark, and a part that starts with one
    is text wherever the spreadsheet splits.
    """
    if cell[:1].isalnum() and _BREAKS.isdisjoint(cell):
        return cell  # the common cell, answered without the regular expression
    return _HOSTILE_PART.sub("'", cell)


def field(cell: str, profile: Profile, number: bool = False) -> str:
    """One cell as it appears between commas.

    `number`: the cell is of a number column. A number (`-1`, `136.5`) is
    then written as it is, so the spreadsheet reads a number; anything else
    in such a column is treated as text, which no writer produces.
    """
    if profile is Profile.SPREADSHEET and cell and not (number and _NUMBER.fullmatch(cell)):
        cell = neutralise(cell)
    if _NEEDS_QUOTES.isdisjoint(cell):
        return cell
    return '"' + cell.replace('"', '""') + '"'


def record(cells: Iterable[str], profile: Profile, numbers: Container[int] = ()) -> str:
    """One CSV record, CRLF included; `numbers`: the positions of the number columns."""
    return ",".join(field(c, profile, i in numbers) for i, c in enumerate(cells)) + EOL


def table(
    header: Sequence[str], rows: Iterable[Sequence[str]], profile: Profile, numbers: Container[int] = ()
) -> str:
    """A whole file: the preamble, a header record, then one record a row."""
    body = "".join(record(r, profile, numbers) for r in rows)
    return profile.preamble + record(header, profile) + body


_NUMBER_TYPES = (int, Decimal, int | None, Decimal | None)


def number_columns(kind: type, columns: Sequence[str]) -> frozenset[int]:
    """The positions in `columns` of the fields of dataclass `kind` that hold an int or a Decimal.

    The table's contract (the field types) says which columns are numbers;
    a column that is not a field of `kind` is text.
    """
    hints = typing.get_type_hints(kind)
    return frozenset(i for i, c in enumerate(columns) if hints.get(c) in _NUMBER_TYPES)


NUMBERS: frozenset[int] = number_columns(Administration, COLUMNS)


def render(schedule: Schedule, profile: Profile = Profile.SPREADSHEET) -> str:
    """The administration table: one header row, then one row per administration."""
    return table(COLUMNS, (row_cells(a) for a in schedule), profile, NUMBERS)
