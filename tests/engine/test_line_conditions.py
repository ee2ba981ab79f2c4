"""Schedule lines chosen by a patient value (`days 1-3 if weight >= 45 kg`), decided once, at the start
of the course; and the weight and the sex in the other conditions (`20 mg if female`, `not given if
female`, `warn if weight < 40 kg`).

By hand, from Monday 2026-12-07, 21-day cycles: cycle 1 days 1-3 are 2026-12-07, -08, -09; cycle 2
days 1-3 are 2026-12-28, -29, -30. `weight >= 45 kg` holds at 45 (the boundary is in it), 45.01, 70,
300, not at 44.99 or 1; `weight < 45 kg` holds where it does not. A line not given makes no rows; the
rows of a line given say why in their basis. A value the course lacks is refused in one sentence
naming it, the flag that gives it and the course-file or roster word.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import example, given, settings
from hypothesis import strategies as st

import dosecal
from dosecal.cli.main import cli
from dosecal.engine.patient import LineChoice
from dosecal.errors import CourseError, Subject
from dosecal.model.measures import Measures, Sex
from dosecal.render.protocol_text import render

START = dt.date(2026, 12, 7)
DAYS = ["2026-12-07", "2026-12-08", "2026-12-09", "2026-12-28", "2026-12-29", "2026-12-30"]

# Lines 4 and 5 by weight; drugy (line 7) for every patient.
BY_WEIGHT = (
    'regimen wx "Lines by weight"\n'
    "  cycle 21 days, 2 cycles\n"
    "  drugx 40 mg PO tablet\n"
    "    days 1-3 if weight >= 45 kg\n"
    "    days 1-3 at 20 mg if weight < 45 kg\n"
    "  drugy 10 mg PO\n"
    "    day 1\n"
)
BY_AGE = BY_WEIGHT.replace("weight >= 45 kg", "age >= 75").replace("weight < 45 kg", "age < 75")
BY_SEX = BY_WEIGHT.replace("weight >= 45 kg", "female").replace("weight < 45 kg", "male")

WEIGHT_HINT = "give --weight KG (in a course file or a roster: the 'weight' line or column)"
AGE_HINT = "give --age YEARS (in a course file or a roster: the 'age' (or 'born') line or column)"
SEX_HINT = "give --sex female|male (in a course file or a roster: the 'sex' line or column)"


def _schedule(text: str, cycles: int = 2, **values: object) -> dosecal.Schedule:
    course = dosecal.Course(START, cycles=cycles, measures=Measures(**values))  # type: ignore[arg-type]
    return dosecal.expand(dosecal.loads(text, "x.regimen"), course)


def _drugx(schedule: dosecal.Schedule) -> list[tuple[str, Decimal | None, int]]:
    """drugx's rows: date, dose, the schedule line they come from."""
    return [(a.date.isoformat(), a.dose_amount, a.source_line) for a in schedule if a.agent == "drugx"]


def _refusal(text: str, cycles: int = 2, **values: object) -> CourseError:
    with pytest.raises(CourseError) as caught:
        _schedule(text, cycles, **values)
    return caught.value


# ---- which line is given --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weight", "line", "dose"),
    [
        ("45", 4, "40"),
        ("44.99", 5, "20"),
        ("45.01", 4, "40"),
        ("70", 4, "40"),
        ("1", 5, "20"),
        ("300", 4, "40"),
    ],
    ids=["at-45", "just-below", "just-above", "70", "lowest", "highest"],
)
def test_the_line_is_chosen_by_the_weight(weight: str, line: int, dose: str) -> None:
    """At 45 kg and above the `>=` line (40 mg), below it the `<` line (20 mg): days 1-3 of both
    cycles from that line only; drugy, for every patient, on day 1 as before."""
    schedule = _schedule(BY_WEIGHT, weight_kg=Decimal(weight))
    assert _drugx(schedule) == [(day, Decimal(dose), line) for day in DAYS]
    drugy = [(a.date.isoformat(), a.dose_basis) for a in schedule if a.agent == "drugy"]
    assert drugy == [("2026-12-07", "10 mg (flat dose)"), ("2026-12-28", "10 mg (flat dose)")]


@pytest.mark.parametrize(
    ("weight", "basis"),
    [
        ("45", "40 mg (flat dose); schedule line 4 if weight >= 45 kg: the patient weighs 45 kg, so given"),
        (
            "44.99",
            "20 mg (flat dose); schedule line 5 if weight < 45 kg: the patient weighs 44.99 kg, so given",
        ),
        (
            "45.00",
            "40 mg (flat dose); schedule line 4 if weight >= 45 kg: the patient weighs 45 kg, so given",
        ),
    ],
)
def test_the_basis_says_which_line_and_why(weight: str, basis: str) -> None:
    """Every row of drugx says the line, its condition and the patient's weight (as the weight is
    said elsewhere: 45.00 kg is 45 kg)."""
    schedule = _schedule(BY_WEIGHT, weight_kg=Decimal(weight))
    assert {a.dose_basis for a in schedule if a.agent == "drugx"} == {basis}


def test_the_plan_keeps_both_decisions() -> None:
    """The plan decides every conditioned line at the start, the line not given included."""
    schedule = _schedule(BY_WEIGHT, weight_kg=Decimal("44.99"))
    assert schedule.plan.lines == (
        LineChoice(4, False, "schedule line 4 if weight >= 45 kg: the patient weighs 44.99 kg, so not given"),
        LineChoice(5, True, "schedule line 5 if weight < 45 kg: the patient weighs 44.99 kg, so given"),
    )
    assert schedule.plan.line_choice(7) is None  # drugy's line has no condition


@pytest.mark.parametrize(("age", "line", "dose"), [(75, 4, "40"), (74, 5, "20"), (90, 4, "40")])
def test_the_line_is_chosen_by_the_courses_age(age: int, line: int, dose: str) -> None:
    """`age >= 75` holds at 75 and 90, `age < 75` at 74; the basis says the age."""
    schedule = _schedule(BY_AGE, age=age)
    assert _drugx(schedule) == [(day, Decimal(dose), line) for day in DAYS]
    condition = "age >= 75" if line == 4 else "age < 75"
    assert {a.dose_basis for a in schedule if a.agent == "drugx"} == {
        f"{dose} mg (flat dose); schedule line {line} if {condition}: the patient is {age}, so given"
    }


@pytest.mark.parametrize(("sex", "line", "dose"), [(Sex.FEMALE, 4, "40"), (Sex.MALE, 5, "20")])
def test_the_line_is_chosen_by_the_courses_sex(sex: Sex, line: int, dose: str) -> None:
    """`if female` for a woman, `if male` for a man; the basis says the sex."""
    schedule = _schedule(BY_SEX, sex=sex)
    assert _drugx(schedule) == [(day, Decimal(dose), line) for day in DAYS]
    assert {a.dose_basis for a in schedule if a.agent == "drugx"} == {
        f"{dose} mg (flat dose); schedule line {line} if {sex.value}: the patient is {sex.value}, so given"
    }


def test_a_line_whose_condition_does_not_hold_makes_no_rows() -> None:
    """drugx `if weight >= 45 kg` on days 1-3 and, for everyone, day 15; a 40 kg patient: no row of
    the first line at all, day 15 of each cycle (2026-12-21, 2027-01-11); drugy as written. (A drug
    every line of which has a condition leaves no patient without one: refused at lowering.)"""
    text = BY_WEIGHT.replace("    days 1-3 at 20 mg if weight < 45 kg\n", "    day 15\n")
    schedule = _schedule(text, weight_kg=Decimal(40))
    assert [(a.agent, a.date.isoformat(), a.source_line) for a in schedule] == [
        ("drugy", "2026-12-07", 7),
        ("drugx", "2026-12-21", 5),
        ("drugy", "2026-12-28", 7),
        ("drugx", "2027-01-11", 5),
    ]
    assert schedule.plan.lines == (
        LineChoice(4, False, "schedule line 4 if weight >= 45 kg: the patient weighs 40 kg, so not given"),
    )


def test_lines_on_other_days_are_each_given_where_they_hold() -> None:
    """`days 1-3 if weight >= 45 kg`, `day 8 ... if weight > 40 kg` and day 15 for everyone: 50 kg
    meets both (each on its own days), 42 kg only the second, 40 kg neither (40 > 40 does not hold):
    day 15 alone."""
    text = (
        'regimen d "D"\n  cycle 21 days, 1 cycle\n  drugx 40 mg PO\n'
        "    days 1-3 if weight >= 45 kg\n    day 8 at 20 mg if weight > 40 kg\n    day 15\n"
        "  drugy 10 mg PO\n    day 1\n"
    )
    day_15 = ("2026-12-21", Decimal(40), 6)
    assert _drugx(_schedule(text, cycles=1, weight_kg=Decimal(50))) == [
        ("2026-12-07", Decimal(40), 4),
        ("2026-12-08", Decimal(40), 4),
        ("2026-12-09", Decimal(40), 4),
        ("2026-12-14", Decimal(20), 5),
        day_15,
    ]
    assert _drugx(_schedule(text, cycles=1, weight_kg=Decimal(42))) == [
        ("2026-12-14", Decimal(20), 5),
        day_15,
    ]
    assert _drugx(_schedule(text, cycles=1, weight_kg=Decimal(40))) == [day_15]


@settings(max_examples=80, deadline=None)
@given(weight=st.decimals(min_value=1, max_value=300, places=2))
@example(weight=Decimal("45"))
@example(weight=Decimal("44.99"))
@example(weight=Decimal("45.01"))
def test_exactly_one_of_two_complementary_lines_on_each_listed_day(weight: Decimal) -> None:
    """For any weight of limits.WEIGHT (1-300 kg, 2 decimals): on each of days 1-3 of both cycles
    exactly one row of drugx, from the `>=` line (40 mg) at 45 kg and above, else from the `<` line
    (20 mg); on no other day."""
    rows = [a for a in _schedule(BY_WEIGHT, weight_kg=weight) if a.agent == "drugx"]
    line, dose = (4, Decimal(40)) if weight >= 45 else (5, Decimal(20))
    assert sorted(a.date.isoformat() for a in rows) == DAYS  # each listed day once, no other
    assert {(a.source_line, a.dose_amount) for a in rows} == {(line, dose)}


# ---- a value the course lacks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "subject", "hint"),
    [
        (
            BY_WEIGHT,
            "drugx has a schedule line for patients with weight >= 45 kg (regimen line 4), "
            "which needs the patient's weight",
            Subject.WEIGHT,
            WEIGHT_HINT,
        ),
        (
            BY_AGE,
            "drugx has a schedule line for patients with age >= 75 (regimen line 4), "
            "which needs the patient's age",
            Subject.AGE,
            AGE_HINT,
        ),
    ],
    ids=["weight", "age"],
)
def test_a_missing_value_is_refused_naming_it(text: str, message: str, subject: Subject, hint: str) -> None:
    """Nothing guessed: the first conditioned line is named, with the value and how to give it."""
    error = _refusal(text)
    assert (error.message, error.subject, error.hint, error.line, error.quoted) == (
        message,
        subject,
        hint,
        None,
        None,
    )
    assert str(error) == f"{message}; {hint}"


def test_a_missing_sex_is_refused_naming_it() -> None:
    """The same for the sex: its subject, its hint, one sentence that ends naming the sex."""
    error = _refusal(BY_SEX)
    assert (error.subject, error.hint, error.line, error.quoted) == (Subject.SEX, SEX_HINT, None, None)
    assert error.message.startswith("drugx has a schedule line for ")
    assert error.message.endswith(" (regimen line 4), which needs the patient's sex")
    assert str(error) == f"{error.message}; {SEX_HINT}"


def test_a_missing_sex_is_said_in_words() -> None:
    """By hand: 'for female patients', as a protocol says it."""
    assert _refusal(BY_SEX).message == (
        "drugx has a schedule line for female patients (regimen line 4), which needs the patient's sex"
    )


def test_a_lone_conditioned_line_needs_its_value() -> None:
    """A drug with a line by weight (and one for everyone): without a weight, whether that line is
    given is unknown, so the course is refused (not expanded without it)."""
    text = BY_WEIGHT.replace("    days 1-3 at 20 mg if weight < 45 kg\n", "    day 15\n")
    assert _refusal(text, age=60).message == (
        "drugx has a schedule line for patients with weight >= 45 kg (regimen line 4), "
        "which needs the patient's weight"
    )


# ---- the command line ------------------------------------------------------------------------------


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def _file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "x.regimen"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            BY_WEIGHT,
            "dosecal: drugx has a schedule line for patients with weight >= 45 kg (regimen line 4), "
            f"which needs the patient's weight; {WEIGHT_HINT}",
        ),
        (
            BY_AGE,
            "dosecal: drugx has a schedule line for patients with age >= 75 (regimen line 4), "
            f"which needs the patient's age; {AGE_HINT}",
        ),
    ],
    ids=["weight", "age"],
)
def test_the_cli_refuses_a_missing_value_in_one_line(tmp_path: Path, text: str, line: str) -> None:
    """`dosecal expand` without the value: exit 1, nothing on stdout, one line on stderr."""
    result = run("expand", _file(tmp_path, text), "--start", "2026-12-07", "--cycles", "1")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [line]


def test_the_cli_refuses_a_missing_sex_in_one_line(tmp_path: Path) -> None:
    """The same for the sex (the sentence is tested whole above)."""
    result = run("expand", _file(tmp_path, BY_SEX), "--start", "2026-12-07", "--cycles", "1")
    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("dosecal: drugx has a schedule line for ")
    assert line.endswith(f"(regimen line 4), which needs the patient's sex; {SEX_HINT}")


@pytest.mark.parametrize(
    ("text", "flags", "line", "dose"),
    [
        (BY_WEIGHT, ("--weight", "44.99"), "5", "20"),
        (BY_WEIGHT, ("--weight", "45"), "4", "40"),
        (BY_AGE, ("--age", "75"), "4", "40"),
        (BY_SEX, ("--sex", "male"), "5", "20"),
    ],
)
def test_the_cli_gives_the_line_the_flag_chooses(
    tmp_path: Path, text: str, flags: tuple[str, ...], line: str, dose: str
) -> None:
    """`--weight`, `--age`, `--sex`: the CSV's drugx rows are of the chosen line (source_line)."""
    result = run("expand", _file(tmp_path, text), "--start", "2026-12-07", "--cycles", "1", *flags)
    assert result.exit_code == 0, result.stderr
    rows = csv.DictReader(io.StringIO(result.stdout.removeprefix("\ufeff")))
    drugx = [(r["date"], r["dose_amount"], r["source_line"]) for r in rows if r["agent"] == "drugx"]
    assert drugx == [(day, dose, line) for day in DAYS[:3]]


# ---- dosecal show ----------------------------------------------------------------------------------

# Days 1-3 at 45 kg and above; days 1-2 and, in cycle 1 only, day 8 below: cycle 1 has 3 doses either
# way, cycles 2 and 3 have 2 or 3.
SHOWN = (
    'regimen lc "Lines by weight"\n'
    "  cycle 21 days, 3 cycles\n"
    "  drugx 40 mg PO tablet\n"
    "    days 1-3 if weight >= 45 kg\n"
    "    days 1-2 at 20 mg if weight < 45 kg\n"
    "    cycle 1: day 8 if weight < 45 kg\n"
)
SHOWN_TEXT = (
    "lc: Lines by weight\n"
    "\n"
    "  21-day cycles, 3 cycles\n"
    "  drugx, dose on each schedule line, PO (oral), tablet\n"
    "    every cycle: days 1-3, if weight >= 45 kg\n"
    "    every cycle: days 1, 2 at 20 mg, if weight < 45 kg\n"
    "    cycle 1: day 8, if weight < 45 kg\n"
    "\n"
    "  doses per cycle     C1   C2   C3\n"
    "  drugx                3  2/3  2/3\n"
)


def test_show_says_each_lines_condition_and_the_counts_of_each_patient() -> None:
    """The condition last on its line (', if weight >= 45 kg'); a count per cycle per set of lines
    one patient is given: 3 and 2 + 1 in cycle 1, one number; 3 or 2 after, '2/3'."""
    assert render(dosecal.loads(SHOWN, "lc.regimen")) == SHOWN_TEXT


def test_dosecal_show_prints_it(tmp_path: Path) -> None:
    """`dosecal show FILE`: the same text on stdout, exit 0."""
    result = run("show", _file(tmp_path, SHOWN))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == SHOWN_TEXT


def test_show_of_lines_by_sex() -> None:
    """`if female` / `if male` said as the words; the same count for either: one number."""
    text = render(dosecal.loads(BY_SEX, "x.regimen"))
    assert text == (
        "wx: Lines by weight\n"
        "\n"
        "  21-day cycles, 2 cycles\n"
        "  drugx, dose on each schedule line, PO (oral), tablet\n"
        "    every cycle: days 1-3, if female\n"
        "    every cycle: days 1-3 at 20 mg, if male\n"
        "  drugy, 10 mg, PO (oral)\n"
        "    every cycle: day 1\n"
        "\n"
        "  doses per cycle     C1   C2\n"
        "  drugx                3    3\n"
        "  drugy                1    1\n"
    )


# ---- the sex and the weight in the other conditions -----------------------------------------------

BY_SEX_HEADER = (
    'regimen h "Dose by sex"\n  cycle 21 days, 1 cycle\n  drugx 40 mg PO, 20 mg if female\n    day 1\n'
)


@pytest.mark.parametrize(("sex", "dose", "so"), [(Sex.FEMALE, "20", "20 mg"), (Sex.MALE, "40", "40 mg")])
def test_a_header_dose_chosen_by_sex(sex: Sex, dose: str, so: str) -> None:
    """`drugx 40 mg PO, 20 mg if female`: 20 mg for a woman, 40 mg for a man; the basis says why."""
    (row,) = _schedule(BY_SEX_HEADER, cycles=1, sex=sex)
    assert (row.dose_amount, row.computed_amount) == (Decimal(dose), Decimal(dose))
    assert row.dose_basis == (
        f"{dose} mg (flat dose); dose chosen: 20 mg if female (regimen line 3): "
        f"the patient is {sex.value}, so {so}"
    )


def test_a_header_dose_chosen_by_sex_needs_the_sex() -> None:
    """Without the sex: refused, naming it."""
    error = _refusal(BY_SEX_HEADER, cycles=1)
    assert (error.message, error.subject, error.hint) == (
        "drugx has a dose chosen by sex (regimen line 3), which needs the patient's sex",
        Subject.SEX,
        SEX_HINT,
    )


def test_show_reads_back_a_dose_chosen_by_sex() -> None:
    """`show` says the other dose and its condition."""
    assert render(dosecal.loads(BY_SEX_HEADER, "h.regimen")) == (
        "h: Dose by sex\n"
        "\n"
        "  21-day cycles, 1 cycle\n"
        "  drugx, 40 mg, PO (oral)\n"
        "    every cycle: day 1\n"
        "    20 mg in place of 40 mg if female\n"
        "\n"
        "  doses per cycle     C1\n"
        "  drugx                1\n"
    )


LIMITED = (
    'regimen l "Limits"\n  cycle 21 days, 1 cycle\n  drugx 40 mg PO\n    day 1\n'
    "    not given if female\n    warn if weight < 40 kg\n"
)


def test_not_given_if_female_refuses_a_woman() -> None:
    """A woman: refused with the limit, its line and the patient's sex."""
    error = _refusal(LIMITED, cycles=1, sex=Sex.FEMALE, weight_kg=Decimal(70))
    assert (error.message, error.subject, error.hint) == (
        "drugx is not given if female (regimen line 5): the patient is female",
        Subject.SEX,
        "the regimen says not to give it to this patient",
    )


@pytest.mark.parametrize(
    ("weight", "warning"),
    [
        ("39.99", "warning: weight < 40 kg (regimen line 6): the patient weighs 39.99 kg"),
        ("40", None),
        ("70", None),
    ],
)
def test_warn_if_weight_below_40_kg(weight: str, warning: str | None) -> None:
    """A man is given drugx; under 40 kg (39.99) with a warning on its row and in the plan; at 40 kg
    (40 < 40 does not hold) and above without."""
    schedule = _schedule(LIMITED, cycles=1, sex=Sex.MALE, weight_kg=Decimal(weight))
    (row,) = schedule
    said = "" if warning is None else f"; {warning}"
    assert row.dose_basis == f"40 mg (flat dose){said}"
    assert schedule.plan.warnings == (() if warning is None else (("drugx", warning),))


@pytest.mark.parametrize(
    ("values", "message", "subject"),
    [
        (
            {"weight_kg": Decimal(70)},
            "drugx is limited (female, regimen line 5), which needs the patient's sex",
            Subject.SEX,
        ),
        (
            {"sex": Sex.MALE},
            "drugx is limited (weight < 40 kg, regimen line 6), which needs the patient's weight",
            Subject.WEIGHT,
        ),
    ],
    ids=["sex", "weight"],
)
def test_a_limit_needs_its_value(values: dict[str, object], message: str, subject: Subject) -> None:
    """Each limit is decided at the start: without its value, refused naming it."""
    error = _refusal(LIMITED, 1, **values)
    assert (error.message, error.subject) == (message, subject)


def test_the_cli_says_the_warning_and_refuses_the_limit(tmp_path: Path) -> None:
    """On stderr: the warning for a 39.99 kg man (exit 0); the refusal, one line, for a woman (exit 1)."""
    path = _file(tmp_path, LIMITED)
    warned = run("expand", path, "--start", "2026-12-07", "--weight", "39.99", "--sex", "male")
    assert warned.exit_code == 0, warned.stderr
    assert warned.stderr.splitlines() == [
        "dosecal: drugx: warning: weight < 40 kg (regimen line 6): the patient weighs 39.99 kg"
    ]
    refused = run("expand", path, "--start", "2026-12-07", "--weight", "70", "--sex", "female")
    assert refused.exit_code == 1
    assert refused.stdout == ""
    assert refused.stderr.splitlines() == [
        "dosecal: drugx is not given if female (regimen line 5): the patient is female; "
        "the regimen says not to give it to this patient"
    ]
