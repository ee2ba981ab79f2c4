"""What the review of issue 12's third part found, each fixed and held here, worked by hand.

- A line's condition is decided for every conditioned line of a drug, whatever comes before it,
  and a line on the clearance is decided by the drug's clearance rule.
- A home pump (a continuous infusion with `diary`) is not a dose to "take" at a reminder time.
- The strengths a dose a day is made of are said as strengths (50 mg), not as doses a day.
- Units from a million are said by a power of ten (18000000 units is 1.8 x 10^7 units).
- `--dose` reads a power of ten with spaces or none, as the regimen language does.
- A rounding rule is an absolute amount: `5 mg/day` is refused, in a regimen and a course file.
- A hold of a few days says them: `held on cycle 2 days 8-10`, not "from day 8".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

import dosecal
from dosecal import Measures
from dosecal.cli.main import cli
from dosecal.errors import RegimenError
from dosecal.model.adjust import CycleRef, Hold, Withheld
from dosecal.model.measures import Creatinine, CreatinineUnit, Sex
from dosecal.model.regimen import amount_text
from dosecal.views.events import CalendarOptions, events

START = dt.date(2026, 12, 7)


def _expand(text: str, cycles: int = 1, **values: object) -> dosecal.Schedule:
    course = dosecal.Course(START, cycles=cycles, measures=Measures(**values))  # type: ignore[arg-type]
    return dosecal.expand(dosecal.loads(text, "x.regimen"), course)


# ---- lines chosen by a condition ------------------------------------------------------------------

PLAIN_FIRST = """regimen d "Dexamethasone"
  cycle 21 days
  dexamethasone 20 mg PO
    days 1-4
    days 8, 15 if age >= 75
"""


@pytest.mark.parametrize(("age", "days"), [(60, [1, 2, 3, 4]), (80, [1, 2, 3, 4, 8, 15])])
def test_a_conditioned_line_after_a_plain_one_is_decided(age: int, days: list[int]) -> None:
    """Days 1-4 for everyone, days 8 and 15 from 75 years: a patient of 60 has four doses, one of 80
    six; the plain line before it does not stop the conditioned one being decided."""
    schedule = _expand(PLAIN_FIRST, age=age)
    assert [a.cycle_day for a in schedule] == days
    assert [c.line for c in schedule.plan.lines] == [5]


BY_CLEARANCE = """regimen c "By clearance"
  cycle 21 days
  CrCl Cockcroft-Gault, actual weight
  drugx 100 mg IV
    day 1 if CrCl >= 60 mL/min
    day 1 at 50 mg if CrCl < 60 mL/min
"""


@pytest.mark.parametrize(("creatinine", "dose", "said"), [("1.0", 100, "77.78"), ("2.0", 50, "38.89")])
def test_a_line_on_the_clearance_is_decided_by_the_rule(creatinine: str, dose: int, said: str) -> None:
    """60 years, male, 70 kg: CrCl = (140 - 60) x 70 / (72 x 1.0) = 77.78 mL/min (100 mg), and with a
    creatinine of 2.0, 5600 / 144 = 38.89 mL/min (50 mg); the basis says the arithmetic."""
    measured = Creatinine(Decimal(creatinine), CreatinineUnit.MG_DL)
    (row,) = _expand(BY_CLEARANCE, weight_kg=Decimal(70), age=60, sex=Sex.MALE, creatinine=measured)
    assert row.dose_amount == Decimal(dose)
    assert f"= {said} mL/min (Cockcroft-Gault, actual weight)" in row.dose_basis


# ---- a home pump ------------------------------------------------------------------------------------

HOME_PUMP = """regimen p "Home pump"
  cycle 28 days, 1 cycle
  fluorouracil 1000 mg/m2/day IV continuous infusion, diary
    days 1-4
  capecitabine 500 mg PO tablet, diary
    days 1-14
"""


def test_a_home_pump_is_not_a_dose_to_take_at_the_reminder_time() -> None:
    """With home doses as 20:00 reminders, day 1 reminds of capecitabine alone; fluorouracil is its
    own all-day event over days 1-4 (2026-12-07 to 2026-12-11, exclusive), with no alarm."""
    schedule = _expand(HOME_PUMP, weight_kg=Decimal(70), height_cm=Decimal(170))
    options = CalendarOptions(zone=ZoneInfo("America/New_York"), home_time=dt.time(20, 0))
    found = events(schedule, options)
    day_1 = [e for e in found if e.start in (START, dt.datetime(2026, 12, 8, 1, 0, tzinfo=dt.UTC))]
    assert [(e.summary, e.alarm_before_minutes) for e in day_1] == [
        ("Take: capecitabine 500 mg", 0),
        ("fluorouracil continuous infusion 1820 mg/day, days 1-4", None),
    ]
    pump = day_1[1]
    assert (pump.start, pump.end, pump.transparent) == (START, dt.date(2026, 12, 11), True)


# ---- strengths of a dose a day ------------------------------------------------------------------------

CAPSULES = """regimen t "Capsules"
  cycle 28 days, 1 cycle
  temozolomide 75 mg/m2/day PO capsule, diary
    days 1-2
    round to 20 mg and 100 mg capsules
"""


def test_the_strengths_of_a_dose_a_day_are_strengths() -> None:
    """70 kg, 170 cm: 75 x 1.82 = 136.5 mg/day, to 20 and 100 mg capsules (nearest, within 10%):
    140 mg = 1 x 100 mg + 2 x 20 mg (3.5 mg away, 2.6%); a capsule is 100 mg, not 100 mg/day."""
    row = _expand(CAPSULES, weight_kg=Decimal(70), height_cm=Decimal(170)).administrations[0]
    assert (row.computed_amount, row.computed_unit) == (Decimal(140), "mg/day")
    assert row.dose_basis.startswith(
        "75 mg/m2/day x 1.82 m2 = 136.5 mg/day, rounded to 20 mg and 100 mg capsules "
        "(regimen line 5) = 140 mg/day = 1 x 100 mg + 2 x 20 mg; "
    )
    (event,) = (e for e in events(_expand(CAPSULES, weight_kg=Decimal(70), height_cm=Decimal(170)),
                                  CalendarOptions()) if e.start == START)  # fmt: skip
    assert "= 140 mg/day (1 x 100 mg + 2 x 20 mg capsules)" in event.description


# ---- units and powers of ten ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "said"),
    [
        ("18000000", "units/m2/day", "1.8 x 10^7 units/m2/day"),
        ("3000000", "units", "3 x 10^6 units"),
        ("999999", "units", "999999 units"),
        ("2500", "units/m2", "2500 units/m2"),
    ],
)
def test_units_from_a_million_are_said_by_a_power_of_ten(value: str, unit: str, said: str) -> None:
    """Eight digits are misread by ten: from 10^6 units on, by a power of ten; below, as written."""
    assert amount_text(Decimal(value), unit) == said


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.stderr
    return result.stdout


OPEN_CELLS = """regimen o "Open"
  cycle 28 days, 1 cycle
  axicabtagene ciloleucel IV
    day 1
"""


@pytest.mark.parametrize("written", ["2 x 10^6 cells/kg", "2x10^6 cells/kg", "2 x10^6cells/kg"])
def test_dose_reads_a_power_as_the_language_does(tmp_path: Path, written: str) -> None:
    """`--dose` reads `2x10^6 cells/kg` and `2 x10^6cells/kg` as the regimen language does: 2000000
    cells/kg, 140000000 cells for 70 kg."""
    path = tmp_path / "o.regimen"
    path.write_text(OPEN_CELLS, "utf-8")
    out = run("expand", str(path), "--start", "2026-12-07", "--weight", "70",
              "--dose", f"axicabtagene ciloleucel={written}", "--csv-profile", "machine")  # fmt: skip
    assert ",2000000,cells/kg,,,,,supplied (--dose),140000000,cells," in out


# ---- rounding rules are absolute amounts ---------------------------------------------------------------


def test_a_rounding_rule_a_day_is_refused_in_a_regimen() -> None:
    """`round to the nearest 5 mg/day`: a rule is an absolute amount (it rounds a dose a day in mg)."""
    text = 'regimen r "R"\n  cycle 28 days\n  round to the nearest 5 mg/day\n  drugx 75 mg/m2 PO\n    day 1\n'
    with pytest.raises(RegimenError) as caught:
        dosecal.loads(text, "r.regimen")
    assert (
        caught.value.render()
        == (
            "r.regimen:3:26: round to an absolute amount\n"
            "      round to the nearest 5 mg/day\n"
            + " "
            * 29  # 4, and 25 before column 26
            + "^^^^^^\n"
            "    hint: e.g. '5 mg'\n"
            "\n"
            "1 error in r.regimen"
        )
    )


def test_a_rounding_rule_a_day_is_refused_in_a_course_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`rounding nearest 5 mg/day` in a course file: refused at the unit, as `5 mg/m2` is."""
    monkeypatch.chdir(tmp_path)
    Path("r.course").write_text(
        "course r1\n  regimen r-chop-21\n  start 2026-12-07\n  rounding nearest 5 mg/day\n", "utf-8"
    )
    with pytest.raises(RegimenError) as caught:
        dosecal.load_course("r.course")
    assert (
        caught.value.render()
        == (
            "r.course:4:22: round to an absolute amount\n"
            "      rounding nearest 5 mg/day\n"
            + " "
            * 25  # 4, and 21 before column 22
            + "^^^^^^\n"
            "    hint: e.g. 'rounding nearest 5 mg'\n"
            "\n"
            "1 error in r.course"
        )
    )


# ---- a hold of a few days ------------------------------------------------------------------------------


def test_a_hold_of_a_few_days_says_them() -> None:
    """`hold pomalidomide on cycle 2 days 8-10`: said as days 8-10; `from day 15` is the rest of the
    cycle, and `day 8` one day."""

    def said(first: int, last: int | None) -> str:
        return Hold(
            "pomalidomide", Withheld.HELD, CycleRef(None, 2), first, last, False, "rash", 8
        ).describe()

    assert said(8, 10) == "pomalidomide held on cycle 2 days 8-10"
    assert said(15, None) == "pomalidomide held on cycle 2 from day 15"
    assert said(8, 8) == "pomalidomide held on cycle 2 day 8"


def test_a_power_without_its_unit_is_hinted_with_cells() -> None:
    """`tisa 2 x 10^6 IV`: the route is no unit; the message keeps the power and the hint writes a
    unit of cells after it, not mg."""
    text = 'regimen t "T"\n  cycle 28 days\n  tisa 2 x 10^6 IV\n    day 1\n'
    with pytest.raises(RegimenError) as caught:
        dosecal.loads(text, "t.regimen")
    assert (
        caught.value.render()
        == (
            "t.regimen:3:17: the dose 2 x 10^6 has no unit\n"
            "      tisa 2 x 10^6 IV\n"
            + " "
            * 20  # 4, and 16 before column 17
            + "^^\n"
            "    hint: write it with its unit, e.g. '2 x 10^6 cells/kg IV'\n"
            "\n"
            "1 error in t.regimen"
        )
    )


# ---- the second review ---------------------------------------------------------------------------------


def _refused(text: str) -> str:
    with pytest.raises(RegimenError) as caught:
        dosecal.loads(text, "x.regimen")
    return caught.value.render()


BAND_LEFT_OFF = """regimen b "A band left off"
  cycle 42 days, 2 cycles
  blinatumomab IV continuous infusion
    cycle 1: days 1-7 at 9 mcg/day if weight >= 45 kg
    cycle 1: days 1-7 at 5 mcg/m2/day, max 9 mcg/day, if weight < 45 kg
    cycles 1-2: days 8-28 at 28 mcg/day if weight >= 45 kg
"""


def test_a_band_left_off_a_later_line_is_refused() -> None:
    """The `< 45 kg` band has no line for days 8-28: its patients would get nothing in cycle 2, which
    the others are given: refused at the drug, naming the cycle and the band."""
    assert _refused(BAND_LEFT_OFF) == (
        "x.regimen:3:3: blinatumomab is given in cycle 2 to other patients, but to patients with weight "
        "under 45 kg not at all\n"
        "      blinatumomab IV continuous infusion\n"
        "      ^^^^^^^^^^^^\n"
        "    hint: give each band of patients its line in every cycle the drug is given in, as the protocol "
        "does\n"
        "\n"
        "1 error in x.regimen"
    )


def test_bands_with_other_days_in_each_cycle_are_read() -> None:
    """`days 1-4` under 75 and `days 1, 8` from 75: other days, the same cycles: read."""
    text = (
        'regimen d "D"\n  cycle 21 days, 4 cycles\n  dex 20 mg PO\n'
        "    days 1-4 if age < 75\n    days 1, 8 if age >= 75\n"
    )
    assert [c.line for c in dosecal.loads(text).phases[0].agents[0].clauses] == [4, 5]


def test_weights_of_hundredths_either_side_leave_no_gap() -> None:
    """`<= 44.99 kg` beside `>= 45 kg`: weights are given to 0.01 kg, so no patient is between."""
    text = (
        'regimen w "W"\n  cycle 21 days\n  drugy 10 mg PO\n'
        "    days 1-3 if weight <= 44.99 kg\n    days 1-3 at 5 mg if weight >= 45 kg\n"
    )
    assert len(dosecal.loads(text).phases[0].agents[0].clauses) == 2


def test_a_band_open_above_is_said_so() -> None:
    """One line `< 45 kg`: everyone of 45 kg or more is left out, and the message says so."""
    text = 'regimen o "O"\n  cycle 21 days\n  drugx 10 mg PO\n    days 1-3 if weight < 45 kg\n'
    assert _refused(text).startswith(
        "x.regimen:3:3: drugx has no schedule line for patients with weight 45 kg or more: "
    )


def test_a_line_that_fails_is_not_followed_by_a_gap() -> None:
    """`days 1-40` in a 21-day cycle is refused at day 40; the band it was for is not then said to be
    left out (a follow-on error)."""
    text = (
        'regimen z "Z"\n  cycle 21 days\n  drugz 10 mg PO\n'
        "    days 1-40 if weight < 45 kg\n    days 1-3 at 5 mg if weight >= 45 kg\n"
    )
    report = _refused(text)
    assert report.startswith("x.regimen:4:12: day 40 is outside a 21-day cycle\n")
    assert report.endswith("\n1 error in x.regimen")


CLEARANCE_LIMIT = """regimen c "C"
  cycle 21 days, 1 cycle
  CrCl Cockcroft-Gault, actual weight
  pemetrexed 500 mg/m2 IV
    day 1
    not given if CrCl < 45 mL/min
"""


def test_a_clearance_rounded_to_the_threshold_says_the_figure_it_was_held_to() -> None:
    """40 years, male, 47.3 kg, 1.46 mg/dL: CrCl = 100 x 47.3 / (72 x 1.46) = 4730 / 105.12 =
    44.9962 mL/min, 45 to 0.01, which is not under 45: the message adds 44.996, which is."""
    measured = Creatinine(Decimal("1.46"), CreatinineUnit.MG_DL)
    measures = Measures(
        weight_kg=Decimal("47.3"), height_cm=Decimal(160), age=40, sex=Sex.MALE, creatinine=measured
    )
    with pytest.raises(dosecal.CourseError) as caught:
        dosecal.expand(dosecal.loads(CLEARANCE_LIMIT), dosecal.Course(START, measures=measures))
    assert caught.value.message == (
        "pemetrexed is not given if CrCl < 45 mL/min (regimen line 6): CrCl = (140 - 40) x 47.3 kg / "
        "(72 x 1.46 mg/dL) = 45 mL/min (Cockcroft-Gault, actual weight) (44.996 mL/min unrounded, which "
        "the condition is held to)"
    )


BY_BAND = """regimen q "Q"
  cycle 28 days, 1 cycle
  cytarabine IV continuous infusion
    days 1-7 at 100 mg/m2/day if weight >= 45 kg
    days 1-3 at 50 mg/m2/day if weight < 45 kg
"""


def test_a_hold_of_the_infusion_the_patient_is_given_holds_it() -> None:
    """40 kg: this patient's infusion is days 1-3; `hold ... days 1-3` covers it whole, and the line
    of days 1-7 this patient is not given is not held against the hold."""
    hold = Hold("cytarabine", Withheld.HELD, CycleRef(None, 1), 1, 3, False, "fever", 6)
    measures = Measures(weight_kg=Decimal(40), height_cm=Decimal(150))
    course = dosecal.Course(START, measures=measures, adjustments=(hold,))
    (row,) = dosecal.expand(dosecal.loads(BY_BAND), course)
    assert (row.date, row.end_date, row.status.value) == (START, dt.date(2026, 12, 9), "held")


def test_show_widens_its_cells_for_long_counts() -> None:
    """Counts of several sets of lines ('2/4/8') get cells wide enough to stay apart."""
    text = (
        'regimen s "S"\n  cycle 21 days, 2 cycles\n  dex 20 mg PO\n'
        "    days 1-4 if weight < 40 kg\n    days 1-2 at 10 mg if weight >= 40 kg\n"
        "    cycle 2: days 8, 9, 10 at 5 mg if weight >= 40 kg\n"
        "    days 15-20 at 5 mg if weight >= 80 kg\n"
    )
    out = run("show", _write(text))
    # The name column is 17 wide (15 + 2); each cycle's 8 (the longest count, 6, and 2).
    assert out.splitlines()[-2:] == [
        "  doses per cycle" + " " * 8 + "C1" + " " * 6 + "C2",
        "  dex" + " " * 17 + "2/4/8  4/5/11",
    ]


def _write(text: str) -> str:
    import tempfile

    folder = Path(tempfile.mkdtemp())
    path = folder / "s.regimen"
    path.write_text(text, "utf-8")
    return str(path)


# ---- what mutation testing asked for -----------------------------------------------------------------


def test_a_hold_of_part_of_a_two_day_infusion_is_refused_in_a_phase(tmp_path: Path) -> None:
    """`days 1-2` is an infusion too: a hold of day 2 only is refused, naming the phase's cycle."""
    text = (
        'regimen t "Two days"\n  phase induction\n    cycle 21 days, 1 cycle\n'
        "    cytarabine 100 mg/m2/day IV continuous infusion\n      days 1-2\n"
    )
    hold = Hold("cytarabine", Withheld.HELD, CycleRef("induction", 1), 2, 2, False, "fever", 5)
    with pytest.raises(dosecal.CourseError) as caught:
        dosecal.expand(dosecal.loads(text), dosecal.Course(START, adjustments=(hold,)))
    assert (caught.value.message, caught.value.line) == (
        "cytarabine runs as one continuous infusion on induction cycle 1 days 1-2: this hold covers only "
        "part of it",
        5,
    )


def test_a_line_with_its_own_dose_is_not_said_to_be_chosen() -> None:
    """`drugx 40 mg PO, 20 mg if female`, day 1 (the drug's dose) and day 8 `at 30 mg`: for a woman,
    day 1 is 20 mg and says why; day 8 is its own 30 mg, and says no 'dose chosen'."""
    text = (
        'regimen a "A"\n  cycle 21 days, 1 cycle\n  drugx 40 mg PO, 20 mg if female\n'
        "    day 1\n    day 8 at 30 mg\n"
    )
    course = dosecal.Course(START, measures=Measures(sex=Sex.FEMALE))
    day_1, day_8 = dosecal.expand(dosecal.loads(text), course)
    assert (day_1.dose_amount, day_8.dose_amount) == (Decimal(20), Decimal(30))
    assert (
        "dose chosen: 20 mg if female (regimen line 3): the patient is female, so 20 mg" in day_1.dose_basis
    )
    assert day_8.dose_basis == "30 mg (flat dose)"


def test_lines_not_given_do_not_count_against_the_size_of_a_course() -> None:
    """Two complementary lines of six doses a day on days 1-28, 110 cycles: one patient is given
    28 x 6 x 110 = 18480 doses, under the 20000 a course may have; both lines together (36960), or
    each day of the other counted once more (18480 + 3080 = 21560), would be over it."""
    text = (
        'regimen big "Big"\n  cycle 28 days, 110 cycles\n  drugx 1 mg PO\n'
        "    days 1-28, six times daily if weight >= 45 kg\n"
        "    days 1-28 at 2 mg, six times daily if weight < 45 kg\n"
    )
    schedule = dosecal.expand(
        dosecal.loads(text), dosecal.Course(START, measures=Measures(weight_kg=Decimal(70)))
    )
    assert len(schedule) == 18480


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        # A one-day drug first: its doses come before the infusion's.
        (
            'regimen s "S"\n  cycle 28 days, 1 cycle\n  daunorubicin 60 mg/m2/day IV\n    days 1-3\n'
            "  cytarabine 100 mg/m2/day IV continuous infusion\n    days 1-7\n",
            "70",
        ),
        # A line this patient is not given first (40 kg: the >= 45 kg line), then the one given.
        (BY_BAND, "40"),
    ],
    ids=["after-a-one-day-drug", "after-a-line-not-given"],
)
def test_a_part_hold_is_refused_whatever_comes_before_the_infusion(text: str, weight: str) -> None:
    """`hold cytarabine on cycle 1 day 2`: refused though the occurrences before the infusion's are a
    one-day drug's, or a line the patient is not given (planning checks every infusion)."""
    hold = Hold("cytarabine", Withheld.HELD, CycleRef(None, 1), 2, 2, False, "fever", 6)
    measures = Measures(weight_kg=Decimal(weight), height_cm=Decimal(150))
    with pytest.raises(dosecal.CourseError) as caught:
        dosecal.expand(dosecal.loads(text), dosecal.Course(START, measures=measures, adjustments=(hold,)))
    assert caught.value.message.endswith(": this hold covers only part of it")
    assert caught.value.line == 6
