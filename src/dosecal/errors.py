"""The one exception tree of dosecal.

::

    DosecalError                 anything dosecal refuses; carries an exit code
     ├── RegimenError            a regimen file says something wrong (all its
     │                           Diagnostics at once, each with file:line:col)
     ├── CourseError             a course value is wrong: start date, horizon,
     │                           level, supplied dose, body measures
     └── OutputError             an output cannot be written

The command line prints `str(error)` and exits with `error.exit_code`; no
traceback reaches a user.
"""

from __future__ import annotations

from dataclasses import dataclass

from dosecal.source import Source, Span


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


class RegimenError(DosecalError):
    """A regimen file is wrong; holds every diagnostic of the file, in order."""

    def __init__(self, source: Source, diagnostics: list[Diagnostic]) -> None:
        self.source = source
        self.diagnostics = sorted(diagnostics, key=lambda d: (d.span.line, d.span.col))
        super().__init__(self.render())

    def render(self) -> str:
        """All diagnostics, blank-line separated, with a closing count."""
        blocks = [d.render(self.source) for d in self.diagnostics]
        n = len(self.diagnostics)
        blocks.append(f"{n} error{'s' if n != 1 else ''} in {self.source.name}")
        return "\n\n".join(blocks)


class CourseError(DosecalError):
    """A value that describes a patient's course is wrong or implausible."""


class OutputError(DosecalError):
    """An output file cannot be written."""
