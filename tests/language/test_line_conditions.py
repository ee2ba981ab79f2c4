"""Schedule lines given only where a condition holds (`days 1-7 at 9 mcg/day if weight >= 45 kg`), and
the two new patient values conditions compare: the weight (`weight < 45 kg`, in kg, within
limits.WEIGHT) and the sex (`if female`, `if male`).

Grammar and lowering, each misuse with its whole report (caret included). By hand:
- a drug's lines are chosen by one patient value; a line on another is refused at its condition;
- two lines one patient can both be given must not give the drug on the same day: `>= 45 kg` and
  `> 40 kg` both hold at 50 kg; `female` and `female` for every woman; `age >= 75` and `age >= 80`
  at 80; while `< 45 kg` / `>= 45 kg`, `female` / `male`, `age < 75` / `age >= 75` never meet;
- a condition on the clearance needs a `CrCl Cockcroft-Gault ...` rule, as every other does.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from dosecal.errors import RegimenError
from dosecal.language import syntax as s
from dosecal.language.load import loads
from dosecal.language.parser import parse
from dosecal.model.measures import Sex
from dosecal.model.regimen import Attribute, Compare, Condition, Regimen
from dosecal.source import Source, Span

HEAD = 'regimen x "T"\n  cycle 21 days\n'
DRUG = "  drugx 40 mg PO\n"  # line 3; its schedule lines start at line 4
# A line for every patient, on a day of its own: beside it, lines with conditions leave no patient
# without a line of drugx (which is refused: tested below), so each test is about what it says.
EVERYONE = "    day 15\n"
TWICE_HINT = (
    "    hint: list each day once; a drug given twice on a day says 'twice daily', or is written twice "
    "with labels in brackets, e.g. '(bolus)' and '(infusion)'\n"
)
RENAL_HINT = (
    "    hint: add a line such as 'CrCl Cockcroft-Gault, actual weight, max 125 mL/min' "
    "under the regimen, or under the drug\n"
)


def report(*lines: str) -> str:
    """The whole report for `regimen x` (line 1), `cycle 21 days` (line 2), then `lines`."""
    with pytest.raises(RegimenError) as caught:
        loads(HEAD + "".join(lines), "x.regimen")
    return caught.value.render() + "\n"


def lowered(*lines: str) -> Regimen:
    return loads(HEAD + "".join(lines), "x.regimen")


def line_conditions(regimen: Regimen) -> list[tuple[int, Condition | None]]:
    """Each schedule line of the first drug, with the condition it is given under."""
    return [(c.line, c.condition) for c in regimen.phases[0].agents[0].clauses]


def _tails(line: str) -> tuple[s.TailNode, ...]:
    """The tails of the one schedule line (line 4) of `drugx`."""
    tree = parse(Source(HEAD + DRUG + line, "x.regimen")).tree
    assert tree is not None
    agent = tree.items[1]
    assert isinstance(agent, s.AgentNode)
    (clause,) = (i for i in agent.items if isinstance(i, s.ClauseNode))
    return clause.tails


# ---- the grammar -------------------------------------------------------------------------------


def test_if_female_is_a_line_if_holding_the_sex() -> None:
    """`    days 1-7 if female`: 'if' at column 14, 'female' at 17 (6 long): a LineIfNode of 9 columns
    around a SexNode, by hand from the columns."""
    female = s.Word("female", Span(4, 17, 6))
    assert _tails("    days 1-7 if female\n") == (
        s.LineIfNode(s.SexNode(female, Span(4, 17, 6)), Span(4, 14, 9)),
    )


def test_if_weight_is_a_line_if_holding_a_condition_in_kg() -> None:
    """`    days 1-7 if weight < 45 kg`: weight at 17, '<' at 24, 45 at 26, kg at 29; the condition 14
    columns long, the tail 17."""
    condition = s.ConditionNode(
        s.Word("weight", Span(4, 17, 6)),
        s.Word("<", Span(4, 24, 1)),
        s.Num("45", Span(4, 26, 2)),
        s.Word("kg", Span(4, 29, 2)),
        Span(4, 17, 14),
    )
    assert _tails("    days 1-7 if weight < 45 kg\n") == (s.LineIfNode(condition, Span(4, 14, 17)),)


def test_the_sex_is_written_alone() -> None:
    """`if sex female` is not the language: refused at 'sex', with every word a condition starts with."""
    assert report(DRUG, "    days 1-7 if sex female\n") == (
        "x.regimen:4:17: unexpected 'sex'\n"
        "        days 1-7 if sex female\n"
        "                    ^^^\n"
        "    hint: expected 'BMI', 'CrCl', 'age', 'female', 'male', 'weight'\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_a_line_condition_twice_on_one_line() -> None:
    """One `if` a line: the second is refused at itself."""
    assert report(DRUG, "    days 1-7 if weight < 45 kg if weight < 45 kg\n", EVERYONE) == (
        "x.regimen:4:32: this is given twice on one line\n"
        "        days 1-7 if weight < 45 kg if weight < 45 kg\n"
        "                                   ^^^^^^^^^^^^^^^^^\n"
        "\n"
        "1 error in x.regimen\n"
    )


# ---- lowering ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("word", "sex"), [("female", Sex.FEMALE), ("male", Sex.MALE)])
def test_a_sex_lowers_to_a_condition_compared_by_is(word: str, sex: Sex) -> None:
    """`if female` / `if male`: on the sex, compared by IS, its value a Sex, said as the word alone."""
    (line, condition), everyone = line_conditions(lowered(DRUG, f"    days 1-7 if {word}\n", EVERYONE))
    assert (line, condition) == (4, Condition(Attribute.SEX, Compare.IS, sex))
    assert everyone == (5, None)
    assert str(condition) == word


@pytest.mark.parametrize(
    ("written", "compare", "value"),
    [
        ("weight < 45 kg", Compare.LT, "45"),
        ("weight <= 44.99 kg", Compare.LE, "44.99"),
        ("weight > 1 kg", Compare.GT, "1"),
        ("weight >= 300 kg", Compare.GE, "300"),
    ],
)
def test_a_weight_lowers_to_a_condition_in_kg(written: str, compare: Compare, value: str) -> None:
    """`weight < 45 kg`: on the weight, in kg, the number as written (1 and 300 kg, the ends of
    limits.WEIGHT, and 2 decimals are read); said back as written."""
    (line, condition), everyone = line_conditions(lowered(DRUG, f"    days 1-7 if {written}\n", EVERYONE))
    assert (line, condition) == (4, Condition(Attribute.WEIGHT, compare, Decimal(value)))
    assert everyone == (5, None)
    assert str(condition) == written


def test_a_comma_may_come_before_the_condition() -> None:
    """`days 1-7, if weight < 45 kg` reads as `days 1-7 if weight < 45 kg`, as every tail does."""
    with_comma = line_conditions(lowered(DRUG, "    days 1-7, if weight < 45 kg\n", EVERYONE))
    assert with_comma == line_conditions(lowered(DRUG, "    days 1-7 if weight < 45 kg\n", EVERYONE))
    assert with_comma[0] == (4, Condition(Attribute.WEIGHT, Compare.LT, Decimal(45)))


def test_a_line_without_a_condition_has_none() -> None:
    """Lines as before: no condition, given to every patient."""
    assert line_conditions(lowered(DRUG, "    days 1-7\n")) == [(4, None)]


def test_the_new_conditions_serve_limits_and_alternatives() -> None:
    """`20 mg if weight < 45 kg` on the drug's line, `warn if female`, `not given if male`: conditions
    of the same kinds as on a schedule line, each at its line."""
    regimen = lowered(
        "  drugx 40 mg PO, 20 mg if weight < 45 kg\n",
        "    day 1\n",
        "    warn if female\n",
        "    not given if male\n",
    )
    agent = regimen.phases[0].agents[0]
    ((alternative_line, alternative),) = [(a.line, a.condition) for a in agent.alternatives]
    assert (alternative_line, alternative) == (3, Condition(Attribute.WEIGHT, Compare.LT, Decimal(45)))
    assert [(lim.condition, lim.warn, lim.line) for lim in agent.limits] == [
        (Condition(Attribute.SEX, Compare.IS, Sex.FEMALE), True, 5),
        (Condition(Attribute.SEX, Compare.IS, Sex.MALE), False, 6),
    ]


# ---- a weight in its unit and range --------------------------------------------------------------


def test_a_weight_without_its_unit_on_a_line() -> None:
    """`if weight < 45`: refused at the number, as every condition missing its unit is, with the
    condition rewritten in the hint."""
    assert report(DRUG, "    days 1-7 if weight < 45\n") == (
        "x.regimen:4:26: weight is compared in kg\n"
        "        days 1-7 if weight < 45\n"
        "                             ^^\n"
        "    hint: write e.g. 'weight < 45 kg'\n"
        "\n"
        "1 error in x.regimen\n"
    )


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            (DRUG, "    day 1\n", "    not given if weight < 45\n"),
            "x.regimen:5:27: weight is compared in kg\n"
            "        not given if weight < 45\n"
            "                              ^^\n",
        ),
        (
            ("  drugx 40 mg PO, 20 mg if weight < 45\n", "    day 1\n"),
            "x.regimen:3:37: weight is compared in kg\n"
            "      drugx 40 mg PO, 20 mg if weight < 45\n"
            "                                        ^^\n",
        ),
    ],
    ids=["limit", "alternative"],
)
def test_a_weight_without_its_unit_elsewhere(lines: tuple[str, ...], expected: str) -> None:
    """The same report for a label limit and for a dose chosen by the weight."""
    assert report(*lines) == expected + "    hint: write e.g. 'weight < 45 kg'\n\n1 error in x.regimen\n"


def test_a_weight_in_another_unit() -> None:
    """`weight < 45 mg`: refused at the unit."""
    assert report(DRUG, "    days 1-7 if weight < 45 mg\n") == (
        "x.regimen:4:29: weight is compared in kg\n"
        "        days 1-7 if weight < 45 mg\n"
        "                                ^^\n"
        "    hint: write e.g. 'weight < 45 kg'\n"
        "\n"
        "1 error in x.regimen\n"
    )


_WEIGHT_HINT = "    hint: a weight runs from 1 to 300 kg, with at most 2 decimal places\n"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("0.5", "0.5 is out of range for a weight"),
        ("301", "301 is out of range for a weight"),
        ("45.125", "45.125 has more than 2 decimal places"),
    ],
)
def test_a_weight_outside_its_range(number: str, message: str) -> None:
    """limits.WEIGHT: 1 to 300 kg, at most 2 decimals, as a course's weight is read."""
    line = f"    days 1-7 if weight < {number} kg\n"
    assert report(DRUG, line) == (
        f"x.regimen:4:26: {message}\n"
        f"    {line}"
        f"                             {'^' * len(number)}\n" + _WEIGHT_HINT + "\n"
        "1 error in x.regimen\n"
    )


def test_a_weight_without_its_unit_is_one_error_beside_its_complement() -> None:
    """`days 1-7 if weight < 45` beside `days 1-7 ... if weight >= 45 kg`: the missing unit is the
    only mistake; with it written the lines never meet, so no second error should follow."""
    assert report(DRUG, "    days 1-7 if weight < 45\n", "    days 1-7 at 20 mg if weight >= 45 kg\n") == (
        "x.regimen:4:26: weight is compared in kg\n"
        "        days 1-7 if weight < 45\n"
        "                             ^^\n"
        "    hint: write e.g. 'weight < 45 kg'\n"
        "\n"
        "1 error in x.regimen\n"
    )


# ---- one patient value per drug ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (
            "weight < 45 kg",
            "age >= 75",
            "x.regimen:5:26: the lines of drugx are chosen by weight (line 4), this one by age\n"
            "        days 1-7 at 20 mg if age >= 75\n"
            "                             ^^^^^^^^^\n",
        ),
        (
            "female",
            "weight < 45 kg",
            "x.regimen:5:26: the lines of drugx are chosen by sex (line 4), this one by weight\n"
            "        days 1-7 at 20 mg if weight < 45 kg\n"
            "                             ^^^^^^^^^^^^^^\n",
        ),
        (
            "weight < 45 kg",
            "female",
            "x.regimen:5:26: the lines of drugx are chosen by weight (line 4), this one by sex\n"
            "        days 1-7 at 20 mg if female\n"
            "                             ^^^^^^\n",
        ),
    ],
    ids=["weight-then-age", "sex-then-weight", "weight-then-sex"],
)
def test_a_drugs_lines_on_two_patient_values(first: str, second: str, expected: str) -> None:
    """The second value is refused at its condition, naming the first and its line; the lines'
    days are not also reported as given twice."""
    lines = (f"    days 1-7 if {first}\n", f"    days 1-7 at 20 mg if {second}\n")
    assert report(DRUG, *lines) == (
        expected + "    hint: choose a drug's schedule lines by one patient value\n\n1 error in x.regimen\n"
    )


def test_a_third_line_on_another_value_names_the_first() -> None:
    """Two lines by weight, then one by age on other days: the age line is refused, naming line 4."""
    lines = (
        "    days 1-7 if weight < 45 kg\n",
        "    days 1-7 at 20 mg if weight >= 45 kg\n",
        "    days 8-14 if age >= 75\n",
    )
    assert report(DRUG, *lines) == (
        "x.regimen:6:18: the lines of drugx are chosen by weight (line 4), this one by age\n"
        "        days 8-14 if age >= 75\n"
        "                     ^^^^^^^^^\n"
        "    hint: choose a drug's schedule lines by one patient value\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_two_drugs_may_be_chosen_by_different_values() -> None:
    """One value per drug, not per regimen: drugx by weight and drugy by sex are read."""
    regimen = lowered(
        DRUG,
        "    days 1-7 if weight < 45 kg\n",
        EVERYONE,
        "  drugy 10 mg PO\n",
        "    day 1 if female\n",
        EVERYONE,
    )
    drugx, drugy = regimen.phases[0].agents
    assert [c.condition for c in drugx.clauses] == [
        Condition(Attribute.WEIGHT, Compare.LT, Decimal(45)),
        None,
    ]
    assert [c.condition for c in drugy.clauses] == [Condition(Attribute.SEX, Compare.IS, Sex.FEMALE), None]


# ---- lines one patient can both be given ---------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [("weight >= 45 kg", "weight > 40 kg"), ("female", "female"), ("age >= 75", "age >= 80")],
    ids=["weight", "sex", "age"],
)
def test_overlapping_conditions_on_the_same_days_are_refused(first: str, second: str) -> None:
    """50 kg meets both weights, every woman both sexes, 80 years both ages: on days 1-7 that patient
    would be given drugx twice, so the second line is refused, naming day 1 of cycle 1 and line 4."""
    second_line = f"    days 1-7 at 20 mg if {second}\n"
    assert report(DRUG, f"    days 1-7 if {first}\n", second_line, EVERYONE) == (
        "x.regimen:5:5: drugx is already given on cycle 1 day 1 by line 4\n"
        f"    {second_line}"
        f"        {'^' * (len(second_line) - 5)}\n" + TWICE_HINT + "\n"
        "1 error in x.regimen\n"
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [("weight < 45 kg", "weight >= 45 kg"), ("female", "male"), ("age < 75", "age >= 75")],
    ids=["weight", "sex", "age"],
)
def test_disjoint_conditions_on_the_same_days_are_read(first: str, second: str) -> None:
    """No patient meets both, so the same days are given once whichever line applies."""
    regimen = lowered(DRUG, f"    days 1-7 if {first}\n", f"    days 1-7 at 20 mg if {second}\n")
    assert [(line, str(c)) for line, c in line_conditions(regimen)] == [(4, first), (5, second)]


def test_overlapping_conditions_on_other_days_are_read() -> None:
    """`>= 45 kg` on days 1-7 and `> 40 kg` on days 8-14: a 50 kg patient is given both lines, each on
    its own days, never twice on one."""
    regimen = lowered(
        DRUG, "    days 1-7 if weight >= 45 kg\n", "    days 8-14 at 20 mg if weight > 40 kg\n", EVERYONE
    )
    assert [(line, str(c)) for line, c in line_conditions(regimen)] == [
        (4, "weight >= 45 kg"),
        (5, "weight > 40 kg"),
        (6, "None"),
    ]


def test_a_line_for_everyone_meets_every_conditioned_line() -> None:
    """`days 1-7` for every patient and `days 1-7 ... if female`: a woman would have both."""
    assert report(DRUG, "    days 1-7\n", "    days 1-7 at 20 mg if female\n") == (
        "x.regimen:5:5: drugx is already given on cycle 1 day 1 by line 4\n"
        "        days 1-7 at 20 mg if female\n"
        "        ^^^^^^^^^^^^^^^^^^^^^^^^^^^\n" + TWICE_HINT + "\n"
        "1 error in x.regimen\n"
    )


def test_a_boundary_in_both_conditions_is_a_patient_in_both() -> None:
    """`<= 45 kg` and `>= 45 kg`: a patient of exactly 45 kg meets both."""
    assert report(
        DRUG, "    days 1-7 if weight <= 45 kg\n", "    days 1-7 at 20 mg if weight >= 45 kg\n"
    ) == (
        "x.regimen:5:5: drugx is already given on cycle 1 day 1 by line 4\n"
        "        days 1-7 at 20 mg if weight >= 45 kg\n"
        "        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n" + TWICE_HINT + "\n"
        "1 error in x.regimen\n"
    )


def test_a_third_line_meeting_the_second() -> None:
    """`< 45`, `>= 45`, `>= 100 kg`: the first two never meet; a 100 kg patient has the last two."""
    lines = (
        "    days 1-7 if weight < 45 kg\n",
        "    days 1-7 at 20 mg if weight >= 45 kg\n",
        "    days 1-7 at 30 mg if weight >= 100 kg\n",
    )
    assert report(DRUG, *lines) == (
        "x.regimen:6:5: drugx is already given on cycle 1 day 1 by line 5\n"
        "        days 1-7 at 30 mg if weight >= 100 kg\n"
        "        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n" + TWICE_HINT + "\n"
        "1 error in x.regimen\n"
    )


def test_ages_on_either_side_of_a_whole_year_never_meet() -> None:
    """`age < 75` and `age > 74`: 74 meets only the first, 75 only the second."""
    regimen = lowered(DRUG, "    days 1-7 if age < 75\n", "    days 1-7 at 20 mg if age > 74\n")
    assert [(line, str(c)) for line, c in line_conditions(regimen)] == [(4, "age < 75"), (5, "age > 74")]


# ---- a condition on the clearance ------------------------------------------------------------------


def test_a_line_on_the_clearance_without_a_rule_is_refused() -> None:
    """No CrCl line anywhere: each line condition on the clearance is refused at its `if`."""
    lines = ("    days 1-7 if CrCl < 45 mL/min\n", "    days 1-7 at 20 mg if CrCl >= 45 mL/min\n")
    assert report(DRUG, *lines) == (
        "x.regimen:4:14: this limit is on the creatinine clearance: say how it is estimated\n"
        "        days 1-7 if CrCl < 45 mL/min\n"
        "                 ^^^^^^^^^^^^^^^^^^^\n" + RENAL_HINT + "\n"
        "x.regimen:5:23: this limit is on the creatinine clearance: say how it is estimated\n"
        "        days 1-7 at 20 mg if CrCl >= 45 mL/min\n"
        "                          ^^^^^^^^^^^^^^^^^^^^\n" + RENAL_HINT + "\n"
        "2 errors in x.regimen\n"
    )


def test_a_line_on_the_clearance_uses_the_regimens_rule() -> None:
    """With `CrCl Cockcroft-Gault, actual weight` (line 3) the lines are read, and the rule, used by no
    dose by AUC, is used by them (not refused as unused)."""
    regimen = lowered(
        "  CrCl Cockcroft-Gault, actual weight\n",
        DRUG,
        "    days 1-7 if CrCl < 45 mL/min\n",
        "    days 1-7 at 20 mg if CrCl >= 45 mL/min\n",
    )
    assert regimen.renal is not None and regimen.renal.line == 3
    assert line_conditions(regimen) == [
        (5, Condition(Attribute.CRCL, Compare.LT, Decimal(45))),
        (6, Condition(Attribute.CRCL, Compare.GE, Decimal(45))),
    ]


def test_a_line_on_the_clearance_uses_the_drugs_rule() -> None:
    """The drug's own rule serves as well as the regimen's."""
    regimen = lowered(
        DRUG, "    CrCl Cockcroft-Gault, ideal weight\n", "    days 1-7 if CrCl < 45 mL/min\n", EVERYONE
    )
    agent = regimen.phases[0].agents[0]
    assert agent.renal is not None and agent.renal.line == 4
    assert line_conditions(regimen) == [(5, Condition(Attribute.CRCL, Compare.LT, Decimal(45))), (6, None)]


# ---- every patient is given a line ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "whom"),
    [
        (
            ("    days 1-7 if weight > 45 kg\n", "    days 1-7 at 20 mg if weight < 45 kg\n"),
            "patients with weight 45 kg",
        ),
        (
            ("    days 1-7 if weight >= 45.01 kg\n", "    days 1-7 at 20 mg if weight < 45 kg\n"),
            "patients with weight 45 kg",
        ),
        (("    days 1, 8 if age >= 75\n",), "patients with age 74"),
        (("    day 1 if female\n",), "male patients"),
    ],
    ids=["open-threshold", "hundredths", "one-line", "one-sex"],
)
def test_a_patient_no_line_holds_for_is_refused(lines: tuple[str, ...], whom: str) -> None:
    """Where every line of drugx has a condition, some line must hold for every patient: `> 45` beside
    `< 45` gives a patient of exactly 45 kg nothing (45.00 kg: between `< 45` and `>= 45.01`); one
    line alone gives the others nothing. Refused at the drug, naming a patient left out, by hand."""
    assert report(DRUG, *lines) == (
        f"x.regimen:3:3: drugx has no schedule line for {whom}: every line has a condition, and none "
        "holds for them\n"
        "      drugx 40 mg PO\n"
        "      ^^^^^\n"
        "    hint: cover every patient (e.g. 'if weight >= 45 kg' beside 'if weight < 45 kg'), or give the "
        "drug a line without a condition\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_the_ends_of_the_weight_range_leave_no_gap() -> None:
    """`weight >= 1 kg` holds for every weight dosecal reads (1 to 300 kg): no patient is left out,
    though 0.999 kg would be (it is no weight at all)."""
    assert line_conditions(lowered(DRUG, "    days 1-7 if weight >= 1 kg\n"))[0][0] == 4


def test_more_thresholds_than_a_drug_is_chosen_by_are_refused() -> None:
    """At most 10 thresholds a drug: the eleventh (`weight >= 62 kg`, line 14, column 15) is refused at
    itself."""
    lines = [f"    day {d} if weight >= {40 + 2 * d} kg\n" for d in range(1, 12)]
    lines.append(EVERYONE)
    assert report(DRUG, *lines) == (
        "x.regimen:14:15: a drug's lines are chosen by at most 10 thresholds\n"
        "        day 11 if weight >= 62 kg\n"
        "                  ^^^^^^^^^^^^^^^\n"
        "    hint: write the protocol's bands, not one a line\n"
        "\n"
        "1 error in x.regimen\n"
    )
