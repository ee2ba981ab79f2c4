"""Course files (`course.lark`) -> the regimen they name and a checked `Course`.

Each line is one statement, parsed on its own, so every mistake of a file is
reported at once, as `file:line:col` with the line and a caret, like regimen
files. Mistakes that only the regimen can reveal (a drug it does not have, a
cycle past its end) are found by checking the course against the regimen and
are reported at the line of the statement at fault.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from dosecal import limits
from dosecal.errors import MAX_SHOWN, CourseError, Diagnostic, Findings, Subject
from dosecal.language.parser import hint
from dosecal.limits import MAX_ADJUSTMENTS, Limit, LimitError, shown
from dosecal.model.adjust import CycleRef, Delay, DoseFrom, Hold, LevelFrom, StartOn, Withheld
from dosecal.model.course import Course
from dosecal.model.dosing import BsaFormula, Measures, Rounding
from dosecal.model.regimen import UNITS, Amount, Basis
from dosecal.source import Source, Span

if TYPE_CHECKING:
    from lark import Lark, Tree


@cache
def _lark() -> Lark:
    from lark import Lark

    grammar = resources.files("dosecal.language").joinpath("course.lark").read_text("utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=True)


@dataclass
class CourseFile:
    """What a course file says, before it is checked against its regimen."""

    course_id: str = ""
    regimen: str = ""  # a bundled name, or a path relative to the course file
    values: dict[str, Any] = field(default_factory=dict)
    adjustments: list[Any] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # statement -> its line


def parse(source: Source) -> tuple[CourseFile, Findings]:
    """Every statement of the file, and every mistake found on its own line (all counted, the first kept)."""
    from lark.exceptions import UnexpectedInput

    result, diagnostics = CourseFile(), Findings()
    first = True
    for number, text in enumerate(source.text.split("\n"), start=1):
        if not text.split("#")[0].strip():
            continue
        word = text.split()[0]
        if word in _NOT_USED:
            diagnostics.append(Diagnostic(Span(number, _indent(text) + 1, len(word)), *_NOT_USED[word]))
            first = False
            continue
        try:
            tree = _lark().parse(text)
        except UnexpectedInput as error:
            # Once MAX_SHOWN are kept, a later line's cannot be shown: no hint is worked out for it.
            diagnostics.append(_syntax(error, number, text, hinted=diagnostics.count < MAX_SHOWN))
            first = False
            continue
        if first and tree.data != "header":
            diagnostics.append(
                Diagnostic(
                    Span(number, _indent(text) + 1, 0),
                    "a course file starts with its 'course' line",
                    "e.g. 'course pt-017'",
                )
            )
        first = False
        try:
            _statement(tree, number, result)
        except _MistakeError as mistake:
            column = mistake.column or (
                text.find(mistake.at) + 1 if mistake.at and mistake.at in text else _indent(text) + 1
            )
            diagnostics.append(
                Diagnostic(Span(number, column, len(mistake.at) or 0), str(mistake), mistake.hint)
            )
    return result, diagnostics


# Asked for by people used to other tools, but no dose rule of the regimen
# language uses them (doses are flat, per kg or per m2; no Calvert, no CrCl):
# a value that changes nothing must not look as if it did.
_NOT_USED = {
    word: (
        f"'{word}' is not used: no dose rule of the regimen language depends on age or sex",
        "doses are flat, per kg (weight) or per m2 (weight, height, bsa); leave this line out",
    )
    for word in ("age", "sex")
}


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def _syntax(error: Any, number: int, text: str, hinted: bool = True) -> Diagnostic:
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    column = getattr(error, "column", len(text) + 1) or len(text) + 1
    if isinstance(error, UnexpectedToken) and error.token.type == "$END":
        expected = set(error.accepts or error.expected)
        wanted = hint("", expected, _lark()) if hinted else None
        return Diagnostic(Span(number, len(text.rstrip()) + 1, 1), "the line ends too early", wanted)
    expected = set(getattr(error, "accepts", None) or getattr(error, "expected", None) or ())
    if isinstance(error, UnexpectedCharacters):
        expected = set(error.allowed or ())
    word = re.match(r"[^\s,()]+", text[column - 1 :])
    found = word.group(0) if word else text[column - 1 : column]
    return Diagnostic(
        Span(number, column, len(found) or 1),
        f"unexpected '{found}'",
        hint(found, expected, _lark()) if hinted else None,
    )


class _MistakeError(Exception):
    """A mistake of a statement, at the text `at` (at `column`, when known: a number may be there twice)."""

    def __init__(
        self, message: str, at: str = "", hint: str | None = None, column: int | None = None
    ) -> None:
        super().__init__(message)
        self.at, self.hint, self.column = at, hint, column

    @classmethod
    def at_token(cls, token: Any, message: str, hint: str | None = None) -> _MistakeError:
        return cls(message, str(token), hint, getattr(token, "column", None))


_SINGLE = {"regimen", "begin", "cycles", "until", "level", "weight", "height", "bsa", "rounding"}


def _statement(tree: Tree[Any], number: int, out: CourseFile) -> None:
    kind = str(tree.data)
    if kind in _SINGLE | {"header"}:
        if kind in out.lines:
            word = {"begin": "start", "header": "course"}.get(kind, kind)
            raise _MistakeError(f"'{word}' is already given on line {out.lines[kind]}", word)
        out.lines[kind] = number
    children = tree.children
    if kind == "header":
        out.course_id = str(children[0])
    elif kind == "regimen":
        value = str(children[0])
        out.regimen = value[1:-1] if value.startswith('"') else value
    elif kind in ("begin", "until"):
        out.values[kind] = _date(str(children[0]))
    elif kind == "cycles":
        out.values[kind] = _cycles(children[0])
    elif kind == "level":
        out.values[kind] = str(children[0])
    elif kind in ("weight", "height"):
        out.values[kind] = _measure(children[0], kind)
    elif kind == "bsa":
        out.values[kind] = BsaFormula(str(children[1]))
    elif kind == "rounding":
        step = _amount(children[0], flat=True)
        within = _number(children[1], limits.PERCENT) if children[1] is not None else None
        out.values[kind] = Rounding(step, within)
    elif kind == "dose":
        out.values.setdefault("doses", []).append((_agent(children[0]), _amount(children[1])))
    else:
        if len(out.adjustments) >= MAX_ADJUSTMENTS:
            raise _MistakeError(
                f"a course has at most {MAX_ADJUSTMENTS} adjustments; this is one more",
                hint="is this one patient's course? a course file describes one",
            )
        out.adjustments.append(_adjustment(kind, children, number))


def _adjustment(kind: str, children: list[Any], line: int) -> Any:
    reason = str(children[-1].children[0])[1:-1]
    if kind == "delay":
        return Delay(_cycle(children[0]), _delay(children[1], str(children[2].children[0])), reason, line)
    if kind == "start_on":
        return StartOn(_cycle(children[0]), _date(str(children[1])), reason, line)
    if kind == "level_from":
        return LevelFrom(str(children[0]), _cycle(children[1]), reason, line)
    if kind == "change":
        return DoseFrom(_agent(children[0]), _amount(children[1]), _cycle(children[2]), reason, line)
    withheld = Withheld.HELD if str(children[0].children[0]) == "hold" else Withheld.OMITTED
    where = children[2]
    at = _cycle(where.children[0])
    numbers = [_whole(n, limits.DAY) for n in where.children[1:]]
    shape = str(where.data)
    first: int | None = numbers[0] if numbers else None  # None: from a cycle on, every day
    last: int | None = numbers[-1] if shape in ("on_day", "on_days") else None  # None: to the cycle's end
    if first is not None and last is not None and last < first:
        raise _MistakeError(f"the days {first}-{last} run backwards", f"{first}-{last}")
    return Hold(_agent(children[1]), withheld, at, first, last, shape == "onward", reason, line)


def _cycle(tree: Tree[Any]) -> CycleRef:
    phase, number = tree.children
    if str(number) == "0":
        raise _MistakeError("there is no cycle 0", "cycle 0", "cycle 1 is the first cycle")
    return CycleRef(str(phase) if phase is not None else None, _whole(number, limits.CYCLE_NUMBER))


def _agent(tree: Tree[Any]) -> str:
    words, label = tree.children
    name = " ".join(str(w) for w in words.children)
    return f"{name} ({' '.join(str(w) for w in label.children)})" if label is not None else name


def _amount(tree: Tree[Any], flat: bool = False) -> Amount:
    token, unit = tree.children[0], str(tree.children[1])
    if unit not in UNITS:
        raise _MistakeError(f"unknown dose unit '{unit}'", unit, "units are " + ", ".join(UNITS))
    if not str(token).strip("0."):
        raise _MistakeError.at_token(token, "an amount must be more than 0")
    amount = Amount(_number(token, limits.AMOUNT), UNITS[unit])
    if flat and amount.unit.basis is not Basis.FLAT:
        raise _MistakeError("round to an absolute amount", unit, "e.g. 'rounding nearest 5 mg'")
    return amount


def _number(token: Any, limit: Limit, scale: int = 1, written: str = "") -> Decimal:
    """The number `token` within `limit` (dosecal.limits), or the mistake at it."""
    try:
        return limit.read(str(token), scale, written)
    except LimitError as error:
        raise _MistakeError.at_token(token, error.message, error.hint) from None


def _whole(token: Any, limit: Limit, scale: int = 1, written: str = "") -> int:
    return int(_number(token, limit, scale, written))


def _cycles(token: Any) -> int:
    """Said as the command line says `--cycles` out of range (dosecal.engine.timeline)."""
    try:
        return limits.CYCLE_COUNT.whole(str(token))
    except LimitError as error:
        if not error.outside:
            raise _MistakeError.at_token(token, error.message, error.hint) from None
        raise _MistakeError.at_token(token, limits.implausible_cycles(str(token))) from None


def _delay(token: Any, period: str) -> int:
    """Days of a delay (a week is 7), refused in the words of `adjust.check` (the Python API's)."""
    scale = 7 if period.startswith("week") else 1
    try:
        return limits.DELAY.whole(str(token), scale, period)
    except LimitError as error:
        if not error.outside:
            raise _MistakeError.at_token(token, error.message, error.hint) from None
        text = str(token)
        given = f"{int(text) * scale} days" if len(text) <= 9 else f"{shown(text)} {period}"
        high = limits.plain(limits.DELAY.high)
        message = f"a delay of {given} is not plausible (expected 1-{high} days)"
        raise _MistakeError.at_token(token, message, error.hint) from None


def _measure(token: Any, kind: str) -> Decimal:
    """A weight or height: the command line's rule and words (dosing.Measures), read as a number
    of the language first, so that 5,000 digits are refused without arithmetic."""
    limit = limits.WEIGHT if kind == "weight" else limits.HEIGHT
    try:
        value = limit.read(str(token), within=False)
        Measures(value, None) if kind == "weight" else Measures(None, value)
    except LimitError as error:
        if not error.outside:
            raise _MistakeError.at_token(token, error.message, error.hint) from None
        low, high, unit = limits.plain(limit.low), limits.plain(limit.high), limit.unit
        message = f"{kind} {shown(str(token))} {unit} is not plausible (expected {low}-{high} {unit})"
        raise _MistakeError.at_token(token, message) from None
    except CourseError as error:
        raise _MistakeError.at_token(token, error.message, error.hint) from None
    return value


def _date(text: str) -> dt.date:
    year, month, day = (int(p) for p in text.split("-"))
    if year == 0:  # the pattern allows 0000; the calendar starts at year 1
        raise _MistakeError(f"{text} is not a date: there is no year 0", text)
    if not 1 <= month <= 12:
        raise _MistakeError(f"{text} is not a date: there is no month {month}", text)
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        name = calendar.month_name[month]
        raise _MistakeError(f"{text} is not a date: {name} {year} has {last} days", text)
    return dt.date(year, month, day)


def to_course(parsed: CourseFile, source: Source) -> tuple[Course | None, list[Diagnostic]]:
    """The Course the file describes, or the statements it lacks or cannot hold."""
    values, missing = parsed.values, []
    for kind, example in (
        ("header", "course pt-017"),
        ("regimen", "regimen nct05922501"),
        ("begin", "start 2026-12-07"),
    ):
        if kind not in parsed.lines:
            missing.append(
                Diagnostic(
                    Span(1, 1, 0),
                    f"the course says no '{example.split()[0]}'",
                    f"add a line such as '{example}'",
                )
            )
    if missing:
        return None, missing
    try:
        measures = Measures(
            values.get("weight"), values.get("height"), values.get("bsa", BsaFormula.MOSTELLER)
        )
    except CourseError as error:  # at the weight or height line (error.subject)
        return None, [located(error, source, parsed.lines)]
    course = Course(
        values["begin"],
        values.get("cycles"),
        values.get("until"),
        values.get("level"),
        tuple(values.get("doses", ())),
        measures,
        parsed.course_id,
        tuple(parsed.adjustments),
        values.get("rounding"),
    )
    return course, []


def located(error: CourseError, source: Source, lines: dict[str, int]) -> Diagnostic:
    """A course error from checking against the regimen, at the line it is about: the adjustment's
    (`error.line`), else the statement of `error.subject`, else the 'course' line."""
    if error.line is not None:
        return _at(source, error.line, error)
    statement = _STATEMENTS.get(error.subject, "header") if error.subject is not None else "header"
    return _at(source, lines.get(statement) or lines.get("header", 1), error)


# The statement (a rule of course.lark) that gives each subject; the others have none of their own.
_STATEMENTS = {
    Subject.START: "begin",
    Subject.CYCLES: "cycles",
    Subject.UNTIL: "until",
    Subject.LEVEL: "level",
    Subject.WEIGHT: "weight",
    Subject.HEIGHT: "height",
    Subject.ROUNDING: "rounding",
}


def _at(source: Source, line: int, error: CourseError) -> Diagnostic:
    """At the name the error quotes ('pomalidomid'), if the line holds it; else the whole line."""
    text = source.line_text(line)
    quoted = error.quoted
    if quoted and quoted in text:
        span = Span(line, text.index(quoted) + 1, len(quoted))
    else:
        span = Span(line, _indent(text) + 1, 0)
    return Diagnostic(span, error.message, error.hint or None)
