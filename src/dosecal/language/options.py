"""A regimen's options (docs/language.md §35): named alternatives chosen when expanding.

    option boost-10.8: radiotherapy (boost)
      Monday to Friday, 6 fractions
    option boost-10.8: capecitabine
      Monday to Friday, 6 days, twice daily

Each `option` block is written in the phase whose drug it changes (or under
the regimen, when it has no phases), and gives that drug's dose (where it
writes one) and schedule lines in place of all the drug's own; the rest of
the drug (route, form, notes, diary) is as declared. Blocks of one name are
one option. The whole regimen is lowered again with each option's drugs in
place (`rewritten`), so every check of a regimen holds for each option too
(days in the cycle, two doses on a date across phases, levels, doses by AUC,
the end of a run); a finding of it says the option's name. What changes is
kept: the drugs whose lowering differs, the premedication counted from a
changed drug among them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from dosecal.language import syntax as s
from dosecal.language.kinds import KindChecker
from dosecal.model.regimen import Agent, Option, Regimen

# The most options a regimen has: each is the whole regimen lowered again.
MAX_OPTIONS = 20

PhaseItem = s.NoteNode | s.CycleNode | s.NoCyclesNode | s.AgentNode | s.OptionLineNode


class OptionChecker(KindChecker):
    def option_lines(self, name: str | None, items: Sequence[PhaseItem]) -> None:
        """Each option block of a phase names a drug the phase gives, once in its option."""
        agents = {i.ref.key for i in items if isinstance(i, s.AgentNode)}
        where = f"phase {name}" if name else "this regimen"
        said: dict[tuple[str, str], int] = {}
        for line in (i for i in items if isinstance(i, s.OptionLineNode)):
            key, option = line.ref.key, line.name.text
            if key not in agents:
                self.error(
                    line.ref.span,
                    f"option {option} changes {key}, which {where} does not give",
                    "write the option in the phase of the drug it changes, under its name as declared "
                    "(a drug over the whole course has no options)",
                )
            elif (option, key) in said:
                self.error(
                    line.ref.span,
                    f"option {option} already changes {key} on line {said[(option, key)]}",
                    "give all the drug's lines of the option in one block",
                )
            said.setdefault((option, key), line.span.line)


def option_names(tree: s.RegimenNode) -> list[tuple[str, s.OptionLineNode]]:
    """Each option's name with its first block, in the order written."""
    lines = [i for i in _all_items(tree) if isinstance(i, s.OptionLineNode)]
    first: dict[str, s.OptionLineNode] = {}
    for line in lines:
        first.setdefault(line.name.text, line)
    return list(first.items())


def rewritten(tree: s.RegimenNode, option: str) -> s.RegimenNode:
    """The regimen as the option has it: in each phase, its drugs as its blocks there give them;
    no option blocks."""
    return replace(tree, items=_items(tree.items, option))


def changes(base: Regimen, variant: Regimen, tree: s.RegimenNode, option: str, line: int) -> Option:
    """The option as the drugs it changes, by phase; a drug whose dose the option writes says the
    option's line as the line of its dose (`dose_source`)."""
    found: list[tuple[int, Agent]] = []
    for index, (before, after) in enumerate(zip(base.phases, variant.phases, strict=True)):
        dosed = {
            i.ref.key: i.span.line
            for i in _phase_node_items(tree, before.line)
            if isinstance(i, s.OptionLineNode) and i.name.text == option and i.dose is not None
        }
        was = {a.key: a for a in before.agents}
        for agent in after.agents:
            if was.get(agent.key) != agent:
                at = dosed.get(agent.key)
                found.append((index, agent if at is None else replace(agent, line=at)))
    return Option(option, tuple(found), line)


def _phase_node_items(tree: s.RegimenNode, line: int) -> Sequence[object]:
    """The items of the phase written on `line` (the regimen's, when it has no phases)."""
    phases = [i for i in tree.items if isinstance(i, s.PhaseNode)]
    return next((p.items for p in phases if p.span.line == line), tree.items)


def _all_items(tree: s.RegimenNode) -> list[object]:
    return [*tree.items, *(i for p in tree.items if isinstance(p, s.PhaseNode) for i in p.items)]


def _items(items: Sequence[s.RegimenItem], option: str) -> tuple[s.RegimenItem, ...]:
    lines = {i.ref.key: i for i in items if isinstance(i, s.OptionLineNode) and i.name.text == option}
    out: list[s.RegimenItem] = []
    for item in items:
        if isinstance(item, s.OptionLineNode):
            continue
        if isinstance(item, s.PhaseNode):
            out.append(replace(item, items=_phase_items(item.items, option)))
        elif isinstance(item, s.AgentNode) and item.ref.key in lines:
            out.append(_changed(item, lines[item.ref.key]))
        else:
            out.append(item)
    return tuple(out)


_InPhase = s.NoteNode | s.CycleNode | s.NoCyclesNode | s.AgentNode | s.LimitRuleNode | s.OptionLineNode


def _phase_items(items: Sequence[_InPhase], option: str) -> tuple[_InPhase, ...]:
    lines = {i.ref.key: i for i in items if isinstance(i, s.OptionLineNode) and i.name.text == option}
    return tuple(
        _changed(i, lines[i.ref.key]) if isinstance(i, s.AgentNode) and i.ref.key in lines else i
        for i in items
        if not isinstance(i, s.OptionLineNode)
    )


def _changed(item: s.AgentNode, line: s.OptionLineNode) -> s.AgentNode:
    """A drug as an option block has it: its dose where the block writes one, the block's lines for
    its own."""
    kept = tuple(i for i in item.items if not isinstance(i, s.ClauseNode))
    return replace(item, dose=line.dose or item.dose, items=(*kept, *line.clauses))
