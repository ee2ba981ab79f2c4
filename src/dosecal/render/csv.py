"""Tables as CSV, in one of two profiles (docs/table.md, "CSV profiles").

Both profiles are RFC 4180: UTF-8, CRLF after every record, a field quoted
(with doubled quotes inside) only when it holds a comma, a quote, CR or LF.

- `machine`: exactly that, nothing added. For databases and scripts, which
  must get the text as written.
- `spreadsheet` (the default): a UTF-8 byte order mark first, so Excel reads
  the file as UTF-8 and not as the local code page; and a text cell that
  starts with = + - @, a tab or a carriage return gets a leading apostrophe,
  so what a regimen or course file says (a drug name, a note, a reason)
  can never run as a formula when the file is opened (DESIGN.md §5).
  Spreadsheets show such a cell as text. A dose level named `-1` is written
  `'-1` in this profile, and as `-1` in the machine profile.

The formatting is written out here, not left to the csv module, so that the
roster's fast path (`dosecal.batch`) and the per-patient writers share one
definition of a record, byte for byte.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence

from dosecal.table import COLUMNS, Schedule

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
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


def neutralise(cell: str) -> str:
    """'=1+1' -> "'=1+1"; every other cell unchanged."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def field(cell: str, profile: Profile) -> str:
    """One cell as it appears between commas."""
    if profile is Profile.SPREADSHEET:
        cell = neutralise(cell)
    if _NEEDS_QUOTES.isdisjoint(cell):
        return cell
    return '"' + cell.replace('"', '""') + '"'


def record(cells: Iterable[str], profile: Profile) -> str:
    """One CSV record, CRLF included."""
    return ",".join(field(c, profile) for c in cells) + EOL


def table(header: Sequence[str], rows: Iterable[Sequence[str]], profile: Profile) -> str:
    """A whole file: the preamble, a header record, then one record a row."""
    return profile.preamble + record(header, profile) + "".join(record(r, profile) for r in rows)


def render(schedule: Schedule, profile: Profile = Profile.SPREADSHEET) -> str:
    """The administration table: one header row, then one row per administration."""
    return table(COLUMNS, schedule.text_rows(), profile)
