"""A regimen's options (docs/language.md §35): named alternatives chosen when expanding.

    option boost-10.8: radiotherapy (boost)
      Monday to Friday, 6 fractions
    option boost-10.8: capecitabine
      Monday to Friday, 6 days, twice daily

Each `option` block is written in the phase whose drug it changes (or under
the regimen, when it has no phases), and gives that drug's dose (where it
writes one) and schedule lines in place of all the drug's own; the rest of
the drug (route, form, notes, diary) is as declared. Blocks of one name are
one option. The phase is lowered again with the option's drugs in it, so
every check of a phase (days in the cycle, two lines on a day, premedication
counted from the drug) holds for each option too; what changes is kept: the
drugs whose lowering differs, the premedication counted from a changed drug
among them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from dosecal.errors import Findings
from dosecal.language import syntax as s
from dosecal.language.kinds import KindChecker
from dosecal.model.regimen import Agent, Phase
from dosecal.source import Span

PhaseItem = s.NoteNode | s.CycleNode | s.NoCyclesNode | s.AgentNode | s.OptionLineNode
# By option name: the line that first names it, and the drugs it changes in this phase.
PhaseOptions = dict[str, tuple[int, tuple[Agent, ...]]]


class OptionChecker(KindChecker):
    def phase(
        self, name: str | None, items: Sequence[PhaseItem], span: Span, rest_before: int = 0
    ) -> Phase | None:
        raise NotImplementedError  # lower.py's `_Lowerer.phase`

    def options_of(
        self, name: str | None, items: Sequence[PhaseItem], span: Span, rest_before: int, base: Phase
    ) -> PhaseOptions:
        """Each option of the phase `base` was lowered from, as the drugs it changes there."""
        lines = [i for i in items if isinstance(i, s.OptionLineNode)]
        found: PhaseOptions = {}
        for option in dict.fromkeys(line.name.text for line in lines):
            these = [line for line in lines if line.name.text == option]
            changed = self.option_items(name, items, these)
            if changed is None:
                continue
            variant = self.quietly(name, changed, span, rest_before)
            if variant is None:
                continue
            before = {a.key: a for a in base.agents}
            found[option] = (these[0].span.line, tuple(a for a in variant.agents if before.get(a.key) != a))
        return found

    def option_items(
        self, name: str | None, items: Sequence[PhaseItem], lines: Sequence[s.OptionLineNode]
    ) -> list[PhaseItem] | None:
        """The phase's items with each drug of the option `lines` as they change it (None: one of
        them names a drug the phase does not give, or one drug twice; said at it)."""
        agents = {i.ref.key: i for i in items if isinstance(i, s.AgentNode)}
        where = f"phase {name}" if name else "this regimen"
        said: dict[str, int] = {}
        for line in lines:
            key = line.ref.key
            if key not in agents:
                self.error(
                    line.ref.span,
                    f"option {line.name.text} changes {key}, which {where} does not give",
                    "write the option in the phase of the drug it changes, under its name as declared",
                )
                return None
            if key in said:
                self.error(
                    line.ref.span,
                    f"option {line.name.text} already changes {key} on line {said[key]}",
                    "give all the drug's lines of the option in one block",
                )
                return None
            said[key] = line.span.line
        by_key = {line.ref.key: line for line in lines}
        return [_changed(i, by_key) for i in items if not isinstance(i, s.OptionLineNode)]

    def quietly(self, name: str | None, items: list[PhaseItem], span: Span, rest_before: int) -> Phase | None:
        """The phase lowered with `items`: its findings kept where they are new (a mistake of a line
        the option leaves alone is the phase's own, said once)."""
        kept, self.diagnostics = self.diagnostics, Findings()
        try:
            return self.phase(name, items, span, rest_before)
        finally:
            found, self.diagnostics = self.diagnostics, kept
            said = set(kept)
            kept.extend(d for d in found if d not in said)


def _changed(item: PhaseItem, lines: dict[str, s.OptionLineNode]) -> PhaseItem:
    """A drug as an option line has it: its dose where the line writes one, the line for its own."""
    if not isinstance(item, s.AgentNode) or item.ref.key not in lines:
        return item
    line = lines[item.ref.key]
    kept = tuple(i for i in item.items if not isinstance(i, s.ClauseNode))
    return replace(item, dose=line.dose or item.dose, items=(*kept, *line.clauses))
