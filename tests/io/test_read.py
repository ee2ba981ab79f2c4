"""Paths -> checked inputs (dosecal.io.read): bounded reads, bundled regimens, course files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dosecal.errors import RegimenError
from dosecal.io.read import (
    NotAFileError,
    bundled,
    load,
    load_bundled,
    load_course,
    read_bytes,
    regimen_path,
    resolve,
)

ROOT = Path(__file__).resolve().parents[2]


def test_read_bytes_reads_at_most_one_byte_past_the_limit(tmp_path: Path) -> None:
    """A file longer than the limit is read to limit + 1 bytes, never whole: the caller refuses it."""
    path = tmp_path / "big"
    path.write_bytes(b"x" * 1000)
    assert read_bytes(path, 10) == b"x" * 11
    assert read_bytes(path, 5000) == b"x" * 1000


def test_read_bytes_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    """A FIFO would wait for ever and a folder has no bytes: `NotAFileError`, without opening it."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(NotAFileError):
        read_bytes(fifo, 10)
    with pytest.raises(NotAFileError):
        read_bytes(tmp_path, 10)
    with pytest.raises(FileNotFoundError):
        read_bytes(tmp_path / "missing", 10)


def test_bundled_regimens_are_the_schedules_folder() -> None:
    """`bundled()` lists schedules/*.regimen by name; `resolve` finds each; `load_bundled` loads it."""
    names = bundled()
    assert names == sorted(p.stem for p in (ROOT / "schedules").glob("*.regimen"))
    assert resolve("nct05922501").name == "nct05922501.regimen"
    assert load_bundled("nct05922501") == load(resolve("nct05922501"))
    with pytest.raises(FileNotFoundError):
        resolve("no-such-regimen")


def test_a_regimen_beside_a_course_comes_before_a_bundled_name(tmp_path: Path) -> None:
    """`regimen_path`: a path is relative to the folder given; a plain name is a bundled regimen."""
    (tmp_path / "mine.regimen").write_text("x", "utf-8")
    assert regimen_path("mine.regimen", tmp_path) == tmp_path / "mine.regimen"
    assert regimen_path("other.regimen", tmp_path) is None
    assert regimen_path("nct05922501", tmp_path) == resolve("nct05922501")
    assert regimen_path("nope", tmp_path) is None


def test_a_file_that_is_not_text_is_a_diagnostic_at_1_1(tmp_path: Path) -> None:
    """Bytes that are not UTF-8, or a FIFO, are one diagnostic at 1:1, not a crash."""
    path = tmp_path / "bad.regimen"
    path.write_bytes(b"regimen x \xff\n")
    with pytest.raises(RegimenError) as caught:
        load(path)
    assert caught.value.render().startswith(f"{path}:1:1: not UTF-8 text")
    fifo = tmp_path / "fifo.regimen"
    os.mkfifo(fifo)
    with pytest.raises(RegimenError) as refused:
        load(fifo)
    assert refused.value.render().startswith(f"{fifo}:1:1: not a regular file")


def test_a_course_file_reads_its_regimen_through_the_reader_given(tmp_path: Path) -> None:
    """`load_course` asks `read_regimen` for the regimen it names (a roster reads each once)."""
    course = tmp_path / "pt.course"
    course.write_text("course pt-1\n  regimen nct05922501\n  start 2026-12-07\n  cycles 2\n", "utf-8")
    asked: list[Path] = []

    def reader(where: Path) -> object:
        asked.append(where)
        return load(where)

    regimen, read = load_course(course, reader)  # type: ignore[arg-type]
    assert asked == [resolve("nct05922501")]
    assert (regimen.name, read.course_id, read.cycles) == ("nct05922501", "pt-1", 2)
