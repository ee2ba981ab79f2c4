"""Regimen text -> syntax tree (`syntax.RegimenNode`), with line:col on every node.

The grammar is `regimen.lark`, loaded once. Lark stops at the first syntax
error, but a user wants every mistake of a file at once, so `parse` recovers:
it records the error, blanks the offending line (keeping a stand-in header
when the line owned an indented block, so the block still parses) and parses
again. Lines so replaced are returned, so that lowering does not report
follow-on errors about what it could not read.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from dosecal.errors import Diagnostic
from dosecal.language import syntax as s
from dosecal.source import Source, Span

if TYPE_CHECKING:
    from lark import Lark, Token
    from lark.exceptions import UnexpectedInput

_MAX_ERRORS = 50


@dataclass(frozen=True, slots=True)
class ParseResult:
    """The tree (None when nothing could be read) and the syntax errors found."""

    tree: s.RegimenNode | None
    diagnostics: tuple[Diagnostic, ...]
    recovered_lines: frozenset[int]


@cache
def _lark() -> Lark:
    from lark import Lark
    from lark.indenter import Indenter

    class _Indenter(Indenter):
        NL_type = "_NL"
        OPEN_PAREN_types: list[str] = []
        CLOSE_PAREN_types: list[str] = []
        INDENT_type = "_INDENT"
        DEDENT_type = "_DEDENT"
        tab_len = 8

    grammar = resources.files("dosecal.language").joinpath("regimen.lark").read_text("utf-8")
    return Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        postlex=_Indenter(),
        propagate_positions=True,
        maybe_placeholders=True,
    )


def parse(source: Source) -> ParseResult:
    """Parse a regimen file, collecting every syntax error (see module doc)."""
    from lark.exceptions import UnexpectedInput

    lines = source.text.replace("\r\n", "\n").split("\n")
    diagnostics: list[Diagnostic] = []
    recovered: set[int] = set()
    while True:
        try:
            tree = _lark().parse("\n".join(lines) + "\n")
        except UnexpectedInput as error:
            diagnostic = _diagnose(error, source)
            line = diagnostic.span.line
            if line in recovered or len(diagnostics) >= _MAX_ERRORS:
                return ParseResult(None, tuple(diagnostics), frozenset(recovered))
            diagnostics.append(diagnostic)
            recovered.add(line)
            lines[line - 1] = _stand_in(lines, line - 1)
            continue
        node = _ToSyntax().transform(tree)
        return ParseResult(node, tuple(diagnostics), frozenset(recovered))


def _indent(line: str) -> int:
    return len(line.expandtabs(8)) - len(line.expandtabs(8).lstrip(" "))


def _stand_in(lines: list[str], index: int) -> str:
    """What replaces a line that failed to parse.

    A blank line, unless the line heads an indented block: then a header of
    the same kind, so the block below is still read and checked.
    """
    line = lines[index]
    following = next((x for x in lines[index + 1 :] if x.strip() and not x.strip().startswith("#")), "")
    if not following or _indent(following) <= _indent(line):
        return ""
    pad = " " * _indent(line)
    first = line.split()[0] if line.split() else ""
    if first == "regimen":
        return f'{pad}regimen recovered ""'
    if first == "phase":
        return f"{pad}phase recovered"
    # Keep the drug's name when it can be read, so references to it still resolve.
    words = re.match(r"\s*((?:[a-z][a-z0-9]*(?:-[a-z0-9]+)*\s*)+)", line)
    name = words.group(1).split() if words else []
    name = [w for w in name if w not in _keywords()] or ["recovered"]
    return pad + " ".join(name)


@cache
def _keywords() -> frozenset[str]:
    from lark.lexer import PatternStr

    return frozenset(
        t.pattern.value for t in _lark().terminals if isinstance(t.pattern, PatternStr)
    )


# ---- syntax errors -------------------------------------------------------------

_FRIENDLY = {
    "NUMBER": "a number",
    "WORD": "a drug name (lower case)",
    "STRING": 'a quoted text ("...")',
    "UNIT": "a unit (mg, mg/kg, mg/m2, ...)",
    "TIME": "a clock time (08:00)",
    "ID": "a name in lower case",
    "LEVEL_ID": "a level name",
    "ROUTE": "a route (IV, PO, SC, ...)",
    "_NL": "the end of the line",
    "_INDENT": "an indented block",
    "_DEDENT": "the end of the block",
    "$END": "the end of the file",
}


def _describe(names: set[str] | frozenset[str]) -> list[str]:
    from lark.lexer import PatternStr

    terminals = {t.name: t for t in _lark().terminals}
    out = []
    for name in sorted(names):
        if name in _FRIENDLY:
            out.append(_FRIENDLY[name])
        elif name in terminals and isinstance(terminals[name].pattern, PatternStr):
            out.append(f"'{terminals[name].pattern.value}'")
    return sorted(set(out))


def _word_at(text: str, col: int) -> tuple[int, str]:
    """The whole word around a 1-based column (start column, word)."""
    i = col - 1
    start = i
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "-_"):
        start -= 1
    end = i
    while end < len(text) and not text[end].isspace() and text[end] not in ",:#\"()":
        end += 1
    return start + 1, text[start:end] if end > start else text[i : i + 1]


def _diagnose(error: UnexpectedInput, source: Source) -> Diagnostic:
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    lines = source.text.replace("\r\n", "\n").split("\n")
    expected: set[str] = set()
    if isinstance(error, UnexpectedToken):
        expected = set(error.accepts or error.expected)
        token = error.token
        if token.type in ("_NL", "_DEDENT", "$END"):
            return _early_end(token, lines, expected)
        if token.type == "_INDENT":
            line = token.end_line or token.line
            col = _indent(lines[line - 1]) + 1 if line <= len(lines) else 1
            return Diagnostic(
                Span(line, col, max(1, len(lines[line - 1].strip()))),
                "unexpected indented line",
                "indent a line only under the regimen, phase or drug it belongs to",
            )
        line, col = token.line or 1, token.column or 1
    elif isinstance(error, UnexpectedCharacters):
        expected = set(error.allowed or ())
        line, col = error.line, error.column
    else:
        line = len(lines)
        col = len(lines[line - 1]) + 1 if lines else 1
    text = lines[line - 1] if line <= len(lines) else ""
    start, word = _word_at(text, col)
    return Diagnostic(Span(line, start, len(word)), f"unexpected '{word}'", _hint(word, expected))


def _early_end(token: Token, lines: list[str], expected: set[str]) -> Diagnostic:
    line = token.line or len(lines)
    text = lines[line - 1] if line <= len(lines) else ""
    col = len(text.split("#")[0].rstrip()) + 1
    wanted = ", ".join(_describe(expected - {"_NL", "_INDENT", "_DEDENT"})[:6])
    if "_INDENT" in expected and token.type != "_INDENT":
        return Diagnostic(
            Span(line, _indent(text) + 1, len(text.strip()) or 1),
            "this line needs an indented block under it",
            "write the drug's schedule on indented lines below it, e.g. '    days 1-21'",
        )
    return Diagnostic(Span(line, col, 1), "the line ends too early", f"expected {wanted}" if wanted else None)


def _hint(word: str, expected: set[str]) -> str | None:
    described = _describe(expected)
    close = difflib.get_close_matches(word, sorted(_keywords()), n=1, cutoff=0.7)
    if close and close[0] != word:
        return f"did you mean '{close[0]}'?"
    if described:
        return "expected " + ", ".join(described[:6]) + (" ..." if len(described) > 6 else "")
    return None


# ---- tree -> syntax nodes ------------------------------------------------------


def _span(meta: Any) -> Span:
    same_line = getattr(meta, "end_line", meta.line) == meta.line
    length = meta.end_column - meta.column if same_line else 1
    return Span(meta.line, meta.column, max(1, length))


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
                header.ref, header.dose, header.route, header.form,
                header.options, tuple(c[1:]), header.span,
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
            step_up, rule, *tails = c
            return s.ClauseNode(step_up is not None, rule, tuple(tails), _span(meta))

        def step_up(self, meta: Any, c: list[Any]) -> bool:
            return True

        def day_rule(self, meta: Any, c: list[Any]) -> s.DayRuleNode:
            return s.DayRuleNode(c[0], c[1], _span(meta))

        def selector(self, meta: Any, c: list[Any]) -> s.SelectorNode:
            parity, keyword, items = c
            return s.SelectorNode(parity, keyword, items or (), _span(meta))

        def cycle_items(self, meta: Any, c: list[Any]) -> tuple[s.Item, ...]:
            return tuple(c)

        def days(self, meta: Any, c: list[Any]) -> tuple[s.Item, ...]:
            return c[0]  # type: ignore[no-any-return]

        day_items = cycle_items

        def single(self, meta: Any, c: list[Any]) -> s.SingleItem:
            return s.SingleItem(_num(c[0]), _span(meta))

        def span(self, meta: Any, c: list[Any]) -> s.SpanItem:
            return s.SpanItem(_num(c[0]), _num(c[1]), _span(meta))

        def onward(self, meta: Any, c: list[Any]) -> s.OnwardItem:
            return s.OnwardItem(_num(c[0]), _span(meta))

        def interval(self, meta: Any, c: list[Any]) -> s.IntervalNode:
            every, period, anchor, count = c
            return s.IntervalNode(_num(every), period, anchor, count, _span(meta))

        def anchor(self, meta: Any, c: list[Any]) -> tuple[s.Num, s.Num]:
            return (_num(c[0]), _num(c[1]))

        def dose_count(self, meta: Any, c: list[Any]) -> s.Num:
            return _num(c[0])

        def clause_dose(self, meta: Any, c: list[Any]) -> s.ClauseDoseNode:
            return s.ClauseDoseNode(c[0], _span(meta))

        def once_daily(self, meta: Any, c: list[Any]) -> s.FrequencyNode:
            return s.FrequencyNode(None, 1, _span(meta))

        def twice_daily(self, meta: Any, c: list[Any]) -> s.FrequencyNode:
            return s.FrequencyNode(None, 2, _span(meta))

        def times_daily(self, meta: Any, c: list[Any]) -> s.FrequencyNode:
            n = _num(c[0])
            return s.FrequencyNode(n, 0, _span(meta))

        def times(self, meta: Any, c: list[Any]) -> s.TimesNode:
            return s.TimesNode(tuple(_word(t) for t in c), _span(meta))

        def level(self, meta: Any, c: list[Any]) -> s.LevelNode:
            return s.LevelNode(_word(c[0]), tuple(c[1:]), _span(meta))

        def override(self, meta: Any, c: list[Any]) -> s.OverrideNode:
            return s.OverrideNode(c[0], c[1], _span(meta))

    return ToSyntax


class _ToSyntax:
    def transform(self, tree: Any) -> s.RegimenNode:
        return _transformer_class()().transform(tree)  # type: ignore[no-any-return]


@cache
def _transformer_class() -> type:
    return _make_transformer()
