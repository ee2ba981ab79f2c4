"""Intervals as protocols also write them (issue 13, point 8): `every week`, `every other week`,
`weekly`, `q3w`, `q21d`, each the same rule as the spelling with its number.

By hand: every week is every 7 days; every other week every 14; weekly every 7; q3w every 21;
q21d every 21; each from cycle 1 day 1 unless it says another anchor, with its count if any.
"""

from __future__ import annotations

import pytest

from dosecal.errors import RegimenError
from dosecal.language.load import loads
from dosecal.model.regimen import IntervalRule

HEAD = 'regimen e "E"\n  cycle 42 days, 2 cycles\n  drugx 1 mg IV\n'


def rule(line: str) -> IntervalRule:
    """The rule of drugx's one schedule line `line`."""
    (clause,) = loads(HEAD + f"    {line}\n", "e.regimen").phases[0].agents[0].clauses
    assert isinstance(clause.rule, IntervalRule)
    return clause.rule


@pytest.mark.parametrize(
    ("spelled", "written"),
    [
        ("every week", "every 1 week"),
        ("every other week", "every 2 weeks"),
        ("weekly", "every 1 week"),
        ("q3w", "every 3 weeks"),
        ("q21d", "every 21 days"),
        ("every week from cycle 1 day 8, for 4 doses", "every 1 week from cycle 1 day 8, for 4 doses"),
        ("weekly from cycle 2 day 1", "every 7 days from cycle 2 day 1"),
        ("q3w for 2 doses", "every 21 days, for 2 doses"),
        ("every other week at 2 mg", "every 2 weeks at 2 mg"),
    ],
)
def test_a_spelling_is_the_interval_it_says(spelled: str, written: str) -> None:
    """Each spelling lowers to the rule of its written-out form (anchor, count and tails kept)."""
    assert rule(spelled) == rule(written)


@pytest.mark.parametrize(
    ("line", "days"), [("every week", 7), ("every other week", 14), ("weekly", 7), ("q3w", 21), ("q21d", 21)]
)
def test_the_days_between_doses(line: str, days: int) -> None:
    """The number of days, worked out above."""
    assert (rule(line).every_days, rule(line).anchor_cycle, rule(line).anchor_day) == (days, 1, 1)


def test_a_q_interval_out_of_range_is_refused_at_it() -> None:
    """`q99w` is 693 days, more than an interval runs: refused at the token, as `every 99 weeks` is."""
    with pytest.raises(RegimenError) as caught:
        loads(HEAD + "    q99w\n", "e.regimen")
    assert caught.value.render() == (
        "e.regimen:4:5: 99 weeks is out of range for an interval\n"
        "        q99w\n"
        "        ^^^^\n"
        "    hint: an interval runs from 1 to 366 days (52 weeks)\n"
        "\n"
        "1 error in e.regimen"
    )


def test_a_drug_named_like_a_q_interval_is_still_a_drug() -> None:
    """`q3w` is read as an interval only where a schedule line starts: a drug may be called `weekly`."""
    regimen = loads('regimen e "E"\n  cycle 21 days\n  weekly 1 mg IV\n    q3w\n', "e.regimen")
    assert regimen.phases[0].agents[0].name == "weekly"
