"""Lowering of the rules for values computed for a patient: `BSA max 2.2 m2`, `CrCl ...`.

A rule under the regimen holds for every drug; under a drug, for that drug
(in place of the regimen's). Each is checked where it is written: its units,
its numbers against `dosecal.limits`, one weight for Cockcroft-Gault, a
maximum above its minimum. A dose by AUC needs a clearance rule; a rule that
no dose uses is a mistake, since it would look as if it changed something.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from dosecal import limits
from dosecal.language import line_cover
from dosecal.language import syntax as s
from dosecal.language.clauses import ClauseChecker
from dosecal.limits import Limit
from dosecal.model.measures import Sex
from dosecal.model.regimen import (
    ATTRIBUTE_UNITS,
    Agent,
    Alternative,
    Amount,
    Attribute,
    Basis,
    Bounds,
    Clause,
    Compare,
    Condition,
    DoseSpec,
    Level,
    PatientLimit,
    Renal,
    Required,
    Rounding,
    Unstated,
    WeightBasis,
    convert,
    size,
)
from dosecal.model.renal import CALVERT_DRUG
from dosecal.model.strengths import MAX_STRENGTHS, RoundWay
from dosecal.source import Span

_RENAL_EXAMPLE = "'CrCl Cockcroft-Gault, actual weight, max 125 mL/min'"


class RuleChecker(ClauseChecker):
    """Reads the BSA and clearance rules of a regimen and of its drugs."""

    def __init__(self, recovered: frozenset[int], names_lost: bool = False) -> None:
        super().__init__(recovered, names_lost)
        self.rule_spans: dict[int, Span] = {}  # a rule's line, or a drug's header line -> where to point
        # Blocks ("this regimen", a drug's key) with a clearance rule written, read or not: a dose
        # by AUC under a rule with a mistake is not reported again as having none.
        self.renal_written: set[str] = set()

    def limit_rules(self, items: Sequence[object], where: str) -> Rules:
        """The BSA limits, the clearance rule and the rounding rule among `items` (a regimen's or a
        drug's lines)."""
        bsa_nodes = [i for i in items if isinstance(i, s.BsaRuleNode)]
        renal_nodes = [i for i in items if isinstance(i, s.RenalRuleNode)]
        round_nodes = [i for i in items if isinstance(i, s.RoundRuleNode)]
        rules: list[s.LimitRuleNode] = [*bsa_nodes, *renal_nodes, *round_nodes]
        for node in rules:
            self.rule_spans[node.span.line] = node.span
        for kind in (bsa_nodes, renal_nodes, round_nodes):
            for extra in kind[1:]:
                self.error(extra.span, f"{where} already gives this rule on line {kind[0].span.line}")
        bsa = None
        if bsa_nodes:
            bsa = self.bounds(bsa_nodes[0].bounds, "m2", limits.BSA_BOUND, bsa_nodes[0].span)
        renal = self.renal(renal_nodes[0]) if renal_nodes else None
        if renal_nodes:
            self.renal_written.add(where)
        rounding = self.rounding(round_nodes[0]) if round_nodes else None
        return bsa, renal, rounding

    def rounding(self, node: s.RoundRuleNode) -> Rounding | None:
        """round_rule: "round" [ROUND_WAY] "to" _round_to [round_within] _NL"""
        way = RoundWay(node.way.text) if node.way is not None else RoundWay.NEAREST
        within = self.number(node.within, limits.PERCENT) if node.within is not None else None
        if node.step is not None:
            step = self.flat(node.step)
            return None if step is None else Rounding(step, within, way, line=node.span.line)
        sizes = [self.flat(a) for a in node.strengths]
        found = [a for a in sizes if a is not None]
        if len(found) < len(sizes):
            return None
        if len({a.unit.absolute == "units" for a in found}) > 1:
            self.error(node.span, "these strengths are in units that do not convert to one another")
            return None
        if len({size(a) for a in found}) < len(found):
            self.error(node.span, "a strength is named twice", "name each strength once")
            return None
        if len(found) > MAX_STRENGTHS:
            self.error(node.strengths[MAX_STRENGTHS].span, f"a rule names at most {MAX_STRENGTHS} strengths")
            return None
        form = node.form.text if node.form else ""
        ordered = tuple(sorted(found, key=size, reverse=True))
        return Rounding(None, within, way, ordered, form, line=node.span.line)

    def flat(self, node: s.AmountNode) -> Amount | None:
        """An amount a dose can be rounded to: flat (mg, g, mcg, units)."""
        amount = self.amount(node)
        if amount is not None and (amount.unit.basis is not Basis.FLAT or amount.unit.per_day):
            self.error(node.unit.span, "round to an absolute amount", f"e.g. '{node.number.text} mg'")
            return None
        return amount

    def renal(self, node: s.RenalRuleNode) -> Renal | None:
        """renal_rule: "CrCl" "Cockcroft-Gault" ("," _renal_part)* _NL"""
        for extra in node.weights[1:]:
            self.error(
                extra.span,
                "Cockcroft-Gault is computed with one weight",
                f"keep '{node.weights[0].text} weight'",
            )
        bounds = self.bounds(node.bounds, "mL/min", limits.CLEARANCE_BOUND, node.span)
        if not node.weights:
            self.error(
                node.span,
                "say which weight Cockcroft-Gault is computed with",
                "add 'actual weight', 'ideal weight' or 'adjusted weight', e.g. " + _RENAL_EXAMPLE,
            )
            return None
        return Renal(WeightBasis(node.weights[0].text), bounds, node.span.line)

    def bounds(self, nodes: Sequence[s.BoundNode], unit: str, limit: Limit, span: Span) -> Bounds | None:
        """The `max`/`min` of a rule, in `unit`, each once, the maximum above the minimum."""
        found: dict[str, tuple[Decimal, s.BoundNode]] = {}
        for node in nodes:
            if node.kind.text in found:
                self.error(node.kind.span, f"this rule already has a '{node.kind.text}'")
                continue
            if node.unit.text != unit:
                self.error(
                    node.unit.span,
                    f"this limit is in {unit}, not {node.unit.text}",
                    f"write e.g. '{node.kind.text} {node.number.text} {unit}'",
                )
                continue
            value = self.number(node.number, limit)
            if value is not None:
                found[node.kind.text] = (value, node)
        low, high = found.get("min"), found.get("max")
        if low and high and high[0] <= low[0]:
            self.error(
                high[1].span,
                f"the maximum {high[1].number.text} {unit} is not above "
                f"the minimum {low[1].number.text} {unit}",
            )
            return None
        if not found:
            return None
        return Bounds(low[0] if low else None, high[0] if high else None, span.line)

    def rules_used(self, agents: Sequence[Agent], levels: Sequence[Level], rules: Rules) -> None:
        """Each dose by AUC has a clearance rule; each rule has a dose it may apply to (a dose left
        open counts: the course may supply one by AUC or per m2). `agents`: every drug, each
        phase's and the course's."""
        bsa, renal, rounding = rules
        bases = _bases(agents, levels)
        self.rounding_used(agents, bases, rounding)
        for agent in agents:
            if Basis.AUC in bases[agent.key] and agent.name != CALVERT_DRUG:
                self.error(
                    self.rule_spans.get(agent.line, Span(agent.line, 1)),
                    f"{agent.key} is dosed by AUC, but the Calvert formula is carboplatin's",
                    "give this drug's dose in mg, mg/kg or mg/m2",
                )
                continue
            written = {agent.key, "this regimen"} & self.renal_written
            # A line the parser could not read may have been the rule: not reported as missing.
            if Basis.AUC in bases[agent.key] and not written and not self.recovered:
                self.error(
                    self.rule_spans.get(agent.line, Span(agent.line, 1)),
                    f"{agent.key} is dosed by AUC: say how its creatinine clearance is estimated",
                    f"add a line such as {_RENAL_EXAMPLE} under the regimen, or under the drug",
                )
            self.limits_estimable(agent, renal)
            for own, basis in ((agent.renal, Basis.AUC), (agent.bsa, Basis.PER_M2)):
                uses = basis in bases[agent.key] or (basis is Basis.AUC and _on_clearance(agent))
                if own is not None and not uses and not _open(agent):
                    self.error(
                        self.rule_spans[own.line],
                        f"{agent.key} has no dose {_BY[basis]}: this rule is not used",
                        "delete it",
                    )
        for rule, basis in ((renal, Basis.AUC), (bsa, Basis.PER_M2)):
            if rule is None:
                continue
            dosed = [
                a
                for a in agents
                if basis in bases[a.key] or _open(a) or (basis is Basis.AUC and _on_clearance(a))
            ]
            if all((a.renal if basis is Basis.AUC else a.bsa) is not None for a in dosed):
                self.error(
                    self.rule_spans[rule.line],
                    f"no dose {_BY[basis]} of this regimen is computed by this rule",
                    "the drugs dosed so give their own rule" if dosed else "delete it",
                )

    def rounding_used(
        self, agents: Sequence[Agent], bases: dict[str, set[Basis]], rounding: Rounding | None
    ) -> None:
        """A rounding rule rounds a computed dose (per kg, per m2, by AUC): stated doses never are."""
        computed = {a.key for a in agents if bases[a.key] & _COMPUTED or _open(a)}
        for agent in agents:
            if agent.rounding is not None and agent.rounding.line and agent.key not in computed:
                self.error(
                    self.rule_spans[agent.rounding.line],
                    f"{agent.key} has no computed dose: this rule is not used",
                    "only doses per kg, per m2 or by AUC are rounded; a stated dose never is",
                )
        for agent in agents:
            rule = agent.rounding or rounding
            if rule is not None and rule.line and not _fits(rule, agent):
                self.error(
                    self.rule_spans[rule.line],
                    f"{agent.key}'s doses cannot be rounded {rule.rule()}: the units do not convert",
                    "round them in their own unit",
                )
        if rounding is not None and rounding.line and not computed - {a.key for a in agents if a.rounding}:
            self.error(
                self.rule_spans[rounding.line],
                "no computed dose of this regimen is rounded by this rule",
                "delete it",
            )

    def limits_estimable(self, agent: Agent, renal: Renal | None) -> None:
        """A limit on the clearance needs a rule that estimates it (the drug's or the regimen's)."""
        written = {agent.key, "this regimen"} & self.renal_written
        conditions = [(limit.condition, limit.line) for limit in agent.limits]
        conditions += [(a.condition, a.line) for a in agent.alternatives]
        conditions += [(c.condition, c.line) for c in agent.clauses if c.condition is not None]
        for condition, line in conditions:
            if condition.attribute is Attribute.CRCL and not written and not self.recovered:
                self.error(
                    self.rule_spans[line],
                    "this limit is on the creatinine clearance: say how it is estimated",
                    f"add a line such as {_RENAL_EXAMPLE} under the regimen, or under the drug",
                )

    def alternatives(
        self, node: s.AgentNode, dose: DoseSpec, written: s.AlternativeNode | None, cap: Amount | None
    ) -> tuple[Alternative, ...]:
        """alternative: amount "if" condition: a dose in place of the drug's own stated one."""
        if written is None:
            return ()
        self.rule_spans[written.span.line] = written.span
        if not isinstance(dose, Amount):
            self.error(
                written.span,
                f"{node.ref.key} states no dose of its own for this one to replace",
                "give the drug's dose first: 'dexamethasone 40 mg PO, 20 mg if age >= 75'",
            )
            return ()
        amount = self.amount(written.amount)
        condition = self.condition(written.condition)
        if amount is None or condition is None:
            return ()
        self.against_cap(amount, cap, written.amount.span)
        if amount == dose:
            self.error(
                written.amount.span, f"this is {node.ref.key}'s own dose: the condition changes nothing"
            )
            return ()
        return (Alternative(amount, condition, node.span.line),)

    def line_conditions(
        self, ref: s.AgentRef, lowered: Sequence[tuple[s.ClauseNode, Clause]], cycles: int, whole: bool
    ) -> list[Clause]:
        """line_if: "if" condition: each line with the condition it is given under. A drug's lines
        are chosen by one patient value, at most `MAX_THRESHOLDS` of them, so that lowering can
        tell which lines may meet; and where every line has one (and each was read: `whole`), every
        patient is given a line, in every cycle of the first `cycles` another patient is."""
        out: list[Clause] = []
        first: tuple[Attribute, int] | None = None
        thresholds: set[object] = set()
        for node, clause in lowered:
            found = [t for t in node.tails if isinstance(t, s.LineIfNode)]
            self.once(found)
            condition = self.condition(found[0].condition) if found else None
            if condition is None:
                if not found:  # a condition refused drops its line: no follow-on "given twice"
                    out.append(clause)
                continue
            self.rule_spans[clause.line] = found[0].span
            thresholds.add(condition.value)
            if len(thresholds) > MAX_THRESHOLDS:
                self.error(found[0].condition.span, f"a drug's lines are chosen by at most {MAX_THRESHOLDS} "
                           "thresholds", "write the protocol's bands, not one a line")  # fmt: skip
                continue
            if first is not None and condition.attribute is not first[0]:
                self.error(
                    found[0].condition.span,
                    f"the lines of {ref.key} are chosen by {first[0].value} (line {first[1]}), this one by "
                    f"{condition.attribute.value}",
                    "choose a drug's schedule lines by one patient value",
                )
                continue
            first = first or (condition.attribute, clause.line)
            out.append(replace(clause, condition=condition))
        if first is not None and len(out) == len(lowered) and whole:
            self.covered(ref, tuple(out), first[0], cycles)
        return out

    def covered(
        self, ref: s.AgentRef, clauses: tuple[Clause, ...], attribute: Attribute, cycles: int
    ) -> None:
        """Where a drug's lines are chosen by a patient value, no patient is left without it, nor
        without it in a cycle other patients are given it (`line_cover.problem`)."""
        limit = _CONDITION_LIMITS.get(attribute)
        low, high = (limit.low, limit.high) if limit else (Decimal(0), Decimal(0))
        found = line_cover.problem(ref.key, clauses, attribute, (low, high), cycles)
        if found is not None:
            self.error(ref.span, *found)

    def patient_limits(self, items: Sequence[object]) -> tuple[PatientLimit, ...]:
        """patient_limit: limit_kind "if" condition _NL, each in its attribute's unit and range."""
        found: list[PatientLimit] = []
        for node in (i for i in items if isinstance(i, s.PatientLimitNode)):
            self.rule_spans[node.span.line] = node.span
            condition = self.condition(node.condition)
            if condition is not None:
                found.append(PatientLimit(condition, node.warn, node.span.line))
        return tuple(found)

    def condition(self, node: s.ConditionNode | s.SexNode) -> Condition | None:
        """condition: attribute comparison NUMBER [UNIT] | sex"""
        if isinstance(node, s.SexNode):
            return Condition(Attribute.SEX, Compare.IS, Sex(node.sex.text))
        attribute = Attribute(node.attribute.text)
        unit = ATTRIBUTE_UNITS[attribute]
        written = node.unit.text if node.unit else ""
        if written != unit and not (attribute is Attribute.AGE and written == "years"):
            at = node.unit.span if node.unit else node.number.span
            example = (
                f"{node.attribute.text} {node.comparison.text} {node.number.text}{' ' + unit if unit else ''}"
            )
            self.error(at, f"{attribute.value} is compared in {unit or 'years'}", f"write e.g. '{example}'")
            return None
        value = self.number(node.number, _CONDITION_LIMITS[attribute])
        return None if value is None else Condition(attribute, Compare(node.comparison.text), value)


_CONDITION_LIMITS = {
    Attribute.CRCL: limits.CLEARANCE_BOUND,
    Attribute.AGE: limits.AGE,
    Attribute.BMI: limits.BMI,
    Attribute.WEIGHT: limits.WEIGHT,
}


# A drug's lines are chosen by at most this many thresholds (protocols give a few bands): the
# sets of lines one patient can be given grow with them, and lowering and `show` try each.
MAX_THRESHOLDS = 10


def _on_clearance(agent: Agent) -> bool:
    """The drug has a limit on the clearance: the clearance rule is used by it."""
    conditions = [limit.condition for limit in agent.limits] + [a.condition for a in agent.alternatives]
    conditions += [c.condition for c in agent.clauses if c.condition is not None]
    return any(c.attribute is Attribute.CRCL for c in conditions)


_BY = {Basis.AUC: "by AUC", Basis.PER_M2: "per m2"}
_COMPUTED = {Basis.PER_KG, Basis.PER_M2, Basis.AUC}
Rules = tuple[Bounds | None, Renal | None, Rounding | None]


def _fits(rule: Rounding, agent: Agent) -> bool:
    """Every computed dose of the drug converts to the unit of the rule's step or strengths."""
    sizes = [rule.step] if rule.step is not None else list(rule.strengths)
    written = [agent.dose, *(c.dose for c in agent.clauses), *(a.dose for a in agent.alternatives)]
    doses = [d for d in written if isinstance(d, Amount)]
    return all(
        convert(Decimal(1), s.unit.absolute, d.unit.absolute) is not None
        for d in doses
        if d.unit.basis in _COMPUTED
        for s in sizes
    )


def _open(agent: Agent) -> bool:
    """A dose of the drug is left to be supplied: it may be given by AUC or per m2."""
    return any(
        isinstance(d, (Required, Unstated))
        for d in (agent.dose, *(c.dose for c in agent.clauses))
        if d is not None
    ) and all(c.dose is None or isinstance(c.dose, (Required, Unstated)) for c in agent.clauses)


def _bases(agents: Sequence[Agent], levels: Sequence[Level]) -> dict[str, set[Basis]]:
    """How each drug's doses scale: its own dose, its lines' and its levels'."""
    found: dict[str, set[Basis]] = {}
    for agent in agents:
        doses = [agent.dose, *(c.dose for c in agent.clauses), *(a.dose for a in agent.alternatives)]
        found.setdefault(agent.key, set()).update(d.unit.basis for d in doses if isinstance(d, Amount))
    for level in levels:
        for o in level.overrides:
            if isinstance(o.dose, Amount):
                found.setdefault(o.agent, set()).add(o.dose.unit.basis)
    return found
