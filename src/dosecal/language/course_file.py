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

from dosecal.adjust import CycleRef, Delay, DoseFrom, Hold, LevelFrom, StartOn, Withheld
from dosecal.course import Course
from dosecal.dosing import BsaFormula, Measures, Rounding
from dosecal.errors import CourseError, Diagnostic
from dosecal.language.parser import hint
from dosecal.model import UNITS, Amount, Basis
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


def parse(source: Source) -> tuple[CourseFile, list[Diagnostic]]:
    """Every statement of the file, and every mistake found on its own line."""
    from lark.exceptions import UnexpectedInput

    result, diagnostics = CourseFile(), []
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
            diagnostics.append(_syntax(error, number, text))
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
            column = text.find(mistake.at) + 1 if mistake.at and mistake.at in text else _indent(text) + 1
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


def _syntax(error: Any, number: int, text: str) -> Diagnostic:
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    column = getattr(error, "column", len(text) + 1) or len(text) + 1
    if isinstance(error, UnexpectedToken) and error.token.type == "$END":
        expected = set(error.accepts or error.expected)
        wanted = hint("", expected, _lark())
        return Diagnostic(Span(number, len(text.rstrip()) + 1, 1), "the line ends too early", wanted)
    expected = set(getattr(error, "accepts", None) or getattr(error, "expected", None) or ())
    if isinstance(error, UnexpectedCharacters):
        expected = set(error.allowed or ())
    word = re.match(r"[^\s,()]+", text[column - 1 :])
    found = word.group(0) if word else text[column - 1 : column]
    return Diagnostic(
        Span(number, column, len(found) or 1), f"unexpected '{found}'", hint(found, expected, _lark())
    )


class _MistakeError(Exception):
    def __init__(self, message: str, at: str = "", hint: str | None = None) -> None:
        super().__init__(message)
        self.at, self.hint = at, hint


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
        out.values[kind] = _whole(str(children[0]), "a number of cycles")
    elif kind == "level":
        out.values[kind] = str(children[0])
    elif kind in ("weight", "height"):
        measure = Decimal(str(children[0]))
        try:  # the same plausibility rule as on the command line
            Measures(measure, None) if kind == "weight" else Measures(None, measure)
        except CourseError as error:
            raise _MistakeError(str(error), str(children[0])) from None
        out.values[kind] = measure
    elif kind == "bsa":
        out.values[kind] = BsaFormula(str(children[1]))
    elif kind == "rounding":
        step = _amount(children[0], flat=True)
        within = Decimal(str(children[1])) if children[1] is not None else None
        out.values[kind] = Rounding(step, within)
    elif kind == "dose":
        out.values.setdefault("doses", []).append((_agent(children[0]), _amount(children[1])))
    else:
        out.adjustments.append(_adjustment(kind, children, number))


def _adjustment(kind: str, children: list[Any], line: int) -> Any:
    reason = str(children[-1].children[0])[1:-1]
    if kind == "delay":
        days = _whole(str(children[1]), "a delay")
        return Delay(
            _cycle(children[0]),
            days * (7 if str(children[2].children[0]).startswith("week") else 1),
            reason,
            line,
        )
    if kind == "start_on":
        return StartOn(_cycle(children[0]), _date(str(children[1])), reason, line)
    if kind == "level_from":
        return LevelFrom(str(children[0]), _cycle(children[1]), reason, line)
    if kind == "change":
        return DoseFrom(_agent(children[0]), _amount(children[1]), _cycle(children[2]), reason, line)
    withheld = Withheld.HELD if str(children[0].children[0]) == "hold" else Withheld.OMITTED
    where = children[2]
    at = _cycle(where.children[0])
    numbers = [_whole(str(n), "a day") for n in where.children[1:]]
    shape = str(where.data)
    first: int | None = numbers[0] if numbers else None  # None: from a cycle on, every day
    last: int | None = numbers[-1] if shape in ("on_day", "on_days") else None  # None: to the cycle's end
    if first is not None and last is not None and last < first:
        raise _MistakeError(f"the days {first}-{last} run backwards", f"{first}-{last}")
    return Hold(_agent(children[1]), withheld, at, first, last, shape == "onward", reason, line)


def _cycle(tree: Tree[Any]) -> CycleRef:
    phase, number = tree.children
    value = _whole(str(number), "a cycle number")
    if value == 0:
        raise _MistakeError("there is no cycle 0", "cycle 0", "cycle 1 is the first cycle")
    return CycleRef(str(phase) if phase is not None else None, value)


def _agent(tree: Tree[Any]) -> str:
    words, label = tree.children
    name = " ".join(str(w) for w in words.children)
    return f"{name} ({' '.join(str(w) for w in label.children)})" if label is not None else name


def _amount(tree: Tree[Any], flat: bool = False) -> Amount:
    number, unit = (str(c) for c in tree.children)
    if unit not in UNITS:
        raise _MistakeError(f"unknown dose unit '{unit}'", unit, "units are " + ", ".join(UNITS))
    if Decimal(number) <= 0:
        raise _MistakeError("an amount must be more than 0", number)
    amount = Amount(Decimal(number), UNITS[unit])
    if flat and amount.unit.basis is not Basis.FLAT:
        raise _MistakeError("round to an absolute amount", unit, "e.g. 'rounding nearest 5 mg'")
    return amount


def _whole(text: str, what: str) -> int:
    if not text.isdigit():
        raise _MistakeError(f"{what} must be a whole number, not {text}", text)
    return int(text)


def _date(text: str) -> dt.date:
    year, month, day = (int(p) for p in text.split("-"))
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
    except CourseError as error:
        line = parsed.lines["weight" if "weight" in str(error) else "height"]
        return None, [_at(source, line, str(error))]
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


def _at(source: Source, line: int, message: str) -> Diagnostic:
    """At the first name the message quotes ('pomalidomid'), if the line holds it; else the whole line."""
    text = source.line_text(line)
    head, _, hint_text = message.partition("; ")
    quoted = re.search(r"'([^']+)'", head)
    if quoted and quoted.group(1) in text:
        return Diagnostic(
            Span(line, text.index(quoted.group(1)) + 1, len(quoted.group(1))), head, hint_text or None
        )
    return Diagnostic(Span(line, _indent(text) + 1, 0), head, hint_text or None)


def located(error: CourseError, source: Source, lines: dict[str, int]) -> Diagnostic:
    """A course error from checking against the regimen, at the line it is about."""
    message = str(error)
    found = re.match(r"course line (\d+): (.*)", message, re.S)
    if found:
        return _at(source, int(found.group(1)), found.group(2))
    for kind, words in (("level", "level"), ("cycles", "cycles"), ("until", "end date"), ("begin", "start")):
        if kind in lines and words in message:
            return _at(source, lines[kind], message)
    return _at(source, lines.get("header", 1), message)
