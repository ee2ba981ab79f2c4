"""Reading numbers, units and durations out of the syntax tree, reporting mistakes.

The base of the lowering classes: it owns the diagnostics (`errors.Findings`:
all counted, the first shown kept) and the rule that lines the parser had to
replace are not reported again. Every number is read against its range in
`dosecal.limits`.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable
from decimal import Decimal

from dosecal import limits
from dosecal.errors import Diagnostic, Findings
from dosecal.language import syntax as s
from dosecal.language.values import POWER_HINT, UNITS_HINT
from dosecal.limits import Limit, LimitError
from dosecal.model import dosing
from dosecal.model.dosing import CapFit
from dosecal.model.regimen import MAX_POWER, ROUTES, UNITS, Amount, Basis, DoseRange, Duration, Required, Unit
from dosecal.source import Span

# Suggestions ("did you mean ...?") compare a word with every choice; past this many
# comparisons in a file, no more are made, so that thousands of unknown names in a big
# file cannot cost minutes (the messages shown are the first 50 anyway).
_SUGGESTION_BUDGET = 100_000


# Why a cap and a dose do not compare, by (the dose is a day, the cap is a day).
_UNLIKE_HINT = {
    (False, False): "give the cap in the dose's unit",
    (True, False): "a dose a day is capped a day: write e.g. 'max 200 mg/day'",
    (False, True): "a cap a day caps a dose a day: give the cap in the dose's unit, e.g. 'max 2 mg'",
    (True, True): "give the cap in the dose's unit",
}


# The unit a hint writes after a number that has none: cells, after a power of ten.
_EXAMPLE_UNIT = {False: "mg", True: "cells/kg"}


def cap_hint(amount: Amount) -> str:
    """How a cap is written: an absolute amount (2 mg), or one a day for a dose a day (200 mg/day)."""
    return "write e.g. 'max 200 mg/day'" if amount.unit.per_day else "write e.g. 'max 2 mg'"


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


class Checker:
    """Collects diagnostics; reads numbers, units, doses and durations."""

    def __init__(self, recovered: frozenset[int], names_lost: bool = False) -> None:
        self.diagnostics = Findings()
        # Lines counted from another drug's doses, by line: resolved once the phase's drugs are known.
        self.relative: dict[int, s.RelativeNode] = {}
        # The drugs given over the whole course, and the continuous infusions, by key (lower.py).
        self.course_keys: set[str] = set()
        self.continuous: set[str] = set()
        self.recovered = recovered
        self.names_lost = names_lost
        self._suggestions = _SUGGESTION_BUDGET

    def error(self, span: Span, message: str, hint: str | None = None) -> None:
        if span.line not in self.recovered:
            self.diagnostics.append(Diagnostic(span, message, hint))

    def counted(self, span: Span) -> None:
        """A mistake counted but not worded: one that cannot be among those shown (see `overlaps`)."""
        if span.line not in self.recovered:
            self.diagnostics.unshown()

    def suggest(self, word: str, choices: Collection[str]) -> str | None:
        """`did_you_mean`, while the file's budget of comparisons lasts."""
        if len(choices) > self._suggestions:
            return None
        self._suggestions -= len(choices)
        return did_you_mean(word, choices)

    # ---- numbers and units ----------------------------------------------------

    def number(self, num: s.Num, limit: Limit, scale: int = 1, written: str = "") -> Decimal | None:
        """The number times `scale` within `limit`, or a diagnostic (`written`: its unit, for it)."""
        try:
            return limit.read(num.text, scale, written)
        except LimitError as error:
            self.error(num.span, error.message, error.hint)
            return None

    def whole(self, num: s.Num, limit: Limit, scale: int = 1, written: str = "") -> int | None:
        """`number` for a kind without decimals."""
        value = self.number(num, limit, scale, written)
        return None if value is None else int(value)

    def amount(self, node: s.AmountNode) -> Amount | None:
        if node.unit.text == "AUC" and node.unit.span.col > node.number.span.col:
            self.error(
                node.unit.span,
                "a target AUC is written before its number",
                f"write 'AUC {node.number.text}'",
            )
            return None
        unit = UNITS.get(node.unit.text)
        written = f"{node.number.text} x 10^{node.power.text}" if node.power else node.number.text
        if unit is None and node.unit.text.upper() in ROUTES:
            self.error(
                node.unit.span,
                f"the dose {written} has no unit",
                f"write it with its unit, e.g. '{written} {_EXAMPLE_UNIT[node.power is not None]} "
                f"{node.unit.text.upper()}'",
            )
            return None
        if unit is None:
            fixed = node.unit.text.replace("^2", "2").replace("\u00b2", "2").replace("²", "2")
            hint = f"did you mean '{fixed}'?" if fixed in UNITS else self.suggest(node.unit.text, UNITS)
            if node.unit.text.split("/")[0] in ("Gy", "cGy"):  # not 'g/kg': a mass is no fraction's
                hint = "a radiotherapy fraction's dose is flat, in Gy or cGy: never per kg, per m2 or a day"
            self.error(
                node.unit.span,
                f"unknown dose unit '{node.unit.text}'",
                hint or UNITS_HINT,
            )
            return None
        if not node.number.text.strip("0."):
            self.error(node.number.span, "a dose must be more than 0")
            return None
        if node.power is not None:
            return self.by_power(node, node.power, unit)
        value = self.number(node.number, limits.AUC if unit.basis is Basis.AUC else limits.AMOUNT)
        return None if value is None else Amount(value, unit)

    def by_power(self, node: s.AmountNode, power: s.Num, unit: Unit) -> Amount | None:
        """`2 x 10^6 cells/kg`: the number times the power of ten, within limits.AMOUNT."""
        exponent = int(power.text) if len(power.text) <= 2 else MAX_POWER + 1
        if not 1 <= exponent <= MAX_POWER:
            self.error(power.span, f"'10^{power.text}' is not a power of ten an amount is written with",
                       POWER_HINT)  # fmt: skip
            return None
        written = f"x 10^{exponent} {unit.text}"
        value = self.number(node.number, limits.AMOUNT, 10**exponent, written)
        return None if value is None else Amount(value, unit, exponent)

    def dose(self, node: s.DoseNode) -> Amount | DoseRange | Required | None:
        if isinstance(node, s.RequiredNode):
            return Required()
        if isinstance(node, s.RangeNode):
            return self.dose_range(node)
        return self.amount(node)

    def dose_range(self, node: s.RangeNode) -> DoseRange | None:
        """400 to 1000 mcg: two amounts of one flat unit, the first below the second."""
        low, high = self.amount(node.low), self.amount(node.high)
        if low is None or high is None:
            return None
        if low.unit.basis is not Basis.FLAT or low.unit.per_day:
            self.error(node.low.unit.span, f"a dose range is of a flat dose, not {low.unit.text}",
                       "write it in mg, mcg, g or units, as the label states it")  # fmt: skip
            return None
        if low.value >= high.value:
            said = f"{node.low.number.text} to {node.high.number.text}"
            self.error(node.span, f"the dose range {said} does not run from a lower dose to a higher one",
                       "write the lower dose first; a single dose is written alone ('400 mcg')")  # fmt: skip
            return None
        return DoseRange(low, high)

    def against_cap(self, dose: Amount | DoseRange | Required | None, cap: Amount | None, span: Span) -> None:
        """A dose must be in a unit its drug's cap can be compared with, and a flat one within it
        (a range: its higher end)."""
        if isinstance(dose, DoseRange):
            dose = dose.high
        if cap is None or not isinstance(dose, Amount):
            return
        fit = dosing.against_cap(dose, cap).fit  # the rule every dose is held to
        if fit is CapFit.UNLIKE:
            unit = "mg (by AUC)" if dose.unit.text == "AUC" else dose.unit.text
            self.error(
                span,
                f"a dose in {unit} cannot be held against the cap of {cap}",
                _UNLIKE_HINT[(dose.unit.per_day, cap.unit.per_day)],
            )
        elif fit is CapFit.ABOVE:
            self.error(span, f"the dose of {dose} is above the drug's cap of {cap}")

    def period_days(self, num: s.Num, period: s.Word, limit: Limit) -> int | None:
        """Days (a week is 7), within `limit`."""
        return self.whole(num, limit, 7 if period.text.startswith("week") else 1, period.text)

    def duration(self, node: s.DurationNode) -> Duration | None:
        """Minutes; hours may have a fraction that makes whole minutes (1.5 hours = 90 min)."""
        scale = 60 if node.unit.text.startswith("hour") else 1
        low = self.minutes(node.low, scale, node.unit.text)
        high = self.minutes(node.high, scale, node.unit.text) if node.high else low
        if low is None or high is None:
            return None
        if high < low:
            self.error(
                node.span,
                f"the duration range {node.low.text}-{node.high.text if node.high else ''} runs backwards",
            )
            return None
        if low == 0:
            self.error(node.low.span, "a duration must be more than 0")
            return None
        return Duration(low, high)

    def minutes(self, num: s.Num, scale: int, written: str) -> int | None:
        """A duration's minutes: whole, and 0 (said in its own words) or within `limits.DURATION`."""
        try:
            value = limits.DURATION.read(num.text, scale, written, within=False)
        except LimitError as error:
            self.error(num.span, error.message, error.hint)
            return None
        if value != value.to_integral_value():
            self.error(
                num.span, f"{num.text} {'hours' if scale == 60 else 'min'} is not a whole number of minutes"
            )
            return None
        if value and self.number(num, limits.DURATION, scale, written) is None:
            return None
        return int(value)
