"""Reading numbers, units and durations out of the syntax tree, reporting mistakes.

The base of the lowering classes: it owns the list of diagnostics and the
rule that lines the parser had to replace are not reported again.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from decimal import Decimal

from dosecal.errors import Diagnostic
from dosecal.language import syntax as s
from dosecal.model import ROUTES, UNITS, Amount, Basis, Duration, Required, convert
from dosecal.source import Span


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


class Checker:
    """Collects diagnostics; reads numbers, units, doses and durations."""

    def __init__(self, recovered: frozenset[int], names_lost: bool = False) -> None:
        self.diagnostics: list[Diagnostic] = []
        self.recovered = recovered
        self.names_lost = names_lost

    def error(self, span: Span, message: str, hint: str | None = None) -> None:
        if span.line not in self.recovered:
            self.diagnostics.append(Diagnostic(span, message, hint))

    # ---- numbers and units ----------------------------------------------------

    def whole(self, num: s.Num, what: str, low: int = 1, high: int | None = None) -> int | None:
        """A whole number in [low, high], or a diagnostic."""
        if not num.text.isdigit():
            self.error(num.span, f"{what} must be a whole number, not {num.text}")
            return None
        value = int(num.text)
        if value < low or (high is not None and value > high):
            bound = f"from {low} to {high}" if high is not None else f"at least {low}"
            self.error(num.span, f"{what} {value} is out of range", f"{what} runs {bound}")
            return None
        return value

    def amount(self, node: s.AmountNode) -> Amount | None:
        value = Decimal(node.number.text)
        unit = UNITS.get(node.unit.text)
        if unit is None and node.unit.text.upper() in ROUTES:
            self.error(
                node.unit.span,
                f"the dose {node.number.text} has no unit",
                f"write it with its unit, e.g. '{node.number.text} mg {node.unit.text.upper()}'",
            )
            return None
        if unit is None:
            fixed = node.unit.text.replace("^2", "2").replace("\u00b2", "2").replace("²", "2")
            hint = f"did you mean '{fixed}'?" if fixed in UNITS else did_you_mean(node.unit.text, UNITS)
            self.error(
                node.unit.span,
                f"unknown dose unit '{node.unit.text}'",
                hint or "units are " + ", ".join(UNITS),
            )
            return None
        if value <= 0:
            self.error(node.number.span, "a dose must be more than 0")
            return None
        return Amount(value, unit)

    def dose(self, node: s.DoseNode) -> Amount | Required | None:
        if isinstance(node, s.RequiredNode):
            return Required()
        return self.amount(node)

    def against_cap(self, dose: Amount | Required | None, cap: Amount | None, span: Span) -> None:
        """A dose must be in a unit its drug's cap can be compared with, and a flat one within it."""
        if cap is None or not isinstance(dose, Amount):
            return
        limit = convert(cap.value, cap.unit.absolute, dose.unit.absolute)
        if limit is None:
            self.error(
                span,
                f"a dose in {dose.unit.text} cannot be held against the cap of {cap}",
                "give the cap in the dose's unit",
            )
        elif dose.unit.basis is Basis.FLAT and dose.value > limit:
            self.error(span, f"the dose of {dose} is above the drug's cap of {cap}")

    def period_days(self, num: s.Num, period: s.Word, what: str) -> int | None:
        value = self.whole(num, what)
        if value is None:
            return None
        return value * 7 if period.text.startswith("week") else value

    def duration(self, node: s.DurationNode) -> Duration | None:
        """Minutes; hours may have a fraction that makes whole minutes (1.5 hours = 90 min)."""
        scale = 60 if node.unit.text.startswith("hour") else 1
        low = self.minutes(node.low, scale)
        high = self.minutes(node.high, scale) if node.high else low
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

    def minutes(self, num: s.Num, scale: int) -> int | None:
        value = Decimal(num.text) * scale
        if value != value.to_integral_value():
            self.error(
                num.span, f"{num.text} {'hours' if scale == 60 else 'min'} is not a whole number of minutes"
            )
            return None
        return int(value)
