"""The parts of a course file's statement (`course.lark`) -> values: a date, a number within its
range, an amount, a cycle, a drug. Each mistake is a `MistakeError` at the text of its part.

Used by `dosecal.language.course_file`, which puts the mistakes on their line. Every reader
takes a child of a lark tree as course.lark places it; each rule is the one the command
line and rosters use (`dosecal.language.values`, `dosecal.limits`, `dosecal.model.dosing`),
said in a course file's words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from dosecal import limits
from dosecal.errors import CourseError
from dosecal.language import values
from dosecal.limits import Limit, LimitError, shown
from dosecal.model.adjust import CycleRef
from dosecal.model.measures import Creatinine, Measures
from dosecal.model.regimen import Amount, Basis

if TYPE_CHECKING:
    from lark import Token, Tree
    from lark.tree import Branch

    # A child of a rule's tree: a rule, a terminal, or None for an `[optional]` part left out
    # (maybe_placeholders=True), which lark's own type for a child (Branch) leaves out.
    Child = Branch[Token] | None


class MistakeError(Exception):
    """A mistake of a statement, at the text `at` (at `column`, when known: a number may be there twice)."""

    def __init__(
        self, message: str, at: str = "", hint: str | None = None, column: int | None = None
    ) -> None:
        super().__init__(message)
        self.at, self.hint, self.column = at, hint, column

    @classmethod
    def at_token(cls, token: Token, message: str, hint: str | None = None) -> MistakeError:
        return cls(message, str(token), hint, token.column)


def rule(node: Child) -> Tree[Token]:
    """`node`, a rule where course.lark puts one (checked: lark's types cannot say which)."""
    from lark import Tree  # already loaded: a tree has been parsed

    if not isinstance(node, Tree):
        raise TypeError(f"course.lark gives a rule here, not {node!r}")
    return node


def terminal(node: Child) -> Token:
    """`node`, a terminal where course.lark puts one (checked: lark's types cannot say which)."""
    from lark import Token  # already loaded: a tree has been parsed

    if not isinstance(node, Token):
        raise TypeError(f"course.lark gives a terminal here, not {node!r}")
    return node


def text(node: Child) -> str:
    """The text of a terminal (a name, a level, a word of the grammar)."""
    return str(terminal(node))


def cycle(node: Child) -> CycleRef:
    """`cycle_ref: [ID] "cycle" NUMBER`: cycle 1 to 200, of a phase if one is named."""
    phase, written = rule(node).children
    if str(written) == "0":
        raise MistakeError("there is no cycle 0", "cycle 0", "cycle 1 is the first cycle")
    return CycleRef(str(phase) if phase is not None else None, whole(written, limits.CYCLE_NUMBER))


def agent(node: Child) -> str:
    """`agent_ref: words [label]`: the drug's key, 'fluorouracil (bolus)' (model.regimen.drug_key)."""
    words, label = rule(node).children
    name = " ".join(str(w) for w in rule(words).children)
    if label is None:
        return name
    return f"{name} ({' '.join(str(w) for w in rule(label).children)})"


def amount(node: Child, flat: bool = False) -> Amount:
    """`amount: NUMBER [POWER] UNIT | AUC NUMBER`, by the rule of the command line's `--dose`
    (values.amount), in a course file's words, at the unit, the power or the number, whichever is
    wrong; `flat`: in mg, g, ..."""
    children = rule(node).children
    power = terminal(children[1]) if len(children) == 3 and children[1] is not None else None
    written, unit = terminal(children[0]), terminal(children[-1])
    if written.type == "AUC":  # `AUC NUMBER`: the target before its number
        written, unit = unit, written
    elif str(unit) == "AUC":
        raise MistakeError.at_token(
            unit, "a target AUC is written before its number", f"write 'AUC {written}'"
        )
    try:
        found = values.amount(str(written), str(unit), str(power) if power else None)
    except values.AmountError as error:
        faults = {values.AmountFault.UNIT: unit, values.AmountFault.POWER: power}
        at = faults.get(error.fault) or written
        raise MistakeError.at_token(at, error.message, error.hint) from None
    if flat and (found.unit.basis is not Basis.FLAT or found.unit.per_day):  # a dose a day rounds in mg
        raise MistakeError.at_token(unit, "round to an absolute amount", "e.g. 'rounding nearest 5 mg'")
    return found


def number(node: Child, limit: Limit, scale: int = 1, written: str = "") -> Decimal:
    """The number `node` within `limit` (dosecal.limits), or the mistake at it."""
    token = terminal(node)
    try:
        return limit.read(str(token), scale, written)
    except LimitError as error:
        raise MistakeError.at_token(token, error.message, error.hint) from None


def whole(node: Child, limit: Limit, scale: int = 1, written: str = "") -> int:
    return int(number(node, limit, scale, written))


def cycles(node: Child) -> int:
    """Said as the command line says `--cycles` out of range (dosecal.engine.timeline)."""
    token = terminal(node)
    try:
        return limits.CYCLE_COUNT.whole(str(token))
    except LimitError as error:
        if not error.outside:
            raise MistakeError.at_token(token, error.message, error.hint) from None
        raise MistakeError.at_token(token, limits.implausible_cycles(str(token))) from None


def delay(node: Child, period: str) -> int:
    """Days of a delay (a week is 7), refused in the words of `adjust.check` (the Python API's)."""
    token = terminal(node)
    scale = 7 if period.startswith("week") else 1
    try:
        return limits.DELAY.whole(str(token), scale, period)
    except LimitError as error:
        if not error.outside:
            raise MistakeError.at_token(token, error.message, error.hint) from None
        digits = str(token)
        given = f"{int(digits) * scale} days" if len(digits) <= 9 else f"{shown(digits)} {period}"
        high = limits.plain(limits.DELAY.high)
        message = f"a delay of {given} is not plausible (expected 1-{high} days)"
        raise MistakeError.at_token(token, message, error.hint) from None


def measure(node: Child, kind: str) -> Decimal:
    """A weight or height: the command line's rule and words (dosing.Measures), read as a number
    of the language first, so that 5,000 digits are refused without arithmetic."""
    token = terminal(node)
    limit = limits.WEIGHT if kind == "weight" else limits.HEIGHT
    try:
        value = limit.read(str(token), within=False)
        Measures(value, None) if kind == "weight" else Measures(None, value)
    except LimitError as error:
        if not error.outside:
            raise MistakeError.at_token(token, error.message, error.hint) from None
        low, high, unit = limits.plain(limit.low), limits.plain(limit.high), limit.unit
        message = f"{kind} {shown(str(token))} {unit} is not plausible (expected {low}-{high} {unit})"
        raise MistakeError.at_token(token, message) from None
    except CourseError as error:
        raise MistakeError.at_token(token, error.message, error.hint) from None
    return value


def age(node: Child) -> int:
    """Whole years, within the command line's range (dosecal.model.measures)."""
    token = terminal(node)
    try:
        value = limits.AGE.read(str(token), within=False)
        Measures(age=int(value))
    except LimitError as error:
        if not error.outside:
            raise MistakeError.at_token(token, error.message, error.hint) from None
        high = limits.plain(limits.AGE.high)
        raise MistakeError.at_token(
            token, f"age {shown(str(token))} years is not plausible (expected 0-{high} years)"
        ) from None
    except CourseError as error:
        raise MistakeError.at_token(token, error.message, error.hint) from None
    return int(value)


def creatinine(children: Sequence[Child]) -> Creatinine:
    """`creatinine: "creatinine" NUMBER UNIT ["on" DATE]`: the rule of `--creatinine`, at the unit
    when it is the unit that is wrong."""
    number, unit, day = children
    written, unit_token = terminal(number), terminal(unit)
    try:
        value, found, _ = values.parse_creatinine(f"{written} {unit_token}")
        return Creatinine(value, found, date(day) if day is not None else None)
    except ValueError as error:
        at = unit_token if str(error).startswith("unknown creatinine unit") else written
        raise MistakeError.at_token(at, str(error)) from None
    except CourseError as error:
        raise MistakeError.at_token(written, error.message, error.hint) from None


def date(node: Child) -> dt.date:
    """YYYY-MM-DD, a day that exists: the rule of the command line and rosters (values.parse_date)."""
    token = terminal(node)
    try:
        return values.parse_date(str(token))
    except ValueError as error:  # course.lark's DATE is YYYY-MM-DD: the day is what is wrong
        raise MistakeError.at_token(token, str(error)) from None
