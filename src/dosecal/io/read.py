"""Paths -> checked inputs: regimen files, course files, the bundled regimens.

The only reading of files below the interfaces (with `dosecal.io.files` for
writing): each file is a regular file of a bounded size, read as UTF-8,
and handed to `dosecal.language.load` as text.
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

from dosecal.errors import CourseError, Diagnostic, OutputError, RegimenError
from dosecal.language.load import check_size, loads
from dosecal.limits import FILE_BYTES
from dosecal.model.course import Course
from dosecal.model.regimen import Regimen
from dosecal.source import Source, Span


def load(path: str | Path) -> Regimen:
    """Load a regimen file by path (`OSError` if it cannot be read)."""
    path = Path(path)
    return loads(_read_utf8(path), str(path))


def load_bundled(name: str) -> Regimen:
    """Load a regimen shipped with dosecal by its name (see `bundled()`)."""
    return load(resolve(name))


def load_course(
    path: str | Path, read_regimen: Callable[[Path], Regimen] | None = None
) -> tuple[Regimen, Course]:
    """A course file, the regimen it names, and the course checked against it.

    `read_regimen` reads the regimen file (default `load`); a roster passes
    one that reads each regimen once.

    Every mistake is a `RegimenError` (a diagnostic of the file, at its line):
    of the course file itself, or of the regimen file it names.
    """
    # Imported here: reading a regimen (`list`, `check`, `show`) needs neither the course
    # language nor the plan.
    from dosecal.engine.plan import plan
    from dosecal.language import course_file
    from dosecal.language.load import loads_course

    path = Path(path)
    read = loads_course(_read_utf8(path), str(path))
    diagnostics = read.diagnostics
    where = regimen_path(read.regimen, path.parent) if read.regimen else None
    if read.regimen and where is None:
        diagnostics.append(read.regimen_missing(bundled()))
    if diagnostics or read.course is None or where is None:
        raise RegimenError(read.shown, diagnostics)
    regimen = (read_regimen or load)(where)
    try:
        plan(regimen, read.course)
    except CourseError as error:
        raise RegimenError(
            read.source, [course_file.located(error, read.source, read.lines, read.dose_at)]
        ) from None
    return regimen, read.course


def regimen_path(value: str, folder: Path) -> Path | None:
    """A path relative to `folder` (a course file's, a roster's), else a bundled regimen's name."""
    if value.endswith(".regimen") or "/" in value:
        candidate = folder / value
        return candidate if candidate.is_file() else None
    try:
        return resolve(value)
    except FileNotFoundError:
        return None


class NotAFileError(Exception):
    """The path names something other than a regular file (a FIFO, a device, a folder)."""


def read_bytes(path: Path, limit: int) -> bytes:
    """A regular file's bytes, at most `limit` + 1 of them (the caller refuses a longer one).

    A FIFO would wait for ever and /dev/zero never end, so anything but a
    regular file is `NotAFileError`; `OSError` when it cannot be read.
    """
    if not stat.S_ISREG(path.stat().st_mode):
        raise NotAFileError(str(path))
    with path.open("rb") as handle:
        return handle.read(limit + 1)  # never more: a file of gigabytes is not read whole


def _read_utf8(path: Path) -> str:
    """The file's text; a file that is not UTF-8, or too large, is a diagnostic at 1:1, not a crash."""
    try:
        data = read_bytes(path, FILE_BYTES)
    except NotAFileError:
        raise RegimenError(Source("", str(path)), [Diagnostic(Span(1, 1), "not a regular file")]) from None
    check_size(len(data), str(path))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        source = Source("", str(path))
        raise RegimenError(
            source, [Diagnostic(Span(1, 1), f"not UTF-8 text ({error.reason})", "save it as UTF-8")]
        ) from None


def bundled_dir() -> Path:
    """The folder of regimens shipped with dosecal.

    Installed, it is the package `dosecal.schedules`; run from a source tree
    without installing, it is the repository's top-level `schedules/`.
    """
    package = Path(__file__).resolve().parents[1]  # src/dosecal, or site-packages/dosecal
    installed = package / "schedules"
    return installed if installed.is_dir() else package.parents[1] / "schedules"


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


# A calendar of 200 cycles is a few MB; past this the file is not one of ours.
PREVIOUS_BYTES = 64 * 1024 * 1024


def previous_calendar(path: Path) -> bytes:
    """The calendar a new one replaces (`--previous`, or the one in a packet's folder), bounded:
    a regular file of a calendar's size (never /dev/zero, a FIFO); `OutputError` if not."""
    try:
        data = read_bytes(path, PREVIOUS_BYTES)
    except NotAFileError:
        raise OutputError(
            f"{path} is not a regular file: --previous names the calendar file this one replaces"
        ) from None
    except OSError as error:
        raise OutputError(f"cannot read {path}: {error.strerror}") from None
    if len(data) > PREVIOUS_BYTES:
        raise OutputError(
            f"{path} is larger than {PREVIOUS_BYTES // 2**20} MB: it is not a calendar dosecal wrote"
        )
    return data
