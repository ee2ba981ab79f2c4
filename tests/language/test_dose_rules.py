"""The rules for values computed for a patient (`BSA max 2.2 m2`, `CrCl Cockcroft-Gault, ...`):
each misuse with its whole report, caret included, and what a valid file lowers to."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dosecal.errors import RegimenError
from dosecal.language.load import loads
from dosecal.model.regimen import UNITS, Amount, Bounds, Regimen, Renal, WeightBasis
from dosecal.render.protocol_text import render

HEAD = 'regimen x "T"\n  cycle 21 days\n'
CARBOPLATIN = "  carboplatin AUC 5 IV\n    day 1\n"
ETOPOSIDE = "  etoposide 100 mg/m2 IV\n    days 1-3\n"
RENAL = "  CrCl Cockcroft-Gault, actual weight, max 125 mL/min\n"
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


# ---- a rule given twice -------------------------------------------------------------------


def test_a_clearance_rule_twice_under_the_regimen() -> None:
    """The second CrCl line of the regimen is refused, whole, naming the first."""
    assert report(RENAL, "  CrCl Cockcroft-Gault, ideal weight\n", CARBOPLATIN) == (
        "x.regimen:4:3: this regimen already gives this rule on line 3\n"
        "      CrCl Cockcroft-Gault, ideal weight\n"
        "      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_a_bsa_rule_twice_under_a_drug() -> None:
    """Under a drug, the drug is named: every BSA line after the first is refused."""
    text = "  etoposide 100 mg/m2 IV\n    BSA max 2.2 m2\n    BSA max 2 m2\n    BSA min 1 m2\n    day 1\n"
    assert report(text) == (
        "x.regimen:5:5: etoposide already gives this rule on line 4\n"
        "        BSA max 2 m2\n"
        "        ^^^^^^^^^^^^\n"
        "\n"
        "x.regimen:6:5: etoposide already gives this rule on line 4\n"
        "        BSA min 1 m2\n"
        "        ^^^^^^^^^^^^\n"
        "\n"
        "2 errors in x.regimen\n"
    )


def test_a_bound_twice_in_one_rule() -> None:
    """`max` twice on one line: the second is refused at its word."""
    assert report("  BSA max 2.2 m2, max 2 m2\n", ETOPOSIDE) == (
        "x.regimen:3:19: this rule already has a 'max'\n"
        "      BSA max 2.2 m2, max 2 m2\n"
        "                      ^^^\n"
        "\n"
        "1 error in x.regimen\n"
    )


# ---- units, weights, bounds ---------------------------------------------------------------------


def test_a_bsa_limit_in_mg() -> None:
    """A BSA limit is in m2: `mg` is refused at the unit, with the line rewritten in the hint."""
    assert report("  BSA max 2.2 mg\n", ETOPOSIDE) == (
        "x.regimen:3:15: this limit is in m2, not mg\n"
        "      BSA max 2.2 mg\n"
        "                  ^^\n"
        "    hint: write e.g. 'max 2.2 m2'\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_a_clearance_limit_in_ml() -> None:
    """A clearance limit is in mL/min."""
    assert report("  CrCl Cockcroft-Gault, actual weight, max 125 mL\n", CARBOPLATIN) == (
        "x.regimen:3:48: this limit is in mL/min, not mL\n"
        "      CrCl Cockcroft-Gault, actual weight, max 125 mL\n"
        "                                                   ^^\n"
        "    hint: write e.g. 'max 125 mL/min'\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_a_clearance_rule_without_a_weight() -> None:
    """Cockcroft-Gault needs its weight named; the dose by AUC under the rule is not reported again
    as having no rule (the rule is there, with a mistake)."""
    assert report("  CrCl Cockcroft-Gault, max 125 mL/min\n", CARBOPLATIN) == (
        "x.regimen:3:3: say which weight Cockcroft-Gault is computed with\n"
        "      CrCl Cockcroft-Gault, max 125 mL/min\n"
        "      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "    hint: add 'actual weight', 'ideal weight' or 'adjusted weight', "
        "e.g. 'CrCl Cockcroft-Gault, actual weight, max 125 mL/min'\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_a_drug_rule_without_a_weight() -> None:
    """The same under the drug: one error, at the drug's rule."""
    text = "  carboplatin AUC 5 IV\n    CrCl Cockcroft-Gault\n    day 1\n"
    assert report(text) == (
        "x.regimen:4:5: say which weight Cockcroft-Gault is computed with\n"
        "        CrCl Cockcroft-Gault\n"
        "        ^^^^^^^^^^^^^^^^^^^^\n"
        "    hint: add 'actual weight', 'ideal weight' or 'adjusted weight', "
        "e.g. 'CrCl Cockcroft-Gault, actual weight, max 125 mL/min'\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_two_weights() -> None:
    """One weight: the second is refused at its word, the hint keeps the first."""
    assert report("  CrCl Cockcroft-Gault, actual weight, ideal weight, max 125 mL/min\n", CARBOPLATIN) == (
        "x.regimen:3:40: Cockcroft-Gault is computed with one weight\n"
        "      CrCl Cockcroft-Gault, actual weight, ideal weight, max 125 mL/min\n"
        "                                           ^^^^^\n"
        "    hint: keep 'actual weight'\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_a_maximum_below_the_minimum() -> None:
    """`min 130 mL/min, max 125 mL/min`: refused at the maximum, both named."""
    line = "  CrCl Cockcroft-Gault, actual weight, min 130 mL/min, max 125 mL/min\n"
    assert report(line, CARBOPLATIN) == (
        "x.regimen:3:56: the maximum 125 mL/min is not above the minimum 130 mL/min\n"
        "      CrCl Cockcroft-Gault, actual weight, min 130 mL/min, max 125 mL/min\n"
        "                                                           ^^^^^^^^^^^^^^\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_a_maximum_equal_to_the_minimum() -> None:
    """A maximum must be above the minimum, not equal to it."""
    assert report("  BSA min 2 m2, max 2 m2\n", ETOPOSIDE) == (
        "x.regimen:3:17: the maximum 2 m2 is not above the minimum 2 m2\n"
        "      BSA min 2 m2, max 2 m2\n"
        "                    ^^^^^^^^\n"
        "\n"
        "1 error in x.regimen\n"
    )


_BSA_HINT = "    hint: a body surface area limit runs from 0.1 to 5 m2, with at most 2 decimal places\n"
_CLEARANCE_HINT = (
    "    hint: a creatinine clearance limit runs from 1 to 500 mL/min, with at most 2 decimal places\n"
)


@pytest.mark.parametrize(
    ("line", "rest", "expected"),
    [
        (
            "  BSA max 5.5 m2\n",
            ETOPOSIDE,
            "x.regimen:3:11: 5.5 is out of range for a body surface area limit\n"
            "      BSA max 5.5 m2\n"
            "              ^^^\n" + _BSA_HINT,
        ),
        (
            "  BSA min 0.05 m2\n",
            ETOPOSIDE,
            "x.regimen:3:11: 0.05 is out of range for a body surface area limit\n"
            "      BSA min 0.05 m2\n"
            "              ^^^^\n" + _BSA_HINT,
        ),
        (
            "  BSA max 2.205 m2\n",
            ETOPOSIDE,
            "x.regimen:3:11: 2.205 has more than 2 decimal places\n"
            "      BSA max 2.205 m2\n"
            "              ^^^^^\n" + _BSA_HINT,
        ),
        (
            "  CrCl Cockcroft-Gault, actual weight, max 501 mL/min\n",
            CARBOPLATIN,
            "x.regimen:3:44: 501 is out of range for a creatinine clearance limit\n"
            "      CrCl Cockcroft-Gault, actual weight, max 501 mL/min\n"
            "                                               ^^^\n" + _CLEARANCE_HINT,
        ),
        (
            "  CrCl Cockcroft-Gault, actual weight, min 0.5 mL/min\n",
            CARBOPLATIN,
            "x.regimen:3:44: 0.5 is out of range for a creatinine clearance limit\n"
            "      CrCl Cockcroft-Gault, actual weight, min 0.5 mL/min\n"
            "                                               ^^^\n" + _CLEARANCE_HINT,
        ),
    ],
    ids=["bsa-max-5.5", "bsa-min-0.05", "bsa-3-decimals", "crcl-max-501", "crcl-min-0.5"],
)
def test_a_limit_out_of_range(line: str, rest: str, expected: str) -> None:
    """limits.BSA_BOUND is 0.1-5 m2 and limits.CLEARANCE_BOUND 1-500 mL/min, each to 0.01."""
    assert report(line, rest) == expected + "\n1 error in x.regimen\n"


def test_limits_at_the_ends_of_their_ranges_are_read() -> None:
    """0.1 and 5 m2, 1 and 500 mL/min are the ends of their ranges, and accepted."""
    regimen = lowered(
        "  BSA min 0.1 m2, max 5 m2\n",
        "  CrCl Cockcroft-Gault, ideal weight, min 1 mL/min, max 500 mL/min\n",
        CARBOPLATIN,
        ETOPOSIDE,
    )
    assert regimen.bsa == Bounds(Decimal("0.1"), Decimal(5), 3)
    assert regimen.renal == Renal(WeightBasis.IDEAL, Bounds(Decimal(1), Decimal(500), 4), 4)


# ---- which doses a rule is for -------------------------------------------------------------------


def test_a_dose_by_auc_without_a_clearance_rule() -> None:
    """`carboplatin AUC 5` with no CrCl line anywhere: refused at the drug's name."""
    assert report(CARBOPLATIN) == (
        "x.regimen:3:3: carboplatin is dosed by AUC: say how its creatinine clearance is estimated\n"
        "      carboplatin AUC 5 IV\n"
        "      ^^^^^^^^^^^\n" + RENAL_HINT + "\n"
        "1 error in x.regimen\n"
    )


def test_a_drug_rule_on_a_drug_not_dosed_by_auc() -> None:
    """A CrCl line under a drug dosed per m2 would look as if it changed something: refused."""
    text = "  etoposide 100 mg/m2 IV\n    CrCl Cockcroft-Gault, actual weight\n    day 1\n"
    assert report(text) == (
        "x.regimen:4:5: etoposide has no dose by AUC: this rule is not used\n"
        "        CrCl Cockcroft-Gault, actual weight\n"
        "        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "    hint: delete it\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_a_drug_bsa_rule_on_a_flat_dose() -> None:
    """A BSA line under a drug with a flat dose is not used: refused."""
    text = "  etoposide 100 mg IV\n    BSA max 2.2 m2\n    day 1\n"
    assert report(text) == (
        "x.regimen:4:5: etoposide has no dose per m2: this rule is not used\n"
        "        BSA max 2.2 m2\n"
        "        ^^^^^^^^^^^^^^\n"
        "    hint: delete it\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_a_regimen_bsa_rule_without_a_dose_per_m2() -> None:
    """A regimen-level BSA rule when no drug is dosed per m2: refused, to be deleted."""
    text = "  BSA max 2.2 m2\n  carboplatin AUC 5 IV\n    CrCl Cockcroft-Gault, actual weight\n    day 1\n"
    assert report(text) == (
        "x.regimen:3:3: no dose per m2 of this regimen is computed by this rule\n"
        "      BSA max 2.2 m2\n"
        "      ^^^^^^^^^^^^^^\n"
        "    hint: delete it\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_a_regimen_clearance_rule_every_drug_overrides() -> None:
    """Every drug by AUC gives its own CrCl line: the regimen's is used by none."""
    text = "  carboplatin AUC 5 IV\n    CrCl Cockcroft-Gault, ideal weight\n    day 1\n"
    assert report(RENAL, text) == (
        "x.regimen:3:3: no dose by AUC of this regimen is computed by this rule\n"
        "      CrCl Cockcroft-Gault, actual weight, max 125 mL/min\n"
        "      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "    hint: the drugs dosed so give their own rule\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_a_regimen_bsa_rule_every_drug_overrides() -> None:
    """The same for BSA: each drug per m2 has its own limits."""
    text = "  etoposide 100 mg/m2 IV\n    BSA max 2 m2\n    day 1\n"
    assert report("  BSA max 2.2 m2\n", text) == (
        "x.regimen:3:3: no dose per m2 of this regimen is computed by this rule\n"
        "      BSA max 2.2 m2\n"
        "      ^^^^^^^^^^^^^^\n"
        "    hint: the drugs dosed so give their own rule\n"
        "\n"
        "1 error in x.regimen\n"
    )


def test_a_level_dose_by_auc_needs_a_clearance_rule() -> None:
    """`level 1: carboplatin AUC 4` is a dose by AUC of carboplatin, though its own dose is in mg."""
    text = "  carboplatin 300 mg IV\n    day 1\n  level 1: carboplatin AUC 4\n"
    assert report(text) == (
        "x.regimen:3:3: carboplatin is dosed by AUC: say how its creatinine clearance is estimated\n"
        "      carboplatin 300 mg IV\n"
        "      ^^^^^^^^^^^\n" + RENAL_HINT + "\n"
        "1 error in x.regimen\n"
    )


def test_a_level_dose_by_auc_uses_a_rule() -> None:
    """With the level's dose by AUC, a CrCl line (of the regimen, or of the drug) is used: accepted."""
    text = "  carboplatin 300 mg IV\n    day 1\n  level 1: carboplatin AUC 4\n"
    regimen = lowered(RENAL, text)
    assert regimen.renal == Renal(WeightBasis.ACTUAL, Bounds(None, Decimal(125), 3), 3)
    assert regimen.levels[0].overrides[0].dose == Amount(Decimal(4), UNITS["AUC"])
    own = lowered(
        "  carboplatin 300 mg IV\n",
        "    CrCl Cockcroft-Gault, ideal weight\n",
        "    day 1\n",
        "  level 1: carboplatin AUC 4\n",
    )
    assert own.renal is None
    assert own.phases[0].agents[0].renal == Renal(WeightBasis.IDEAL, None, 4)


def test_a_dose_by_auc_on_a_schedule_line() -> None:
    """`day 1 at AUC 5` is a dose by AUC: without a CrCl line it is refused at the drug; with one, read."""
    assert report("  carboplatin IV\n    day 1 at AUC 5\n") == (
        "x.regimen:3:3: carboplatin is dosed by AUC: say how its creatinine clearance is estimated\n"
        "      carboplatin IV\n"
        "      ^^^^^^^^^^^\n" + RENAL_HINT + "\n"
        "1 error in x.regimen\n"
    )
    regimen = lowered("  CrCl Cockcroft-Gault, actual weight\n  carboplatin IV\n    day 1 at AUC 5\n")
    assert regimen.phases[0].agents[0].clauses[0].dose == Amount(Decimal(5), UNITS["AUC"])


def test_a_dose_left_open_may_use_the_rules() -> None:
    """A dose to be supplied may be given by AUC or per m2: the regimen's rules are not 'unused'."""
    regimen = lowered(RENAL, "  BSA max 2 m2\n", "  carboplatin dose required IV\n    day 1\n")
    assert regimen.renal is not None and regimen.bsa == Bounds(None, Decimal(2), 4)


# ---- a valid file ------------------------------------------------------------------------------

VALID = (
    'regimen x "T"\n'
    "  cycle 21 days, 4 cycles\n"
    "  CrCl Cockcroft-Gault, actual weight, max 125 mL/min\n"
    "  BSA min 1.2 m2, max 2.2 m2\n"
    "  carboplatin AUC 5 IV\n"
    "    day 1\n"
    "  etoposide 100 mg/m2 IV\n"
    "    BSA max 2 m2\n"
    "    days 1-3\n"
    "  paclitaxel 175 mg/m2 IV\n"
    "    day 1\n"
    "  carboplatin (b) AUC 6 IV\n"
    "    CrCl Cockcroft-Gault, adjusted weight, min 20 mL/min, max 125.5 mL/min\n"
    "    day 1\n"
)


def test_a_valid_file_lowers_its_rules() -> None:
    """The regimen's rules on the regimen; a drug's own on the drug; the others' None (they use the
    regimen's)."""
    regimen = loads(VALID, "x.regimen")
    assert regimen.renal == Renal(WeightBasis.ACTUAL, Bounds(None, Decimal(125), 3), 3)
    assert regimen.bsa == Bounds(Decimal("1.2"), Decimal("2.2"), 4)
    agents = {a.key: a for a in regimen.phases[0].agents}
    assert (agents["carboplatin"].bsa, agents["carboplatin"].renal) == (None, None)
    assert (agents["etoposide"].bsa, agents["etoposide"].renal) == (Bounds(None, Decimal(2), 8), None)
    assert (agents["paclitaxel"].bsa, agents["paclitaxel"].renal) == (None, None)
    assert agents["carboplatin (b)"].bsa is None
    assert agents["carboplatin (b)"].renal == Renal(
        WeightBasis.ADJUSTED, Bounds(Decimal(20), Decimal("125.5"), 13), 13
    )


def test_only_carboplatin_is_dosed_by_auc() -> None:
    """Calvert's formula is carboplatin's: another drug by AUC is refused at its name."""
    text = VALID.replace("carboplatin (b) AUC 6", "cisplatin AUC 6")
    with pytest.raises(RegimenError) as caught:
        loads(text, "x.regimen")
    assert caught.value.render() == (
        "x.regimen:12:3: cisplatin is dosed by AUC, but the Calvert formula is carboplatin's\n"
        "      cisplatin AUC 6 IV\n"
        "      ^^^^^^^^^\n"
        "    hint: give this drug's dose in mg, mg/kg or mg/m2\n"
        "\n"
        "1 error in x.regimen"
    )


def test_show_says_the_rules() -> None:
    """`dosecal show` says the regimen's rules under its sources, and a drug's under the drug."""
    text = render(loads(VALID, "x.regimen"))
    calvert = "doses by AUC by Calvert: AUC x (clearance + 25) mg"
    assert text.splitlines()[:3] == [
        "x: T",
        "BSA for doses per m2: at least 1.2 m2 and at most 2.2 m2",
        f"creatinine clearance by Cockcroft-Gault (actual weight), at most 125 mL/min; {calvert}",
    ]
    assert (
        "  etoposide, 100 mg/m2, IV (intravenous)\n"
        "    every cycle: days 1-3\n"
        "    BSA for doses per m2: at most 2 m2\n"
        "  paclitaxel, 175 mg/m2, IV (intravenous)\n"
        "    every cycle: day 1\n"
        "  carboplatin (b), AUC 6, IV (intravenous)\n"
        "    every cycle: day 1\n"
        "    creatinine clearance by Cockcroft-Gault (adjusted weight), at least 20 mL/min and "
        f"at most 125.5 mL/min; {calvert}\n"
    ) in text
