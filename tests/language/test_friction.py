"""Spellings met while writing real regimens (issue 13, point 8): ranges with `to`, the cycles
after the days (`days 1-4 in cycles 1-4`), `twice weekly` answered with the spelling to use, and
counts said in the singular where they are one.

By hand: `days 1 to 5` is days 1, 2, 3, 4, 5; `days 1-4 in cycles 1-4` is the rule
`cycles 1-4: days 1-4`, so in 21-day cycles from Monday 2026-12-07 it gives 12-07..12-10,
12-28..12-31, 2027-01-18..01-21 and 02-08..02-11, and nothing in cycles 5 and 6.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

import dosecal
from dosecal.errors import CourseError, RegimenError
from dosecal.language.load import loads
from dosecal.model.regimen import Clause

HEAD = 'regimen e "E"\n  cycle 21 days, 6 cycles\n  drugx 1 mg PO\n'


def clauses(*lines: str) -> tuple[Clause, ...]:
    text = HEAD + "".join(f"    {line}\n" for line in lines)
    return loads(text, "e.regimen").phases[0].agents[0].clauses


def rules(*lines: str) -> list[object]:
    return [c.rule for c in clauses(*lines)]


def refusal(text: str) -> str:
    with pytest.raises(RegimenError) as caught:
        loads(text, "e.regimen")
    return caught.value.render()


@pytest.mark.parametrize(
    ("spelled", "written"),
    [
        ("days 1 to 5", "days 1-5"),
        ("days 1 to 3, 8 to 10", "days 1-3, 8-10"),
        ("cycles 1 to 4: day 1", "cycles 1-4: day 1"),
        ("days 1-4 in cycles 1-4", "cycles 1-4: days 1-4"),
        ("days 1-4 of cycles 1-4", "cycles 1-4: days 1-4"),
        ("day 1 in cycle 1", "cycle 1: day 1"),
        ("days 1, 8 in cycles 2+", "cycles 2+: days 1, 8"),
        ("day 1 of odd cycles", "odd cycles: day 1"),
        ("days 1 to 4 in even cycles 3+", "even cycles 3+: days 1-4"),
        ("days 1-4 in cycles 1 to 4 at 2 mg, twice daily", "cycles 1-4: days 1-4 at 2 mg, twice daily"),
    ],
)
def test_a_spelling_is_the_rule_it_says(spelled: str, written: str) -> None:
    """Each spelling lowers to the rule (and tails) of its written-out form."""
    (a,) = clauses(spelled)
    (b,) = clauses(written)
    assert (a.rule, a.slots, a.dose) == (b.rule, b.slots, b.dose)


def test_the_cycles_after_the_days_give_the_dates_worked_out_by_hand() -> None:
    regimen = loads(HEAD + "    days 1-4 in cycles 1-4\n", "e.regimen")
    rows = dosecal.expand(regimen, dosecal.Course(dt.date(2026, 12, 7))).administrations
    starts = [dt.date(2026, 12, 7), dt.date(2026, 12, 28), dt.date(2027, 1, 18), dt.date(2027, 2, 8)]
    assert [a.date for a in rows] == [s + dt.timedelta(days=d) for s in starts for d in range(4)]
    assert {a.cycle for a in rows} == {1, 2, 3, 4}


def test_show_writes_the_cycles_first() -> None:
    """One way of saying it in `show`, whichever way the file says it."""
    from dosecal.render import protocol_text

    regimen = loads(HEAD + "    days 1 to 4 in cycles 1 to 4\n", "e.regimen")
    assert "    cycles 1-4: days 1-4\n" in protocol_text.render(regimen)


def test_a_cycle_range_after_the_days_is_checked_as_before_them() -> None:
    """`in cycle 2+` is a mistake as `cycle 2+:` is; a day past the cycle is found at its number."""
    assert "cycles 2+" in refusal(HEAD + "    days 1-4 in cycle 2+\n")
    assert refusal(HEAD + "    days 1 to 99 in cycles 1-4\n").split("\n")[:4] == [
        "e.regimen:4:15: day 99 is outside a 21-day cycle",
        "        days 1 to 99 in cycles 1-4",
        "                  ^^",
        "    hint: days run from 1 to 21",
    ]


def test_a_range_with_to_that_runs_backwards_is_refused_at_it() -> None:
    """The message names the range as the language writes it (5-1), the caret is at the file's words."""
    assert refusal(HEAD + "    days 5 to 1\n").split("\n")[:3] == [
        "e.regimen:4:10: the day range 5-1 runs backwards",
        "        days 5 to 1",
        "             ^^^^^^",
    ]


@pytest.mark.parametrize(
    ("line", "said", "word"),
    [
        ("twice weekly", "twice weekly", "twice"),
        ("twice a week", "twice a week", "twice"),
        ("days 1, 4, twice weekly", "twice weekly", "weekly"),
        ("three times   per week", "three times per week", "three"),
    ],
)
def test_twice_weekly_is_answered_with_the_days_to_write(line: str, said: str, word: str) -> None:
    """dosecal never picks days a protocol does not name: the hint says to write them."""
    text = refusal(HEAD + f"    {line}\n")
    first, code, caret, hint = text.split("\n")[:4]
    assert first.endswith(f": unexpected '{word}'")
    assert caret.strip() == "^" * len(word)
    assert code.index(word) == caret.index("^")
    assert hint == (
        f"    hint: '{said}' does not say on which days: write them, e.g. 'days 1, 4, 8, 11', "
        "or days of the week: 'on Mondays and Thursdays'"
    )


def test_a_count_of_one_is_said_in_the_singular() -> None:
    """'has 1 cycle', 'in the 1 cycle of 21 days', 'for 1 dose', 'delayed 1 day': never '1 cycles'."""
    from dosecal.model.adjust import CycleRef, Delay
    from dosecal.render import protocol_text

    one = loads('regimen e "E"\n  cycle 21 days, 1 cycle\n  drugx 1 mg PO\n    day 1\n', "e.regimen")
    with pytest.raises(CourseError) as caught:
        dosecal.expand(one, dosecal.Course(dt.date(2026, 12, 7), cycles=2))
    assert caught.value.message == "e has 1 cycle"
    text = 'regimen e "E"\n  cycle 21 days, 1 cycle\n  drugx 1 mg PO\n    every 2 weeks, for 3 doses\n'
    assert "only 2 of the 3 doses fit in the 1 cycle of 21 days" in refusal(text)
    interval = loads(HEAD + "    every 3 weeks, for 1 dose\n", "e.regimen")
    assert ", for 1 dose\n" in protocol_text.render(interval)
    assert Delay(CycleRef(None, 2), 1, "", 1).describe() == "cycle 2 delayed 1 day"
    assert Delay(CycleRef(None, 2), 7, "", 1).describe() == "cycle 2 delayed 7 days"


_ITEM = st.one_of(
    st.integers(1, 21).map(str),
    st.tuples(st.integers(1, 21), st.integers(0, 20)).map(lambda t: f"{t[0]}-{min(21, t[0] + t[1])}"),
)


@given(
    days=st.lists(_ITEM, min_size=1, max_size=4),
    cycles=st.one_of(
        st.integers(1, 6).map(lambda c: f"cycle {c}"),
        st.tuples(st.integers(1, 6), st.integers(0, 5)).map(lambda t: f"cycles {t[0]}-{min(6, t[0] + t[1])}"),
        st.integers(1, 6).map(lambda c: f"cycles {c}+"),
        st.sampled_from(["odd cycles", "even cycles"]),
    ),
    word=st.sampled_from(["in", "of"]),
)
def test_the_cycles_after_or_before_the_days_are_one_rule(days: list[str], cycles: str, word: str) -> None:
    """Rule: `days D in C` and `C: days D` are the same rule, for any days D and cycles C."""
    listed = ", ".join(days)
    try:
        before = rules(f"{cycles}: days {listed}")
    except RegimenError as error:  # the same refusal (days twice in the list) either way
        with pytest.raises(RegimenError) as again:
            rules(f"days {listed} {word} {cycles}")
        assert [d.message for d in again.value.diagnostics] == [d.message for d in error.diagnostics]
        return
    assert rules(f"days {listed} {word} {cycles}") == before
    assert rules(f"days {listed.replace('-', ' to ')} {word} {cycles}") == before


def test_a_comma_after_the_cycles_is_answered_with_the_spelling_to_use() -> None:
    """`days 1-3 in cycles 1-3, twice daily`: after cycles a comma reads as one more cycle to come."""
    text = refusal(HEAD + "    days 1-3 in cycles 1-3, twice daily\n").split("\n")
    assert text[0] == "e.regimen:4:29: unexpected 'twice'"
    assert text[3] == "    hint: after the cycles, leave out the comma: 'in cycles 1-3 twice ...'"
    assert rules("days 1-3 in cycles 1-3 twice daily") == rules("cycles 1-3: days 1-3, twice daily")
