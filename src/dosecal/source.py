"""Source text and positions: every diagnostic points at a line and column.

A `Span` is 1-based (line, column) with a length in characters, so that a
caret can be drawn under exactly the text at fault.
"""

from __future__ import annotations

from dataclasses import dataclass


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

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line ending ("" past the end)."""
        lines = self.text.split("\n")
        return lines[line - 1] if 1 <= line <= len(lines) else ""

    def caret(self, span: Span) -> str:
        """The source line and a caret line under `span`, each indented four spaces."""
        # Tabs are widened the same way on both lines so the caret stays aligned.
        raw = self.line_text(span.line)
        text = raw.expandtabs(8)
        # Columns count characters of the raw line; the caret is drawn under the tab-widened one.
        start = len(raw[: span.col - 1].expandtabs(8))
        code = raw.split("#")[0].rstrip()
        end = len(raw[: span.col - 1 + span.length].expandtabs(8)) if span.length else len(code.expandtabs(8))
        pad = " " * start
        width = max(1, min(end - start, len(text) - start))
        return f"    {text}\n    {pad}{'^' * width}"
