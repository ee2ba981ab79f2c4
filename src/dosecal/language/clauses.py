"""Lowering of schedule lines: days, cycle selectors, intervals, doses a day."""

from __future__ import annotations

from collections.abc import Sequence

from dosecal import limits
from dosecal.language import syntax as s
from dosecal.language.checks import Checker, cap_hint
from dosecal.language.overlaps import interval_fit
from dosecal.limits import MAX_CYCLE_DAYS, MAX_TIMES_A_DAY, LimitError, shown
from dosecal.model.rates import misfit
from dosecal.model.regimen import (
    WEEKDAYS,
    Amount,
    Basis,
    Clause,
    CoursePoint,
    CourseRule,
    CycleRange,
    CycleSelector,
    DayRule,
    IntervalRule,
    Parity,
    Slot,
    WeekdayRule,
)
from dosecal.source import Span
from dosecal.text import counted


class ClauseChecker(Checker):
    """Lowers one schedule line of a drug, checking it against the cycle it lives in."""

    def clause(
        self,
        node: s.ClauseNode,
        cycle_days: int,
        count: int | None,
        cap: Amount | None = None,
        continuous: bool = False,
    ) -> Clause | None:
        if continuous and not self.runs_over_days(node):
            return None
        rule: DayRule | IntervalRule | None
        course: CourseRule | None = None
        weekdays: WeekdayRule | None = None
        if isinstance(node.rule, s.WeekdaysNode):
            selector = self.selector(node.rule.selector, count) if node.rule.selector else CycleSelector()
            weekdays = self.weekday_rule(node.rule)
            rule = DayRule(selector, ()) if weekdays is not None and selector is not None else None
        elif isinstance(node.rule, s.CourseLineNode):
            course = self.course_rule(node.rule, node.step_up)
            rule = DayRule(CycleSelector(), ()) if course is not None else None
        elif isinstance(node.rule, s.RelativeNode):
            rule = self.relative_rule(node.rule, cycle_days)
        elif isinstance(node.rule, s.DayRuleNode):
            rule = self.day_rule(node.rule, cycle_days, count, continuous)
        else:
            rule = self.interval(node.rule, cycle_days, count)
        dose_nodes = [t for t in node.tails if isinstance(t, s.ClauseDoseNode)]
        durations = [t for t in node.tails if isinstance(t, s.DurationNode)]
        caps = [t for t in node.tails if isinstance(t, s.CapNode)]
        self.once(dose_nodes)
        self.once(durations)
        self.once(caps)
        own_cap = self.line_cap(caps[0]) if caps else None
        cap = own_cap or cap
        dose = self.dose(dose_nodes[0].dose) if dose_nodes else None
        if dose_nodes:
            self.against_cap(dose, cap, dose_nodes[0].span)
        slots = self.slots(node)
        duration = self.duration(durations[0]) if durations else None
        if rule is None or slots is None:
            return None
        clause = Clause(
            rule,
            dose,
            slots,
            node.step_up,
            duration,
            node.span.line,
            own_cap,
            course=course,
            weekdays=weekdays,
        )
        found = misfit(dose, clause, continuous) if isinstance(dose, Amount) else None
        if found is not None:
            self.error(dose_nodes[0].dose.span, found.message, found.hint)
        return clause

    def relative_rule(self, node: s.RelativeNode, cycle_days: int) -> DayRule | None:
        """A line counted from another drug's doses: its days wait for the phase's drugs (lower.py
        `resolve`); here, its own mistakes. Until then it stands as a rule of no days."""
        seen: dict[int, Span] = {}
        fine = True
        for shift, span in node.shifts:
            if shift is None:
                self.error(span, "days before or after a dose are a whole number of days, at least 1",
                           "write e.g. '2 days before', or 'the day of' for the dose's own day")  # fmt: skip
                fine = False
                continue
            if shift in seen:
                self.error(
                    span, "this day is listed twice", f"it is listed first at column {seen[shift].col}"
                )
                fine = False
            elif abs(shift) >= cycle_days:
                away = f"in a {cycle_days}-day cycle, up to {cycle_days - 1} days before or after"
                self.error(span, f"a day counted from {node.anchor.key}'s dose is at most a cycle away", away)
                fine = False
            seen.setdefault(shift, span)
        for tail in (t for t in node.tails if isinstance(t, s.LineIfNode)):
            self.error(tail.span, f"a line counted from {node.anchor.key}'s doses is given with them",
                       f"give the condition to {node.anchor.key}'s line instead")  # fmt: skip
            fine = False
        if not fine:
            return None
        self.relative[node.span.line] = node
        return DayRule(CycleSelector(), ())

    def weekday_rule(self, node: s.WeekdaysNode) -> WeekdayRule | None:
        """Monday to Friday (a span, which may run past Sunday: Friday to Monday), or days listed,
        each once; a count of the phase's doses on them, from 1."""
        days = [WEEKDAYS.index(w.text.removesuffix("s")) for w in node.days]
        count = self.whole(node.count, limits.DOSE_COUNT) if node.count is not None else None
        if node.count is not None and count is None:
            return None
        if node.span_written:
            first, last = days
            if first == last:
                self.error(
                    node.days[1].span,
                    "a span of days of the week runs from one day to another",
                    f"for {WEEKDAYS[first]}s alone, write 'on {WEEKDAYS[first]}s'",
                )
                return None
            run = tuple((first + n) % 7 for n in range((last - first) % 7 + 1))
            return WeekdayRule(run, count, first)
        seen: dict[int, s.Word] = {}
        for day, word in zip(days, node.days, strict=True):
            if day in seen:
                self.error(
                    word.span,
                    f"{WEEKDAYS[day]} is listed twice",
                    f"it is listed first at column {seen[day].span.col}",
                )
                return None
            seen[day] = word
        return WeekdayRule(tuple(sorted(days)), count)

    def course_rule(self, node: s.CourseLineNode, step_up: bool) -> CourseRule | None:
        """A line over the whole course (`daily from 7 days before the first pemetrexed until 21
        days after the last pemetrexed`): its own mistakes. Which drugs it names is checked once
        every phase is known (lower.py `over_the_course`)."""
        start = self.course_point(node.start)
        end = self.course_point(node.end) if node.end is not None else None
        every = None
        if node.every is not None:
            number, period = node.every
            every = self.period_days(number or s.Num("1", period.span), period, limits.INTERVAL)
        count = self.whole(node.count, limits.DOSE_COUNT) if node.count is not None else None
        fine = start is not None and (node.end is None or end is not None)
        fine = (
            fine and (node.every is None or every is not None) and (node.count is None or count is not None)
        )
        if step_up:
            self.error(
                node.span,
                "a step-up dose is a cycle's: a line over the whole course has none",
                "write the step-up doses as days of cycle 1 ('step-up cycle 1: day 1 at ...')",
            )
            fine = False
        for tail in (t for t in node.tails if isinstance(t, s.LineIfNode)):
            self.error(
                tail.span,
                "a line over the whole course is given with the drug it is counted from",
                f"give the condition to {node.start.anchor.key}'s line instead",
            )
            fine = False
        if not fine or start is None:
            return None
        wrong = _order_mistake(start, end) if end is not None else None
        if wrong is not None:
            self.error(
                node.end.span if node.end is not None else node.span,
                wrong,
                "say the day it starts first, then the day it ends",
            )
            return None
        return CourseRule(start, every, end, count)

    def course_point(self, node: s.CoursePointNode) -> CoursePoint | None:
        """7 days before the first pemetrexed: a whole number of days from that dose, at most a year."""
        if node.shift is None:
            return CoursePoint(node.anchor.key, node.last, 0)
        shift, span = node.shift
        if shift is None:
            self.error(
                span,
                "days before or after a dose are a whole number of days, at least 1",
                "write e.g. '7 days before', or 'the first pemetrexed' for the dose's own day",
            )
            return None
        if abs(shift) > MAX_CYCLE_DAYS:
            self.error(
                span,
                f"a day counted from {node.anchor.key}'s dose is at most {MAX_CYCLE_DAYS} days away",
                "a line over a longer time is counted from a later dose",
            )
            return None
        return CoursePoint(node.anchor.key, node.last, shift)

    def runs_over_days(self, node: s.ClauseNode) -> bool:
        """A continuous infusion's line: days (each item one infusion), once, lasting its days."""
        if not isinstance(node.rule, s.DayRuleNode):
            self.error(node.rule.span, "a continuous infusion runs over days of the cycle",
                       "write the days it runs, e.g. 'days 1-7'")  # fmt: skip
            return False
        extra = [t for t in node.tails if isinstance(t, (s.FrequencyNode, s.TimesNode, s.DurationNode))]
        for tail in extra:
            what = "lasts the days it runs" if isinstance(tail, s.DurationNode) else "runs without a break"
            self.error(tail.span, f"a continuous infusion over days {what}",
                       "leave this out: 'days 1-7' is one infusion of 7 days")  # fmt: skip
        return not extra

    def fits(self, dose: object, clauses: Sequence[Clause], continuous: bool, span: Span) -> None:
        """A dose a drug's lines take (those without a dose of their own) must suit each of them: a
        dose a day on a continuous infusion's, or once a day (`model.rates.misfit`)."""
        if not isinstance(dose, Amount):
            return
        for clause in clauses:
            found = misfit(dose, clause, continuous) if clause.dose is None else None
            if found is not None:
                self.error(span, found.message, found.hint)
                return

    def line_cap(self, node: s.CapNode) -> Amount | None:
        """cap: "max" amount, on a schedule line: an absolute amount, as the drug's."""
        amount = self.amount(node.amount)
        if amount is not None and amount.unit.basis is not Basis.FLAT:
            self.error(node.amount.unit.span, "a cap is an absolute amount", cap_hint(amount))
            return None
        return amount

    def once(self, tails: Sequence[s.TailNode]) -> None:
        for extra in tails[1:]:
            self.error(extra.span, "this is given twice on one line")

    def slots(self, node: s.ClauseNode) -> tuple[Slot, ...] | None:
        freqs = [t for t in node.tails if isinstance(t, s.FrequencyNode)]
        times = [t for t in node.tails if isinstance(t, s.TimesNode)]
        self.once(freqs)
        self.once(times)
        per_day = freqs[0].count if freqs else 1
        if not times:
            return tuple(Slot(i) for i in range(1, per_day + 1))
        if len(times[0].times) > MAX_TIMES_A_DAY:
            self.error(
                times[0].times[MAX_TIMES_A_DAY].span,
                f"{len(times[0].times)} clock times a day are more than a drug is given",
                f"give at most {MAX_TIMES_A_DAY} times a day",
            )
            return None
        clock = [self.clock(t) for t in times[0].times]
        if any(c is None for c in clock):
            return None
        if freqs and len(clock) != per_day:
            self.error(
                times[0].span,
                f"{per_day} doses a day need {per_day} clock times, not {len(clock)}",
                "give one time for each dose, e.g. 'twice daily at 08:00, 20:00', or leave the times out",
            )
            return None
        if sorted(clock) != clock or len(set(clock)) != len(clock):  # type: ignore[type-var]
            self.error(times[0].span, "clock times must be given in order, each once")
            return None
        return tuple(Slot(i, c) for i, c in enumerate(clock, start=1))

    def clock(self, word: s.Word) -> str | None:
        hours, minutes = (int(x) for x in word.text.split(":"))
        if hours > 23 or minutes > 59:
            self.error(word.span, f"{word.text} is not a clock time", "use 24-hour times from 00:00 to 23:59")
            return None
        return f"{hours:02d}:{minutes:02d}"

    def day_rule(
        self, node: s.DayRuleNode, cycle_days: int, count: int | None, continuous: bool = False
    ) -> DayRule | None:
        selector = self.selector(node.selector, count) if node.selector else CycleSelector()
        days: set[int] = set()
        runs: list[tuple[int, int]] = []
        for item in node.days:
            listed = self.day_item(item, cycle_days)
            # One message an item, at its first day listed before (a set: the items may be thousands).
            if not days.isdisjoint(listed):
                self.error(item.span, f"day {min(days.intersection(listed))} is listed twice")
            days.update(listed)
            if listed:
                runs.append((listed.start, listed.stop - 1))
        if continuous and days and min(days) < 1:
            self.error(node.span, "a continuous infusion over days runs from day 1 or later",
                       "start it on day 1, and give the days before it to another drug line")  # fmt: skip
            return None
        if selector is None or not days:
            return None
        return DayRule(selector, tuple(sorted(days)), tuple(sorted(runs)) if continuous else ())

    def day_item(self, item: s.Item, cycle_days: int) -> range:
        numbers = (
            [item.number]
            if isinstance(item, s.SingleItem)
            else [item.first, item.last]
            if isinstance(item, s.SpanItem)
            else [item.first]
        )
        values = [self.day(n, cycle_days) for n in numbers]
        if any(v is None for v in values):
            return range(0)
        first, last = values[0], values[-1]
        assert first is not None and last is not None
        if first < 0 < last:
            # Whether day 0 lies between them is the protocol's numbering, which the range cannot say.
            self.error(item.span, f"the day range {_range(first, last)} runs across day 0", _ACROSS_ZERO)
            return range(0)
        if last < first:
            self.error(
                item.span,
                f"the day range {_range(first, last)} runs backwards",
                f"did you mean {_range(last, first)}?" if not last < 0 < first else _ACROSS_ZERO,
            )
            return range(0)
        return range(first, last + 1)

    def day(self, num: s.Num, cycle_days: int, before: bool = True) -> int | None:
        """A day of the cycle; with `before`, also day 0 and days before day 1 (at most a cycle before)."""
        if num.text.startswith("-") or not num.text.strip("0"):
            if not before:
                self.error(num.span, f"an interval's first dose is on day 1 or later, not day {num.text}",
                           "a dose before day 1 is written as a day: 'cycle 1: day -1'")  # fmt: skip
                return None
            digits = num.text.lstrip("-")
            value = -int(digits) if len(digits) <= 6 else -MAX_CYCLE_DAYS - 1  # a typo: said below
            if value < 1 - min(cycle_days, MAX_CYCLE_DAYS):
                self.error(num.span, *_too_early(num.text, cycle_days))
                return None
            return value
        try:
            value = limits.DAY.whole(num.text)
        except LimitError as error:
            if not error.above:
                self.error(num.span, error.message, error.hint)
                return None
            value = cycle_days + 1  # said in the words of the cycle, below
        if value > cycle_days and cycle_days <= MAX_CYCLE_DAYS:
            self.error(
                num.span,
                f"day {shown(num.text)} is outside a {cycle_days}-day cycle",
                f"days run from 1 to {cycle_days}",
            )
            return None
        if value > MAX_CYCLE_DAYS:  # a run without cycles (language §34): its days are a cycle's
            self.error(
                num.span,
                f"day {shown(num.text)} is past day {MAX_CYCLE_DAYS}, the last a line of days may name",
                "give a run's later doses by a count: 'every 8 weeks for 12 doses'",
            )
            return None
        return value

    def selector(self, node: s.SelectorNode, count: int | None) -> CycleSelector | None:
        ranges = [r for r in (self.cycle_range(i, count) for i in node.items) if r is not None]
        several = len(node.items) > 1 or any(not isinstance(i, s.SingleItem) for i in node.items)
        if node.keyword.text == "cycle" and (several or node.parity):
            text = " ".join(
                filter(None, [node.parity.text if node.parity else None, "cycles", _items_text(node.items)])
            )
            self.error(node.keyword.span, "'cycle' names one cycle", f"did you mean '{text}'?")
        if not node.items and node.parity is None:
            self.error(node.span, "say which cycles", "e.g. 'cycles 2+:' or 'odd cycles:'")
            return None
        if len(ranges) != len(node.items):
            return None
        parity = Parity(node.parity.text) if node.parity else None
        selector = CycleSelector(tuple(ranges), parity)
        if not _selects_some(selector):
            self.error(node.span, f"'{_selector_text(node)}' selects no cycle")
            return None
        return selector

    def cycle_number(self, num: s.Num, count: int | None) -> int | None:
        """A cycle number within the phase's count, if it has one, and within `limits.CYCLE_NUMBER`."""
        if num.text == "0":
            self.error(num.span, "there is no cycle 0", "cycle 1 is the first cycle")
            return None
        try:
            value = limits.CYCLE_NUMBER.whole(num.text)
        except LimitError as error:
            if not (error.above and count is not None):
                self.error(num.span, error.message, error.hint)
                return None
            value = count + 1  # said in the words of the count, below
        if count is not None and value > count:
            self.error(num.span, f"cycle {shown(num.text)} is past the last cycle ({count})")
            return None
        return value

    def cycle_range(self, item: s.Item, count: int | None) -> CycleRange | None:
        first_num = item.number if isinstance(item, s.SingleItem) else item.first
        first = self.cycle_number(first_num, count)
        if first is None:
            return None
        if isinstance(item, s.OnwardItem):
            return CycleRange(first, None)
        if isinstance(item, s.SingleItem):
            return CycleRange(first, first)
        last = self.cycle_number(item.last, count)
        if last is None:
            return None
        if last < first:
            self.error(item.span, f"the cycle range {first}-{last} runs backwards")
            return None
        return CycleRange(first, last)

    def interval(self, node: s.IntervalNode, cycle_days: int, count: int | None) -> IntervalRule | None:
        every = self.period_days(node.every, node.period, limits.INTERVAL)
        anchor_cycle, anchor_day = 1, 1
        if node.anchor:
            c = self.cycle_number(node.anchor[0], count)
            d = self.day(node.anchor[1], cycle_days, before=False)
            if c is None or d is None:
                return None
            anchor_cycle, anchor_day = c, d
        doses = self.whole(node.count, limits.DOSE_COUNT) if node.count else None
        if every is None or (node.count and doses is None):
            return None
        rule = IntervalRule(every, anchor_cycle, anchor_day, doses)
        if doses is not None and count is not None:
            fit = interval_fit(rule, cycle_days, count)
            if fit < doses and cycle_days > MAX_CYCLE_DAYS:  # a run without cycles (language §34)
                self.error(
                    node.span,
                    f"only {fit} of the {doses} doses fit in {cycle_days} days, the longest a run "
                    "without cycles may last",
                    "check the interval and the number of doses",
                )
            elif fit < doses:
                self.error(
                    node.span,
                    f"only {fit} of the {doses} doses fit "
                    f"in the {counted(count, 'cycle')} of {cycle_days} days",
                    "check the interval, the first dose and the number of cycles",
                )
        return rule


_ACROSS_ZERO = (
    "list the days before day 1 apart from the others ('days -2, -1, 1, 2'), "
    "with 'day 0' where the protocol numbers one"
)


def _order_mistake(start: CoursePoint, end: CoursePoint) -> str | None:
    """What is wrong with a line over the course whose end, counted from the same drug as its start,
    cannot follow it: counted from the same dose, an earlier day; from the last dose to the first."""
    if end.agent != start.agent:
        return None
    if end.last == start.last and end.shift < start.shift:
        return f"this line ends ({end.words()}) before it starts ({start.words()})"
    if start.last and not end.last:
        return f"a line that starts from the last {start.agent} cannot end by the first"
    return None


def _range(first: int, last: int) -> str:
    """'1-5', and '-5 to -3' where a hyphen would read as a minus."""
    return f"{first} to {last}" if min(first, last) < 0 else f"{first}-{last}"


def _selects_some(selector: CycleSelector) -> bool:
    """Does any cycle match (odd cycles 2 does not)? Each range looked at once, not each cycle."""
    if selector.parity is None or not selector.ranges:
        return True
    odd = selector.parity is Parity.ODD
    return any(r.last != r.first or (r.first % 2 == 1) == odd for r in selector.ranges)


def _selector_text(node: s.SelectorNode) -> str:
    words = [node.parity.text] if node.parity else []
    return " ".join([*words, node.keyword.text, _items_text(node.items)]).strip()


def _items_text(items: Sequence[s.Item]) -> str:
    def one(i: s.Item) -> str:
        if isinstance(i, s.SingleItem):
            return i.number.text
        if isinstance(i, s.SpanItem):
            return f"{i.first.text}-{i.last.text}"
        return f"{i.first.text}+"

    return ", ".join(one(i) for i in items)


def _too_early(written: str, cycle_days: int) -> tuple[str, str]:
    """A day too far before day 1: more than a cycle, or in a run without cycles (whose length is
    the longest a run may be) more than the longest cycle."""
    if cycle_days > MAX_CYCLE_DAYS:
        return (
            f"day {shown(written)} is more than {MAX_CYCLE_DAYS} days before day 1",
            f"days before day 1 go back to day {1 - MAX_CYCLE_DAYS}",
        )
    return (
        f"day {shown(written)} is more than a cycle before day 1",
        f"days before day 1 go back to day {1 - cycle_days} of a {cycle_days}-day cycle",
    )
