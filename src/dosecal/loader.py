"""Text or file -> checked `Regimen`; bundled regimens by name."""

from __future__ import annotations

from pathlib import Path

from dosecal.errors import Diagnostic, RegimenError
from dosecal.language.lower import lower
from dosecal.language.parser import parse
from dosecal.model import Regimen
from dosecal.source import Source, Span


def loads(text: str, name: str = "<string>") -> Regimen:
    """Parse and check regimen text; raise `RegimenError` listing every mistake."""
    # One meaning of "line" everywhere: a byte order mark is dropped, and
    # CRLF or a lone CR ends a line, as "\n" does; nothing else does.
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    source = Source(text, name)
    result = parse(source)
    diagnostics = list(result.diagnostics)
    regimen = None
    if result.tree is not None:
        regimen, more = lower(result.tree, name, result.recovered_lines, result.names_lost)
        diagnostics.extend(more)
    if diagnostics or regimen is None:
        if not diagnostics:
            diagnostics.append(Diagnostic(Span(1, 1), "nothing could be read from this file"))
        raise RegimenError(source, diagnostics)
    return regimen


def load(path: str | Path) -> Regimen:
    """Load a regimen file by path (`OSError` if it cannot be read)."""
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError as error:
        source = Source("", str(path))
        raise RegimenError(source, [Diagnostic(Span(1, 1), f"not UTF-8 text ({error.reason})")]) from None
    return loads(text, str(path))


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
