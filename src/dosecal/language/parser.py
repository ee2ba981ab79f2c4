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
from typing import TYPE_CHECKING, ClassVar

from dosecal.errors import Diagnostic
from dosecal.language import syntax as s
from dosecal.source import Source, Span

if TYPE_CHECKING:
    from lark import Lark, Token
    from lark.exceptions import UnexpectedInput

_MAX_ERRORS = 50
# Recovery parses the file again after each syntax error. Past this many characters
# parsed in all (about two seconds), it stops and says that the rest was not read.
PARSE_BUDGET = 512_000


@dataclass(frozen=True, slots=True)
class ParseResult:
    """The tree (None when nothing could be read) and the syntax errors found."""

    tree: s.RegimenNode | None
    diagnostics: tuple[Diagnostic, ...]
    recovered_lines: frozenset[int]
    # A drug's name could not be kept while recovering: references to drugs
    # that are not found may be to it, so lowering does not report them.
    names_lost: bool = False
    # Recovery stopped at this line (too many syntax errors, or too much text parsed
    # again): the text after it was not checked, so there may be more mistakes.
    stopped_at: int | None = None


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
    from lark.indenter import DedentError

    from dosecal.language.transformer import to_syntax  # imports lark: here, not at the top

    lines = source.text.split("\n")  # the loader has made every line end "\n"
    diagnostics: list[Diagnostic] = []
    attempts: dict[int, int] = {}
    shifted: dict[int, int] = {}  # columns a re-indented line moved by
    parsed = 0  # characters parsed so far, counted to where each parse stopped
    while True:
        try:
            tree = _lark().parse("\n".join(lines) + "\n")
        except (UnexpectedInput, DedentError) as error:
            # Positions refer to the text as parsed now, with earlier lines already replaced.
            finding = _diagnose(error, lines) if isinstance(error, UnexpectedInput) else _bad_dedent(lines)
            line = finding.line
            tried = attempts.get(line, 0)
            parsed += sum(len(x) + 1 for x in lines[:line])
            if len(diagnostics) >= _MAX_ERRORS or parsed > PARSE_BUDGET:
                return ParseResult(None, tuple(diagnostics), frozenset(attempts), stopped_at=line)
            if line > len(lines) or tried >= 3:
                return ParseResult(None, tuple(diagnostics), frozenset(attempts))
            attempts[line] = tried + 1
            if tried == 0 or (tried == 1 and line in shifted):
                # A first error, or the next one in a line that was only re-indented: both are real.
                diagnostics.append(_unshift(finding.diagnostic, shifted.get(line, 0)))
            lines[line - 1] = _replacement(lines, finding, tried)
            if tried == 0 and finding.replacement and finding.replacement.strip() == _written(source, line):
                shifted[line] = _indent(finding.replacement) - _indent(_written(source, line, raw=True))
            continue
        node = to_syntax(tree)
        lost = any(_name_lost(source.line_text(n), lines[n - 1]) for n in attempts)
        return ParseResult(node, tuple(diagnostics), frozenset(attempts), lost)


def _name_lost(written: str, now: str) -> bool:
    """Did a line that may have named a drug lose that name in recovery?"""
    first = written.split()[:1]
    if not first or first[0] in _NOT_DRUG_HEADERS or first[0] in _keywords() or first[0].startswith("#"):
        return False
    return now.split()[:1] != first


def _written(source: Source, line: int, raw: bool = False) -> str:
    """Line `line` of the file as written (stripped unless `raw`)."""
    text = source.line_text(line)
    return text if raw else text.strip()


def _replacement(lines: list[str], finding: _Finding, tried: int) -> str:
    """First the finding's own fix or a stand-in; then a stand-in; at last, nothing."""
    if tried == 0 and finding.replacement is not None:
        return finding.replacement
    if tried <= 1:
        return _stand_in(lines, finding.line - 1)
    return ""


def _unshift(diagnostic: Diagnostic, by: int) -> Diagnostic:
    if not by:
        return diagnostic
    span = diagnostic.span
    return Diagnostic(
        Span(span.line, max(1, span.col - by), span.length), diagnostic.message, diagnostic.hint
    )


def _significant(line: str) -> bool:
    return bool(line.strip()) and not line.strip().startswith("#")


def _bad_dedent(lines: list[str]) -> _Finding:
    """A line that steps back to an indentation no line above it has."""
    stack = [0]
    for number, line in enumerate(lines, start=1):
        if not _significant(line):
            continue
        own = _indent(line)
        if own > stack[-1]:
            stack.append(own)
            continue
        popped = stack[-1]
        while own < stack[-1]:
            popped = stack.pop()
        if own != stack[-1]:
            diagnostic = Diagnostic(
                Span(number, _first_col(line), 0),
                "this line's indentation matches no line above it",
                f"indent it by {stack[-1]} or {popped} spaces, like the block it belongs to",
            )
            # Read on as if it were indented like the block it left (the likelier slip).
            return _Finding(diagnostic, number, " " * popped + line.strip())
    return _Finding(Diagnostic(Span(1, 1, 0), "the indentation of this file cannot be read"), 1)


def _first_col(line: str) -> int:
    """The column of a line's first character after its indentation, in characters (a tab is one,
    as columns count everywhere; `Source.caret` widens tabs for the picture)."""
    return len(line) - len(line.lstrip(" \t")) + 1


def _indent(line: str) -> int:
    return len(line.expandtabs(8)) - len(line.expandtabs(8).lstrip(" "))


def _parent(lines: list[str], index: int) -> str:
    """The nearest line above with less indentation: the header this line belongs to."""
    own = _indent(lines[index])
    return next((x for x in reversed(lines[:index]) if _significant(x) and _indent(x) < own), "")


# First words of lines that are not a drug's header line.
_NOT_DRUG_HEADERS = frozenset({"regimen", "phase", "source", "note", "level", "missed-dose"}) | frozenset(
    {"day", "days", "cycle", "cycles", "every", "odd", "even", "step-up"}
)

# A schedule line that is valid anywhere in a drug's block and gives no dose:
# it keeps the block alive (so the drug is still checked) and adds nothing.
_EMPTY_CLAUSE = "every 1 day, for 0 doses"


def _stand_in(lines: list[str], index: int) -> str:
    """What replaces a line that failed to parse.

    Inside a drug's block, a schedule line that gives nothing (so the drug
    keeps a block); else a blank line, unless the line heads an indented
    block: then a header of the same kind, so the block below is still read.
    """
    line = lines[index]
    pad = " " * _indent(line)
    parent = _parent(lines, index).split()
    if parent and parent[0] not in _NOT_DRUG_HEADERS:
        return pad + _EMPTY_CLAUSE
    following = next((x for x in lines[index + 1 :] if _significant(x)), "")
    if not following or _indent(following) <= _indent(line):
        return ""
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
def _keywords(lark: Lark | None = None) -> frozenset[str]:
    from lark.lexer import PatternStr

    terminals = (lark or _lark()).terminals
    return frozenset(t.pattern.value for t in terminals if isinstance(t.pattern, PatternStr))


# ---- syntax errors -------------------------------------------------------------

_FRIENDLY = {
    "DATE": "a date (YYYY-MM-DD)",
    "NUMBER": "a number",
    "WORD": "a drug name (lower case)",
    "STRING": 'a quoted text ("...")',
    "UNIT": "a unit (mg, mg/kg, mg/m2, ...)",
    "TIME": "a clock time (08:00)",
    "ID": "a name in lower case",
    "COURSE_ID": "a course id (letters, digits, '.', '_' or '-')",
    "LEVEL_ID": "a level name",
    "ROUTE": "a route (IV, PO, SC, ...)",
    "_NL": "the end of the line",
    "_INDENT": "an indented block",
    "_DEDENT": "the end of the block",
    "$END": "the end of the file",
}


def _describe(names: set[str] | frozenset[str], lark: Lark | None = None) -> list[str]:
    from lark.lexer import PatternStr

    terminals = {t.name: t for t in (lark or _lark()).terminals}
    out: list[str] = []
    for name in sorted(names):
        if name in _FRIENDLY:
            out.append(_FRIENDLY[name])
        elif name in terminals and isinstance(terminals[name].pattern, PatternStr):
            out.append(f"'{terminals[name].pattern.value}'")
    # Kinds of things ("a number") before keywords, so the list's cut never drops them.
    return sorted(set(out), key=lambda d: (d.startswith("'"), d))


def _word_at(text: str, col: int) -> tuple[int, str]:
    """The whole word around a 1-based column (start column, word)."""
    i = max(0, min(col - 1, len(text)))
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


_CLAUSE_WORDS = frozenset({"day", "days", "cycle", "cycles", "every", "odd", "even", "step-up"})


def _diagnose(error: UnexpectedInput, lines: list[str]) -> _Finding:
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

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
                Span(line, _first_col(text), 0),
                "unexpected indented line",
                "indent a line only under the regimen, phase or drug it belongs to",
            )
            return _Finding(diagnostic, line, "")
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
    weekly = _TIMES_WEEKLY.search(text.split("#")[0])
    if weekly and weekly.start() == _indent(text) and weekly.start() < col - 1 < weekly.end():
        # "twice weekly" starting a line is read as far as "twice daily from ..." (a line over the
        # course) would go: the mistake is the phrase, shown from its first word.
        start, word = weekly.start() + 1, weekly.group(1).split()[0]
    said = _phrase_hint(text, word, expected) or hint(word, expected)
    diagnostic = Diagnostic(Span(line, start, len(word)), f"unexpected '{word}'", said)
    return _Finding(diagnostic, line)


# Spellings of protocols that the language does not take as they stand, with the one it takes.
# "Twice weekly" names no days; dosecal never picks them.
_TIMES_WEEKLY = re.compile(r"\b(twice|two times|three times|thrice)\s+(weekly|a\s+week|per\s+week)\b")


# `days 1-3 in cycles 1-3, twice daily`: the comma reads as one more cycle to come.
_CYCLES_THEN_COMMA = re.compile(
    r"\b((?:in|of)\s+(?:odd\s+|even\s+)?cycles?\s+[0-9][0-9,+\s-]*?(?:\s+to\s+[0-9]+)?),\s*"
    r"(twice|once|three|four|five|six|at|if|max|over)\b"
)


# "for up to 35 cycles", "at most 35 cycles": a cap on a drug's doses over the whole course.
_UP_TO = re.compile(
    r"^\s*(?:for\s+up\s+to|up\s+to|at\s+most)\s+([0-9]+)\s+(?:cycles?|doses?|administrations?)\b"
)


# "from the first until the last pemetrexed": the drug named once reads "until the last ..." as a name.
_UNNAMED = re.compile(r"\bthe\s+(first|last)\s+until\s+the\s+(first|last)\s+([a-z][a-z0-9 -]*?)\s*$")
# Days of the week as protocols abbreviate them, or lower case, or the week's parts: the language
# takes them in full with a capital (WEEKDAY in regimen.lark).
_WEEKDAY_LIKE = re.compile(r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day)?s?\b", re.IGNORECASE)
# ... or as the week's parts, or a span with a hyphen ("Monday-Friday"): the days are named.
_WEEK_PARTS = re.compile(
    r"\b(?:week-?days?|week-?ends?|through|days?\s*(?:a|per|/)\s*w(?:ee)?k)\b|\b[A-Za-z]+days?-[A-Za-z]+\b",
    re.IGNORECASE,
)
_WEEKDAY_NAMES = frozenset(
    n + s
    for n in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    for s in ("", "s")
)
# "Monday to Friday, twice daily, 28 sessions": the count goes before a day's doses.
_COUNT_LATE = re.compile(
    r"\b(?:once|twice|three|four|five|six)\b[^#]*,\s*[0-9]+\s+(?:sessions?|fractions?)\b"
)
_WORD_COUNT = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|[a-z]+ty(?:-[a-z]+)?)\s+(sessions?|fractions?)\b"
)
# "at most 35 doses in all" where no drug is, or "... in total".
_IN_ALL = re.compile(r"^\s*at\s+most\s+([0-9]+)\s+doses?\s+in\s+(all|total)\b")
# "1 week before the first pemetrexed": days are counted from a dose.
_WEEKS_AWAY = re.compile(r"\b([0-9]+)\s+weeks?\s+(before|after)\b")
# "daily from ... until ..., for 5 doses": a daily line's doses are its days.
_DAILY_FOR = re.compile(r"\bdaily\s+from\b.*\bfor\s+[0-9]+\s+doses?\b")
# "then every 3 cycles" (the pemetrexed label's vitamin B12): a line over the course counts time.
# `no cycles, until progression`: a run says nothing more (language §34).
_NO_CYCLES_MORE = re.compile(r"\s*no\s+cycles?\b\s*\S")
_EVERY_CYCLES = re.compile(r"\bthen\s+every\s+(?:[0-9]+\s+)?cycles?\b")


def _phrase_hint(text: str, word: str, expected: set[str]) -> str | None:
    """A hint for a phrase of the line that protocols write, where one word would mislead."""
    code = text.split("#")[0]
    if _NO_CYCLES_MORE.match(code):
        return "'no cycles' is a line of its own: the run ends on its last dose, which its lines say"
    late = _COUNT_LATE.search(code)
    if late and any(w in code for w in _WEEKDAY_NAMES):
        return (
            "the count of days comes before a day's doses: e.g. 'Monday to Friday, 28 sessions, twice daily'"
        )
    spelled = _WORD_COUNT.search(code)
    if spelled and word == spelled.group(1):
        return f"write the count in digits: e.g. '28 {spelled.group(2)}'"
    parts = _WEEK_PARTS.search(code)
    if parts:
        return (
            f"'{parts.group(0)}': name the days of the week: 'Monday to Friday', 'on Mondays and Thursdays'"
        )
    like = [m.group(0) for m in _WEEKDAY_LIKE.finditer(code) if m.group(0) not in _WEEKDAY_NAMES]
    if like:
        return (
            f"'{like[0]}': days of the week are written in full, with a capital: "
            "'Monday to Friday', 'on Mondays and Thursdays'"
        )
    in_all = _IN_ALL.match(code)
    if in_all and word == "total":
        return f"write 'at most {in_all.group(1)} doses in all'"
    if in_all and in_all.group(2) == "all" and word not in ("total",):
        return "a drug's doses in all are said under the drug: indent the line under the drug's line"
    away = _WEEKS_AWAY.search(code)
    if away and word in ("week", "weeks"):
        days = int(away.group(1)) * 7
        return f"days before or after a dose are counted in days: '{days} days {away.group(2)}'"
    if _DAILY_FOR.search(code) and word == "for":
        return (
            "a daily line gives a dose on each day from one day to the other: leave the count out, "
            "or write 'the first ..., then every day, for 5 doses'"
        )
    if _EVERY_CYCLES.search(code) and word in ("cycle", "cycles"):
        return (
            "a line over the whole course counts days or weeks, which no delay moves: "
            "say them, e.g. 'then every 9 weeks' for every 3 cycles of 21 days"
        )
    weekly = _TIMES_WEEKLY.search(code)
    if weekly and word in ("twice", "two", "three", "thrice", "times", "weekly", "a", "per"):
        said = " ".join(weekly.group(0).split())
        return (
            f"'{said}' does not say on which days: write them, e.g. 'days 1, 4, 8, 11', "
            "or days of the week: 'on Mondays and Thursdays'"
        )
    up_to = _UP_TO.match(code)
    if up_to and word in ("for", "up", "cycle", "cycles", "administration", "administrations"):
        said = f"'at most {up_to.group(1)} doses in all'"
        return f"a drug's doses in the whole course, every phase together: {said}"
    after = _CYCLES_THEN_COMMA.search(code)
    if after and word == after.group(2):
        return f"after the cycles, leave out the comma: '{after.group(1).rstrip()} {word} ...'"
    if code.split()[:1] == ["rest"] and word in ("cycle", "cycles"):
        return "a rest is not a cycle: give its days or weeks, e.g. 'rest 28 days'"
    if word == "rest" and "REST" not in expected and code.split()[:1] == ["rest"]:
        return "a rest stands between two phases: write 'rest 28 days' at the indent of the 'phase' lines"
    return None


def _missing_block(token: Token, lines: list[str]) -> _Finding:
    """A header line (regimen, phase, drug) with nothing indented under it."""
    at = token.line or len(lines)
    if token.type in ("_NL", "_DEDENT"):  # the line just ended is the header
        header = at
    elif token.type == "$END":
        header = max((i for i in range(1, len(lines) + 1) if _significant(lines[i - 1])), default=1)
    else:
        header = max((i for i in range(1, at) if _significant(lines[i - 1])), default=1)
    text = lines[header - 1] if header <= len(lines) else ""
    following = next((i for i in range(header + 1, len(lines) + 1) if _significant(lines[i - 1])), None)
    if following is not None:
        next_text = lines[following - 1]
        if next_text.split()[0] in _CLAUSE_WORDS and _indent(next_text) <= _indent(text):
            diagnostic = Diagnostic(
                Span(following, _first_col(next_text), 0),
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
    return _Finding(Diagnostic(Span(header, _first_col(text), 0), message, hint), header)


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
    unnamed = _UNNAMED.search(code)
    said = (
        f"name the drug after 'the {unnamed.group(1)}', as after 'the {unnamed.group(2)}': "
        f"'the {unnamed.group(1)} {unnamed.group(3)} until the {unnamed.group(2)} {unnamed.group(3)}'"
        if unnamed
        else f"expected {wanted}"
        if wanted
        else None
    )
    diagnostic = Diagnostic(Span(line, len(code) + 1, 1), "the line ends too early", said)
    return _Finding(diagnostic, line)


# Filler words of a phrase ("to the nearest 5 mg"): as a suggestion for a mistyped word they mislead
# ("other" is not a misspelt "the").
_NOT_SUGGESTED = frozenset({"the"})


def hint(word: str, expected: set[str], lark: Lark | None = None) -> str | None:
    """A hint for an unexpected word: a likely spelling, or what was expected (of `lark`'s grammar)."""
    from dosecal.model.regimen import ROUTES

    if any(dash in word for dash in "\u2013\u2014"):
        return "write ranges with a plain hyphen: 1-5"
    if word.upper() in ROUTES and word != word.upper():
        return f"routes are written in capitals: did you mean '{word.upper()}'?"
    if "WORD" in expected and word[:1].isupper() and re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", word):
        return f"drug names are written in lower case: did you mean '{word.lower()}'?"
    keywords = sorted(_keywords(lark) - _NOT_SUGGESTED)
    close = [c for c in difflib.get_close_matches(word, keywords, n=2, cutoff=0.7) if c != word]
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    described = _describe(expected, lark)
    if described:
        return "expected " + ", ".join(described[:6]) + (" ..." if len(described) > 6 else "")
    return None
