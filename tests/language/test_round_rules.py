"""Rounding lines: `round ...` in a regimen (under the regimen or a drug), `rounding ...` in a course
file; which rule a dose is rounded by (the course's for the drug, the course's, the drug's, the
regimen's) and how its basis names it; the diary's Dose line.

Each misuse with its whole report, caret included. The figures, worked by hand: sqrt(170 x 70 / 3600)
= 1.8181 -> 1.82 m2; capecitabine 1250 mg/m2 x 1.82 = 2275 mg; oxaliplatin 130 mg/m2 x 1.82 =
236.6 mg. 150 mg and 500 mg tablets: down from 2275 mg, 2250 = 3 x 500 + 5 x 150; up, 2300 =
4 x 500 + 2 x 150 (tests/model/test_strengths.py). Oxaliplatin to the nearest 5 mg: 236.6 / 5 =
47.32 -> 47 -> 235 mg, 1.6 / 236.6 = 0.68%, within 10 percent; up to the nearest 10 mg: 240 mg.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import dosecal
from dosecal import Course, CourseError, Measures, RegimenError
from dosecal.cli.main import cli
from dosecal.errors import Subject
from dosecal.io.read import load_course
from dosecal.language import course_file
from dosecal.language.load import loads
from dosecal.model.dosing import Rounding
from dosecal.model.regimen import UNITS, Agent, Amount, Regimen
from dosecal.model.strengths import RoundWay
from dosecal.source import Source
from dosecal.views.diary import build

# /tmp/r.regimen of the brief, as text: the regimen's rule on line 3, capecitabine's on line 6.
REGIMEN = """\
regimen x "X"
  cycle 21 days, 8 cycles
  round to the nearest 5 mg within 10 percent
  capecitabine 1250 mg/m2 PO tablet, diary
    days 1-14 twice daily
    round down to 150 mg and 500 mg tablets
  oxaliplatin 130 mg/m2 IV
    day 1
"""
HEAD = 'regimen x "T"\n  cycle 21 days\n'
CAPECITABINE = "  capecitabine 1250 mg/m2 PO tablets, diary\n    days 1-14 twice daily\n"
DEXAMETHASONE = "  dexamethasone 20 mg PO tablets\n    day 1\n"
PATIENT = Measures(Decimal(70), Decimal(170))


def mg(value: str, unit: str = "mg") -> Amount:
    return Amount(Decimal(value), UNITS[unit])


def report(*lines: str) -> str:
    """The whole report for `regimen x` (line 1), `cycle 21 days` (line 2), then `lines`."""
    with pytest.raises(RegimenError) as caught:
        loads(HEAD + "".join(lines), "x.regimen")
    return caught.value.render() + "\n"


def agent(regimen: Regimen, key: str) -> Agent:
    return next(a for p in regimen.phases for a in p.agents if a.key == key)


# ---- a regimen's lines, lowered --------------------------------------------------------------------


def test_the_brief_regimen_lowers_to_its_rules() -> None:
    """Line 3 is the regimen's rule (5 mg, nearest, within 10 percent); line 6 capecitabine's (down, to
    its tablets, the largest first); oxaliplatin has none of its own."""
    regimen = loads(REGIMEN, "r.regimen")
    assert regimen.rounding == Rounding(mg("5"), Decimal(10), RoundWay.NEAREST, line=3)
    assert agent(regimen, "capecitabine").rounding == Rounding(
        None, None, RoundWay.DOWN, (mg("500"), mg("150")), "tablets", line=6
    )
    assert agent(regimen, "oxaliplatin").rounding is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("round up to the nearest 5 mg", Rounding(mg("5"), None, RoundWay.UP, line=5)),
        (
            "round down to the nearest 2.5 mg within 5 percent",
            Rounding(mg("2.5"), Decimal(5), RoundWay.DOWN, line=5),
        ),
        ("round to the nearest 1 g", Rounding(mg("1", "g"), None, RoundWay.NEAREST, line=5)),
        # In any order, and in mg and g: the largest first (0.5 g is 500 mg).
        (
            "round to 150 mg and 0.5 g tablets",
            Rounding(None, None, RoundWay.NEAREST, (mg("0.5", "g"), mg("150")), "tablets", line=5),
        ),
        (
            "round up to 50 mg, 450 mg and 150 mg vials within 7.5 percent",
            Rounding(None, Decimal("7.5"), RoundWay.UP, (mg("450"), mg("150"), mg("50")), "vials", line=5),
        ),
        (
            "round to 100 mg capsules",
            Rounding(None, None, RoundWay.NEAREST, (mg("100"),), "capsules", line=5),
        ),
    ],
)
def test_a_drug_rule_lowers_to_its_values(line: str, expected: Rounding) -> None:
    """Each form of a `round` line under a drug, and the Rounding it is."""
    regimen = loads(HEAD + CAPECITABINE + f"    {line}\n", "x.regimen")
    assert agent(regimen, "capecitabine").rounding == expected
    assert regimen.rounding is None


def test_a_drug_rule_inside_a_phase() -> None:
    """Under a drug of a phase, a rule is the drug's."""
    text = (
        'regimen x "T"\n  phase a\n    cycle 21 days, 2 cycles\n'
        "    capecitabine 1250 mg/m2 PO tablets, diary\n      days 1-14\n"
        "      round up to the nearest 10 mg\n"
    )
    assert agent(loads(text, "x.regimen"), "capecitabine").rounding == Rounding(
        mg("10"), None, RoundWay.UP, line=6
    )


def test_a_rule_is_used_by_a_level_dose_or_a_dose_left_open() -> None:
    """A stated 20 mg with a level at 0.3 mg/kg is computed at that level: its rule is used. A
    regimen's rule is used by a dose left to be chosen (it may be supplied per m2)."""
    level = loads(
        HEAD + DEXAMETHASONE + "    round to the nearest 5 mg\n  level 2: dexamethasone 0.3 mg/kg\n",
        "x.regimen",
    )
    assert agent(level, "dexamethasone").rounding == Rounding(mg("5"), line=5)
    left = loads(HEAD + "  round to the nearest 5 mg\n  drugx dose required IV\n    day 1\n", "x.regimen")
    assert left.rounding == Rounding(mg("5"), line=3)


# ---- a regimen's lines, refused ---------------------------------------------------------------------


def test_a_step_per_m2_is_refused() -> None:
    """A step is an amount a dose is given in: 5 mg, not 5 mg/m2 (at the unit)."""
    assert report(CAPECITABINE, "    round to the nearest 5 mg/m2\n") == (
        "x.regimen:5:28: round to an absolute amount\n"
        "        round to the nearest 5 mg/m2\n"
        "                               ^^^^^\n"
        "    hint: e.g. '5 mg'\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_a_strength_per_kg_is_refused() -> None:
    """A strength is an amount too: 150 mg/kg is refused at its unit."""
    assert report(CAPECITABINE, "    round to 150 mg/kg and 500 mg tablets\n") == (
        "x.regimen:5:18: round to an absolute amount\n"
        "        round to 150 mg/kg and 500 mg tablets\n"
        "                     ^^^^^\n"
        "    hint: e.g. '150 mg'\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_strengths_in_units_and_mg_are_refused() -> None:
    """Units (of activity) do not convert to mg: the whole line is shown."""
    assert report(CAPECITABINE, "    round to 100 units and 150 mg tablets\n") == (
        "x.regimen:5:5: these strengths are in units that do not convert to one another\n"
        "        round to 100 units and 150 mg tablets\n"
        "        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_a_rule_twice_under_a_drug() -> None:
    """The second `round` line of a drug is refused, naming the first."""
    assert report(
        CAPECITABINE, "    round to the nearest 5 mg\n    round down to 150 mg and 500 mg tablets\n"
    ) == (
        "x.regimen:6:5: capecitabine already gives this rule on line 5\n"
        "        round down to 150 mg and 500 mg tablets\n"
        "        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_a_rule_twice_under_the_regimen() -> None:
    """The second `round` line of the regimen is refused, naming the first."""
    assert report("  round to the nearest 5 mg\n  round up to the nearest 10 mg\n", CAPECITABINE) == (
        "x.regimen:4:3: this regimen already gives this rule on line 3\n"
        "      round up to the nearest 10 mg\n"
        "      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_a_rule_under_a_drug_whose_doses_are_all_stated() -> None:
    """Dexamethasone 20 mg is never computed, so never rounded: its rule would look as if it did something."""
    assert report(DEXAMETHASONE, "    round to the nearest 5 mg\n") == (
        "x.regimen:5:5: dexamethasone has no computed dose: this rule is not used\n"
        "        round to the nearest 5 mg\n"
        "        ^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "    hint: only doses per kg, per m2 or by AUC are rounded; a stated dose never is\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_a_regimen_rule_no_dose_is_computed_by() -> None:
    """The regimen's only drug is stated: the regimen's rule rounds nothing."""
    assert report("  round to the nearest 5 mg\n", DEXAMETHASONE) == (
        "x.regimen:3:3: no computed dose of this regimen is rounded by this rule\n"
        "      round to the nearest 5 mg\n"
        "      ^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "    hint: delete it\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_a_regimen_rule_every_computed_dose_has_its_own_in_place_of() -> None:
    """Capecitabine, the only computed dose, has its own rule: the regimen's rounds nothing."""
    assert report(
        "  round to the nearest 5 mg\n", CAPECITABINE, "    round down to 150 mg and 500 mg tablets\n"
    ) == (
        "x.regimen:3:3: no computed dose of this regimen is rounded by this rule\n"
        "      round to the nearest 5 mg\n"
        "      ^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "    hint: delete it\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_too_many_strengths() -> None:
    """A rule names at most 6 strengths: the 7th (7 mg, column 53) is shown."""
    assert report(CAPECITABINE, "    round to 1 mg, 2 mg, 3 mg, 4 mg, 5 mg, 6 mg and 7 mg tablets\n") == (
        "x.regimen:5:53: a rule names at most 6 strengths\n"
        "        round to 1 mg, 2 mg, 3 mg, 4 mg, 5 mg, 6 mg and 7 mg tablets\n"
        "                                                        ^^^^\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_a_percent_out_of_range() -> None:
    """`within 200 percent` is past the rounding percent's range (0.01 to 100), at the number."""
    assert report(CAPECITABINE, "    round to the nearest 5 mg within 200 percent\n") == (
        "x.regimen:5:38: 200 is out of range for a rounding percent\n"
        "        round to the nearest 5 mg within 200 percent\n"
        "                                         ^^^\n"
        "    hint: a rounding percent runs from 0.01 to 100, with at most 2 decimal places\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_a_rule_under_a_phase() -> None:
    """A phase holds no rule (as `BSA max 2.2 m2` there is refused, with this message): a `round`
    line under a phase is refused, not dropped."""
    text = (
        'regimen x "T"\n  phase a\n    cycle 21 days, 2 cycles\n    round to the nearest 5 mg\n'
        "    capecitabine 1250 mg/m2 PO tablets, diary\n      days 1-14 twice daily\n"
    )
    with pytest.raises(RegimenError) as caught:
        loads(text, "x.regimen")
    assert caught.value.render() + "\n" == (
        "x.regimen:4:5: a BSA, CrCl or round rule holds for the regimen or for one drug, not for a phase\n"
        "        round to the nearest 5 mg\n"
        "        ^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "    hint: indent it under the regimen line, or under the drug it is for\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_a_step_in_units_for_a_dose_in_mg_is_refused_when_read() -> None:
    """Capecitabine is dosed in mg; `round to the nearest 5 units` can never apply to it. Read, it
    passes (`dosecal check` says ok); expanded, it fails with a message naming neither the drug nor the
    line ("a dose in mg cannot be rounded to the nearest 5 units"). It should be refused at its line."""
    with pytest.raises(RegimenError):
        loads(HEAD + CAPECITABINE + "    round to the nearest 5 units\n", "x.regimen")


# ---- a course file's lines ---------------------------------------------------------------------------

COURSE = (
    'course pt-1\n  regimen "x.regimen"\n  start 2026-12-07\n  cycles 1\n  weight 70 kg\n  height 170 cm\n'
)


def parsed(*lines: str) -> course_file.CourseFile:
    """COURSE (lines 1-6), then `lines` from line 7, parsed with no mistake."""
    result, found = course_file.parse(Source(COURSE + "".join(lines), "c.course"))
    assert not found
    return result


@pytest.mark.parametrize(
    ("line", "drug", "expected"),
    [
        # The old form: `nearest` with no `to the`.
        (
            "rounding nearest 5 mg within 5 percent",
            None,
            Rounding(mg("5"), Decimal(5), RoundWay.NEAREST, line=7),
        ),
        ("rounding to the nearest 5 mg", None, Rounding(mg("5"), None, RoundWay.NEAREST, line=7)),
        ("rounding down to the nearest 5 mg", None, Rounding(mg("5"), None, RoundWay.DOWN, line=7)),
        ("rounding up nearest 10 mg", None, Rounding(mg("10"), None, RoundWay.UP, line=7)),
        (
            "rounding capecitabine down to 150 mg and 500 mg tablets within 10 percent",
            "capecitabine",
            Rounding(None, Decimal(10), RoundWay.DOWN, (mg("500"), mg("150")), "tablets", line=7),
        ),
        (
            "rounding to 150 mg and 0.5 g tablets",
            None,
            Rounding(None, None, RoundWay.NEAREST, (mg("0.5", "g"), mg("150")), "tablets", line=7),
        ),
    ],
)
def test_course_rounding_forms(line: str, drug: str | None, expected: Rounding) -> None:
    """Each form of a course file's `rounding` line: for every computed dose, or for one drug."""
    result = parsed(f"  {line}\n")
    if drug is None:
        assert (result.rounding, result.roundings) == (expected, [])
    else:
        assert (result.rounding, result.roundings) == (None, [(drug, expected)])


def test_course_rules_for_several_drugs_and_for_all() -> None:
    """One rule for every dose and one for each of two drugs, in file order."""
    result = parsed(
        "  rounding to the nearest 5 mg\n",
        "  rounding oxaliplatin up to the nearest 10 mg\n",
        "  rounding capecitabine down to 150 mg and 500 mg tablets\n",
    )
    assert result.rounding == Rounding(mg("5"), line=7)
    assert result.roundings == [
        ("oxaliplatin", Rounding(mg("10"), None, RoundWay.UP, line=8)),
        ("capecitabine", Rounding(None, None, RoundWay.DOWN, (mg("500"), mg("150")), "tablets", line=9)),
    ]


def load_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *lines: str) -> str:
    """The whole report of c.course (COURSE, then `lines`) for REGIMEN as x.regimen beside it."""
    (tmp_path / "x.regimen").write_text(REGIMEN, encoding="utf-8")
    (tmp_path / "c.course").write_text(COURSE + "".join(lines), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RegimenError) as caught:
        load_course("c.course")
    return caught.value.render() + "\n"


def test_a_course_rule_twice_for_one_drug(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two rules for capecitabine: the second is refused at its word `rounding`, naming the first."""
    lines = (
        "  rounding capecitabine down to the nearest 5 mg\n",
        "  rounding capecitabine up to the nearest 5 mg\n",
    )
    assert load_report(tmp_path, monkeypatch, *lines) == (
        "c.course:8:3: 'rounding capecitabine' is already given on line 7\n"
        "      rounding capecitabine up to the nearest 5 mg\n"
        "      ^^^^^^^^\n"
        "\n"
        "1 error in c.course\n"
    )


def test_a_course_rule_twice_for_every_dose(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two rules for every dose: the second is refused, naming the first."""
    lines = ("  rounding nearest 5 mg\n", "  rounding down to the nearest 5 mg\n")
    assert load_report(tmp_path, monkeypatch, *lines) == (
        "c.course:8:3: 'rounding' is already given on line 7\n"
        "      rounding down to the nearest 5 mg\n"
        "      ^^^^^^^^\n"
        "\n"
        "1 error in c.course\n"
    )


def test_a_course_rule_for_a_drug_not_in_the_regimen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cisplatin is not a drug of x: refused at its name on its line, with the regimen's drugs."""
    assert load_report(tmp_path, monkeypatch, "  rounding cisplatin down to the nearest 5 mg\n") == (
        "c.course:7:12: a rounding rule names 'cisplatin', which is not a drug of x\n"
        "      rounding cisplatin down to the nearest 5 mg\n"
        "               ^^^^^^^^^\n"
        "    hint: its drugs are capecitabine, oxaliplatin\n"
        "\n"
        "1 error in c.course\n"
    )


def test_a_course_step_per_m2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A course's step is an absolute amount too, refused at its unit."""
    assert load_report(tmp_path, monkeypatch, "  rounding nearest 5 mg/m2\n") == (
        "c.course:7:22: round to an absolute amount\n"
        "      rounding nearest 5 mg/m2\n"
        "                         ^^^^^\n"
        "    hint: e.g. 'rounding nearest 5 mg'\n"
        "\n"
        "1 error in c.course\n"
    )


def test_course_strengths_in_units_and_mg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Units and mg do not convert: the whole line."""
    assert load_report(tmp_path, monkeypatch, "  rounding to 10 units and 5 mg vials\n") == (
        "c.course:7:3: these strengths are in units that do not convert to one another\n"
        "      rounding to 10 units and 5 mg vials\n"
        "      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "\n"
        "1 error in c.course\n"
    )


def test_course_too_many_strengths() -> None:
    """A regimen's rule names at most 6 strengths; a course file's line with 7 should be refused at
    its line as well, not fail later on 2275 mg being more than 100 units of 1 mg."""
    _, found = course_file.parse(
        Source(COURSE + "  rounding to 1 mg, 2 mg, 3 mg, 4 mg, 5 mg, 6 mg and 7 mg tablets\n", "c.course")
    )
    assert [d.span.line for d in found] == [7]


def test_a_course_rule_that_cannot_apply_is_refused_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Oxaliplatin is dosed in mg: `rounding oxaliplatin to the nearest 5 units` can never apply.
    Checking the course passes, and expanding fails with "a dose in mg cannot be rounded to the nearest
    5 units", at no line; it should be refused at line 7, as a course file's mistakes are."""
    assert load_report(tmp_path, monkeypatch, "  rounding oxaliplatin to the nearest 5 units\n").startswith(
        "c.course:7:"
    )


def test_two_rules_for_one_drug_through_the_api() -> None:
    """A Course built in code may hold two rules for one drug: refused, at the second's line."""
    rule = Rounding(mg("5"), line=None)
    course = Course(
        dt.date(2026, 12, 7), 1, measures=PATIENT, roundings=(("capecitabine", rule), ("capecitabine", rule))
    )
    with pytest.raises(CourseError) as caught:
        dosecal.expand(loads(REGIMEN, "r.regimen"), course)
    assert (str(caught.value), caught.value.subject) == (
        "capecitabine has two rounding rules",
        Subject.ROUNDING,
    )


# ---- which rule a dose is rounded by, and how its basis says so ---------------------------------------


def bases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, regimen: str, *lines: str) -> dict[str, str]:
    """Each drug's basis on cycle 1 day 1 (up to the BSA's step) for c.course (COURSE, then `lines`)."""
    (tmp_path / "x.regimen").write_text(regimen, encoding="utf-8")
    (tmp_path / "c.course").write_text(COURSE + "".join(lines), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    schedule = dosecal.expand(*load_course("c.course"))
    first = [a for a in schedule.administrations if a.cycle_day == 1 and a.slot == 1]
    return {a.agent: a.dose_basis.split("; BSA")[0] for a in first}


def test_the_regimen_rules_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No course rule: capecitabine by its own (line 6), oxaliplatin by the regimen's (line 3)."""
    assert bases(tmp_path, monkeypatch, REGIMEN) == {
        "capecitabine": "1250 mg/m2 x 1.82 m2 = 2275 mg, rounded down to 150 mg and 500 mg tablets "
        "(regimen line 6) = 2250 mg = 3 x 500 mg + 5 x 150 mg",
        "oxaliplatin": "130 mg/m2 x 1.82 m2 = 236.6 mg, rounded to the nearest 5 mg (regimen line 3) "
        "= 235 mg",
    }


def test_the_course_rule_for_every_dose(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The course's rule for every dose (line 7, up to the nearest 10 mg) in place of the regimen's
    step (oxaliplatin: 236.6 -> 240 mg), but not of capecitabine's tablets: a step would make a dose
    no tablets make (2280 mg); capecitabine stays down to its tablets, 2250 = 3 x 500 + 5 x 150 mg.
    A course rule for capecitabine itself replaces them (next test)."""
    assert bases(tmp_path, monkeypatch, REGIMEN, "  rounding up to the nearest 10 mg\n") == {
        "capecitabine": "1250 mg/m2 x 1.82 m2 = 2275 mg, rounded down to 150 mg and 500 mg tablets "
        "(regimen line 6) = 2250 mg = 3 x 500 mg + 5 x 150 mg",
        "oxaliplatin": "130 mg/m2 x 1.82 m2 = 236.6 mg, rounded up to the nearest 10 mg "
        "(course line 7, in place of regimen line 3) = 240 mg",
    }


def test_the_course_rule_for_a_drug_before_the_course_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Capecitabine by the course's own rule for it (line 8, up to its tablets: 2300 mg), oxaliplatin
    by the course's rule for every dose (line 7)."""
    lines = (
        "  rounding up to the nearest 10 mg\n",
        "  rounding capecitabine up to 150 mg and 500 mg tablets\n",
    )
    assert bases(tmp_path, monkeypatch, REGIMEN, *lines) == {
        "capecitabine": "1250 mg/m2 x 1.82 m2 = 2275 mg, rounded up to 150 mg and 500 mg tablets "
        "(course line 8, in place of regimen line 6) = 2300 mg = 4 x 500 mg + 2 x 150 mg",
        "oxaliplatin": "130 mg/m2 x 1.82 m2 = 236.6 mg, rounded up to the nearest 10 mg "
        "(course line 7, in place of regimen line 3) = 240 mg",
    }


def test_a_course_rule_for_one_drug_leaves_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A course rule for oxaliplatin only: capecitabine keeps its regimen rule."""
    assert bases(tmp_path, monkeypatch, REGIMEN, "  rounding oxaliplatin up to the nearest 10 mg\n") == {
        "capecitabine": "1250 mg/m2 x 1.82 m2 = 2275 mg, rounded down to 150 mg and 500 mg tablets "
        "(regimen line 6) = 2250 mg = 3 x 500 mg + 5 x 150 mg",
        "oxaliplatin": "130 mg/m2 x 1.82 m2 = 236.6 mg, rounded up to the nearest 10 mg "
        "(course line 7, in place of regimen line 3) = 240 mg",
    }


def test_a_course_rule_where_the_regimen_has_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no rule in the regimen there is nothing to be in place of, and the course's rule is not
    named: up to the nearest 10 mg, 2280 mg and 240 mg."""
    plain = (
        'regimen x "X"\n  cycle 21 days, 8 cycles\n  capecitabine 1250 mg/m2 PO tablet, diary\n'
        "    days 1-14 twice daily\n  oxaliplatin 130 mg/m2 IV\n    day 1\n"
    )
    assert bases(tmp_path, monkeypatch, plain, "  rounding up to the nearest 10 mg\n") == {
        "capecitabine": "1250 mg/m2 x 1.82 m2 = 2275 mg, rounded up to the nearest 10 mg = 2280 mg",
        "oxaliplatin": "130 mg/m2 x 1.82 m2 = 236.6 mg, rounded up to the nearest 10 mg = 240 mg",
    }


def test_a_course_rule_given_in_code_has_no_line() -> None:
    """A Course built in code: its rule has no line, and is 'the course's rule'."""
    course = Course(dt.date(2026, 12, 7), 1, measures=PATIENT, rounding=Rounding(mg("10"), way=RoundWay.UP))
    rows = dosecal.expand(loads(REGIMEN, "r.regimen"), course).administrations
    oxaliplatin = next(a for a in rows if a.agent == "oxaliplatin")
    assert oxaliplatin.computed_amount == Decimal(240)
    assert oxaliplatin.dose_basis.startswith(
        "130 mg/m2 x 1.82 m2 = 236.6 mg, rounded up to the nearest 10 mg "
        "(the course's rule, in place of regimen line 3) = 240 mg; "
    )


def test_every_capecitabine_dose_is_made_of_tablets() -> None:
    """All 28 doses of cycle 1 (days 1-14, twice) are 2250 mg of 3 x 500 + 5 x 150; oxaliplatin, on a
    step, is made of nothing."""
    course = Course(dt.date(2026, 12, 7), 1, measures=PATIENT)
    rows = dosecal.expand(loads(REGIMEN, "r.regimen"), course).administrations
    capecitabine = [a for a in rows if a.agent == "capecitabine"]
    assert len(capecitabine) == 28
    assert {(a.computed_amount, a.made_of and a.made_of.units, a.made_of_form) for a in capecitabine} == {
        (Decimal(2250), ((Decimal(500), 3), (Decimal(150), 5)), "tablets")
    }
    assert {a.made_of for a in rows if a.agent == "oxaliplatin"} == {None}


# ---- the diary -----------------------------------------------------------------------------------------


def test_the_diary_says_the_tablets() -> None:
    """The diary's instructions for capecitabine: '1250 mg/m2 = 2250 mg (3 x 500 mg + 5 x 150 mg
    tablets)'; each row's cell says the dose, 2250 mg."""
    course = Course(dt.date(2026, 12, 7), 1, measures=PATIENT)
    diary = build(dosecal.expand(loads(REGIMEN, "r.regimen"), course))
    (sheet,) = diary.sheets
    (drug,) = sheet.drugs  # oxaliplatin is given at the clinic
    assert drug.name == "capecitabine"
    assert drug.dose == "1250 mg/m2 = 2250 mg (3 x 500 mg + 5 x 150 mg tablets)"
    assert {c.dose for row in sheet.rows for c in row.cells if c is not None} == {"2250 mg"}


def test_the_diary_keeps_the_tablets_under_a_course_step() -> None:
    """A course rule to the nearest 5 mg for every dose does not undo capecitabine's tablets: the
    Dose line still names them (2250 = 3 x 500 + 5 x 150 mg)."""
    rule = Rounding(mg("5"), line=7)
    course = Course(dt.date(2026, 12, 7), 1, measures=PATIENT, rounding=rule)
    (sheet,) = build(dosecal.expand(loads(REGIMEN, "r.regimen"), course)).sheets
    assert sheet.drugs[0].dose == "1250 mg/m2 = 2250 mg (3 x 500 mg + 5 x 150 mg tablets)"


def test_the_diary_without_tablets_when_not_made_of_them() -> None:
    """A course rule for capecitabine itself, to the nearest 5 mg, in place of the tablets: 2275 mg
    is on a step, nothing is made of tablets, and the Dose line names none."""
    rule = Rounding(mg("5"), line=7)
    course = Course(dt.date(2026, 12, 7), 1, measures=PATIENT, roundings=(("capecitabine", rule),))
    (sheet,) = build(dosecal.expand(loads(REGIMEN, "r.regimen"), course)).sheets
    assert sheet.drugs[0].dose == "1250 mg/m2 = 2275 mg"


def _pdftotext() -> str:
    """Debian's pdftotext; CI installs it (.ci/run), so there it must be present."""
    path = shutil.which("pdftotext")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext is not installed; .ci/run installs it")
        pytest.skip("pdftotext is not installed here (CI installs it)")
    return path


def test_the_diary_pdf_says_the_tablets(tmp_path: Path) -> None:
    """`dosecal diary` for REGIMEN: the PDF's text holds the Dose line with the tablets."""
    regimen, target = tmp_path / "r.regimen", tmp_path / "x.pdf"
    regimen.write_text(REGIMEN, encoding="utf-8")
    options = [
        "--start",
        "2026-12-07",
        "--cycles",
        "1",
        "--weight",
        "70",
        "--height",
        "170",
        "-o",
        str(target),
    ]
    result = CliRunner().invoke(cli, ["diary", str(regimen), *options])
    assert result.exit_code == 0, result.output
    text = subprocess.run([_pdftotext(), str(target), "-"], capture_output=True, text=True, check=True).stdout
    assert "Dose: 1250 mg/m2 = 2250 mg (3 x 500 mg + 5 x 150 mg tablets)" in text
