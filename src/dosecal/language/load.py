"""Text -> checked model: a regimen's text, a course file's text.

No files here (`dosecal.io.read` reads them): the same text gives the same
`Regimen` or the same mistakes, from a file, a roster, a page or a string.
"""

from __future__ import annotations

from dataclasses import dataclass

from dosecal.errors import Diagnostic, Findings, RegimenError
from dosecal.language import course_file
from dosecal.language.lower import lower
from dosecal.language.parser import parse
from dosecal.limits import FILE_BYTES
from dosecal.model.course import Course
from dosecal.model.regimen import Regimen
from dosecal.source import Source, Span
from dosecal.text import screen


def loads(text: str, name: str = "<string>") -> Regimen:
    """Parse and check regimen text; raise `RegimenError` listing every mistake."""
    check_size(len(text.encode("utf-8", "surrogatepass")) if len(text) * 4 > FILE_BYTES else 0, name)
    screened = screen(normalised(text), "regimen file")
    source = Source(screened.text, name)
    result = parse(source)
    diagnostics = Findings([*screened.diagnostics, *result.diagnostics])  # counted all, the first kept
    diagnostics.stopped_at = result.stopped_at
    regimen = None
    if result.tree is not None:
        regimen, more = lower(result.tree, name, result.recovered_lines, result.names_lost)
        diagnostics.extend(more)
    if diagnostics or regimen is None:
        if not diagnostics:
            diagnostics.append(Diagnostic(Span(1, 1), "nothing could be read from this file"))
        raise RegimenError(Source(screened.shown, name), diagnostics)
    return regimen


@dataclass(frozen=True, slots=True)
class CourseText:
    """A course file's text, read: the course, the regimen it names, and where each statement is.

    `source` is the text as parsed, `shown` as messages print it (see `screen`).
    """

    source: Source
    shown: Source
    course: Course | None
    regimen: str | None  # as written on the regimen line
    lines: dict[str, int]  # statement kind -> its line ("regimen", "begin", "weight", ...)
    diagnostics: Findings
    dose_at: dict[str, Span]  # drug -> its name on its `dose` line (course_file.located)

    def regimen_missing(self, bundled: list[str]) -> Diagnostic:
        """The diagnostic for a regimen line that names nothing that exists."""
        line = self.lines["regimen"]
        text = self.source.line_text(line)
        return Diagnostic(
            Span(line, len(text) - len(text.lstrip()) + 1, 0),
            f"no regimen '{self.regimen}': not a file beside the course, and not "
            f"a bundled regimen ({', '.join(bundled)})",
        )


def loads_course(text: str, name: str) -> CourseText:
    """A course file's text, parsed and turned into a `Course` (not yet checked against its regimen)."""
    check_size(len(text.encode("utf-8", "surrogatepass")) if len(text) * 4 > FILE_BYTES else 0, name)
    screened = screen(normalised(text), "course file")
    source = Source(screened.text, name)
    parsed, diagnostics = course_file.parse(source)
    course, more = course_file.to_course(parsed, source) if not diagnostics else (None, [])
    diagnostics.extend([*more, *screened.diagnostics])  # into the parse's findings: they keep its count
    shown = Source(screened.shown, name)
    return CourseText(source, shown, course, parsed.regimen, parsed.lines, diagnostics, parsed.dose_at)


def normalised(text: str) -> str:
    """One meaning of "line" everywhere: no byte order mark; CRLF and lone CR end lines."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def check_size(size: int, name: str) -> None:
    """Parsing takes time in proportion to the text (and again after each mistake): the size is bounded."""
    if size > FILE_BYTES:
        raise RegimenError(
            Source("", name),
            [
                Diagnostic(
                    Span(1, 1),
                    f"this file is larger than {FILE_BYTES // 1024} KB, the most a regimen or course file "
                    "may be",
                    "is it the right file? the largest bundled regimen is under 4 KB",
                )
            ],
        )
