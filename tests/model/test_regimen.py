"""The regimen model: its equality, by what a regimen says, never by where it was read from; the one
lookup of a dose level by name (`Regimen.level_named`) and the one spelling of a drug (`drug_key`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import dosecal
from dosecal import COLUMNS, Administration, Course, CourseError, Measures
from dosecal.cli.main import cli
from dosecal.errors import Subject
from dosecal.model.adjust import CycleRef, LevelFrom
from dosecal.model.regimen import drug_key, format_decimal

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


def test_a_level_is_found_by_its_name() -> None:
    """NCT04083898's level 2 is the level named '2' (its overrides come with it)."""
    regimen = dosecal.load(SCHEDULES / "nct04083898.regimen")
    level = regimen.level_named("2")
    assert level is regimen.level("2")
    assert level.name == "2" and level.overrides


def fields(error: CourseError) -> tuple[object, ...]:
    return (str(error), error.message, error.subject, error.line, error.hint, error.quoted)


def test_an_unknown_level_is_worded_once_with_its_fields() -> None:
    """An unknown level names the regimen and the level (quoted, for a course file's caret) and
    lists the levels; about the course's level without a line, about a level change with its course
    line (whose hint reads 'its levels: ...', as course-errors/unknown-level.expected shows)."""
    regimen = dosecal.load(SCHEDULES / "nct04083898.regimen")
    with pytest.raises(CourseError) as course_level:
        regimen.level_named("9")
    assert fields(course_level.value) == (
        "nct04083898 has no dose level '9'; its levels are 1, 2, 3, phase2",
        "nct04083898 has no dose level '9'",
        Subject.LEVEL,
        None,
        "its levels are 1, 2, 3, phase2",
        "9",
    )
    with pytest.raises(CourseError) as change:
        regimen.level_named("7", line=12)
    assert fields(change.value) == (
        "course line 12: nct04083898 has no dose level '7'; its levels: 1, 2, 3, phase2",
        "nct04083898 has no dose level '7'",
        Subject.ADJUSTMENT,
        12,
        "its levels: 1, 2, 3, phase2",
        "7",
    )


def test_a_regimen_without_levels_says_its_levels_are_none() -> None:
    """R-CHOP-21 has no dose levels: asked for one, it says so ('none'), never an empty list."""
    regimen = dosecal.loads(TEXT, "r-chop-21")
    with pytest.raises(CourseError) as caught:
        regimen.level_named("1")
    assert str(caught.value) == "r-chop-21 has no dose level '1'; its levels are none"


def test_every_lookup_of_a_level_says_it_the_same_way() -> None:
    """`--level 9` when expanding, `dosecal show --level 9`, and a level change to level 9 refuse
    with one sentence (the change with its course line and its hint's wording)."""
    regimen = dosecal.load(SCHEDULES / "nct04083898.regimen")
    sentence = "nct04083898 has no dose level '9'; its levels are 1, 2, 3, phase2"
    with pytest.raises(CourseError) as expanded:
        dosecal.expand(regimen, Course(dt.date(2026, 12, 7), cycles=1, level="9"))
    assert str(expanded.value) == sentence
    shown_level = CliRunner().invoke(cli, ["show", "nct04083898", "--level", "9"])
    assert (shown_level.exit_code, shown_level.stderr) == (1, f"dosecal: {sentence}\n")
    change = LevelFrom("9", CycleRef(None, 2), "toxicity", 6)
    with pytest.raises(CourseError) as changed:
        dosecal.expand(regimen, Course(dt.date(2026, 12, 7), cycles=2, level="1", adjustments=(change,)))
    assert str(changed.value) == f"course line 6: {sentence.replace('levels are', 'levels:')}"


@pytest.mark.parametrize(
    ("name", "label", "key"),
    [("fluorouracil", "bolus", "fluorouracil (bolus)"), ("pomalidomide", None, "pomalidomide")],
)
def test_a_drug_is_spelled_with_its_label(name: str, label: str | None, key: str) -> None:
    """A drug's key is its name, with its label in brackets when it has one."""
    assert drug_key(name, label) == key
