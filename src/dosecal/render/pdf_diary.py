"""The drug diary as a printable, fillable PDF (reportlab).

Month views first (a patient reads a calendar faster than a table), then
each cycle's pages: a header with fields to fill in, instructions for each
home drug, a table with one row per day with a home dose (a tick box and a
time field per dose, a comments field), and a footer for signatures and the
staff review. Tick boxes and write-in fields are AcroForm fields named
predictably (`c2-d8-pomalidomide-1-taken`); the page prints cleanly too.

All text is drawn in DejaVu Sans, embedded (subset), at 12 pt or more for
body text. Text the font cannot draw is refused, never dropped. The PDF is
written with reportlab's invariant mode: the same inputs give the same bytes.
"""

from __future__ import annotations

import calendar
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from dosecal.engine.table import WEEKDAYS
from dosecal.errors import OutputError
from dosecal.views.diary import Cell, Diary, Month, Row, Sheet, slug

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

PAPERS = {"letter": (612.0, 792.0), "a4": (595.28, 841.89)}
MARGIN = 40.0
BODY = 12.0
SMALL = 10.0  # page numbers only
ROW = 26.0
BOX = 14.0
TIME_FIELD = 56.0
HOME = (0.80, 0.89, 0.97)  # light blue fill: a home dose
CLINIC = (0.85, 0.45, 0.05)  # orange frame: a clinic visit
_FONT_DIR = Path(__file__).resolve().parents[1] / "fonts"


@cache
def _fonts() -> frozenset[int]:
    """Register the embedded fonts; return the characters they can draw."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular = TTFont("DejaVu", str(_FONT_DIR / "DejaVuSans.ttf"))
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(TTFont("DejaVu-Bold", str(_FONT_DIR / "DejaVuSans-Bold.ttf")))
    return frozenset(regular.face.charToGlyph)


def drawable(text: str) -> str:
    """`text`, or OutputError naming the first character the font cannot draw."""
    covered = _fonts()
    for char in text:
        if ord(char) not in covered and not char.isspace():
            raise OutputError(f'the diary\'s font cannot draw {char!r} (U+{ord(char):04X}) in "{text}"')
    return text


def _width(text: str, size: float = BODY, bold: bool = False) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(text, "DejaVu-Bold" if bold else "DejaVu", size))


def _wrap(text: str, width: float, size: float = BODY, bold: bool = False) -> list[str]:
    from reportlab.lib.utils import simpleSplit

    return list(simpleSplit(drawable(text), "DejaVu-Bold" if bold else "DejaVu", size, width))


def date_text(day: object) -> str:
    """7 Dec 2026: day, month name, year, in that order on every paper."""
    import datetime as dt

    assert isinstance(day, dt.date)
    return f"{day.day} {calendar.month_abbr[day.month]} {day.year}"


@dataclass
class _Page:
    """A canvas and where the next line goes."""

    canvas: Canvas
    width: float
    height: float
    y: float = 0.0

    def text(self, x: float, text: str, size: float = BODY, bold: bool = False) -> None:
        self.canvas.setFont("DejaVu-Bold" if bold else "DejaVu", size)
        self.canvas.drawString(x, self.y, drawable(text))

    def paragraph(self, text: str, size: float = BODY, bold: bool = False, indent: float = 0.0) -> None:
        for line in _wrap(text, self.width - 2 * MARGIN - indent, size, bold):
            self.y -= size * 1.3
            self.text(MARGIN + indent, line, size, bold)

    def field(self, name: str, x: float, width: float, tooltip: str) -> None:
        self.canvas.acroForm.textfield(
            name=name,
            tooltip=tooltip,
            x=x,
            y=self.y - 5,
            width=width,
            height=18,
            fontName="Helvetica",
            fontSize=BODY,
            borderWidth=0.6,
            borderColor=_black(),
            fillColor=_white(),
            forceBorder=True,
        )

    def labelled_field(self, label: str, name: str, x: float, width: float) -> float:
        self.text(x, label)
        start = x + _width(label) + 6
        self.field(name, start, width, label.rstrip(":"))
        return start + width + 18


def _black() -> object:
    from reportlab.lib.colors import black

    return black


def _white() -> object:
    from reportlab.lib.colors import white

    return white


def render(diary: Diary, paper: str = "letter") -> bytes:
    """The whole diary as PDF bytes."""
    from reportlab.pdfgen.canvas import Canvas

    _fonts()
    buffer = io.BytesIO()
    size = PAPERS[paper]
    canvas = Canvas(buffer, pagesize=size, invariant=1)
    canvas.setTitle(drawable(f"Drug diary: {diary.regimen}"))
    canvas.setAuthor("dosecal")
    canvas.setCreator("dosecal")
    for month in diary.months:
        _month_page(canvas, diary, month, size)
    for sheet in diary.sheets:
        _sheet_pages(canvas, diary, sheet, size)
    if not diary.sheets and not diary.months:
        raise OutputError("this course has no doses: there is no diary to make")
    canvas.save()
    return buffer.getvalue()


# ---- month views -----------------------------------------------------------


def _month_page(canvas: Canvas, diary: Diary, month: Month, size: tuple[float, float]) -> None:
    page = _Page(canvas, *size, y=size[1] - MARGIN)
    page.y -= 16
    page.text(MARGIN, f"{calendar.month_name[month.month]} {month.year}", 18, bold=True)
    page.paragraph(diary.regimen)
    page.y -= 22
    _legend(page)
    top = page.y - 14
    weeks = calendar.Calendar(firstweekday=0).monthdayscalendar(month.year, month.month)
    cell_w = (page.width - 2 * MARGIN) / 7
    cell_h = min(96.0, (top - MARGIN - 30) / (len(weeks) + 0.3))
    canvas.setFont("DejaVu-Bold", BODY)
    for i, name in enumerate(WEEKDAYS):
        canvas.drawString(MARGIN + i * cell_w + 4, top - 14, name)
    grid_top = top - 20
    for row, week in enumerate(weeks):
        for col, day in enumerate(week):
            x, y = MARGIN + col * cell_w, grid_top - (row + 1) * cell_h
            _day_cell(canvas, x, y, cell_w, cell_h, day, month)
    _page_number(page, f"{calendar.month_name[month.month]} {month.year}")
    canvas.showPage()


def _legend(page: _Page) -> None:
    canvas = page.canvas
    canvas.setFillColorRGB(*HOME)
    canvas.rect(MARGIN, page.y - 3, 16, 14, stroke=1, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    page.text(MARGIN + 22, "Take: a dose at home (tick it on the diary pages)")
    x = MARGIN + 22 + _width("Take: a dose at home (tick it on the diary pages)") + 20
    canvas.setStrokeColorRGB(*CLINIC)
    canvas.setLineWidth(2.5)
    canvas.rect(x, page.y - 3, 16, 14, stroke=1, fill=0)
    canvas.setStrokeColorRGB(0, 0, 0)
    canvas.setLineWidth(1)
    page.text(x + 22, "Clinic: a visit for treatment")


def _day_cell(canvas: Canvas, x: float, y: float, w: float, h: float, day: int, month: Month) -> None:
    canvas.setLineWidth(0.5)
    canvas.setStrokeColorRGB(0.4, 0.4, 0.4)
    mark = month.days.get(day) if day else None
    if mark and mark.home:
        canvas.setFillColorRGB(*HOME)
        canvas.rect(x, y, w, h, stroke=1, fill=1)
        canvas.setFillColorRGB(0, 0, 0)
    else:
        canvas.rect(x, y, w, h, stroke=1, fill=0)
    if mark and mark.clinic:
        canvas.setStrokeColorRGB(*CLINIC)
        canvas.setLineWidth(2.5)
        canvas.rect(x + 2.5, y + 2.5, w - 5, h - 5, stroke=1, fill=0)
        canvas.setLineWidth(0.5)
    canvas.setStrokeColorRGB(0, 0, 0)
    if not day:
        return
    canvas.setFont("DejaVu-Bold", BODY)
    canvas.drawString(x + 5, y + h - 16, str(day))
    if mark:
        canvas.setFont("DejaVu", BODY)
        canvas.drawString(x + 5, y + h - 32, mark.label)
        words = [w for w, on in (("Take", mark.home), ("Clinic", mark.clinic)) if on]
        for i, word in enumerate(words):
            canvas.drawString(x + 5, y + h - 48 - 15 * i, word)


def _page_number(page: _Page, where: str) -> None:
    page.canvas.setFont("DejaVu", SMALL)
    page.canvas.drawRightString(page.width - MARGIN, MARGIN / 2, drawable(where))


# ---- cycle pages ------------------------------------------------------------


def _cell_text(cell: Cell) -> str:
    if not cell.given:
        return f"do not take ({cell.note})"
    text = cell.dose + (f" at {cell.time}" if cell.time else "")
    return f"{text} ({cell.note})" if cell.note else text


def _column_width(index: int, sheet: Sheet) -> float:
    """Tick box, the widest dose text of the column, time field."""
    cells = [row.cells[index] for row in sheet.rows]
    widest = max(_width(_cell_text(c)) for c in cells if c is not None)
    return BOX + 6 + max(widest, _width("______")) + 6 + TIME_FIELD + 8


_FIXED = (("Day", 36.0), ("Date", 86.0), ("", 38.0))  # the weekday has no heading of its own
_COMMENTS_MIN = 90.0
# On its side, a page may leave less, room for a few words: two home doses a day with a changed
# dose ("1456 mg (dose reduced)") need it on letter paper (issue 12 review: capox with a change).
_COMMENTS_LEAST = 60.0


def _sheet_pages(canvas: Canvas, diary: Diary, sheet: Sheet, paper: tuple[float, float]) -> None:
    size = paper
    widths = [_column_width(i, sheet) for i in range(len(sheet.columns))]
    needed = sum(w for _, w in _FIXED) + sum(widths) + _COMMENTS_MIN + 2 * MARGIN
    if needed > size[0]:  # too wide upright: lay this cycle's pages on their side
        size = (size[1], size[0])
        if needed - _COMMENTS_MIN + _COMMENTS_LEAST > size[0]:
            raise OutputError(f"{sheet.title}: too many home doses a day for one diary table")
        canvas.setPageSize(size)
    page = _Page(canvas, *size, y=size[1] - MARGIN)
    _header(page, diary, sheet)
    number = 1
    page.y -= 10
    _table_head(page, sheet, widths)
    for row in sheet.rows:
        if page.y - ROW < MARGIN + 20:
            _page_number(page, f"{sheet.title}, page {number}")
            canvas.showPage()
            number += 1
            page.y = page.height - MARGIN - 16
            page.text(MARGIN, f"{sheet.title} (continued)", 14, bold=True)
            page.y -= 10
            _table_head(page, sheet, widths)
        _table_row(page, sheet, row, widths)
    if page.y - 150 < MARGIN:
        _page_number(page, f"{sheet.title}, page {number}")
        canvas.showPage()
        number += 1
        page.y = page.height - MARGIN
    _footer(page, sheet)
    _page_number(page, f"{sheet.title}, page {number}")
    canvas.showPage()
    canvas.setPageSize(paper)


def _header(page: _Page, diary: Diary, sheet: Sheet) -> None:
    page.y -= 18
    page.text(MARGIN, f"Drug diary: {sheet.title}", 18, bold=True)
    page.paragraph(diary.regimen)
    for source in diary.sources:
        page.paragraph(f"Source: {source}")
    page.y -= 24
    if diary.participant:
        page.text(MARGIN, f"Participant ID: {diary.participant}")
        x = MARGIN + _width(f"Participant ID: {diary.participant}") + 24
    else:
        x = page.labelled_field("Participant ID:", f"{sheet.field}-participant", MARGIN, 120)
    page.text(x, f"{sheet.title} starts on {date_text(sheet.start)}")
    page.y -= 26
    x = page.labelled_field("Clinic contact:", f"{sheet.field}-clinic", MARGIN, 170)
    page.labelled_field("Phone:", f"{sheet.field}-phone", x, 120)
    page.y -= 8
    for drug in sheet.drugs:
        page.y -= 8
        page.paragraph(f"{drug.name}: {drug.how}", bold=True)
        if drug.dose_stated:
            page.paragraph(f"Dose: {drug.dose}", indent=12)
            for basis in drug.computed:
                page.paragraph(f"Computed: {basis}", indent=24)
        else:  # a blank to fill in, on paper or on a tablet
            page.y -= BODY * 1.3 + 4
            x = page.labelled_field("Dose:", f"{sheet.field}-{slug(drug.name)}-dose", MARGIN + 12, 110)
            page.text(x - 10, drug.blank_note)
            page.y -= 6  # room under the field
        page.paragraph(f"When: {drug.when}", indent=12)
        for note in drug.notes:
            page.paragraph(note, indent=12)
        if drug.missed_dose:
            page.paragraph(f"If you miss a dose: {drug.missed_dose}", indent=12)
    if sheet.changes:
        page.y -= 6
        page.paragraph("Changed by your care team:", bold=True)
        for change in sheet.changes:
            page.paragraph(change, indent=12)
    page.y -= 6
    page.paragraph(
        "Tick the box when you take each dose and write the time. Write anything unusual "
        "(a missed or vomited dose, a side effect) under Comments."
    )


def _table_head(page: _Page, sheet: Sheet, widths: list[float]) -> None:
    x = MARGIN
    top = page.y
    for heading, width in _FIXED:
        page.y = top - 14
        page.text(x + 3, heading, bold=True)
        x += width
    tallest = 1
    for column, width in zip(sheet.columns, widths, strict=True):
        lines = _wrap(column.heading, width - 6, bold=True)
        tallest = max(tallest, len(lines))
        for i, line in enumerate(lines):
            page.y = top - 14 - 15 * i
            page.text(x + 3, line, bold=True)
        x += width
    page.y = top - 14
    page.text(x + 3, "Comments", bold=True)
    page.y = top - 14 - 15 * tallest
    x = MARGIN + sum(w for _, w in _FIXED)
    for width in widths:
        page.text(x + 3, "taken", BODY)
        page.text(x + width - TIME_FIELD - 6, "time", BODY)
        x += width
    page.y -= 8
    page.canvas.setLineWidth(1)
    page.canvas.line(MARGIN, page.y, page.width - MARGIN, page.y)


def _table_row(page: _Page, sheet: Sheet, row: Row, widths: list[float]) -> None:
    canvas = page.canvas
    top = page.y
    page.y = top - ROW + 8
    page.text(MARGIN + 3, str(row.cycle_day))
    page.text(MARGIN + _FIXED[0][1] + 3, date_text(row.date))
    page.text(MARGIN + _FIXED[0][1] + _FIXED[1][1] + 3, calendar.day_abbr[row.date.weekday()])
    x = MARGIN + sum(w for _, w in _FIXED)
    for column, cell, width in zip(sheet.columns, row.cells, widths, strict=True):
        if cell is not None and not cell.given:
            page.text(x + 3, _cell_text(cell), bold=True)
        elif cell is not None:
            name = f"{row.field}-{column.field}"
            canvas.acroForm.checkbox(
                name=f"{name}-taken",
                tooltip=f"{column.heading} taken on day {row.cycle_day}",
                x=x + 3,
                y=page.y - 3,
                size=BOX,
                buttonStyle="check",
                borderWidth=0.8,
                borderColor=_black(),
                fillColor=_white(),
                forceBorder=True,
            )
            page.text(x + BOX + 9, _cell_text(cell))
            page.field(
                f"{name}-time",
                x + width - TIME_FIELD - 6,
                TIME_FIELD,
                f"time {column.heading} was taken on day {row.cycle_day}",
            )
        else:
            page.text(x + 3, "–")
        x += width
    page.field(
        f"{row.field}-comments", x + 3, page.width - MARGIN - x - 3, f"comments for day {row.cycle_day}"
    )
    page.y = top - ROW
    canvas.setLineWidth(0.4)
    canvas.line(MARGIN, page.y, page.width - MARGIN, page.y)


def _footer(page: _Page, sheet: Sheet) -> None:
    page.y -= 10
    page.paragraph(
        "Bring this diary and all your medicine, including empty packs, to every clinic visit.", bold=True
    )
    page.y -= 26
    x = page.labelled_field("Patient signature:", f"{sheet.field}-signature", MARGIN, 190)
    page.labelled_field("Date:", f"{sheet.field}-signed-on", x, 90)
    page.y -= 30
    page.text(MARGIN, "For clinic staff", bold=True)
    page.y -= 26
    x = page.labelled_field("Units returned:", f"{sheet.field}-units-returned", MARGIN, 70)
    x = page.labelled_field("Reviewed by:", f"{sheet.field}-reviewed-by", x, 110)
    page.labelled_field("Date:", f"{sheet.field}-reviewed-on", x, 80)
