"""The regimen model's equality: by what a regimen says, never by where it was read from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import dosecal
from dosecal import COLUMNS, Administration, Course, Measures
from dosecal.model.regimen import format_decimal

from ..conftest import SCHEDULES

TEXT = (SCHEDULES / "r-chop-21.regimen").read_text("utf-8")


def test_one_text_from_two_paths_is_one_regimen(tmp_path: Path) -> None:
    """The same file text at two paths loads as equal regimens with equal hashes (one key of a
    dict or a set), while each keeps its own path."""
    (tmp_path / "a").mkdir()
    first, second = tmp_path / "a" / "r-chop-21.regimen", tmp_path / "r.regimen"
    first.write_text(TEXT, "utf-8")
    second.write_text(TEXT, "utf-8")
    a, b = dosecal.load(first), dosecal.load(second)
    assert a.path != b.path
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b}) == 1
    assert dosecal.loads(TEXT, "x") == dosecal.loads(TEXT, "y") == a


def test_a_regimen_differing_in_one_dose_is_another() -> None:
    """Vincristine 1.4 mg/m2 or 1.5 mg/m2: two regimens, never one key (a roster's tables share
    their work between equal regimens: dosecal.batch.tables)."""
    assert "vincristine 1.4 mg/m2" in TEXT
    other = dosecal.loads(TEXT.replace("vincristine 1.4 mg/m2", "vincristine 1.5 mg/m2"), "r")
    assert other != dosecal.loads(TEXT, "r")
    assert len({other, dosecal.loads(TEXT, "r")}) == 2


def test_a_comment_or_a_line_apart_is_another_regimen_or_not() -> None:
    """A comment added at the end changes nothing the regimen says: equal. A line added above a
    drug moves the regimen line every dose cites: not equal (its outputs differ)."""
    base = dosecal.loads(TEXT, "r")
    assert dosecal.loads(TEXT + "# checked 2026-12-01\n", "r") == base
    moved = TEXT.replace("  vincristine", "\n  vincristine", 1)
    assert dosecal.loads(moved, "r") != base


def test_equal_amounts_written_apart_give_the_same_outputs() -> None:
    """1.4 and 1.40 mg/m2 are one amount (Decimal compares by value), so the two regimens are
    equal; every output writes a decimal normalised (format_decimal), so each row reads the same
    from either, and sharing work between them is safe."""
    written = TEXT.replace("vincristine 1.4 mg/m2", "vincristine 1.40 mg/m2")
    assert written != TEXT
    a, b = dosecal.loads(TEXT, "r"), dosecal.loads(written, "r")
    assert a == b
    the_course = Course(dt.date(2026, 12, 7), cycles=2, measures=Measures(Decimal(80), Decimal(180)))
    assert shown(dosecal.expand(a, the_course)) == shown(dosecal.expand(b, the_course))
    assert "1.4 mg/m2 x 2 m2" in "".join(map(str, shown(dosecal.expand(b, the_course))))


def shown(rows: Iterable[Administration]) -> list[tuple[object, ...]]:
    """Each row's values, its decimals as every output writes them."""
    return [
        tuple(format_decimal(v) if isinstance(v, Decimal) else v for v in (getattr(x, c) for c in COLUMNS))
        for x in rows
    ]
