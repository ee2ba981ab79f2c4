"""The administration table as CSV: RFC 4180, UTF-8, CRLF, `COLUMNS` order.

Text from a regimen file (drug names, notes, labels) must never become a
formula when the file is opened in a spreadsheet (DESIGN.md §5): a cell that
starts with = + - @, a tab or a carriage return is written with a leading
apostrophe, which spreadsheets show as text. No other cell starts that way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from dosecal.table import COLUMNS, Schedule

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """'=1+1' -> "'=1+1"; every other cell unchanged."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _safe(rows: Iterable[list[str]]) -> Iterable[list[str]]:
    for row in rows:
        yield [neutralise(cell) for cell in row]


def render(schedule: Schedule) -> str:
    """One header row, then one row per administration."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(_safe(schedule.text_rows()))
    return buffer.getvalue()
