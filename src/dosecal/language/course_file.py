"""Course files (`course.lark`) -> the regimen they name and a checked `Course`.

Each line is one statement, parsed on its own, so every mistake of a file is
reported at once, as `file:line:col` with the line and a caret, like regimen
files. Mistakes that only the regimen can reveal (a drug it does not have, a
cycle past its end) are found by checking the course against the regimen and
are reported at the line of the statement at fault (`located`): a supplied dose's
at its drug's name on its `dose` line. The parts of a statement (a date, an amount,
a cycle) are read by `course_terms`, by the rules the command line uses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from dosecal import limits
from dosecal.errors import MAX_SHOWN, CourseError, Diagnostic, Findings, Subject
from dosecal.language import course_terms as terms
from dosecal.language.parser import hint
from dosecal.limits import MAX_ADJUSTMENTS
from dosecal.model.adjust import Adjustment, Delay, DoseFrom, Hold, LevelFrom, StartOn, Withheld
from dosecal.model.course import Course, measured_problem
from dosecal.model.dosing import Rounding
from dosecal.model.measures import BsaFormula, Creatinine, Measures, Sex, age_at
from dosecal.model.regimen import Amount, size
from dosecal.model.strengths import MAX_STRENGTHS, RoundWay
from dosecal.source import Source, Span

if TYPE_CHECKING:
    from lark import Lark, Token, Tree
    from lark.exceptions import UnexpectedInput

    from dosecal.language.course_terms import Child


@cache
def _lark() -> Lark:
    from lark import Lark

    grammar = resources.files("dosecal.language").joinpath("course.lark").read_text("utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=True)


@dataclass
class CourseFile:
    """What a course file says, before it is checked against its regimen (None: not said)."""

    course_id: str = ""
    regimen: str = ""  # a bundled name, or a path relative to the course file
    start: dt.date | None = None  # the `start` statement (rule `begin`: lark's `start` is the file)
    cycles: int | None = None
    until: dt.date | None = None
    level: str | None = None
    option: str | None = None
    weight: Decimal | None = None
    height: Decimal | None = None
    bsa: BsaFormula | None = None
    age: int | None = None
    born: dt.date | None = None
    sex: Sex | None = None
    creatinine: Creatinine | None = None
    rounding: Rounding | None = None
    roundings: list[tuple[str, Rounding]] = field(default_factory=list)  # by drug, in file order
    doses: list[tuple[str, Amount]] = field(default_factory=list)  # in file order
    adjustments: list[Adjustment] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # statement -> its line
    # Drug -> its name on its first `dose` line: where a mistake about that dose is shown.
    dose_at: dict[str, Span] = field(default_factory=dict)


def parse(source: Source) -> tuple[CourseFile, Findings]:
    """Every statement of the file, and every mistake found on its own line (all counted, the first kept)."""
    from lark.exceptions import UnexpectedInput

    result, diagnostics = CourseFile(), Findings()
    first = True
    for number, text in enumerate(source.text.split("\n"), start=1):
        if not text.split("#")[0].strip():
            continue
        try:
            tree = _lark().parse(_sex_in_lower_case(text))
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
        except terms.MistakeError as mistake:
            column = mistake.column or (
                text.find(mistake.at) + 1 if mistake.at and mistake.at in text else _indent(text) + 1
            )
            diagnostics.append(
                Diagnostic(Span(number, column, len(mistake.at) or 0), str(mistake), mistake.hint)
            )
    return result, diagnostics


def _sex_in_lower_case(text: str) -> str:
    """A `sex` line in any case (`sex Male`), as --sex and a roster's cell take it; only ASCII
    letters are lowered, so every column stays where it is for the caret."""
    if text.split()[:1] != ["sex"]:
        return text
    return re.sub("[A-Z]", lambda m: m.group().lower(), text)


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def _syntax(error: UnexpectedInput, number: int, text: str, hinted: bool = True) -> Diagnostic:
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    column = error.column or len(text) + 1
    expected: set[str] = set()  # the LALR parser raises only the two kinds below
    if isinstance(error, UnexpectedToken):
        expected = set(error.accepts or error.expected)
        if error.token.type == "$END":
            wanted = hint("", expected, _lark()) if hinted else None
            return Diagnostic(Span(number, len(text.rstrip()) + 1, 1), "the line ends too early", wanted)
    elif isinstance(error, UnexpectedCharacters):
        expected = set(error.allowed or ())
    word = re.match(r"[^\s,()]+", text[column - 1 :])
    found = word.group(0) if word else text[column - 1 : column]
    return Diagnostic(
        Span(number, column, len(found) or 1),
        f"unexpected '{found}'",
        hint(found, expected, _lark()) if hinted else None,
    )


_SINGLE = {
    "regimen",
    "begin",
    "cycles",
    "until",
    "level",
    "option",
    "weight",
    "height",
    "bsa",
    "age",
    "born",
    "sex",
    "creatinine",
}


def _statement(tree: Tree[Token], number: int, out: CourseFile) -> None:
    kind = str(tree.data)
    if kind in _SINGLE | {"header"}:
        if kind in out.lines:
            word = {"begin": "start", "header": "course"}.get(kind, kind)
            raise terms.MistakeError(f"'{word}' is already given on line {out.lines[kind]}", word)
        out.lines[kind] = number
        _setting(kind, tree.children, out, number)
    elif kind == "rounding":
        drug = tree.children[0]
        key = "rounding" if drug is None else f"rounding {terms.agent(drug)}"
        if key in out.lines:
            raise terms.MistakeError(f"'{key}' is already given on line {out.lines[key]}", "rounding")
        out.lines[key] = number
        _setting(kind, tree.children, out, number)
    elif kind == "dose":
        drug, amount = tree.children
        key = terms.agent(drug)
        out.doses.append((key, terms.amount(amount)))
        where = terms.rule(drug).meta  # its position: a mistake about this dose is shown there
        out.dose_at.setdefault(key, Span(number, where.column, where.end_column - where.column))
    else:
        if len(out.adjustments) >= MAX_ADJUSTMENTS:
            raise terms.MistakeError(
                f"a course has at most {MAX_ADJUSTMENTS} adjustments; this is one more",
                hint="is this one patient's course? a course file describes one",
            )
        out.adjustments.append(_adjustment(kind, tree.children, number))


def _setting(kind: str, children: Sequence[Child], out: CourseFile, number: int) -> None:
    """The value of a statement said at most once ('course', 'start', 'weight', ...), into `out`."""
    first = children[0]
    if kind == "header":
        out.course_id = terms.text(first)
    elif kind == "regimen":
        value = terms.text(first)
        out.regimen = value[1:-1] if value.startswith('"') else value
    elif kind == "begin":
        out.start = terms.date(first)
    elif kind == "until":
        out.until = terms.date(first)
    elif kind == "cycles":
        out.cycles = terms.cycles(first)
    elif kind == "level":
        out.level = terms.text(first)
    elif kind == "option":
        out.option = terms.text(first)
    elif kind == "weight":
        out.weight = terms.measure(first, kind)
    elif kind == "height":
        out.height = terms.measure(first, kind)
    elif kind == "bsa":
        out.bsa = BsaFormula(terms.text(children[1]))  # children[0] is the word 'bsa' (rule `!bsa`)
    elif kind == "age":
        out.age = terms.age(first)
    elif kind == "born":
        out.born = terms.date(first)
    elif kind == "sex":
        out.sex = Sex(terms.text(children[1]).lower())  # children[0] is the word 'sex' (rule `!sex`)
    elif kind == "creatinine":
        out.creatinine = terms.creatinine(children)
    elif kind == "rounding":
        drug, rule = _rounding(children, number)
        if drug is None:
            out.rounding = rule
        else:
            out.roundings.append((drug, rule))


def _rounding(children: Sequence[Child], line: int) -> tuple[str | None, Rounding]:
    """`rounding: "rounding" [agent_ref] [ROUND_WAY] _round_to [within]`: the drug it is for
    (None: every computed dose) and the rule."""
    drug, way_token, target, within_node = children
    way = (
        RoundWay(terms.text(terms.rule(way_token).children[0])) if way_token is not None else RoundWay.NEAREST
    )
    within = None
    if within_node is not None:
        within = terms.number(terms.rule(within_node).children[0], limits.PERCENT)
    key = terms.agent(drug) if drug is not None else None
    tree = terms.rule(target)
    if tree.data == "amount":
        return key, Rounding(terms.amount(tree, flat=True), within, way, line=line)
    *amounts, form = tree.children
    sizes = tuple(terms.amount(a, flat=True) for a in amounts)
    if len(sizes) > MAX_STRENGTHS:
        raise terms.MistakeError(f"a rule names at most {MAX_STRENGTHS} strengths", "rounding")
    if len({size(a) for a in sizes}) < len(sizes):
        raise terms.MistakeError("a strength is named twice", "rounding", "name each strength once")
    if len({a.unit.absolute == "units" for a in sizes}) > 1:
        raise terms.MistakeError("these strengths are in units that do not convert to one another")
    ordered = tuple(sorted(sizes, key=size, reverse=True))
    form_text = terms.text(terms.rule(form).children[0])
    return key, Rounding(None, within, way, ordered, form_text, line=line)


def _adjustment(kind: str, children: Sequence[Child], line: int) -> Adjustment:
    reason = terms.text(terms.rule(children[-1]).children[0])[1:-1]
    if kind == "delay":
        period = terms.text(terms.rule(children[2]).children[0])
        return Delay(terms.cycle(children[0]), terms.delay(children[1], period), reason, line)
    if kind == "start_on":
        return StartOn(terms.cycle(children[0]), terms.date(children[1]), reason, line)
    if kind == "level_from":
        return LevelFrom(terms.text(children[0]), terms.cycle(children[1]), reason, line)
    if kind == "change":
        drug, since = children[0], terms.cycle(children[3])
        replaces = terms.amount(children[1]) if children[1] is not None else None
        return DoseFrom(terms.agent(drug), terms.amount(children[2]), since, reason, line, replaces)
    withheld = (
        Withheld.HELD if terms.text(terms.rule(children[0]).children[0]) == "hold" else Withheld.OMITTED
    )
    where = terms.rule(children[2])
    at = terms.cycle(where.children[0])
    numbers = [terms.whole(n, limits.DAY) for n in where.children[1:]]
    shape = str(where.data)
    first: int | None = numbers[0] if numbers else None  # None: from a cycle on, every day
    last: int | None = numbers[-1] if shape in ("on_day", "on_days") else None  # None: to the cycle's end
    if first is not None and last is not None and last < first:
        raise terms.MistakeError(f"the days {first}-{last} run backwards", f"{first}-{last}")
    return Hold(terms.agent(children[1]), withheld, at, first, last, shape == "onward", reason, line)


def to_course(parsed: CourseFile, source: Source) -> tuple[Course | None, list[Diagnostic]]:
    """The Course the file describes, or the statements it lacks or cannot hold (for a file
    `parse` found no mistake in)."""
    missing = []
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
    if missing or parsed.start is None:  # a start line without a date: `parse` said why
        return None, missing
    problem = _dates(parsed, parsed.start, source)
    if problem is not None:
        return None, [problem]
    age = age_at(parsed.born, parsed.start) if parsed.born is not None else parsed.age
    try:
        measures = Measures(
            parsed.weight,
            parsed.height,
            parsed.bsa or BsaFormula.MOSTELLER,
            age,
            parsed.sex,
            parsed.creatinine,
        )
    except CourseError as error:  # at the weight or height line (error.subject)
        return None, [located(error, source, parsed.lines, parsed.dose_at)]
    course = Course(
        parsed.start,
        parsed.cycles,
        parsed.until,
        parsed.level,
        tuple(parsed.doses),
        measures,
        parsed.course_id,
        tuple(parsed.adjustments),
        parsed.rounding,
        tuple(parsed.roundings),
        parsed.option,
    )
    return course, []


def _dates(parsed: CourseFile, start: dt.date, source: Source) -> Diagnostic | None:
    """The date of birth and the creatinine's day against the start: a dose rule is decided once,
    at the start, from values known then."""
    if parsed.born is not None and parsed.age is not None:
        return _at(
            source,
            parsed.lines["born"],
            CourseError(
                f"the age is given on line {parsed.lines['age']}: give the age or the date of birth, not both"
            ),
        )
    if parsed.born is not None and parsed.born > start:
        return _at(
            source,
            parsed.lines["born"],
            CourseError(f"born {parsed.born} is after the start, {start}", quoted=str(parsed.born)),
        )
    measured = parsed.creatinine.measured if parsed.creatinine is not None else None
    problem = measured_problem(measured, start) if measured is not None else None
    if problem is not None:
        error = CourseError(problem[0], hint=problem[1], quoted=str(measured))
        return _at(source, parsed.lines["creatinine"], error)
    return None


def located(
    error: CourseError, source: Source, lines: Mapping[str, int], doses: Mapping[str, Span]
) -> Diagnostic:
    """A course error from checking against the regimen, at the line it is about: the adjustment's
    (`error.line`); for a supplied dose, its drug's name on its `dose` line (`doses`, by the
    drug `error.quoted` names); else the statement of `error.subject`; else the 'course' line."""
    if error.line is not None:
        return _at(source, error.line, error)
    if error.subject is Subject.DOSE and error.quoted is not None and error.quoted in doses:
        return Diagnostic(doses[error.quoted], error.message, error.hint or None)
    statement = _STATEMENTS.get(error.subject, "header") if error.subject is not None else "header"
    if statement == "age" and "age" not in lines:  # the age from the date of birth
        statement = "born"
    return _at(source, lines.get(statement) or lines.get("header", 1), error)


# The statement (a rule of course.lark) that gives each subject; the others have none of their own.
_STATEMENTS = {
    Subject.START: "begin",
    Subject.CYCLES: "cycles",
    Subject.UNTIL: "until",
    Subject.LEVEL: "level",
    Subject.OPTION: "option",
    Subject.WEIGHT: "weight",
    Subject.HEIGHT: "height",
    Subject.AGE: "age",
    Subject.SEX: "sex",
    Subject.CREATININE: "creatinine",
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
