"""Text or file -> checked `Regimen`; bundled regimens by name."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

from dosecal.course import Course
from dosecal.errors import CourseError, Diagnostic, Findings, RegimenError
from dosecal.language.lower import lower
from dosecal.language.parser import parse
from dosecal.limits import FILE_BYTES
from dosecal.model import Regimen
from dosecal.source import Source, Span
from dosecal.text import screen


def loads(text: str, name: str = "<string>") -> Regimen:
    """Parse and check regimen text; raise `RegimenError` listing every mistake."""
    _check_size(len(text.encode("utf-8", "surrogatepass")) if len(text) * 4 > FILE_BYTES else 0, name)
    screened = screen(_normalised(text), "regimen file")
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


def load_course(
    path: str | Path, read_regimen: Callable[[Path], Regimen] | None = None
) -> tuple[Regimen, Course]:
    """A course file, the regimen it names, and the course checked against it.

    `read_regimen` reads the regimen file (default `load`); a roster passes
    one that reads each regimen once.

    Every mistake is a `RegimenError` (a diagnostic of the file, at its line):
    of the course file itself, or of the regimen file it names.
    """
    from dosecal.course import plan
    from dosecal.language import course_file

    path = Path(path)
    screened = screen(_normalised(_read_utf8(path)), "course file")
    source = Source(screened.text, str(path))
    shown = Source(screened.shown, str(path))  # what messages print (see `screen`)
    parsed, diagnostics = course_file.parse(source)
    course, more = course_file.to_course(parsed, source) if not diagnostics else (None, [])
    diagnostics += [*more, *screened.diagnostics]
    where = regimen_path(parsed.regimen, path.parent) if parsed.regimen else None
    if parsed.regimen and where is None:
        line = parsed.lines["regimen"]
        diagnostics.append(
            Diagnostic(
                Span(line, len(source.line_text(line)) - len(source.line_text(line).lstrip()) + 1, 0),
                f"no regimen '{parsed.regimen}': not a file beside the course, and not "
                f"a bundled regimen ({', '.join(bundled())})",
            )
        )
    if diagnostics or course is None or where is None:
        raise RegimenError(shown, diagnostics)
    regimen = (read_regimen or load)(where)
    try:
        plan(regimen, course)
    except CourseError as error:
        raise RegimenError(source, [course_file.located(error, source, parsed.lines)]) from None
    return regimen, course


def regimen_path(value: str, folder: Path) -> Path | None:
    """A path relative to `folder` (a course file's, a roster's), else a bundled regimen's name."""
    if value.endswith(".regimen") or "/" in value:
        candidate = folder / value
        return candidate if candidate.is_file() else None
    try:
        return resolve(value)
    except FileNotFoundError:
        return None


def _normalised(text: str) -> str:
    """One meaning of "line" everywhere: no byte order mark; CRLF and lone CR end lines."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def load(path: str | Path) -> Regimen:
    """Load a regimen file by path (`OSError` if it cannot be read)."""
    path = Path(path)
    return loads(_read_utf8(path), str(path))


def _read_utf8(path: Path) -> str:
    """The file's text; a file that is not UTF-8, or too large, is a diagnostic at 1:1, not a crash."""
    if not stat.S_ISREG(path.stat().st_mode):  # a FIFO would wait for ever, /dev/zero never end
        raise RegimenError(Source("", str(path)), [Diagnostic(Span(1, 1), "not a regular file")])
    with path.open("rb") as handle:
        data = handle.read(FILE_BYTES + 1)  # never more: a file of gigabytes is not read whole
    _check_size(len(data), str(path))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        source = Source("", str(path))
        raise RegimenError(
            source, [Diagnostic(Span(1, 1), f"not UTF-8 text ({error.reason})", "save it as UTF-8")]
        ) from None


def _check_size(size: int, name: str) -> None:
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


def bundled_dir() -> Path:
    """The folder of regimens shipped with dosecal.

    Installed, it is the package `dosecal.schedules`; run from a source tree
    without installing, it is the repository's top-level `schedules/`.
    """
    installed = Path(__file__).resolve().parent / "schedules"
    return installed if installed.is_dir() else Path(__file__).resolve().parents[2] / "schedules"


def bundled() -> list[str]:
    """Names of the bundled regimens, sorted."""
    return sorted(p.stem for p in bundled_dir().glob("*.regimen"))


def resolve(name_or_path: str) -> Path:
    """A path as given, else the bundled regimen of that name (`FileNotFoundError`)."""
    path = Path(name_or_path)
    if path.suffix == ".regimen" or path.exists() or "/" in name_or_path:
        if not path.exists():
            raise FileNotFoundError(name_or_path)
        return path
    candidate = bundled_dir() / f"{name_or_path}.regimen"
    if not candidate.exists():
        raise FileNotFoundError(name_or_path)
    return candidate
