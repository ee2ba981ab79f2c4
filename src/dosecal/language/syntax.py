"""The syntax tree: what a regimen file says, before it is checked.

Every node keeps the `Span` of the text it came from. Numbers are kept as
written (`Num`), so lowering can say "cycle numbers are whole numbers" at the
right column instead of the parser guessing.
"""

from __future__ import annotations

from dataclasses import dataclass

from dosecal.model.regimen import drug_key
from dosecal.source import Span


@dataclass(frozen=True, slots=True)
class Num:
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Word:
    """A keyword-like value written in the file (a unit, a route, a period)."""

    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class AmountNode:
    number: Num
    unit: Word
    span: Span
    power: Num | None = None  # the exponent of `x 10^6`, as written


@dataclass(frozen=True, slots=True)
class RequiredNode:
    span: Span


@dataclass(frozen=True, slots=True)
class RangeNode:
    """400 to 1000 mcg: a dose range as a label writes it."""

    low: AmountNode
    high: AmountNode
    span: Span


DoseNode = AmountNode | RangeNode | RequiredNode


@dataclass(frozen=True, slots=True)
class AgentRef:
    name: str
    label: str | None
    span: Span

    @property
    def key(self) -> str:
        """The drug's key, as `model.Agent.key`: 'fluorouracil (bolus)'."""
        return drug_key(self.name, self.label)


@dataclass(frozen=True, slots=True)
class DurationNode:
    low: Num
    high: Num | None
    unit: Word
    span: Span


@dataclass(frozen=True, slots=True)
class AfterNode:
    ref: AgentRef
    span: Span


@dataclass(frozen=True, slots=True)
class WithNode:
    """`with oxaliplatin`: started at the same time as the other drug."""

    ref: AgentRef
    span: Span


@dataclass(frozen=True, slots=True)
class DiaryNode:
    span: Span


@dataclass(frozen=True, slots=True)
class CapNode:
    amount: AmountNode
    span: Span


@dataclass(frozen=True, slots=True)
class AlternativeNode:
    """`20 mg if age >= 75`: the drug's dose when the condition holds for the patient."""

    amount: AmountNode
    condition: ConditionNode | SexNode
    span: Span


OptionNode = DurationNode | AfterNode | WithNode | DiaryNode | CapNode | AlternativeNode


@dataclass(frozen=True, slots=True)
class SingleItem:
    number: Num
    span: Span


@dataclass(frozen=True, slots=True)
class SpanItem:
    first: Num
    last: Num
    span: Span


@dataclass(frozen=True, slots=True)
class OnwardItem:
    first: Num
    span: Span


Item = SingleItem | SpanItem | OnwardItem


@dataclass(frozen=True, slots=True)
class SelectorNode:
    parity: Word | None
    keyword: Word  # "cycle" or "cycles", to catch "cycle 2+"
    items: tuple[Item, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class FrequencyNode:
    """once daily / twice daily / three times daily ..."""

    count: int
    span: Span


@dataclass(frozen=True, slots=True)
class TimesNode:
    times: tuple[Word, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ClauseDoseNode:
    dose: DoseNode
    span: Span


@dataclass(frozen=True, slots=True)
class LineIfNode:
    """`if weight >= 45 kg` at the end of a schedule line: the line is for such patients only."""

    condition: ConditionNode | SexNode
    span: Span


TailNode = ClauseDoseNode | FrequencyNode | TimesNode | DurationNode | CapNode | LineIfNode


@dataclass(frozen=True, slots=True)
class DayRuleNode:
    selector: SelectorNode | None
    days: tuple[Item, ...]
    tails: tuple[TailNode, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class IntervalNode:
    every: Num
    period: Word
    anchor: tuple[Num, Num] | None
    count: Num | None
    tails: tuple[TailNode, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class RelativeNode:
    """the day before, the day of and the day after pemetrexed: days by another drug's doses."""

    # Days from the other drug's dose (-1: the day before); None: not a whole number of days from 1.
    shifts: tuple[tuple[int | None, Span], ...]
    anchor: AgentRef
    tails: tuple[TailNode, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class CoursePointNode:
    """7 days before the first pemetrexed: a day counted from another drug's first or last dose."""

    shift: tuple[int | None, Span] | None  # as a relative day's (None: the day of it)
    last: bool
    anchor: AgentRef
    span: Span


@dataclass(frozen=True, slots=True)
class CourseLineNode:
    """A line over the whole course: daily from one point until another, or a dose on a point then
    every N days or weeks (`every` None: that one dose)."""

    start: CoursePointNode
    every: tuple[Num | None, Word] | None  # every [N] day(s)/week(s); daily is every 1 day
    end: CoursePointNode | None
    count: Num | None
    tails: tuple[TailNode, ...]
    span: Span
    daily: bool = False  # written `daily from ... until ...`


@dataclass(frozen=True, slots=True)
class WeekdaysNode:
    """Monday to Friday, on Mondays and Thursdays: days of the week, with a count in the phase."""

    selector: SelectorNode | None
    days: tuple[Word, ...]  # as written: the two ends of a span (`span` True), or each day listed
    span_written: bool
    count: Num | None
    tails: tuple[TailNode, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ClauseNode:
    step_up: bool
    rule: DayRuleNode | IntervalNode | RelativeNode | CourseLineNode | WeekdaysNode
    tails: tuple[TailNode, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class NoteNode:
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class MissedDoseNode:
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class SourceNode:
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class BoundNode:
    """`max 2.2 m2`, `min 20 mL/min`: a limit on a value computed for the patient."""

    kind: Word  # "max" or "min"
    number: Num
    unit: Word
    span: Span


@dataclass(frozen=True, slots=True)
class BsaRuleNode:
    """`BSA max 2.2 m2`."""

    bounds: tuple[BoundNode, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class RenalRuleNode:
    """`CrCl Cockcroft-Gault, actual weight, max 125 mL/min`: its weights (one is allowed) and bounds."""

    weights: tuple[Word, ...]
    bounds: tuple[BoundNode, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class RoundRuleNode:
    """`round down to 150 mg and 500 mg tablets`, `round to the nearest 5 mg within 10 percent`."""

    way: Word | None  # "down", "up"; None: to the nearest
    step: AmountNode | None
    strengths: tuple[AmountNode, ...]
    form: Word | None  # "tablets", "capsules", "vials" (with strengths)
    within: Num | None
    span: Span


@dataclass(frozen=True, slots=True)
class SexNode:
    """`female` or `male` in a condition."""

    sex: Word
    span: Span


@dataclass(frozen=True, slots=True)
class ConditionNode:
    """`CrCl < 45 mL/min`."""

    attribute: Word
    comparison: Word
    number: Num
    unit: Word | None
    span: Span


@dataclass(frozen=True, slots=True)
class PatientLimitNode:
    """`not given if CrCl < 45 mL/min`, `warn if age >= 80`."""

    warn: bool
    condition: ConditionNode | SexNode
    span: Span


LimitRuleNode = BsaRuleNode | RenalRuleNode | RoundRuleNode


@dataclass(frozen=True, slots=True)
class DoseTotalNode:
    """`at most 35 doses in all`: the drug's doses in the whole course, all phases together."""

    count: Num
    span: Span


AgentItemNode = ClauseNode | NoteNode | MissedDoseNode | LimitRuleNode | PatientLimitNode | DoseTotalNode


@dataclass(frozen=True, slots=True)
class AgentNode:
    ref: AgentRef
    dose: DoseNode | None
    route: Word | None
    form: Word | None
    options: tuple[OptionNode, ...]
    items: tuple[AgentItemNode, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class CycleNode:
    length: Num
    period: Word
    count: Num | None
    until: str | None
    span: Span


@dataclass(frozen=True, slots=True)
class OptionLineNode:
    """option q6w: pembrolizumab 400 mg, then its lines: a drug's dose and lines in an alternative."""

    name: Word
    ref: AgentRef
    dose: DoseNode | None
    clauses: tuple[ClauseNode, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class NoCyclesNode:
    """no cycles: the regimen (or phase) is one run of days to its last dose (language §34)."""

    span: Span


@dataclass(frozen=True, slots=True)
class OverrideNode:
    ref: AgentRef
    dose: DoseNode
    span: Span


@dataclass(frozen=True, slots=True)
class LevelNode:
    name: Word
    overrides: tuple[OverrideNode, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class PhaseNode:
    name: Word
    items: tuple[NoteNode | CycleNode | NoCyclesNode | AgentNode | LimitRuleNode | OptionLineNode, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class RestNode:
    """rest 28 days: a planned rest between two phases, not a cycle."""

    length: Num
    period: Word
    span: Span


RegimenItem = (
    SourceNode
    | NoteNode
    | CycleNode
    | NoCyclesNode
    | AgentNode
    | LevelNode
    | PhaseNode
    | RestNode
    | LimitRuleNode
    | OptionLineNode
)


@dataclass(frozen=True, slots=True)
class RegimenNode:
    name: Word
    title: str
    items: tuple[RegimenItem, ...]
    span: Span
