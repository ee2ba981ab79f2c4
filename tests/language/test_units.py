"""The regimen language's new units (issue 12, point 6): cells by a power of ten, doses a day, and
caps held to the kind of their dose; each misuse refused with its whole report, caret included.
Then the model's units themselves: their kinds, what converts, how an amount of cells is said."""

from __future__ import annotations

from decimal import Decimal

import pytest

import dosecal
from dosecal.errors import RegimenError
from dosecal.model.dosing import compute
from dosecal.model.measures import Measures
from dosecal.model.regimen import UNITS, Agent, Amount, amount_text, convert, power_text

HEAD = 'regimen u "Units"\n  cycle 28 days, 1 cycle\n'


def _agent(body: str) -> Agent:
    """The first drug of a one-cycle regimen whose drug lines are `body`."""
    return dosecal.loads(HEAD + body, "u.regimen").phases[0].agents[0]


def _report(body: str) -> str:
    """The whole error report of a one-cycle regimen whose drug lines are `body`."""
    with pytest.raises(RegimenError) as caught:
        dosecal.loads(HEAD + body, "u.regimen")
    return caught.value.render()


# ---- cells by a power of ten -----------------------------------------------------------------


@pytest.mark.parametrize("written", ["2 x 10^6", "2 x10^6"])
def test_cells_per_kg_by_a_power_of_ten_with_a_cap_in_cells(written: str) -> None:
    """`2 x 10^6 cells/kg` (or `2 x10^6`, no space before 10) is 2,000,000 cells a kg, kept as
    written with 10^6; `max 2 x 10^8 cells` is 200,000,000 cells, with 10^8."""
    agent = _agent(f"  axicabtagene ciloleucel {written} cells/kg IV, max 2 x 10^8 cells\n    day 1\n")
    assert agent.dose == Amount(Decimal(2000000), UNITS["cells/kg"])
    assert isinstance(agent.dose, Amount) and agent.dose.power == 6
    assert str(agent.dose) == "2 x 10^6 cells/kg"
    assert agent.cap == Amount(Decimal(200000000), UNITS["cells"])
    assert agent.cap is not None and agent.cap.power == 8
    assert str(agent.cap) == "2 x 10^8 cells"


def test_a_power_of_ten_0_is_refused_at_the_exponent() -> None:
    """10^0 is no power an amount is written with (1 to 12): the caret is under the 0."""
    assert _report("  axicabtagene ciloleucel 2 x 10^0 cells/kg IV\n    day 1\n") == (
        "u.regimen:3:34: '10^0' is not a power of ten an amount is written with\n"
        "      axicabtagene ciloleucel 2 x 10^0 cells/kg IV\n"
        "                                     ^\n"
        "    hint: write a power from 10^1 to 10^12, e.g. '2 x 10^6 cells/kg'\n"
        "\n"
        "1 error in u.regimen"
    )


def test_a_power_of_ten_13_is_refused_at_the_exponent() -> None:
    """10^13 is past 10^12, the top of any amount: the caret is under the 13."""
    assert _report("  axicabtagene ciloleucel 2 x 10^13 cells/kg IV\n    day 1\n") == (
        "u.regimen:3:34: '10^13' is not a power of ten an amount is written with\n"
        "      axicabtagene ciloleucel 2 x 10^13 cells/kg IV\n"
        "                                     ^^\n"
        "    hint: write a power from 10^1 to 10^12, e.g. '2 x 10^6 cells/kg'\n"
        "\n"
        "1 error in u.regimen"
    )


def test_a_power_of_ten_123_is_refused_at_the_exponent() -> None:
    """10^123: three digits, refused as written (never computed), the caret under all three."""
    assert _report("  axicabtagene ciloleucel 2 x 10^123 cells/kg IV\n    day 1\n") == (
        "u.regimen:3:34: '10^123' is not a power of ten an amount is written with\n"
        "      axicabtagene ciloleucel 2 x 10^123 cells/kg IV\n"
        "                                     ^^^\n"
        "    hint: write a power from 10^1 to 10^12, e.g. '2 x 10^6 cells/kg'\n"
        "\n"
        "1 error in u.regimen"
    )


def test_an_amount_by_a_power_beyond_10_12_is_refused_at_its_number() -> None:
    """2 x 10^12 is 2,000,000,000,000, past 10^12; 1000 x 10^10 is 10^13: each refused at the number,
    said with its power and unit. 1 x 10^12 is the top of the range, and read."""
    assert _report("  axicabtagene ciloleucel 2 x 10^12 cells IV\n    day 1\n") == (
        "u.regimen:3:27: 2 x 10^12 cells is out of range for an amount\n"
        "      axicabtagene ciloleucel 2 x 10^12 cells IV\n"
        "                              ^\n"
        "    hint: an amount runs from 0.000001 to 1000000000000 (10^12), with at most 6 decimal places\n"
        "\n"
        "1 error in u.regimen"
    )
    assert _report("  axicabtagene ciloleucel 1000 x 10^10 cells IV\n    day 1\n") == (
        "u.regimen:3:27: 1000 x 10^10 cells is out of range for an amount\n"
        "      axicabtagene ciloleucel 1000 x 10^10 cells IV\n"
        "                              ^^^^\n"
        "    hint: an amount runs from 0.000001 to 1000000000000 (10^12), with at most 6 decimal places\n"
        "\n"
        "1 error in u.regimen"
    )
    top = _agent("  axicabtagene ciloleucel 1 x 10^12 cells IV\n    day 1\n")
    assert top.dose == Amount(Decimal(10**12), UNITS["cells"])


# ---- units near the new ones -----------------------------------------------------------------


def test_mg_m2_days_is_unknown_and_mg_m2_day_suggested() -> None:
    """`mg/m2/days` is no unit; the hint names the one meant, `mg/m2/day`."""
    assert _report("  cytarabine 100 mg/m2/days IV\n    days 1-7\n") == (
        "u.regimen:3:18: unknown dose unit 'mg/m2/days'\n"
        "      cytarabine 100 mg/m2/days IV\n"
        "                     ^^^^^^^^^^\n"
        "    hint: did you mean 'mg/m2/day'?\n"
        "\n"
        "1 error in u.regimen"
    )


def test_cell_per_kg_is_unknown_and_cells_per_kg_suggested() -> None:
    """`cell/kg` (singular) is no unit; the hint names `cells/kg`."""
    assert _report("  axicabtagene ciloleucel 2 x 10^6 cell/kg IV\n    day 1\n") == (
        "u.regimen:3:36: unknown dose unit 'cell/kg'\n"
        "      axicabtagene ciloleucel 2 x 10^6 cell/kg IV\n"
        "                                       ^^^^^^^\n"
        "    hint: did you mean 'cells/kg'?\n"
        "\n"
        "1 error in u.regimen"
    )


def test_cells_a_day_is_no_unit() -> None:
    """Cells are given once, never a day: `cells/day` is unknown (the closest unit, by difflib's
    ratio, is `cells`: 2 x 5 / 14 = 0.714, above `cells/kg`'s 2 x 6 / 17 = 0.706)."""
    assert "cells/day" not in UNITS
    assert _report("  axicabtagene ciloleucel 2 x 10^6 cells/day IV\n    day 1\n") == (
        "u.regimen:3:36: unknown dose unit 'cells/day'\n"
        "      axicabtagene ciloleucel 2 x 10^6 cells/day IV\n"
        "                                       ^^^^^^^^^\n"
        "    hint: did you mean 'cells'?\n"
        "\n"
        "1 error in u.regimen"
    )


# ---- caps of the dose's kind -----------------------------------------------------------------


def test_a_cells_dose_with_a_cap_in_mg_is_refused_at_the_dose() -> None:
    """Cells and mg never compare: refused at the dose, the whole `2 x 10^6 cells/kg` underlined."""
    assert _report("  axicabtagene ciloleucel 2 x 10^6 cells/kg IV, max 200 mg\n    day 1\n") == (
        "u.regimen:3:27: a dose in cells/kg cannot be held against the cap of 200 mg\n"
        "      axicabtagene ciloleucel 2 x 10^6 cells/kg IV, max 200 mg\n"
        "                              ^^^^^^^^^^^^^^^^^\n"
        "    hint: give the cap in the dose's unit\n"
        "\n"
        "1 error in u.regimen"
    )


def test_a_mg_dose_with_a_cap_in_cells_is_refused_at_the_dose() -> None:
    """The other way round: mg against a cap of cells, the cap said by its power."""
    assert _report("  vincristine 1.4 mg/m2 IV, max 2 x 10^8 cells\n    day 1\n") == (
        "u.regimen:3:15: a dose in mg/m2 cannot be held against the cap of 2 x 10^8 cells\n"
        "      vincristine 1.4 mg/m2 IV, max 2 x 10^8 cells\n"
        "                  ^^^^^^^^^\n"
        "    hint: give the cap in the dose's unit\n"
        "\n"
        "1 error in u.regimen"
    )


def test_a_dose_a_day_with_a_cap_not_a_day_is_refused() -> None:
    """`max 2 mg` caps one dose, not a day's: against 100 mg/m2/day it is refused at the dose."""
    assert _report("  cytarabine 100 mg/m2/day IV, max 2 mg\n    days 1-7\n") == (
        "u.regimen:3:14: a dose in mg/m2/day cannot be held against the cap of 2 mg\n"
        "      cytarabine 100 mg/m2/day IV, max 2 mg\n"
        "                 ^^^^^^^^^^^^^\n"
        "    hint: a dose a day is capped a day: write e.g. 'max 200 mg/day'\n"
        "\n"
        "1 error in u.regimen"
    )


def test_a_cap_a_day_on_a_dose_not_a_day_is_refused_with_the_way_out() -> None:
    """`max 9 mcg/day` caps only a dose a day: against 2 mcg/kg (a dose, not a day's) it is refused
    at the dose, and the hint says the cap to write instead; `max 200 mg/m2/day` is no cap at all
    (not an absolute amount), and the hint names a cap a day, which is."""
    assert _report("  drugx 2 mcg/kg IV, max 9 mcg/day\n    day 1\n") == (
        "u.regimen:3:9: a dose in mcg/kg cannot be held against the cap of 9 mcg/day\n"
        "      drugx 2 mcg/kg IV, max 9 mcg/day\n"
        "            ^^^^^^^^\n"
        "    hint: a cap a day caps a dose a day: give the cap in the dose's unit, e.g. 'max 2 mg'\n"
        "\n"
        "1 error in u.regimen"
    )
    assert _report("  cytarabine 100 mg/m2/day IV, max 200 mg/m2/day\n    days 1-7\n") == (
        "u.regimen:3:40: a cap is an absolute amount\n"
        "      cytarabine 100 mg/m2/day IV, max 200 mg/m2/day\n" + " " * 43 + "^" * 9 + "\n"
        "    hint: write e.g. 'max 200 mg/day'\n"
        "\n"
        "1 error in u.regimen"
    )


def test_a_dose_a_day_with_a_cap_a_day_is_read_and_caps_the_day() -> None:
    """`max 200 mg/day` caps a dose a day. Computed for 70 kg and 170 cm: BSA sqrt(170 x 70 / 3600)
    = 1.818 = 1.82 m2; 100 mg/m2/day x 1.82 = 182 mg/day, within 200; under `max 150 mg/day`,
    capped at 150 mg/day."""
    agent = _agent("  cytarabine 100 mg/m2/day IV, max 200 mg/day\n    days 1-7\n")
    assert agent.cap == Amount(Decimal(200), UNITS["mg/day"])
    patient = Measures(Decimal(70), Decimal(170))
    within = compute(Amount(Decimal(100), UNITS["mg/m2/day"]), agent.cap, patient, None)
    assert (within.amount, within.unit) == (Decimal(182), "mg/day")
    assert within.basis.startswith("100 mg/m2/day x 1.82 m2 = 182 mg/day; BSA 1.82 m2")
    capped = compute(
        Amount(Decimal(100), UNITS["mg/m2/day"]), Amount(Decimal(150), UNITS["mg/day"]), patient, None
    )
    assert (capped.amount, capped.unit) == (Decimal(150), "mg/day")
    assert capped.basis.startswith(
        "100 mg/m2/day x 1.82 m2 = 182 mg/day, capped at max 150 mg/day = 150 mg/day; BSA 1.82 m2"
    )


def test_caps_in_mcg_and_mg_convert() -> None:
    """A dose in mcg and a cap in mg are both mass: `max 2 mg` holds 1400 mcg/m2, and a flat
    2000 mcg (= 2 mg, not above); a flat 3000 mcg is 3 mg, above it, refused at the dose."""
    assert _agent("  vincristine 1400 mcg/m2 IV, max 2 mg\n    day 1\n").cap == Amount(
        Decimal(2), UNITS["mg"]
    )
    assert _agent("  vincristine 2000 mcg IV, max 2 mg\n    day 1\n").dose == Amount(
        Decimal(2000), UNITS["mcg"]
    )
    assert _report("  vincristine 3000 mcg IV, max 2 mg\n    day 1\n") == (
        "u.regimen:3:15: the dose of 3000 mcg is above the drug's cap of 2 mg\n"
        "      vincristine 3000 mcg IV, max 2 mg\n"
        "                  ^^^^^^^^\n"
        "\n"
        "1 error in u.regimen"
    )


def test_units_against_a_cap_in_mg_are_refused() -> None:
    """Units (of activity) are not mass: 2500 units/m2 against `max 3 mg` is refused at the dose."""
    assert _report("  asparaginase 2500 units/m2 IM, max 3 mg\n    day 1\n") == (
        "u.regimen:3:16: a dose in units/m2 cannot be held against the cap of 3 mg\n"
        "      asparaginase 2500 units/m2 IM, max 3 mg\n"
        "                   ^^^^^^^^^^^^^\n"
        "    hint: give the cap in the dose's unit\n"
        "\n"
        "1 error in u.regimen"
    )


# ---- a dose a day, where it can be given -----------------------------------------------------


def test_a_dose_a_day_given_twice_daily_is_refused() -> None:
    """20 mg/kg/day given twice a day would have to be halved, which dosecal never does."""
    assert _report("  hydroxyurea 20 mg/kg/day PO\n    days 1-7 twice daily\n") == (
        "u.regimen:3:15: 20 mg/kg/day is an amount a day; a drug given 2 times a day needs the dose of each\n"
        "      hydroxyurea 20 mg/kg/day PO\n"
        "                  ^^^^^^^^^^^^\n"
        "    hint: write the dose of each administration as the protocol states it; "
        "dosecal does not divide it\n"
        "\n"
        "1 error in u.regimen"
    )


def test_a_line_dose_a_day_given_twice_daily_is_refused_at_the_line() -> None:
    """A schedule line's own dose is held to the same rule, at the line's dose."""
    assert _report("  hydroxyurea 10 mg/kg PO\n    days 1-7 at 20 mg/kg/day, twice daily\n") == (
        "u.regimen:4:17: 20 mg/kg/day is an amount a day; a drug given 2 times a day needs the dose of each\n"
        "        days 1-7 at 20 mg/kg/day, twice daily\n"
        "                    ^^^^^^^^^^^^\n"
        "    hint: write the dose of each administration as the protocol states it; "
        "dosecal does not divide it\n"
        "\n"
        "1 error in u.regimen"
    )


def test_a_dose_a_day_on_an_interval_line_is_refused() -> None:
    """Every 3 weeks gives one dose, not an amount each day: refused at the dose a day."""
    assert _report("  hydroxyurea 20 mg/kg/day PO\n    every 3 weeks\n") == (
        "u.regimen:3:15: 20 mg/kg/day is an amount a day, "
        "which a dose every few days or weeks does not give\n"
        "      hydroxyurea 20 mg/kg/day PO\n"
        "                  ^^^^^^^^^^^^\n"
        "    hint: write the dose of each administration, as the protocol states it\n"
        "\n"
        "1 error in u.regimen"
    )


def test_a_level_dosing_a_continuous_infusion_not_a_day_is_refused_at_the_level() -> None:
    """A continuous infusion runs by its dose a day: a level giving it 100 mg/m2 is refused at the
    level line's dose; a level giving 200 mg/m2/day is read."""
    infusion = "  cytarabine 100 mg/m2/day IV continuous infusion\n    days 1-7\n"
    assert _report(infusion + "  level 1: cytarabine 100 mg/m2\n") == (
        "u.regimen:5:23: a continuous infusion over days is dosed a day, and 100 mg/m2 is not\n"
        "      level 1: cytarabine 100 mg/m2\n"
        "                          ^^^^^^^^^\n"
        "    hint: write its dose a day as the protocol states it, e.g. '100 mg/m2/day'; an infusion of a "
        "set time is written 'infusion over 46 hours', with the dose of the whole\n"
        "\n"
        "1 error in u.regimen"
    )
    regimen = dosecal.loads(HEAD + infusion + "  level 1: cytarabine 200 mg/m2/day\n", "u.regimen")
    (override,) = regimen.levels[0].overrides
    assert override.dose == Amount(Decimal(200), UNITS["mg/m2/day"])


# ---- the model's units -----------------------------------------------------------------------


def test_each_unit_has_its_kind() -> None:
    """mg, g and mcg are mass (AUC too: it computes mg); units are units; cells are cells; Gy and
    cGy, a radiotherapy fraction's, are radiation; in every basis and a day alike."""
    for text, unit in UNITS.items():
        absolute = text.split("/")[0]
        expected = {
            "mg": "mass",
            "g": "mass",
            "mcg": "mass",
            "AUC": "mass",
            "Gy": "radiation",
            "cGy": "radiation",
        }
        assert unit.kind == expected.get(absolute, absolute), text
    assert {UNITS[u].kind for u in ("mcg/kg/day", "g/m2", "mg")} == {"mass"}
    assert {UNITS[u].kind for u in ("units", "units/m2/day")} == {"units"}
    assert {UNITS[u].kind for u in ("cells", "cells/kg", "cells/m2")} == {"cells"}


def test_a_dose_a_day_and_its_whole() -> None:
    """mg/m2/day is a day of mg/m2; over days its whole is in mg/m2. A unit not a day is its own
    whole, cells included."""
    assert UNITS["mg/m2/day"].per_day and UNITS["mg/m2/day"].of_the_whole == UNITS["mg/m2"]
    assert UNITS["units/kg/day"].of_the_whole == UNITS["units/kg"]
    assert UNITS["mg/day"].of_the_whole == UNITS["mg"]
    assert not UNITS["cells/kg"].per_day and UNITS["cells/kg"].of_the_whole == UNITS["cells/kg"]


def test_only_mass_converts() -> None:
    """2 mg is 2000 mcg, 1 g is 1000 mg, 500 mcg is 0.5 mg; units and cells convert to nothing
    but themselves."""
    assert convert(Decimal(2), "mg", "mcg") == Decimal(2000)
    assert convert(Decimal(1), "g", "mg") == Decimal(1000)
    assert convert(Decimal(500), "mcg", "mg") == Decimal("0.5")
    assert convert(Decimal(1), "units", "mg") is None
    assert convert(Decimal(1), "cells", "mg") is None
    assert convert(Decimal(1), "mg", "cells") is None
    assert convert(Decimal(1), "cells", "units") is None
    assert convert(Decimal(5), "cells", "cells") == Decimal(5)


def test_an_amount_of_cells_is_said_by_a_power_of_ten() -> None:
    """2000000 is 2 x 10^6, 140000000 is 1.4 x 10^8 (a mantissa from 1 to below 10), unless it was
    written by another power: 200000 written as 0.2 x 10^6 stays so."""
    assert power_text(Decimal(2000000)) == "2 x 10^6"
    assert power_text(Decimal(140000000)) == "1.4 x 10^8"
    assert power_text(Decimal(200000), 6) == "0.2 x 10^6"
    assert amount_text(Decimal(2000000), "cells") == "2 x 10^6 cells"
    assert amount_text(Decimal(140000000), "cells") == "1.4 x 10^8 cells"
    assert amount_text(Decimal(200000), "cells/kg", 6) == "0.2 x 10^6 cells/kg"
    assert amount_text(Decimal(75), "mg/m2") == "75 mg/m2"
    written = _agent("  axicabtagene ciloleucel 0.2 x 10^6 cells/kg IV\n    day 1\n").dose
    assert str(written) == "0.2 x 10^6 cells/kg"


def test_an_amounts_power_is_not_part_of_what_it_is() -> None:
    """0.2 x 10^6 and 2 x 10^5 are one amount: equal, and alike as keys; each still said as written."""
    as_written = Amount(Decimal(200000), UNITS["cells/kg"], 6)
    other = Amount(Decimal(200000), UNITS["cells/kg"], 5)
    plain = Amount(Decimal(200000), UNITS["cells/kg"])
    assert as_written == other == plain
    assert len({as_written, other, plain}) == 1
    assert (str(as_written), str(other), str(plain)) == (
        "0.2 x 10^6 cells/kg",
        "2 x 10^5 cells/kg",
        "2 x 10^5 cells/kg",
    )
    assert (
        _agent("  axicabtagene ciloleucel 0.2 x 10^6 cells/kg IV\n    day 1\n").dose
        == _agent("  axicabtagene ciloleucel 2 x 10^5 cells/kg IV\n    day 1\n").dose
    )
