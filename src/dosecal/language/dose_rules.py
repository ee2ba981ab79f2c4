"""Lowering of the rules for values computed for a patient: `BSA max 2.2 m2`, `CrCl ...`.

A rule under the regimen holds for every drug; under a drug, for that drug
(in place of the regimen's). Each is checked where it is written: its units,
its numbers against `dosecal.limits`, one weight for Cockcroft-Gault, a
maximum above its minimum. A dose by AUC needs a clearance rule; a rule that
no dose uses is a mistake, since it would look as if it changed something.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from dosecal import limits
from dosecal.language import syntax as s
from dosecal.language.clauses import ClauseChecker
from dosecal.limits import Limit
from dosecal.model.regimen import (
    Agent,
    Amount,
    Basis,
    Bounds,
    Level,
    Phase,
    Renal,
    Required,
    Unstated,
    WeightBasis,
)
from dosecal.model.renal import CALVERT_DRUG
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

    def limit_rules(self, items: Sequence[object], where: str) -> tuple[Bounds | None, Renal | None]:
        """The BSA limits and the clearance rule among `items` (a regimen's or a drug's lines)."""
        bsa_nodes = [i for i in items if isinstance(i, s.BsaRuleNode)]
        renal_nodes = [i for i in items if isinstance(i, s.RenalRuleNode)]
        rules: list[s.BsaRuleNode | s.RenalRuleNode] = [*bsa_nodes, *renal_nodes]
        for node in rules:
            self.rule_spans[node.span.line] = node.span
        extras: list[s.BsaRuleNode | s.RenalRuleNode] = [*bsa_nodes[1:], *renal_nodes[1:]]
        for extra in extras:
            first = bsa_nodes[0] if isinstance(extra, s.BsaRuleNode) else renal_nodes[0]
            self.error(extra.span, f"{where} already gives this rule on line {first.span.line}")
        bsa = None
        if bsa_nodes:
            bsa = self.bounds(bsa_nodes[0].bounds, "m2", limits.BSA_BOUND, bsa_nodes[0].span)
        renal = self.renal(renal_nodes[0]) if renal_nodes else None
        if renal_nodes:
            self.renal_written.add(where)
        return bsa, renal

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

    def rules_used(
        self, phases: Sequence[Phase], levels: Sequence[Level], rules: tuple[Bounds | None, Renal | None]
    ) -> None:
        """Each dose by AUC has a clearance rule; each rule has a dose it may apply to (a dose left
        open counts: the course may supply one by AUC or per m2)."""
        bsa, renal = rules
        agents = [a for p in phases for a in p.agents]
        bases = _bases(agents, levels)
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
            for own, basis in ((agent.renal, Basis.AUC), (agent.bsa, Basis.PER_M2)):
                if own is not None and basis not in bases[agent.key] and not _open(agent):
                    self.error(
                        self.rule_spans[own.line],
                        f"{agent.key} has no dose {_BY[basis]}: this rule is not used",
                        "delete it",
                    )
        for rule, basis in ((renal, Basis.AUC), (bsa, Basis.PER_M2)):
            if rule is None:
                continue
            dosed = [a for a in agents if basis in bases[a.key] or _open(a)]
            if all((a.renal if basis is Basis.AUC else a.bsa) is not None for a in dosed):
                self.error(
                    self.rule_spans[rule.line],
                    f"no dose {_BY[basis]} of this regimen is computed by this rule",
                    "the drugs dosed so give their own rule" if dosed else "delete it",
                )


_BY = {Basis.AUC: "by AUC", Basis.PER_M2: "per m2"}


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
        doses = [agent.dose, *(c.dose for c in agent.clauses)]
        found.setdefault(agent.key, set()).update(d.unit.basis for d in doses if isinstance(d, Amount))
    for level in levels:
        for o in level.overrides:
            if isinstance(o.dose, Amount):
                found.setdefault(o.agent, set()).add(o.dose.unit.basis)
    return found
