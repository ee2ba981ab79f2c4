"""Lark's parse tree -> the typed syntax tree of `syntax.py`, with spans."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from dosecal.language import syntax as s
from dosecal.source import Span

if TYPE_CHECKING:
    from lark import Token

_PER_DAY = {"three": 3, "four": 4, "five": 5, "six": 6}


def to_syntax(tree: Any) -> s.RegimenNode:
    """Build the syntax tree of a parsed regimen file."""
    return _transformer_class()().transform(tree)  # type: ignore[no-any-return]


def _span(meta: Any) -> Span:
    """The node's text; a node that runs past its line is shown to the line's end (length 0)."""
    same_line = getattr(meta, "end_line", meta.line) == meta.line
    length = meta.end_column - meta.column if same_line else 0
    return Span(meta.line, meta.column, length)


def _tspan(token: Token) -> Span:
    return Span(token.line or 1, token.column or 1, max(1, len(str(token))))


def _num(token: Token) -> s.Num:
    return s.Num(str(token), _tspan(token))


def _word(token: Token) -> s.Word:
    return s.Word(str(token), _tspan(token))


def _text(token: Token) -> str:
    return str(token)[1:-1]


def _make_transformer() -> type:
    from lark import Transformer, v_args

    @v_args(meta=True)
    class ToSyntax(Transformer[Any, Any]):
        def start(self, meta: Any, c: list[Any]) -> s.RegimenNode:
            return c[-1]  # type: ignore[no-any-return]

        def regimen(self, meta: Any, c: list[Any]) -> s.RegimenNode:
            return s.RegimenNode(_word(c[0]), _text(c[1]), tuple(c[2:]), _span(meta))

        def source(self, meta: Any, c: list[Any]) -> s.SourceNode:
            return s.SourceNode(_text(c[0]), _span(meta))

        def note(self, meta: Any, c: list[Any]) -> s.NoteNode:
            return s.NoteNode(_text(c[0]), _span(meta))

        def missed_dose(self, meta: Any, c: list[Any]) -> s.MissedDoseNode:
            return s.MissedDoseNode(_text(c[0]), _span(meta))

        def cycle(self, meta: Any, c: list[Any]) -> s.CycleNode:
            length, period, end = c
            count = end if isinstance(end, s.Num) else None
            until = end if isinstance(end, str) else None
            return s.CycleNode(_num(length), period, count, until, _span(meta))

        def cycle_count(self, meta: Any, c: list[Any]) -> s.Num:
            return _num(c[0])

        def until_progression(self, meta: Any, c: list[Any]) -> str:
            return "progression"

        def until_text(self, meta: Any, c: list[Any]) -> str:
            return _text(c[0])

        def period(self, meta: Any, c: list[Any]) -> s.Word:
            return _word(c[0])

        time_unit = period
        form = period
        parity = period
        cycle_word = period

        def route(self, meta: Any, c: list[Any]) -> s.Word:
            return _word(c[0])

        def phase(self, meta: Any, c: list[Any]) -> s.PhaseNode:
            return s.PhaseNode(_word(c[0]), tuple(c[1:]), _span(meta))

        def agent(self, meta: Any, c: list[Any]) -> s.AgentNode:
            header: s.AgentNode = c[0]
            return s.AgentNode(
                header.ref,
                header.dose,
                header.route,
                header.form,
                header.options,
                tuple(c[1:]),
                header.span,
            )

        def agent_header(self, meta: Any, c: list[Any]) -> s.AgentNode:
            ref, dose, route, form, *options = c
            return s.AgentNode(ref, dose, route, form, tuple(options), (), _span(meta))

        def agent_ref(self, meta: Any, c: list[Any]) -> s.AgentRef:
            return s.AgentRef(c[0], c[1], _span(meta))

        def agent_name(self, meta: Any, c: list[Any]) -> str:
            return " ".join(str(w) for w in c)

        label = agent_name

        def duration(self, meta: Any, c: list[Any]) -> s.DurationNode:
            low, high, unit = c
            return s.DurationNode(_num(low), _num(high) if high else None, unit, _span(meta))

        def after(self, meta: Any, c: list[Any]) -> s.AfterNode:
            return s.AfterNode(c[0], _span(meta))

        def diary(self, meta: Any, c: list[Any]) -> s.DiaryNode:
            return s.DiaryNode(_span(meta))

        def cap(self, meta: Any, c: list[Any]) -> s.CapNode:
            return s.CapNode(c[0], _span(meta))

        def amount(self, meta: Any, c: list[Any]) -> s.AmountNode:
            return s.AmountNode(_num(c[0]), _word(c[1]), _span(meta))

        def required(self, meta: Any, c: list[Any]) -> s.RequiredNode:
            return s.RequiredNode(_span(meta))

        def clause(self, meta: Any, c: list[Any]) -> s.ClauseNode:
            step_up, rule = c
            return s.ClauseNode(step_up is not None, rule, rule.tails, _span(meta))

        def step_up(self, meta: Any, c: list[Any]) -> bool:
            return True

        def day_rule(self, meta: Any, c: list[Any]) -> s.DayRuleNode:
            selector, *rest = c
            days = tuple(x for x in rest if isinstance(x, (s.SingleItem, s.SpanItem)))
            tails = tuple(x for x in rest if not isinstance(x, (s.SingleItem, s.SpanItem)))
            return s.DayRuleNode(selector, days, tails, _span(meta))

        def selector(self, meta: Any, c: list[Any]) -> s.SelectorNode:
            parity, keyword, items = c
            return s.SelectorNode(parity, keyword, items or (), _span(meta))

        def cycle_items(self, meta: Any, c: list[Any]) -> tuple[s.Item, ...]:
            return tuple(c)

        def single(self, meta: Any, c: list[Any]) -> s.SingleItem:
            return s.SingleItem(_num(c[0]), _span(meta))

        def span(self, meta: Any, c: list[Any]) -> s.SpanItem:
            return s.SpanItem(_num(c[0]), _num(c[1]), _span(meta))

        def onward(self, meta: Any, c: list[Any]) -> s.OnwardItem:
            return s.OnwardItem(_num(c[0]), _span(meta))

        def interval(self, meta: Any, c: list[Any]) -> s.IntervalNode:
            every, period, anchor, count, *tails = c
            return s.IntervalNode(_num(every), period, anchor, count, tuple(tails), _span(meta))

        def anchor(self, meta: Any, c: list[Any]) -> tuple[s.Num, s.Num]:
            return (_num(c[0]), _num(c[1]))

        def dose_count(self, meta: Any, c: list[Any]) -> s.Num:
            return _num(c[0])

        def clause_dose(self, meta: Any, c: list[Any]) -> s.ClauseDoseNode:
            return s.ClauseDoseNode(c[0], _span(meta))

        def once_daily(self, meta: Any, c: list[Any]) -> s.FrequencyNode:
            return s.FrequencyNode(1, _span(meta))

        def twice_daily(self, meta: Any, c: list[Any]) -> s.FrequencyNode:
            return s.FrequencyNode(2, _span(meta))

        def times_daily(self, meta: Any, c: list[Any]) -> s.FrequencyNode:
            return s.FrequencyNode(_PER_DAY[c[0].text], _span(meta))

        per_day = period

        def times(self, meta: Any, c: list[Any]) -> s.TimesNode:
            return s.TimesNode(tuple(_word(t) for t in c), _span(meta))

        def level(self, meta: Any, c: list[Any]) -> s.LevelNode:
            return s.LevelNode(_word(c[0]), tuple(c[1:]), _span(meta))

        def override(self, meta: Any, c: list[Any]) -> s.OverrideNode:
            return s.OverrideNode(c[0], c[1], _span(meta))

    return ToSyntax


@cache
def _transformer_class() -> type:
    return _make_transformer()
