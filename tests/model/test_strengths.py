"""A dose made of the strengths that exist (`dosecal.model.strengths.combine`).

Every expected figure is worked by hand in the test's docstring. Tablets of 150 mg and 500 mg
have a greatest common divisor of 50 mg, so their totals are multiples of 50 mg: a x 150 + b x 500.
In steps of 50 mg that is 3a + 10b, and every whole number from 18 on is one (the largest that is
not: 3 x 10 - 3 - 10 = 17), so every multiple of 50 mg from 900 mg on can be made.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dosecal import CourseError
from dosecal.errors import Subject
from dosecal.model.dosing import Measures, Rounding, compute
from dosecal.model.regimen import UNITS, Amount
from dosecal.model.strengths import MAX_TOTALS, MAX_UNITS, Combination, RoundWay, combine

CAPECITABINE = (Decimal(150), Decimal(500))


def d(text: str | int) -> Decimal:
    return Decimal(text)


def made(total: str, *units: tuple[str, int]) -> Combination:
    """The combination `total` = `units` ((strength, count), the largest strength first)."""
    return Combination(d(total), tuple((d(s), n) for s, n in units))


# ---- the issue's example: 2275 mg of capecitabine, 150 mg and 500 mg tablets -------------------


def test_the_issue_example_rounded_down() -> None:
    """1250 mg/m2 x 1.82 m2 = 2275 mg. The totals not above it, by the number of 500 mg tablets:
    4 -> 2000 + 1 x 150 = 2150; 3 -> 1500 + 5 x 150 = 2250; 2 -> 1000 + 8 x 150 = 2200;
    1 -> 500 + 11 x 150 = 2150; 0 -> 15 x 150 = 2250. The largest is 2250 mg, made two ways:
    3 x 500 + 5 x 150 (8 tablets) or 15 x 150 (15 tablets): the fewest, 8."""
    result = combine(d("2275"), CAPECITABINE, RoundWay.DOWN)
    assert result == made("2250", ("500", 3), ("150", 5))
    assert result is not None and result.count == 8


def test_the_issue_example_rounded_up() -> None:
    """The totals not below 2275 mg: 5 x 500 = 2500; 4 -> 2000 + 2 x 150 = 2300;
    3 -> 1500 + 6 x 150 = 2400; 2 -> 1000 + 9 x 150 = 2350; 1 -> 500 + 12 x 150 = 2300;
    0 -> 16 x 150 = 2400. The smallest is 2300 mg: 4 x 500 + 2 x 150 (6 tablets), not
    1 x 500 + 12 x 150 (13 tablets)."""
    assert combine(d("2275"), CAPECITABINE, RoundWay.UP) == made("2300", ("500", 4), ("150", 2))


def test_a_dose_that_is_a_total_already() -> None:
    """2250 mg is 3 x 500 + 5 x 150: every way gives it back, as the fewest tablets."""
    for way in RoundWay:
        assert combine(d("2250"), CAPECITABINE, way) == made("2250", ("500", 3), ("150", 5))


# ---- to the nearest: half up -------------------------------------------------------------------


def test_nearest_with_a_tie_goes_up() -> None:
    """From 900 mg on every multiple of 50 mg is a total. 2225 mg lies halfway between 2200 mg
    (2 x 500 + 8 x 150: 10 tablets; 4 x 500 + 200 is not one, 3 x 500 + 700 is not) and 2250 mg
    (3 x 500 + 5 x 150), 25 mg from each: half up, 2250 mg."""
    assert combine(d("2225"), CAPECITABINE, RoundWay.NEAREST) == made("2250", ("500", 3), ("150", 5))


def test_the_issue_example_to_the_nearest_is_a_tie_too() -> None:
    """2275 mg is 25 mg from 2250 mg and 25 mg from 2300 mg: half up, 2300 = 4 x 500 + 2 x 150."""
    assert combine(d("2275"), CAPECITABINE, RoundWay.NEAREST) == made("2300", ("500", 4), ("150", 2))


@pytest.mark.parametrize(
    ("dose", "expected"),
    [
        # 2260 is 10 mg above 2250 and 40 mg below 2300: 2250.
        ("2260", made("2250", ("500", 3), ("150", 5))),
        # 2290 is 40 mg above 2250 and 10 mg below 2300: 2300.
        ("2290", made("2300", ("500", 4), ("150", 2))),
        # 2274.99 is 24.99 mg from 2250 and 25.01 mg from 2300: 2250, however close to the half.
        ("2274.99", made("2250", ("500", 3), ("150", 5))),
    ],
)
def test_nearest_without_a_tie(dose: str, expected: Combination) -> None:
    """Off the half, the nearer total wins."""
    assert combine(d(dose), CAPECITABINE, RoundWay.NEAREST) == expected


def test_nearest_where_the_totals_are_sparse() -> None:
    """Below 900 mg not every 50 mg is a total: 150, 300, 450, 500, 600, 650, 750, 800 are
    (a x 150 + b x 500), 700 is not. 700 mg is 50 mg from 650 (1 x 500 + 1 x 150) and from
    750 (5 x 150): half up, 750 mg."""
    assert combine(d("700"), CAPECITABINE, RoundWay.NEAREST) == made("750", ("150", 5))
    assert combine(d("700"), CAPECITABINE, RoundWay.DOWN) == made("650", ("500", 1), ("150", 1))


# ---- below the smallest strength ---------------------------------------------------------------


def test_down_below_the_smallest_strength_is_none() -> None:
    """100 mg rounded down to 150 mg and 500 mg tablets: the only total not above it is 0: None."""
    assert combine(d("100"), CAPECITABINE, RoundWay.DOWN) is None
    assert combine(d("149.999"), CAPECITABINE, RoundWay.DOWN) is None


def test_up_below_the_smallest_strength_is_one_unit() -> None:
    """100 mg rounded up: the smallest total not below it is one 150 mg tablet."""
    assert combine(d("100"), CAPECITABINE, RoundWay.UP) == made("150", ("150", 1))


# ---- units: mg and g, through compute ----------------------------------------------------------


def per_kg(dose: str, weight: str, rounding: Rounding) -> tuple[Decimal | None, str, Combination | None]:
    result = compute(
        Amount(d(dose), UNITS["mg/kg"]), None, Measures(d(weight)), rounding, drug="capecitabine"
    )
    return result.amount, result.basis, result.made_of


def tablets(*strengths: tuple[str, str], way: RoundWay = RoundWay.DOWN) -> Rounding:
    return Rounding(None, None, way, tuple(Amount(d(v), UNITS[u]) for v, u in strengths), "tablets")


def test_strengths_in_g_for_a_dose_in_mg() -> None:
    """32.5 mg/kg x 70 kg = 2275 mg; a 0.5 g tablet is 500 mg: down, 2250 mg = 3 x 500 mg + 5 x 150 mg,
    the same as with 500 mg written in mg (the strengths are said in the dose's unit)."""
    in_g = per_kg("32.5", "70", tablets(("0.5", "g"), ("150", "mg")))
    in_mg = per_kg("32.5", "70", tablets(("500", "mg"), ("150", "mg")))
    assert in_g[0] == in_mg[0] == d("2250")
    assert in_g[2] == in_mg[2] == made("2250", ("500", 3), ("150", 5))
    assert in_g[1].endswith(" = 2250 mg = 3 x 500 mg + 5 x 150 mg")


def test_strengths_in_mg_for_a_dose_in_g() -> None:
    """1.25 g/m2 x 1.82 m2 = 2.275 g (sqrt(170 x 70 / 3600) = 1.818 -> 1.82 m2); 150 mg and 500 mg
    are 0.15 g and 0.5 g: down, 2.25 g = 3 x 0.5 g + 5 x 0.15 g."""
    result = compute(
        Amount(d("1.25"), UNITS["g/m2"]),
        None,
        Measures(d("70"), d("170")),
        tablets(("500", "mg"), ("150", "mg")),
    )
    assert (result.amount, result.unit) == (d("2.25"), "g")
    assert result.made_of == made("2.25", ("0.5", 3), ("0.15", 5))
    assert result.basis.startswith(
        "1.25 g/m2 x 1.82 m2 = 2.275 g, rounded down to 150 mg and 500 mg tablets = 2.25 g "
        "= 3 x 0.5 g + 5 x 0.15 g;"
    )


# ---- decimals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dose", "way", "expected"),
    [
        # 2.5 mg of 1 mg and 0.5 mg tablets: 2 x 1 + 1 x 0.5 (3 tablets), not 5 x 0.5.
        ("2.5", RoundWay.NEAREST, made("2.5", ("1", 2), ("0.5", 1))),
        # 2.3 mg: the totals are the multiples of 0.5; 2.3 is 0.3 above 2 and 0.2 below 2.5: 2.5.
        ("2.3", RoundWay.NEAREST, made("2.5", ("1", 2), ("0.5", 1))),
        # Down from 2.3: 2 mg = 2 x 1 mg.
        ("2.3", RoundWay.DOWN, made("2", ("1", 2))),
        # Up from 2.01: 2.5 mg.
        ("2.01", RoundWay.UP, made("2.5", ("1", 2), ("0.5", 1))),
        # 0.25 mg is halfway between 0 (not a total) and 0.5: 0.5 = 1 x 0.5 mg.
        ("0.25", RoundWay.NEAREST, made("0.5", ("0.5", 1))),
    ],
)
def test_half_mg_tablets(dose: str, way: RoundWay, expected: Combination) -> None:
    """Strengths with decimals are exact: 0.5 mg and 1 mg tablets."""
    assert combine(d(dose), (d("1"), d("0.5")), way) == expected


@pytest.mark.parametrize(
    ("dose", "way", "expected"),
    [
        # 2.5 mg and 10 mg tablets: the totals are the multiples of 2.5. 13.3 is 0.8 above 12.5
        # (1 x 10 + 1 x 2.5) and 1.7 below 15 (1 x 10 + 2 x 2.5): 12.5.
        ("13.3", RoundWay.NEAREST, made("12.5", ("10", 1), ("2.5", 1))),
        # 13.75 is halfway between 12.5 and 15: half up, 15 = 1 x 10 + 2 x 2.5.
        ("13.75", RoundWay.NEAREST, made("15", ("10", 1), ("2.5", 2))),
        # 7.5 = 3 x 2.5, the only way below 10.
        ("7.6", RoundWay.DOWN, made("7.5", ("2.5", 3))),
        # Up from 7.6: 10 = 1 x 10 (1 tablet), not 4 x 2.5.
        ("7.6", RoundWay.UP, made("10", ("10", 1))),
    ],
)
def test_two_and_a_half_mg_tablets(dose: str, way: RoundWay, expected: Combination) -> None:
    """A strength of 2.5 mg beside 10 mg."""
    assert combine(d(dose), (d("10"), d("2.5")), way) == expected


def test_the_strengths_may_come_in_any_order() -> None:
    """The combination lists the largest strength first, whatever order the strengths are given in."""
    assert combine(d("2275"), (d(500), d(150)), RoundWay.DOWN) == combine(
        d("2275"), (d(150), d(500)), RoundWay.DOWN
    )


# ---- as few units as can be; among as few, the most of the larger strengths -------------------


def test_fewest_units_before_the_larger_strengths() -> None:
    """6 mg of 1 mg, 3 mg and 4 mg tablets: 3 + 3 (2 tablets) beats 4 + 1 + 1 (3 tablets), although
    the second has a 4 mg tablet: the count is decided first."""
    assert combine(d("6"), (d(1), d(3), d(4)), RoundWay.NEAREST) == made("6", ("3", 2))


def test_a_tie_in_count_takes_the_most_of_the_larger_strengths() -> None:
    """60 mg of 20 mg, 30 mg and 40 mg tablets: 40 + 20 and 30 + 30 are both 2 tablets; the rule
    (the module's docstring): among as few, the most of the largest strength, then of the next:
    1 x 40 + 1 x 20."""
    assert combine(d("60"), (d(20), d(30), d(40)), RoundWay.NEAREST) == made("60", ("40", 1), ("20", 1))


def test_a_tie_in_count_and_in_the_largest_strength() -> None:
    """140 mg of 10, 20, 30 and 100 mg tablets: no 2 make it (100 + 40: no 40 mg; two of the
    others make at most 60). In 3: 100 + 30 + 10 and 100 + 20 + 20 (without 100, 3 make at most
    90). Both have one 100 mg; the next largest decides: 1 x 100 + 1 x 30 + 1 x 10."""
    strengths = (d(10), d(20), d(30), d(100))
    assert combine(d("140"), strengths, RoundWay.NEAREST) == made("140", ("100", 1), ("30", 1), ("10", 1))


def test_a_tie_in_count_that_only_the_larger_strengths_decide() -> None:
    """11 mg of 1, 2, 5 and 7 mg tablets: no 2 make it (7 + 4, 5 + 6: neither a strength); 3 do two
    ways, 7 + 2 + 2 and 5 + 5 + 1. With three strengths the most of the largest is also the most of
    the smallest; with four it is not: the rule takes 1 x 7 + 2 x 2 (one 7 mg), not 2 x 5 + 1 x 1
    (the one with a 1 mg tablet, the smallest)."""
    strengths = (d(1), d(2), d(5), d(7))
    assert combine(d("11"), strengths, RoundWay.NEAREST) == made("11", ("7", 1), ("2", 2))


def test_the_answer_is_the_same_on_every_run() -> None:
    """Deterministic: the same dose and strengths give one answer, however often asked."""
    answers = {combine(d("60"), (d(20), d(30), d(40)), RoundWay.NEAREST) for _ in range(20)}
    assert answers == {made("60", ("40", 1), ("20", 1))}


# ---- refusals -----------------------------------------------------------------------------------


def test_more_units_than_a_dose_has_is_refused() -> None:
    """101 mg of 1 mg tablets is 101 tablets, one more than MAX_UNITS (100): refused, subject ROUNDING.
    100 mg is 100 tablets: allowed."""
    assert MAX_UNITS == 100
    ok = combine(d("100"), (d(1),), RoundWay.NEAREST)
    assert ok is not None and ok.count == 100
    with pytest.raises(CourseError) as caught:
        combine(d("101"), (d(1),), RoundWay.NEAREST)
    assert caught.value.subject is Subject.ROUNDING
    assert str(caught.value) == "it would take more than 100 units"


def test_too_many_totals_is_refused() -> None:
    """200 mg in 0.001 mg units is 200,000 steps; the search runs to one largest strength above it,
    200,001, more than MAX_TOTALS (200,000): refused, subject ROUNDING. 199.999 mg would search to
    exactly 200,000 steps (then fail on its 199,999 units instead)."""
    assert MAX_TOTALS == 200_000
    with pytest.raises(CourseError) as caught:
        combine(d("200"), (d("0.001"),), RoundWay.NEAREST)
    assert caught.value.subject is Subject.ROUNDING
    assert str(caught.value) == "more than 200,000 totals to search"
    with pytest.raises(CourseError) as units:
        combine(d("199.999"), (d("0.001"),), RoundWay.NEAREST)
    assert str(units.value) == "it would take more than 100 units"


# ---- the rule, against a search of every combination -------------------------------------------


def _every_total(strengths: list[int], bound: int) -> dict[int, list[tuple[int, ...]]]:
    """Every combination of whole units (counts in the order of `strengths`) with a total from
    1 to `bound`, by total: a plain search, nothing shared with the code under test."""
    found: dict[int, list[tuple[int, ...]]] = {}

    def extend(counts: tuple[int, ...], total: int) -> None:
        if len(counts) == len(strengths):
            if total:
                found.setdefault(total, []).append(counts)
            return
        size = strengths[len(counts)]
        for n in range((bound - total) // size + 1):
            extend((*counts, n), total + n * size)

    extend((), 0)
    return found


def _expected_total(totals: list[int], dose: int, way: RoundWay) -> int | None:
    below = max((t for t in totals if t <= dose), default=None)
    above = min((t for t in totals if t >= dose), default=None)
    if way is RoundWay.DOWN:
        return below
    if way is RoundWay.UP:
        return above
    if above is None:
        return below
    # Nothing below: 0 is the nearest total below (never given: None), so a dose nearer 0 than the
    # smallest strength is not rounded up to it (4 mg is not 150 mg).
    low = 0 if below is None else below
    chosen = low if dose - low < above - dose else above
    return chosen or None


# Strengths 0.5 mg to 6 mg in halves, doses 0.05 mg to 25 mg in twentieths: in twentieths of a mg,
# every figure is a whole number, so the search is over integers. Few strengths to draw from make
# ties in count (7 + 2 + 2 = 5 + 5 + 1) common; doses on quarters of a mg fall halfway between totals often.
_STRENGTHS = st.lists(st.integers(1, 12), min_size=1, max_size=4, unique=True).map(
    lambda halves: sorted((10 * h for h in halves), reverse=True)
)
_DOSES = st.one_of(st.integers(1, 500), st.integers(1, 100).map(lambda quarters: 5 * quarters))


@settings(max_examples=200, deadline=None)
@given(strengths=_STRENGTHS, dose=_DOSES, way=st.sampled_from(list(RoundWay)))
def test_combine_agrees_with_a_search_of_every_combination(
    strengths: list[int], dose: int, way: RoundWay
) -> None:
    """For every set of up to four strengths and every dose: the total is the one `way` asks for
    among all totals whole units make (the largest not above, the smallest not below, the nearer,
    half up); no combination of that total has fewer units; among as few, it has the most of the
    largest strength, then of the next (the counts compared largest strength first)."""
    scale = Decimal(20)  # twentieths of a mg
    bound = dose + max(strengths)  # the smallest total not below the dose is under dose + smallest
    every = _every_total(strengths, bound)
    expected = _expected_total(sorted(every), dose, way)
    result = combine(Decimal(dose) / scale, tuple(Decimal(s) / scale for s in strengths), way)
    if expected is None:
        assert result is None
        return
    assert result is not None
    assert result.total == Decimal(expected) / scale
    counts = dict.fromkeys(strengths, 0)
    for size, n in result.units:
        counts[int(size * scale)] = n
        assert n > 0
    assert [size for size, _ in result.units] == sorted((size for size, _ in result.units), reverse=True)
    assert sum(s * n for s, n in counts.items()) == expected
    ways = every[expected]
    fewest = min(sum(c) for c in ways)
    assert result.count == fewest
    assert tuple(counts[s] for s in strengths) == max(c for c in ways if sum(c) == fewest)
