"""Source text and positions: every diagnostic points at a line and column.

A `Span` is 1-based (line, column) with a length in characters, so that a
caret can be drawn under exactly the text at fault.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# A source line longer than this is shown as a window of this many characters around the caret.
WINDOW = 100
# Characters kept before the caret in a window, so the mistake is read in its context.
_BEFORE = 30
_CUT = "…"


@dataclass(frozen=True, slots=True)
class Span:
    """Where something stands in a source file (1-based line and column).

    `length` 0 means "to the end of the line's code", for a whole statement.
    """

    line: int
    col: int
    length: int = 1


@dataclass(frozen=True, slots=True)
class Source:
    """The text of one regimen file and the name to show for it."""

    text: str
    name: str = "<string>"
    # The text split into lines, once, on first use: a file with many diagnostics
    # would otherwise be split again for each (cached_property needs a __dict__).
    _lines: tuple[str, ...] | None = field(default=None, init=False, repr=False, compare=False)

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line ending ("" past the end)."""
        lines = self._lines
        if lines is None:
            lines = tuple(self.text.split("\n"))
            object.__setattr__(self, "_lines", lines)
        return lines[line - 1] if 1 <= line <= len(lines) else ""

    def caret(self, span: Span) -> str:
        """The source line and a caret line under `span`, each indented four spaces.

        A line longer than `WINDOW` characters is cut to a window around the
        caret, each cut end marked '…', so a mistake in a 60,000-character
        line prints about a hundred.
        """
        # Tabs are widened the same way on both lines so the caret stays aligned.
        raw = self.line_text(span.line)
        text = raw.expandtabs(8)
        # Columns count characters of the raw line; the caret is drawn under the tab-widened one.
        start = len(raw[: span.col - 1].expandtabs(8))
        code = raw.split("#")[0].rstrip()
        end = len(raw[: span.col - 1 + span.length].expandtabs(8)) if span.length else len(code.expandtabs(8))
        left, right = _window(len(text), start)
        shown = (_CUT if left else "") + text[left:right] + (_CUT if right < len(text) else "")
        pad = " " * (start - left + (1 if left else 0))
        width = max(1, min(end, right) - start)
        return f"    {shown}\n    {pad}{'^' * width}"


def _window(length: int, start: int) -> tuple[int, int]:
    """The characters [left, right) of a line of `length` to show for a caret at `start`."""
    if length <= WINDOW:
        return 0, length
    left = max(0, min(start - _BEFORE, length - WINDOW))
    return left, left + WINDOW
