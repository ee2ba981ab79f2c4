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
        lines = self.text.splitlines()
        return lines[line - 1] if 1 <= line <= len(lines) else ""

    def caret(self, span: Span) -> str:
        """The source line and a caret line under `span`, each indented four spaces."""
        # Tabs are widened the same way on both lines so the caret stays aligned.
        text = self.line_text(span.line).expandtabs(8)
        pad = " " * (span.col - 1)
        code = text.split("#")[0].rstrip()
        length = span.length or len(code) - span.col + 1
        width = max(1, min(length, len(text) - span.col + 1))
        return f"    {text}\n    {pad}{'^' * width}"
