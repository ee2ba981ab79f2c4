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
from typing import TYPE_CHECKING, Any, ClassVar

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
        OPEN_PAREN_types: ClassVar[list[str]] = []
        CLOSE_PAREN_types: ClassVar[list[str]] = []
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
            finding = _diagnose(error, source)
            line = finding.line
            if line in recovered or len(diagnostics) >= _MAX_ERRORS or line > len(lines):
                return ParseResult(None, tuple(diagnostics), frozenset(recovered))
            diagnostics.append(finding.diagnostic)
            recovered.add(line)
            replacement = finding.replacement
            lines[line - 1] = _stand_in(lines, line - 1) if replacement is None else replacement
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

    return frozenset(t.pattern.value for t in _lark().terminals if isinstance(t.pattern, PatternStr))


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
    while end < len(text) and not text[end].isspace() and text[end] not in ',:#"()':
        end += 1
    return start + 1, text[start:end] if end > start else text[i : i + 1]


@dataclass(frozen=True, slots=True)
class _Finding:
    """A syntax error, and how to change the text so parsing can go on."""

    diagnostic: Diagnostic
    line: int  # 1-based line to replace
    replacement: str | None = None  # None: the default stand-in


_PER_DAY = {"three": 3, "four": 4, "five": 5, "six": 6}
_CLAUSE_WORDS = frozenset({"day", "days", "cycle", "cycles", "every", "odd", "even", "step-up"})


def _diagnose(error: UnexpectedInput, source: Source) -> _Finding:
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    lines = source.text.replace("\r\n", "\n").split("\n")
    expected: set[str] = set()
    if isinstance(error, UnexpectedToken):
        expected = set(error.accepts or error.expected)
        token = error.token
        if "_INDENT" in expected and token.type != "_INDENT":
            return _missing_block(token, lines)
        if token.type in ("_NL", "_DEDENT", "$END"):
            return _early_end(token, lines, expected)
        if token.type == "_INDENT":
            line = token.end_line or token.line or 1
            text = lines[line - 1] if line <= len(lines) else ""
            diagnostic = Diagnostic(
                Span(line, _indent(text) + 1, 0),
                "unexpected indented line",
                "indent a line only under the regimen, phase or drug it belongs to",
            )
            return _Finding(diagnostic, line)
        line, col = token.line or 1, token.column or 1
    elif isinstance(error, UnexpectedCharacters):
        expected = set(error.allowed or ())
        line, col = error.line, error.column
    else:
        line = len(lines)
        col = len(lines[line - 1]) + 1 if lines else 1
    text = lines[line - 1] if line <= len(lines) else ""
    start, word = _word_at(text, col)
    if word.isdigit() and "COMMA" in expected:
        diagnostic = Diagnostic(
            Span(line, start, len(word)), "numbers in a list are separated by ',' or 'and'"
        )
        return _Finding(diagnostic, line)
    diagnostic = Diagnostic(Span(line, start, len(word)), f"unexpected '{word}'", _hint(word, expected))
    return _Finding(diagnostic, line)


def _significant(line: str) -> bool:
    return bool(line.strip()) and not line.strip().startswith("#")


def _missing_block(token: Token, lines: list[str]) -> _Finding:
    """A header line (regimen, phase, drug) with nothing indented under it."""
    at = token.line or len(lines)
    if token.type == "_NL":
        header = at
    else:
        header = max((i for i in range(1, at) if _significant(lines[i - 1])), default=1)
    text = lines[header - 1] if header <= len(lines) else ""
    following = next((i for i in range(header + 1, len(lines) + 1) if _significant(lines[i - 1])), None)
    if following is not None:
        next_text = lines[following - 1]
        if next_text.split()[0] in _CLAUSE_WORDS and _indent(next_text) <= _indent(text):
            diagnostic = Diagnostic(
                Span(following, _indent(next_text) + 1, 0),
                f"this schedule line is not indented under '{text.strip()}'",
                f"indent it further than line {header}",
            )
            return _Finding(diagnostic, following, " " * (_indent(text) + 2) + next_text.strip())
    first = text.split()[0] if text.split() else ""
    if first in ("regimen", "phase"):
        message, hint = "this line needs an indented block under it", None
    else:
        name = re.match(r"\s*((?:[a-z][a-z0-9-]*\s?)+)", text)
        drug = name.group(1).strip() if name else "this drug"
        message = f"{drug} has no schedule"
        hint = "add indented lines below it, such as '    days 1, 2'"
    return _Finding(Diagnostic(Span(header, _indent(text) + 1, 0), message, hint), header)


def _early_end(token: Token, lines: list[str], expected: set[str]) -> _Finding:
    line = token.line or len(lines)
    if token.type == "$END" and not any(x.split()[:1] == ["regimen"] for x in lines if x.strip()):
        diagnostic = Diagnostic(
            Span(1, 1, 0),
            "this file holds no regimen",
            "a regimen file starts with a line such as 'regimen name \"Title\"'",
        )
        return _Finding(diagnostic, 1)
    text = lines[line - 1] if line <= len(lines) else ""
    code = text.split("#")[0].rstrip()
    described = _describe(expected - {"_NL", "_INDENT", "_DEDENT"})
    wanted = ", ".join(described[:6])
    diagnostic = Diagnostic(
        Span(line, len(code) + 1, 1), "the line ends too early", f"expected {wanted}" if wanted else None
    )
    return _Finding(diagnostic, line)


def _hint(word: str, expected: set[str]) -> str | None:
    from dosecal.model import ROUTES

    if word.upper() in ROUTES and word != word.upper():
        return f"routes are written in capitals: did you mean '{word.upper()}'?"
    close = [c for c in difflib.get_close_matches(word, sorted(_keywords()), n=2, cutoff=0.7) if c != word]
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    described = _describe(expected)
    if described:
        return "expected " + ", ".join(described[:6]) + (" ..." if len(described) > 6 else "")
    return None


# ---- tree -> syntax nodes ------------------------------------------------------


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


class _ToSyntax:
    def transform(self, tree: Any) -> s.RegimenNode:
        return _transformer_class()().transform(tree)  # type: ignore[no-any-return]


@cache
def _transformer_class() -> type:
    return _make_transformer()
