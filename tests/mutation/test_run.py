"""The mutation runner's own rules: mutant names, diffs, the equivalent list, the sample, the score.

Mutmut itself is not run here (a run takes minutes; tests/mutation/run.py's docstring says how).
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest

from .run import (
    EQUIVALENT,
    Change,
    Equivalent,
    Mutant,
    Outcome,
    choose,
    configured_modules,
    exactly,
    judge,
    load_equivalents,
    parse_change,
    split_name,
    table,
)

SHOWN = """# dosecal.model.dosing.x__rounded__mutmut_19: survived
--- src/dosecal/model/dosing.py
+++ src/dosecal/model/dosing.py
@@ -4,7 +4,7 @@
     step = convert(rounding.step.value, rounding.step.unit.absolute, unit)
-    rounded = (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
+    rounded = (value / step).quantize(Decimal(2), rounding=ROUND_HALF_UP) * step
     if rounded <= 0:
"""


@pytest.mark.parametrize(
    ("name", "module", "function"),
    [
        ("dosecal.model.dosing.x__rounded__mutmut_19", "dosecal.model.dosing", "_rounded"),
        ("dosecal.model.course.xǁPlanǁmoved_by__mutmut_11", "dosecal.model.course", "Plan.moved_by"),
        ("dosecal.render.csv_table.x_neutralise__mutmut_2", "dosecal.render.csv_table", "neutralise"),
        ("dosecal.model.adjust.xǁCycleRefǁ__str____mutmut_1", "dosecal.model.adjust", "CycleRef.__str__"),
    ],
)
def test_a_mutant_name_gives_its_module_and_function(name: str, module: str, function: str) -> None:
    """Mutmut writes a function as x_NAME and a method as xǁCLASSǁNAME, then __mutmut_N."""
    assert split_name(name) == (module, function)


def test_a_diff_gives_the_removed_and_added_lines_stripped() -> None:
    """The header lines (--- and +++) are not changes; context lines are left out."""
    assert parse_change(SHOWN) == Change(
        "rounded = (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step",
        "rounded = (value / step).quantize(Decimal(2), rounding=ROUND_HALF_UP) * step",
    )
    two = "--- a\n+++ b\n-    f(\n-        x)\n+    None\n"
    assert parse_change(two) == Change("f(\nx)", "None")


def test_a_survivor_is_equivalent_only_when_module_function_and_lines_all_match() -> None:
    """The same changed line in another function, or another change of the same line, is not."""
    entry = Equivalent("dosecal.model.dosing", "_rounded", "a = 1", "a = 2", "why")
    change = Change("a = 1", "a = 2")
    survivors = [
        Mutant("dosecal.model.dosing.x__rounded__mutmut_1", "survived"),
        Mutant("dosecal.model.dosing.x__shown__mutmut_1", "survived"),
        Mutant("dosecal.model.dosing.x__rounded__mutmut_2", "no tests"),
        Mutant("dosecal.model.dosing.x__rounded__mutmut_3", "killed"),
    ]
    changes = {
        survivors[0].name: (change, "d0"),
        survivors[1].name: (change, "d1"),
        survivors[2].name: (Change("a = 1", "a = 3"), "d2"),
    }
    outcome = judge(survivors, changes, [entry])
    assert outcome.equivalent == {survivors[0].name: entry}
    assert outcome.unexplained == [(survivors[1], "d1"), (survivors[2], "d2")]


def test_the_score_leaves_the_equivalent_mutants_out() -> None:
    """10 mutants: 8 killed (a timeout counts: the mutant hung), 1 equivalent, 1 survived: 8 of 9."""
    mutants = [Mutant(f"dosecal.model.adjust.x_f__mutmut_{n}", "killed") for n in range(1, 8)]
    mutants += [
        Mutant("dosecal.model.adjust.x_f__mutmut_8", "timeout"),
        Mutant("dosecal.model.adjust.x_f__mutmut_9", "survived"),
        Mutant("dosecal.model.adjust.x_f__mutmut_10", "survived"),
    ]
    entry = Equivalent("dosecal.model.adjust", "f", "a", "b", "why")
    outcome = Outcome(mutants, [(mutants[9], "")], {mutants[8].name: entry})
    assert table(outcome, ["dosecal.model.adjust", "dosecal.model.course"]).splitlines() == [
        "module                       mutants  killed survived equivalent   score",
        "dosecal.model.adjust              10       8        1          1   88.9%",
    ]


def test_the_sample_is_the_same_for_the_same_seed_and_only_of_the_modules_asked() -> None:
    """A seeded sample is reproducible (a CI failure can be rerun), and other modules stay out."""
    names = [f"dosecal.model.adjust.x_f__mutmut_{n}" for n in range(1, 51)] + ["dosecal.text.x_g__mutmut_1"]
    first = choose(names, ["dosecal.model.adjust"], 10, seed=3)
    assert first == choose(reversed(names), ["dosecal.model.adjust"], 10, seed=3)
    assert len(set(first)) == 10 and all(n.startswith("dosecal.model.adjust.") for n in first)
    assert choose(names, ["dosecal.text"], 10, seed=3) == ["dosecal.text.x_g__mutmut_1"]
    assert len(choose(names, ["dosecal.model.adjust"], None, seed=0)) == 50


def test_the_equivalent_list_is_well_formed() -> None:
    """Every entry names a configured module, a changed line, and a reason; no entry twice."""
    entries = load_equivalents(EQUIVALENT)
    modules = set(configured_modules())
    assert entries
    for entry in entries:
        assert entry.module in modules, entry
        assert entry.before != entry.after, entry
    assert len(entries) == len(set(entries))


def test_an_entry_without_its_reason_is_refused(tmp_path: Path) -> None:
    """An entry must say why the mutant cannot change behaviour."""
    listed = tmp_path / "equivalent.toml"
    listed.write_text('[[equivalent]]\nmodule = "m"\nfunction = "f"\nbefore = "a"\nafter = "b"\n', "utf-8")
    with pytest.raises(SystemExit, match=r"entry 1: missing \['why'\]"):
        load_equivalents(listed)


def test_a_pattern_for_exactly_one_mutant() -> None:
    """mutmut run is given patterns (a plain name of an untested function makes it fail): the
    pattern for mutant 1 must not match mutant 10 or 11, nor mutant 1 of another function."""
    pattern = exactly("dosecal.model.adjust.x_check__mutmut_1")
    assert "*" in pattern
    names = ["dosecal.model.adjust.x_check__mutmut_1", "dosecal.model.adjust.x_check__mutmut_10"]
    names += ["dosecal.model.adjust.x_check__mutmut_11", "dosecal.model.adjust.x__check_repeat__mutmut_1"]
    assert [n for n in names if fnmatch.fnmatch(n, pattern)] == ["dosecal.model.adjust.x_check__mutmut_1"]
    method = "dosecal.model.course.xǁPlanǁmoved_by__mutmut_12"
    assert fnmatch.fnmatch(method, exactly(method))
