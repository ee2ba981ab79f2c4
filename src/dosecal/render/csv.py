"""The administration table as CSV: RFC 4180, UTF-8, CRLF, `COLUMNS` order."""

from __future__ import annotations

import csv
import io

from dosecal.table import COLUMNS, Schedule


def render(schedule: Schedule) -> str:
    """One header row, then one row per administration."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(schedule.text_rows())
    return buffer.getvalue()
