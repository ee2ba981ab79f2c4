"""The transformer (`language/transformer.py`): lark's tree -> the syntax tree, and lark loaded late."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import fields, is_dataclass
from importlib import resources
from pathlib import Path

import pytest

from dosecal.language import syntax as s
from dosecal.language.parser import parse
from dosecal.source import Source, Span

from ..conftest import SCHEDULES

_LAZY = """
import sys
import dosecal.language.load as load
print("lark" in sys.modules, "dosecal.language.transformer" in sys.modules)
load.loads('regimen x "t"\\n  cycle 7 days\\n  a PO\\n    day 1\\n')
print("lark" in sys.modules, "dosecal.language.transformer" in sys.modules)
"""


def test_lark_is_imported_only_when_a_regimen_is_parsed() -> None:
    """Importing the loader loads neither lark nor the transformer; parsing a regimen loads both."""
    run = subprocess.run([sys.executable, "-c", _LAZY], capture_output=True, text=True, check=True)
    assert run.stdout.split("\n")[:2] == ["False False", "True True"]


_SMALL = (
    'regimen demo "Demo"\n'
    "  cycle 21 days, 6 cycles\n"
    "  vincristine 1.4 mg/m2 IV, max 2 mg\n"
    "    days 1-5, twice daily\n"
)


def _small_expected() -> s.RegimenNode:
    """The syntax tree of `_SMALL`, written out by hand from its columns."""
    days = s.DayRuleNode(
        None,
        (s.SpanItem(s.Num("1", Span(4, 10, 1)), s.Num("5", Span(4, 12, 1)), Span(4, 10, 3)),),
        (s.FrequencyNode(2, Span(4, 15, 11)),),
        Span(4, 5, 21),
    )
    cap = s.CapNode(
        s.AmountNode(s.Num("2", Span(3, 33, 1)), s.Word("mg", Span(3, 35, 2)), Span(3, 33, 4)), Span(3, 29, 8)
    )
    agent = s.AgentNode(
        s.AgentRef("vincristine", None, Span(3, 3, 11)),
        s.AmountNode(s.Num("1.4", Span(3, 15, 3)), s.Word("mg/m2", Span(3, 19, 5)), Span(3, 15, 9)),
        s.Word("IV", Span(3, 25, 2)),
        None,
        (cap,),
        # A statement ends with its line's end, so it runs to the next line: length 0.
        (s.ClauseNode(False, days, days.tails, Span(4, 5, 0)),),
        Span(3, 3, 34),
    )
    cycle = s.CycleNode(
        s.Num("21", Span(2, 9, 2)),
        s.Word("days", Span(2, 12, 4)),
        s.Num("6", Span(2, 18, 1)),
        None,
        Span(2, 3, 0),
    )
    return s.RegimenNode(s.Word("demo", Span(1, 9, 4)), "Demo", (cycle, agent), Span(1, 1, 0))


def test_a_small_regimen_gives_the_tree_written_by_hand() -> None:
    """Every node, value and span of a small regimen is as expected."""
    result = parse(Source(_SMALL, "demo.regimen"))
    assert result.diagnostics == ()
    assert result.tree == _small_expected()


def test_optional_parts_and_alternatives() -> None:
    """Absent optional parts are None or empty; each alternative of a rule gives its own node."""
    text = (
        'regimen x "X"\n'
        "  cycle 28 days, until progression\n"
        "  a (oral) PO over 1-2 hours, after b\n"
        "    step-up odd cycles 1, 3+: day 1 at 5 mg, at 08:00 and 20:00\n"
        "    every 2 weeks from cycle 1 day 8, for 3 doses, three times daily\n"
        "  b IV\n"
        "    day 1\n"
        "  level 1: a dose required\n"
    )
    tree = parse(Source(text, "x.regimen")).tree
    assert tree is not None
    cycle, a, _, level = tree.items
    assert isinstance(cycle, s.CycleNode) and isinstance(a, s.AgentNode) and isinstance(level, s.LevelNode)
    assert (cycle.count, cycle.until) == (None, "progression")
    assert (a.ref.key, a.dose, a.form) == ("a (oral)", None, None)
    duration, after = a.options
    assert isinstance(duration, s.DurationNode) and isinstance(after, s.AfterNode)
    assert duration.high is not None
    assert (duration.low.text, duration.high.text, duration.unit.text) == ("1", "2", "hours")
    assert after.ref.key == "b"
    step_up, interval = (c for c in a.items if isinstance(c, s.ClauseNode))
    assert step_up.step_up and not interval.step_up
    rule = step_up.rule
    assert isinstance(rule, s.DayRuleNode) and rule.selector is not None
    assert rule.selector.parity is not None and rule.selector.parity.text == "odd"
    assert [type(i) for i in rule.selector.items] == [s.SingleItem, s.OnwardItem]
    dose, times = rule.tails
    assert isinstance(dose, s.ClauseDoseNode) and isinstance(times, s.TimesNode)
    assert [t.text for t in times.times] == ["08:00", "20:00"]
    every = interval.rule
    assert isinstance(every, s.IntervalNode) and every.anchor is not None
    assert ([n.text for n in every.anchor], every.count and every.count.text) == (["1", "8"], "3")
    assert every.tails == (s.FrequencyNode(3, every.tails[0].span),)
    assert isinstance(level.overrides[0].dose, s.RequiredNode)


def _rule_names() -> set[str]:
    """The names lark gives trees of regimen.lark: its rules and aliases, less the inlined ones."""
    grammar = resources.files("dosecal.language").joinpath("regimen.lark").read_text("utf-8")
    rules = set(re.findall(r"^!?([a-z][a-z0-9_]*):", grammar, flags=re.MULTILINE))
    return rules | set(re.findall(r"->\s*([a-z][a-z0-9_]*)", grammar))


def test_every_rule_has_a_method() -> None:
    """A rule without a method would leave a lark tree inside the syntax tree."""
    from dosecal.language.transformer import ToSyntax

    assert {"regimen", "agent_header", "cycle_count", "times_daily"} <= _rule_names()
    assert sorted(n for n in _rule_names() if not callable(getattr(ToSyntax, n, None))) == []


def _nodes(node: object) -> list[object]:
    """`node` and everything under it, through dataclass fields and tuples."""
    found: list[object] = [node]
    values = [getattr(node, f.name) for f in fields(node)] if is_dataclass(node) else []
    for value in values:
        for item in value if isinstance(value, tuple) else (value,):
            found.extend(_nodes(item))
    return found


@pytest.mark.parametrize("path", sorted(SCHEDULES.glob("*.regimen")), ids=lambda p: p.stem)
def test_bundled_regimens_hold_only_syntax_nodes(path: Path) -> None:
    """Each bundled regimen gives a tree of syntax nodes and plain values only: no lark object left."""
    from lark import Token, Tree

    result = parse(Source(path.read_text("utf-8"), path.name))
    assert result.diagnostics == () and result.tree is not None
    leftovers = [n for n in _nodes(result.tree) if isinstance(n, Tree | Token)]
    assert leftovers == []
