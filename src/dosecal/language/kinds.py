"""What a line of the regimen gives: a drug, or radiotherapy (docs/language.md §33).

A treatment whose dose is in Gy (or cGy) is radiotherapy, as a protocol's
"45 Gy in 25 fractions of 1.8 Gy" says: each row is a fraction, given in the
clinic. So its doses are all in Gy (a mixed one is a typo, not a drug with a
dose of radiation), it has no route or form, and it is never in the patient's
diary. The kind is the unit's, not the name's: `radiotherapy 1.8 Gy` and
`pelvic irradiation 1.8 Gy` are both radiotherapy, and a name alone decides
nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from dosecal.language import syntax as s
from dosecal.language.dose_rules import RuleChecker
from dosecal.model.regimen import RADIATION, UNITS, Kind
from dosecal.source import Span


class KindChecker(RuleChecker):
    def kind(self, node: s.AgentNode, diary: bool) -> Kind:
        """Radiotherapy where a dose of the drug's header or lines is in Gy; each mismatch said once."""
        doses = list(_dose_units(node))
        radiation = [(span, unit) for span, unit in doses if _is_radiation(unit)]
        if not radiation:
            return Kind.DRUG
        for span, unit in doses:
            if not _is_radiation(unit) and unit in UNITS:
                self.error(
                    span,
                    f"{node.ref.key} has a dose in {radiation[0][1]} on line {radiation[0][0].line} "
                    f"(radiotherapy): a fraction's dose is not in {unit}",
                    "give every dose of radiotherapy in Gy, or name the drug on its own line",
                )
        for word in (node.route, node.form):
            if word is not None:
                self.error(
                    word.span,
                    f"radiotherapy has no route or form: '{word.text}' is a drug's",
                    f"remove '{word.text}'",
                )
        if diary:
            option = next(o for o in node.options if isinstance(o, s.DiaryNode))
            self.error(
                option.span,
                "radiotherapy is given in the clinic: it has no diary",
                "remove 'diary'; a drug taken at home with it is its own line",
            )
        return Kind.RADIOTHERAPY


def _is_radiation(unit: str) -> bool:
    found = UNITS.get(unit)
    return found is not None and found.kind == RADIATION


def _dose_units(node: s.AgentNode) -> Iterator[tuple[Span, str]]:
    """The unit of each dose the drug's header and lines state, with where it is written."""
    doses: list[s.DoseNode] = [] if node.dose is None else [node.dose]
    for item in node.items:
        if isinstance(item, s.ClauseNode):
            doses += [t.dose for t in item.tails if isinstance(t, s.ClauseDoseNode)]
    doses += [o.amount for o in node.options if isinstance(o, s.AlternativeNode)]  # `20 mg if age >= 75`
    for dose in doses:
        if isinstance(dose, s.RangeNode):
            yield dose.high.unit.span, dose.high.unit.text
        elif isinstance(dose, s.AmountNode):
            yield dose.unit.span, dose.unit.text
