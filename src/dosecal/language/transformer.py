"""Lark's parse tree -> the typed syntax tree of `syntax.py`, with spans.

One method per rule of `regimen.lark`, the rule in its docstring. Methods get
the rule's children as arguments (`v_args(inline=True)`): a terminal is a lark
`Token`, a rule already handled is its syntax node, and an optional part that
is absent is None (the parser keeps placeholders for `[...]`). Anonymous
keywords ("cycle", ",", ":") and `_`-named parts are not children.

This module imports lark at its top; only `parser.parse` imports it, when a
regimen is first parsed, so that importing the package does not load lark.
"""

from __future__ import annotations

from lark import Token, Transformer, Tree, v_args
from lark.tree import Meta

from dosecal.language import syntax as s
from dosecal.source import Span

# What follows the words of an interval (`every week`, `q3w`): its anchor, its count, its tails.
_IntervalPart = tuple[s.Num, s.Num] | s.Num | s.TailNode | None

_CourseEvery = tuple[s.Num | None, s.Word]  # every [N] day(s)/week(s)
_PER_DAY = {"three": 3, "four": 4, "five": 5, "six": 6}


def to_syntax(tree: Tree[Token]) -> s.RegimenNode:
    """Build the syntax tree of a parsed regimen file."""
    return ToSyntax().transform(tree)


def _span(meta: Meta) -> Span:
    """The node's text; a node that runs past its line is shown to the line's end (length 0)."""
    length = meta.end_column - meta.column if meta.end_line == meta.line else 0
    return Span(meta.line, meta.column, length)


def _tspan(token: Token) -> Span:
    # Lark types a token's position as optional (tokens made by hand have none); parsed ones have it.
    return Span(token.line or 1, token.column or 1, max(1, len(str(token))))


def _num(token: Token) -> s.Num:
    return s.Num(str(token), _tspan(token))


def _power(token: Token) -> s.Num:
    """`x 10^6`: its exponent, where it is written (the exponent's own column)."""
    text = str(token)
    exponent = text[text.index("^") + 1 :]
    span = _tspan(token)
    return s.Num(exponent, Span(span.line, span.col + len(text) - len(exponent), len(exponent)))


def _word(token: Token) -> s.Word:
    return s.Word(str(token), _tspan(token))


def _text(token: Token) -> str:
    """A STRING's text, without its quotes."""
    return str(token)[1:-1]


@v_args(meta=True, inline=True)
class ToSyntax(Transformer[Token, s.RegimenNode]):
    """The transformer: lark calls the method named after each rule, children first."""

    def start(self, meta: Meta, regimen: s.RegimenNode) -> s.RegimenNode:
        """start: _NL? regimen"""
        return regimen

    def regimen(self, meta: Meta, name: Token, title: Token, *items: s.RegimenItem) -> s.RegimenNode:
        """regimen: "regimen" ID STRING _NL _INDENT _regimen_item+ _DEDENT"""
        return s.RegimenNode(_word(name), _text(title), items, _span(meta))

    def source(self, meta: Meta, text: Token) -> s.SourceNode:
        """source: "source" STRING _NL"""
        return s.SourceNode(_text(text), _span(meta))

    def note(self, meta: Meta, text: Token) -> s.NoteNode:
        """note: "note" STRING _NL"""
        return s.NoteNode(_text(text), _span(meta))

    def missed_dose(self, meta: Meta, text: Token) -> s.MissedDoseNode:
        """missed_dose: "missed-dose" STRING _NL"""
        return s.MissedDoseNode(_text(text), _span(meta))

    # ---- cycles and phases ---------------------------------------------------

    def cycle(self, meta: Meta, length: Token, period: s.Word, end: s.Num | str | None) -> s.CycleNode:
        """cycle: "cycle" NUMBER period ["," cycle_end] _NL"""
        count = end if isinstance(end, s.Num) else None
        until = end if isinstance(end, str) else None
        return s.CycleNode(_num(length), period, count, until, _span(meta))

    def option(
        self,
        meta: Meta,
        name: Token,
        ref: s.AgentRef,
        dose: s.DoseNode | None,
        *clauses: s.ClauseNode,
    ) -> s.OptionLineNode:
        """option: "option" LEVEL_ID ":" agent_ref [dose] _NL _INDENT clause+ _DEDENT"""
        return s.OptionLineNode(_word(name), ref, dose, clauses, _span(meta))

    def no_cycles(self, meta: Meta) -> s.NoCyclesNode:
        """no_cycles: "no" "cycles" _NL"""
        return s.NoCyclesNode(_span(meta))

    def cycle_count(self, meta: Meta, count: Token) -> s.Num:
        """cycle_end: NUMBER ("cycles" | "cycle") -> cycle_count"""
        return _num(count)

    def until_progression(self, meta: Meta) -> str:
        """cycle_end: "until" "progression" -> until_progression"""
        return "progression"

    def until_text(self, meta: Meta, text: Token) -> str:
        """cycle_end: "until" STRING -> until_text"""
        return _text(text)

    def period(self, meta: Meta, keyword: Token) -> s.Word:
        """!period: "day" | "days" | "week" | "weeks" (and the other one-keyword rules below)"""
        return _word(keyword)

    time_unit = period

    def form(self, meta: Meta, *words: Token) -> s.Word:
        """!form: "capsule" | ... | "injection" | "continuous" "infusion" """
        return s.Word(" ".join(str(w) for w in words), _span(meta))

    parity = period
    cycle_word = period
    per_day = period
    strength_form = period
    round_way = period
    attribute = period
    comparison = period

    def phase(
        self,
        meta: Meta,
        name: Token,
        *items: s.NoteNode | s.CycleNode | s.NoCyclesNode | s.AgentNode | s.LimitRuleNode | s.OptionLineNode,
    ) -> s.PhaseNode:
        """phase: "phase" ID _NL _INDENT _phase_item+ _DEDENT"""
        return s.PhaseNode(_word(name), items, _span(meta))

    def rest(self, meta: Meta, length: Token, period: s.Word) -> s.RestNode:
        """rest: "rest" NUMBER period _NL"""
        return s.RestNode(_num(length), period, _span(meta))

    # ---- agents --------------------------------------------------------------

    def agent(
        self,
        meta: Meta,
        header: s.AgentNode,
        *items: s.AgentItemNode,
    ) -> s.AgentNode:
        """agent: agent_header _NL _INDENT _agent_item+ _DEDENT (the node keeps the header's span)"""
        h = header
        return s.AgentNode(h.ref, h.dose, h.route, h.form, h.options, items, h.span)

    def agent_header(
        self,
        meta: Meta,
        ref: s.AgentRef,
        dose: s.DoseNode | None,
        route: s.Word | None,
        form: s.Word | None,
        *options: s.OptionNode,
    ) -> s.AgentNode:
        """agent_header: agent_ref [dose] [route] [form] _option*"""
        return s.AgentNode(ref, dose, route, form, options, (), _span(meta))

    def agent_ref(self, meta: Meta, name: str, label: str | None) -> s.AgentRef:
        """agent_ref: agent_name [label]"""
        return s.AgentRef(name, label, _span(meta))

    def agent_name(self, meta: Meta, *words: Token) -> str:
        """agent_name: WORD+ (and label: "(" WORD+ ")")"""
        return " ".join(str(w) for w in words)

    label = agent_name

    def route(self, meta: Meta, route: Token) -> s.Word:
        """route: ROUTE"""
        return _word(route)

    def duration(self, meta: Meta, low: Token, high: Token | None, unit: s.Word) -> s.DurationNode:
        """duration: "over" NUMBER ["-" NUMBER] time_unit"""
        return s.DurationNode(_num(low), _num(high) if high else None, unit, _span(meta))

    def after(self, meta: Meta, ref: s.AgentRef) -> s.AfterNode:
        """after: "after" agent_ref"""
        return s.AfterNode(ref, _span(meta))

    def given_with(self, meta: Meta, ref: s.AgentRef) -> s.WithNode:
        """given_with: "with" agent_ref"""
        return s.WithNode(ref, _span(meta))

    def diary(self, meta: Meta) -> s.DiaryNode:
        """diary: "diary" """
        return s.DiaryNode(_span(meta))

    def alternative(
        self, meta: Meta, amount: s.AmountNode, condition: s.ConditionNode | s.SexNode
    ) -> s.AlternativeNode:
        """alternative: amount "if" condition"""
        return s.AlternativeNode(amount, condition, _span(meta))

    def cap(self, meta: Meta, amount: s.AmountNode) -> s.CapNode:
        """cap: "max" amount"""
        return s.CapNode(amount, _span(meta))

    def amount(self, meta: Meta, *tokens: Token | None) -> s.AmountNode:
        """amount: NUMBER [POWER] UNIT | AUC NUMBER"""
        first, *rest = tokens
        assert first is not None
        if first.type == "AUC":
            assert rest[0] is not None
            return s.AmountNode(_num(rest[0]), _word(first), _span(meta))
        power, unit = rest
        assert unit is not None
        return s.AmountNode(_num(first), _word(unit), _span(meta), _power(power) if power else None)

    def dose_range(self, meta: Meta, low: Token, high: Token, unit: Token) -> s.RangeNode:
        """dose_range: NUMBER ("to" | "-") NUMBER UNIT: each end an amount in the one unit."""
        return s.RangeNode(
            s.AmountNode(_num(low), _word(unit), _tspan(low)),
            s.AmountNode(_num(high), _word(unit), _span(meta)),
            _span(meta),
        )

    # ---- limits on values computed for the patient ------------------------------

    def bsa_rule(self, meta: Meta, *bounds: s.BoundNode) -> s.BsaRuleNode:
        """bsa_rule: "BSA" bound ("," bound)* _NL"""
        return s.BsaRuleNode(bounds, _span(meta))

    def renal_rule(self, meta: Meta, *parts: s.Word | s.BoundNode) -> s.RenalRuleNode:
        """renal_rule: "CrCl" "Cockcroft-Gault" ("," _renal_part)* _NL"""
        weights = tuple(p for p in parts if isinstance(p, s.Word))
        bounds = tuple(p for p in parts if isinstance(p, s.BoundNode))
        return s.RenalRuleNode(weights, bounds, _span(meta))

    def weight_basis(self, meta: Meta, basis: Token, weight: Token) -> s.Word:
        """!weight_basis: ("actual" | "ideal" | "adjusted") "weight" """
        return _word(basis)

    def round_rule(
        self,
        meta: Meta,
        way: s.Word | None,
        target: s.AmountNode | tuple[tuple[s.AmountNode, ...], s.Word],
        within: s.Num | None,
    ) -> s.RoundRuleNode:
        """round_rule: "round" [ROUND_WAY] "to" _round_to [round_within] _NL"""
        if isinstance(target, s.AmountNode):
            return s.RoundRuleNode(way, target, (), None, within, _span(meta))
        amounts, form = target
        return s.RoundRuleNode(way, None, amounts, form, within, _span(meta))

    def nearest_step(self, meta: Meta, amount: s.AmountNode) -> s.AmountNode:
        """nearest_step: "the" "nearest" amount"""
        return amount

    def strengths(self, meta: Meta, *parts: s.AmountNode | s.Word) -> tuple[tuple[s.AmountNode, ...], s.Word]:
        """strengths: amount (_sep amount)* strength_form"""
        *amounts, form = parts
        assert isinstance(form, s.Word)
        return tuple(a for a in amounts if isinstance(a, s.AmountNode)), form

    def dose_total(self, meta: Meta, count: Token) -> s.DoseTotalNode:
        """dose_total: "at" "most" NUMBER ("doses" | "dose") "in" "all" _NL"""
        return s.DoseTotalNode(_num(count), _span(meta))

    def patient_limit(
        self, meta: Meta, kind: s.Word, condition: s.ConditionNode | s.SexNode
    ) -> s.PatientLimitNode:
        """patient_limit: limit_kind "if" condition _NL"""
        return s.PatientLimitNode(kind.text == "warn", condition, _span(meta))

    def limit_kind(self, meta: Meta, *words: Token) -> s.Word:
        """!limit_kind: "warn" | "not" "given" """
        return s.Word(" ".join(str(w) for w in words), _span(meta))

    def condition(self, meta: Meta, *parts: s.Word | s.SexNode | Token | None) -> s.ConditionNode | s.SexNode:
        """condition: attribute comparison NUMBER [UNIT] | sex"""
        if isinstance(parts[0], s.SexNode):
            return parts[0]
        attribute, comparison, number, unit = parts
        assert isinstance(attribute, s.Word) and isinstance(comparison, s.Word)
        assert isinstance(number, Token) and not isinstance(unit, (s.Word, s.SexNode))
        return s.ConditionNode(
            attribute, comparison, _num(number), _word(unit) if unit else None, _span(meta)
        )

    def sex(self, meta: Meta, word: Token) -> s.SexNode:
        """!sex: "female" | "male" """
        return s.SexNode(_word(word), _span(meta))

    def line_if(self, meta: Meta, condition: s.ConditionNode | s.SexNode) -> s.LineIfNode:
        """line_if: "if" condition"""
        return s.LineIfNode(condition, _span(meta))

    def round_within(self, meta: Meta, number: Token) -> s.Num:
        """round_within: "within" NUMBER "percent" """
        return _num(number)

    def bound(self, meta: Meta, kind: Token, number: Token, unit: Token) -> s.BoundNode:
        """!bound: ("max" | "min") NUMBER UNIT"""
        return s.BoundNode(_word(kind), _num(number), _word(unit), _span(meta))

    def required(self, meta: Meta) -> s.RequiredNode:
        """required: "dose" "required" """
        return s.RequiredNode(_span(meta))

    # ---- schedule clauses ----------------------------------------------------

    def clause(
        self,
        meta: Meta,
        step_up: bool | None,
        rule: s.DayRuleNode | s.IntervalNode | s.RelativeNode | s.CourseLineNode | s.WeekdaysNode,
    ) -> s.ClauseNode:
        """clause: [step_up] (day_rule | interval | relative | course_run | course_from | weekdays) _NL"""
        return s.ClauseNode(step_up is not None, rule, rule.tails, _span(meta))

    def course_run(
        self,
        meta: Meta,
        times: s.FrequencyNode | None,
        start: s.CoursePointNode,
        end: s.CoursePointNode,
        *tails: s.TailNode,
    ) -> s.CourseLineNode:
        """course_run: [course_times] "daily" "from" course_point "until" course_point _tail*

        The count before `daily` is the line's doses a day, as `twice daily` after days is."""
        every = (s.Num("1", start.span), s.Word("day", start.span))
        said = (times,) if times is not None else ()
        return s.CourseLineNode(start, every, end, None, (*said, *tails), _span(meta), daily=True)

    def course_times(self, meta: Meta, *words: Token) -> s.FrequencyNode:
        """!course_times: "once" | "twice" | per_day "times" """
        first = words[0]
        word = first.text if isinstance(first, s.Word) else str(first)
        return s.FrequencyNode({"once": 1, "twice": 2}.get(word) or _PER_DAY[word], _span(meta))

    def course_from(
        self,
        meta: Meta,
        start: s.CoursePointNode,
        *rest: _CourseEvery | s.CoursePointNode | s.Num | s.TailNode | None,
    ) -> s.CourseLineNode:
        """course_from: course_point [[","] "then" course_every [course_until] [dose_count]] _tail*"""
        every = next((x for x in rest if isinstance(x, tuple)), None)
        end = next((x for x in rest if isinstance(x, s.CoursePointNode)), None)
        count = next((x for x in rest if isinstance(x, s.Num)), None)
        tails = tuple(
            x for x in rest if x is not None and not isinstance(x, (tuple, s.CoursePointNode, s.Num))
        )
        return s.CourseLineNode(start, every, end, count, tails, _span(meta))

    def weekdays(
        self,
        meta: Meta,
        selector: s.SelectorNode | None,
        *rest: tuple[s.Word, ...] | s.Word | s.Num | s.TailNode | None,
    ) -> s.WeekdaysNode:
        """weekdays: [selector ":"] ["on"] _weekday_set [weekday_count] _tail*"""
        span = next((x for x in rest if isinstance(x, tuple)), None)
        days = span or tuple(x for x in rest if isinstance(x, s.Word))
        count = next((x for x in rest if isinstance(x, s.Num)), None)
        tails = tuple(x for x in rest if x is not None and not isinstance(x, (tuple, s.Word, s.Num)))
        return s.WeekdaysNode(selector, days, span is not None, count, tails, _span(meta))

    def weekday_span(self, meta: Meta, first: Token, last: Token) -> tuple[s.Word, ...]:
        """weekday_span: WEEKDAY "to" WEEKDAY"""
        return (_word(first), _word(last))

    def weekday(self, meta: Meta, day: Token) -> s.Word:
        """weekday: WEEKDAY"""
        return _word(day)

    def weekday_count(self, meta: Meta, count: Token) -> s.Num:
        """weekday_count: [","] ["for"] NUMBER ("doses" | ... | "fractions" | "fraction")"""
        return _num(count)

    def course_every(self, meta: Meta, number: Token | None, period: s.Word) -> _CourseEvery:
        """course_every: "every" [NUMBER] period: every week is every 1 week."""
        return (_num(number) if number is not None else None, period)

    def course_until(self, meta: Meta, point: s.CoursePointNode) -> s.CoursePointNode:
        """course_until: "until" course_point"""
        return point

    def course_point(
        self, meta: Meta, *rest: tuple[int | None, Span] | bool | s.AgentRef | None
    ) -> s.CoursePointNode:
        """course_point: [_relative_day] first_last ["dose" "of"] agent_ref"""
        shift = next((x for x in rest if isinstance(x, tuple)), None)
        last = next(x for x in rest if isinstance(x, bool))
        anchor = next(x for x in rest if isinstance(x, s.AgentRef))
        return s.CoursePointNode(shift, last, anchor, _span(meta))

    def first_last(self, meta: Meta, *words: Token) -> bool:
        """!first_last: "the" ("first" | "last"): whether the last."""
        return str(words[-1]) == "last"

    def relative(
        self, meta: Meta, *rest: tuple[int | None, Span] | s.AgentRef | s.TailNode
    ) -> s.RelativeNode:
        """relative: ["on"] _relative_day (_sep _relative_day)* agent_ref _tail*"""
        shifts = tuple(x for x in rest if isinstance(x, tuple))
        anchor = next(x for x in rest if isinstance(x, s.AgentRef))
        tails = tuple(x for x in rest if not isinstance(x, (tuple, s.AgentRef)))
        return s.RelativeNode(shifts, anchor, tails, _span(meta))

    def the_day(self, meta: Meta, *words: Token) -> tuple[int, Span]:
        """the_day: "the" "day" ("before" | "of" | "after"): -1, 0, 1."""
        return {"before": -1, "of": 0, "after": 1}[str(words[-1])], _span(meta)

    def days_away(self, meta: Meta, number: Token, *words: Token) -> tuple[int | None, Span]:
        """days_away: NUMBER ("day" | "days") ("before" | "after"): 3 days before is -3."""
        sign = -1 if str(words[-1]) == "before" else 1
        digits = str(number)
        # Checked in lowering (clauses.py): a typo of 40 digits is said there, at its span.
        if not digits.isdigit() or int(digits) == 0:
            return None, _span(meta)  # 2.5 days, 0 days: lowering says why (clauses.py)
        return sign * (int(digits) if len(digits) <= 6 else 10**6), _span(meta)

    def step_up(self, meta: Meta) -> bool:
        """step_up: "step-up" """
        return True

    def day_rule(
        self, meta: Meta, selector: s.SelectorNode | None, *rest: s.SingleItem | s.SpanItem | s.TailNode
    ) -> s.DayRuleNode:
        """day_rule: [selector ":"] ("day" | "days") _day_item (_sep _day_item)* _tail*"""
        days = tuple(x for x in rest if isinstance(x, s.SingleItem | s.SpanItem))
        tails = tuple(x for x in rest if not isinstance(x, s.SingleItem | s.SpanItem))
        return s.DayRuleNode(selector, days, tails, _span(meta))

    def day_rule_in(
        self, meta: Meta, *rest: s.SingleItem | s.SpanItem | s.SelectorNode | s.TailNode
    ) -> s.DayRuleNode:
        """day_rule: ("day" | "days") _day_item (_sep _day_item)* ("in" | "of") selector _tail* -> day_rule_in

        days 1-4 in cycles 1-4 is the rule cycles 1-4: days 1-4."""
        selector = next(x for x in rest if isinstance(x, s.SelectorNode))
        days = tuple(x for x in rest if isinstance(x, s.SingleItem | s.SpanItem))
        tails = tuple(x for x in rest if not isinstance(x, s.SingleItem | s.SpanItem | s.SelectorNode))
        return s.DayRuleNode(selector, days, tails, _span(meta))

    def selector(
        self, meta: Meta, parity: s.Word | None, keyword: s.Word, items: tuple[s.Item, ...] | None
    ) -> s.SelectorNode:
        """selector: [parity] cycle_word [cycle_items]"""
        return s.SelectorNode(parity, keyword, items or (), _span(meta))

    def cycle_items(self, meta: Meta, *items: s.Item) -> tuple[s.Item, ...]:
        """cycle_items: _cycle_item (_sep _cycle_item)*"""
        return items

    def single(self, meta: Meta, number: Token) -> s.SingleItem:
        """single: NUMBER"""
        return s.SingleItem(_num(number), _span(meta))

    def span(self, meta: Meta, first: Token, last: Token) -> s.SpanItem:
        """span: NUMBER ("-" | "to") NUMBER"""
        return s.SpanItem(_num(first), _num(last), _span(meta))

    def onward(self, meta: Meta, first: Token) -> s.OnwardItem:
        """onward: NUMBER "+" """
        return s.OnwardItem(_num(first), _span(meta))

    def interval(
        self,
        meta: Meta,
        every: Token,
        period: s.Word,
        anchor: tuple[s.Num, s.Num] | None,
        count: s.Num | None,
        *tails: s.TailNode,
    ) -> s.IntervalNode:
        """interval: "every" NUMBER period [anchor] [dose_count] _tail*"""
        return s.IntervalNode(_num(every), period, anchor, count, tails, _span(meta))

    def every_one(self, meta: Meta, period: s.Word, *rest: _IntervalPart) -> s.IntervalNode:
        """interval: "every" period ... -> every_one: every week is every 1 week."""
        return self._spelled(meta, "1", period, rest)

    def every_other(self, meta: Meta, period: s.Word, *rest: _IntervalPart) -> s.IntervalNode:
        """interval: "every" "other" period ... -> every_other: every other week is every 2 weeks."""
        return self._spelled(meta, "2", period, rest)

    def weekly(self, meta: Meta, word: Token, *rest: _IntervalPart) -> s.IntervalNode:
        """interval: WEEKLY ... -> weekly: every 1 week."""
        return self._spelled(meta, "1", s.Word("week", _tspan(word)), rest)

    def q_every(self, meta: Meta, token: Token, *rest: _IntervalPart) -> s.IntervalNode:
        """interval: Q_EVERY ... -> q_every: q3w is every 3 weeks, q21d every 21 days."""
        text, span = str(token), _tspan(token)
        period = s.Word("weeks" if text.endswith("w") else "days", span)
        return self._spelled(meta, text[1:-1], period, rest, span)

    def _spelled(
        self,
        meta: Meta,
        every: str,
        period: s.Word,
        rest: tuple[_IntervalPart, ...],
        span: Span | None = None,
    ) -> s.IntervalNode:
        """An interval written in words, as the interval it is: its number at the words' place."""
        anchor, count, *tails = rest
        assert anchor is None or isinstance(anchor, tuple)
        assert count is None or isinstance(count, s.Num)
        kept = tuple(t for t in tails if t is not None and not isinstance(t, (tuple, s.Num)))
        return s.IntervalNode(s.Num(every, span or period.span), period, anchor, count, kept, _span(meta))

    def anchor(self, meta: Meta, cycle: Token, day: Token) -> tuple[s.Num, s.Num]:
        """anchor: "from" "cycle" NUMBER "day" NUMBER"""
        return (_num(cycle), _num(day))

    def dose_count(self, meta: Meta, count: Token) -> s.Num:
        """dose_count: [","] "for" NUMBER ("doses" | "dose")"""
        return _num(count)

    # ---- tails: what a schedule line adds after its days ---------------------

    def clause_dose(self, meta: Meta, dose: s.DoseNode) -> s.ClauseDoseNode:
        """clause_dose: "at" dose"""
        return s.ClauseDoseNode(dose, _span(meta))

    def once_daily(self, meta: Meta) -> s.FrequencyNode:
        """frequency: "once" "daily" -> once_daily"""
        return s.FrequencyNode(1, _span(meta))

    def twice_daily(self, meta: Meta) -> s.FrequencyNode:
        """frequency: "twice" "daily" -> twice_daily"""
        return s.FrequencyNode(2, _span(meta))

    def times_daily(self, meta: Meta, per_day: s.Word) -> s.FrequencyNode:
        """frequency: per_day "times" "daily" -> times_daily"""
        return s.FrequencyNode(_PER_DAY[per_day.text], _span(meta))

    def times(self, meta: Meta, *times: Token) -> s.TimesNode:
        """times: "at" TIME (_sep TIME)*"""
        return s.TimesNode(tuple(_word(t) for t in times), _span(meta))

    # ---- dose levels ---------------------------------------------------------

    def level(self, meta: Meta, name: Token, *overrides: s.OverrideNode) -> s.LevelNode:
        """level: "level" LEVEL_ID ":" override ("," override)* _NL"""
        return s.LevelNode(_word(name), overrides, _span(meta))

    def override(self, meta: Meta, ref: s.AgentRef, dose: s.DoseNode) -> s.OverrideNode:
        """override: agent_ref dose"""
        return s.OverrideNode(ref, dose, _span(meta))
