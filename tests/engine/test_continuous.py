"""Continuous infusions over days (issue 12, point 5): golden expansions worked by hand.

A drug written `... IV continuous infusion` runs over each day item of its schedule lines as one
administration: `days 1-7` is one row dated day 1, ending day 7, lasting 7 x 1440 minutes, its dose
a day the rate and the dose times the days its whole.

Worked by hand for a 70 kg, 170 cm patient: Mosteller BSA = sqrt(170 x 70 / 3600) = sqrt(3.30556)
= 1.8181 (1.8181^2 = 3.30549, 1.8182^2 = 3.30585), rounded to 0.01 m2: 1.82 m2. Start Monday
2026-12-07 (2026-01-01 is a Thursday; 334 days to 12-01, 334 = 47 x 7 + 5, so 12-01 is a Tuesday).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import uuid
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import dosecal
from dosecal import COLUMNS, CourseError, Measures
from dosecal.cli.main import cli
from dosecal.engine.table import Change, DoseChange, Status
from dosecal.errors import RegimenError, Subject
from dosecal.model.adjust import Adjustment, CycleRef, Delay, DoseFrom, Hold, Withheld
from dosecal.model.regimen import UNITS, Amount, Kind

# "cytarabine 100 mg/m2/day on Days 1-7 by continuous infusion + daunorubicin 60 mg/m2/day on Days 1-3"
SEVEN_THREE = """regimen seven-three "Cytarabine and daunorubicin (7+3)"
  source "cytarabine 100 mg/m2/day on Days 1-7 by continuous infusion + daunorubicin 60 mg/m2/day on Days 1-3"
  cycle 28 days, 1 cycle
  cytarabine 100 mg/m2/day IV continuous infusion
    days 1-7
  daunorubicin 60 mg/m2/day IV
    days 1-3
"""
# "In Cycle 1, administer BLINCYTO at 9 mcg/day on Days 1-7 and at 28 mcg/day on Days 8-28. For
# subsequent cycles, administer BLINCYTO at 28 mcg/day on Days 1-28." "4 weeks of continuous
# intravenous infusion followed by a 2-week treatment-free interval": a 42-day cycle.
BLINCYTO = """regimen blincyto "Blinatumomab, 4 weeks of continuous infusion and 2 weeks off"
  cycle 42 days, 3 cycles
  blinatumomab IV continuous infusion
    cycle 1: days 1-7 at 9 mcg/day
    cycle 1: days 8-28 at 28 mcg/day
    cycles 2+: days 1-28 at 28 mcg/day
"""
START = dt.date(2026, 12, 7)
BODY = Measures(Decimal(70), Decimal(170))
BSA_SAID = "BSA 1.82 m2 = Mosteller sqrt(170 cm x 70 kg / 3600) = 1.8181, rounded to 0.01 m2"
DAY = 1440  # minutes


def place_id(course_id: str, place: str) -> str:
    """The documented identity rule, restated: uuid5 of the course id and the place, in a fixed namespace."""
    return str(uuid.uuid5(uuid.UUID("6f1c1f0e-5d5b-4d1c-9a57-0d05eca10000"), course_id + place))


def seven_three(adjustments: tuple[Adjustment, ...] = ()) -> dosecal.Schedule:
    """7+3 for the 70 kg, 170 cm patient of course aml-1, from 2026-12-07."""
    course = dosecal.Course(START, course_id="aml-1", measures=BODY, adjustments=adjustments)
    return dosecal.expand(dosecal.loads(SEVEN_THREE), course)


def blincyto(*adjustments: Adjustment) -> dosecal.Schedule:
    """BLINCYTO from 2026-12-07, course all-1 (flat doses: no measures needed)."""
    course = dosecal.Course(START, course_id="all-1", adjustments=adjustments)
    return dosecal.expand(dosecal.loads(BLINCYTO), course)


# Every column a row of the two regimens shares: clinic doses, as planned, no course changes.
COMMON = {
    "phase": "",
    "cycle": 1,
    "variant": "",
    "slot": 1,
    "time": "",
    "step_up": False,
    "dose_change": DoseChange.NONE,
    "route": "IV",
    "after": "",
    "self_administered": False,
    "level": "",
    "status": Status.PLANNED,
    "adjustment": (),
    "notes": "",
    # No dose range (issue 13, point 9).
    "dose_min": None,
    "dose_max": None,
    "kind": Kind.DRUG,  # not radiotherapy (issue 13, point 5)
    "given_with": "",  # started with no other drug (issue 13, point 3)
}


def daunorubicin(day: int, date: dt.date, weekday: str, order: int) -> dict[str, object]:
    """Daunorubicin is not a continuous infusion: 60 mg/m2/day once on each day, 60 x 1.82 = 109.2
    mg/day, no end date, no rate, no duration stated."""
    return {
        **COMMON,
        "administration_id": place_id("aml-1", f"||1|{day}|daunorubicin|1"),
        "date": date,
        "weekday": weekday,
        "end_date": None,
        "cycle_day": day,
        "study_day": day,
        "agent": "daunorubicin",
        "dose_amount": Decimal(60),
        "dose_unit": "mg/m2/day",
        "rate_amount": None,
        "rate_unit": "",
        "dose_source": "regimen line 6",
        "computed_amount": Decimal("109.2"),
        "computed_unit": "mg/day",
        "dose_basis": f"60 mg/m2/day x 1.82 m2 = 109.2 mg/day; {BSA_SAID}",
        "form": "",
        "duration_min": None,
        "duration_max": None,
        "order": order,
        "source_line": 7,
    }


CYTARABINE = {
    **COMMON,
    "administration_id": place_id("aml-1", "||1|1|cytarabine|1"),
    "date": dt.date(2026, 12, 7),
    "weekday": "Mon",
    "end_date": dt.date(2026, 12, 13),
    "cycle_day": 1,
    "study_day": 1,
    "agent": "cytarabine",
    "dose_amount": Decimal(700),  # 100 mg/m2/day x 7 days
    "dose_unit": "mg/m2",
    "rate_amount": Decimal(100),
    "rate_unit": "mg/m2/day",
    "dose_source": "regimen line 4",
    "computed_amount": Decimal(1274),  # 182 mg/day x 7
    "computed_unit": "mg",
    "dose_basis": f"100 mg/m2/day x 1.82 m2 = 182 mg/day; 182 mg/day x 7 days = 1274 mg; {BSA_SAID}",
    "form": "continuous infusion",
    "duration_min": 7 * DAY,
    "duration_max": 7 * DAY,
    "order": 1,
    "source_line": 5,
}


def columns(schedule: dosecal.Schedule) -> list[dict[str, object]]:
    """Each row's columns (not the views-only fields), values as the rows hold them."""
    return [{c: getattr(a, c) for c in COLUMNS} for a in schedule]


# ---- (a) 7+3 -------------------------------------------------------------------------------


def test_seven_three_every_row() -> None:
    """Day 1 (Mon 12-07): cytarabine, one row to Sun 12-13, 700 mg/m2 at 100 mg/m2/day, 182 mg/day
    x 7 = 1274 mg over 10080 min, then daunorubicin 109.2 mg/day; days 2 and 3 (Tue 12-08, Wed
    12-09): daunorubicin alone, first of its day. Four rows, nothing on days 4-7."""
    assert columns(seven_three()) == [
        CYTARABINE,
        daunorubicin(1, dt.date(2026, 12, 7), "Mon", 2),
        daunorubicin(2, dt.date(2026, 12, 8), "Tue", 1),
        daunorubicin(3, dt.date(2026, 12, 9), "Wed", 1),
    ]


def test_seven_three_rate_and_days_of_the_infusion() -> None:
    """The row's days are 7 and its computed dose a day is 1274 / 7 = 182 mg."""
    infusion = seven_three().administrations[0]
    assert (infusion.days, infusion.computed_rate) == (7, Decimal(182))


# ---- (b) BLINCYTO --------------------------------------------------------------------------


def blincyto_row(cycle: int, day: int, date: dt.date, end: dt.date, study: int, rate: int, days: int,
                 line: int) -> dict[str, object]:  # fmt: skip
    """One infusion of blinatumomab: a flat rate in mcg/day, its whole = rate x days."""
    total = rate * days
    return {
        **COMMON,
        "cycle": cycle,
        "administration_id": place_id("all-1", f"||{cycle}|{day}|blinatumomab|1"),
        "date": date,
        "weekday": "Mon",
        "end_date": end,
        "cycle_day": day,
        "study_day": study,
        "agent": "blinatumomab",
        "dose_amount": Decimal(total),
        "dose_unit": "mcg",
        "rate_amount": Decimal(rate),
        "rate_unit": "mcg/day",
        "dose_source": f"regimen line {line}",
        "computed_amount": Decimal(total),
        "computed_unit": "mcg",
        "dose_basis": f"{rate} mcg/day (flat dose); {rate} mcg/day x {days} days = {total} mcg",
        "form": "continuous infusion",
        "duration_min": days * DAY,
        "duration_max": days * DAY,
        "order": 1,
        "source_line": line,
    }


def test_blincyto_every_row() -> None:
    """Cycle 1: 9 mcg/day days 1-7 (12-07 to 12-13: 63 mcg), 28 mcg/day days 8-28 (12-14 to
    2027-01-03, 21 days: 588 mcg). Cycle 2 from 12-07 + 42 = 2027-01-18 (study day 43), days 1-28
    to 01-18 + 27 = 02-14: 784 mcg. Cycle 3 from 01-18 + 42 = 03-01 (2027 has no 29 February;
    study day 85), to 03-28. Every start is a Monday (6 weeks apart)."""
    assert columns(blincyto()) == [
        blincyto_row(1, 1, dt.date(2026, 12, 7), dt.date(2026, 12, 13), 1, 9, 7, 4),
        blincyto_row(1, 8, dt.date(2026, 12, 14), dt.date(2027, 1, 3), 8, 28, 21, 5),
        blincyto_row(2, 1, dt.date(2027, 1, 18), dt.date(2027, 2, 14), 43, 28, 28, 6),
        blincyto_row(3, 1, dt.date(2027, 3, 1), dt.date(2027, 3, 28), 85, 28, 28, 6),
    ]


def test_blincyto_totals() -> None:
    """The totals the label implies: 9 x 7 = 63, 28 x 21 = 588, 28 x 28 = 784 mcg (twice)."""
    assert [(a.computed_amount, a.computed_unit) for a in blincyto()] == [
        (Decimal(63), "mcg"),
        (Decimal(588), "mcg"),
        (Decimal(784), "mcg"),
        (Decimal(784), "mcg"),
    ]


# ---- (c) course adjustments ----------------------------------------------------------------


def test_a_delay_moves_the_infusion_and_its_end() -> None:
    """Cycle 2 delayed 14 days: from 2027-01-18 to 02-01, its end from 02-14 to 02-28; cycle 3 follows
    42 days later, 03-15 to 04-11 (03-15 + 27). Cycle 1 does not move; both later rows say why."""
    delay = Delay(CycleRef(None, 2), 14, "CRS", 9)
    rows = blincyto(delay).administrations
    assert [(a.cycle, a.cycle_day, a.date, a.end_date, a.study_day) for a in rows] == [
        (1, 1, dt.date(2026, 12, 7), dt.date(2026, 12, 13), 1),
        (1, 8, dt.date(2026, 12, 14), dt.date(2027, 1, 3), 8),
        (2, 1, dt.date(2027, 2, 1), dt.date(2027, 2, 28), 57),
        (3, 1, dt.date(2027, 3, 15), dt.date(2027, 4, 11), 99),
    ]
    said = (Change(9, "cycle 2 delayed 14 days (CRS)"),)
    assert [a.adjustment for a in rows] == [(), (), said, said]
    # The ids are of the place, not the date: the delay keeps them.
    assert [a.administration_id for a in rows] == [a.administration_id for a in blincyto()]


def test_a_hold_on_the_first_day_holds_the_infusion_whole() -> None:
    """`hold cytarabine on cycle 1 day 1`: the one row of days 1-7 is held, dates and dose as planned;
    daunorubicin is given."""
    hold = Hold("cytarabine", Withheld.HELD, CycleRef(None, 1), 1, 1, False, "fever", 9)
    rows = columns(seven_three(adjustments=(hold,)))
    held = {
        **CYTARABINE,
        "status": Status.HELD,
        "adjustment": (Change(9, "cytarabine held on cycle 1 day 1 (fever)"),),
    }
    assert rows == [
        held,
        daunorubicin(1, dt.date(2026, 12, 7), "Mon", 2),
        daunorubicin(2, dt.date(2026, 12, 8), "Tue", 1),
        daunorubicin(3, dt.date(2026, 12, 9), "Wed", 1),
    ]


def test_a_hold_of_every_day_of_the_infusion_holds_it_whole() -> None:
    """`hold cytarabine on cycle 1 days 1-7` covers its first day: held, one row."""
    hold = Hold("cytarabine", Withheld.HELD, CycleRef(None, 1), 1, 7, False, "fever", 9)
    rows = [a for a in seven_three(adjustments=(hold,)) if a.agent == "cytarabine"]
    assert [(a.date, a.end_date, a.status) for a in rows] == [
        (dt.date(2026, 12, 7), dt.date(2026, 12, 13), Status.HELD)
    ]


LATER_DAYS = [(3, 3), (3, None), (2, 7)]
LATER_IDS = ["day-3", "from-day-3", "days-2-7"]
NOUNS = [(Withheld.HELD, "hold"), (Withheld.OMITTED, "omission")]
VERBS = {Withheld.HELD: "hold", Withheld.OMITTED: "omit"}


def part_hint(kind: Withheld) -> str:
    """The hint of the refusal: hold (or omit) the whole infusion, or its first day alone."""
    return f"{VERBS[kind]} the whole infusion (days 1-7, or day 1 alone), or record it as given"


def part_refused(noun: str) -> str:
    """The refusal of a hold (or an omission) of later days of 7+3's cytarabine."""
    infusion = "cytarabine runs as one continuous infusion on cycle 1 days 1-7"
    return f"{infusion}: this {noun} covers only part of it"


def refused_hold(first: int, last: int | None, kind: Withheld = Withheld.HELD) -> CourseError:
    """The error of holding cytarabine of 7+3 on cycle 1 from day `first` to `last`, course line 9."""
    hold = Hold("cytarabine", kind, CycleRef(None, 1), first, last, False, "fever", 9)
    with pytest.raises(CourseError) as caught:
        seven_three(adjustments=(hold,))
    return caught.value


@pytest.mark.parametrize(("first", "last"), LATER_DAYS, ids=LATER_IDS)
@pytest.mark.parametrize(("kind", "noun"), NOUNS, ids=["hold", "omit"])
def test_a_hold_of_later_days_only_is_refused(
    first: int, last: int | None, kind: Withheld, noun: str
) -> None:
    """`hold cytarabine on cycle 1 day 3` (or from day 3, or days 2-7; `omit` too) would cut the
    infusion short: refused at the hold's course line (9), with the whole message: 'course line 9:
    cytarabine runs as one continuous infusion on cycle 1 days 1-7: this hold covers only part of
    it; hold it from its first day (day 1), or record the infusion as given'."""
    error = refused_hold(first, last, kind)
    assert str(error) == f"course line 9: {part_refused(noun)}; {part_hint(kind)}"
    assert (error.message, error.hint, error.line, error.subject) == (
        part_refused(noun),
        part_hint(kind),
        9,
        Subject.ADJUSTMENT,
    )


def test_a_hold_inside_a_later_infusion_names_that_infusion() -> None:
    """BLINCYTO, `hold blinatumomab on cycle 1 day 10`: inside the second infusion (days 8-28), so
    the message names days 8-28 and the hint its first day, 8."""
    hold = Hold("blinatumomab", Withheld.HELD, CycleRef(None, 1), 10, 10, False, "CRS", 9)
    with pytest.raises(CourseError) as caught:
        blincyto(hold)
    assert str(caught.value) == (
        "course line 9: blinatumomab runs as one continuous infusion on cycle 1 days 8-28: this hold covers "
        "only part of it; hold the whole infusion (days 8-28, or day 8 alone), or record it as given"
    )


def test_a_hold_on_the_first_day_of_a_later_infusion_holds_that_one() -> None:
    """BLINCYTO, `hold blinatumomab on cycle 1 day 8`: the 28 mcg/day infusion of days 8-28 is held
    whole; the 9 mcg/day one of days 1-7 and the later cycles are given."""
    hold = Hold("blinatumomab", Withheld.HELD, CycleRef(None, 1), 8, 8, False, "CRS", 9)
    rows = blincyto(hold).administrations
    assert [(a.cycle, a.cycle_day, a.end_date, a.status) for a in rows] == [
        (1, 1, dt.date(2026, 12, 13), Status.PLANNED),
        (1, 8, dt.date(2027, 1, 3), Status.HELD),
        (2, 1, dt.date(2027, 2, 14), Status.PLANNED),
        (3, 1, dt.date(2027, 3, 28), Status.PLANNED),
    ]


def test_a_hold_of_later_days_in_a_course_file_is_refused_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same hold in a course file: refused when the course is read, at line 6 (the hold's), with
    the line and a caret under the whole statement, before anything is made."""
    monkeypatch.chdir(tmp_path)
    Path("seven-three.regimen").write_text(SEVEN_THREE, "utf-8")
    Path("pt.course").write_text(
        'course aml-1\n  regimen "seven-three.regimen"\n  start 2026-12-07\n  weight 70 kg\n'
        '  height 170 cm\n  hold cytarabine on cycle 1 day 3 because "fever"\n',
        "utf-8",
    )
    with pytest.raises(RegimenError) as caught:
        dosecal.load_course("pt.course")
    assert caught.value.render() == (
        f"pt.course:6:3: {part_refused('hold')}\n"
        '      hold cytarabine on cycle 1 day 3 because "fever"\n'
        "      " + "^" * 48 + "\n"
        f"    hint: {part_hint(Withheld.HELD)}\n"
        "\n"
        "1 error in pt.course"
    )


def test_a_hold_of_the_first_days_only_is_refused_too() -> None:
    """`hold cytarabine on cycle 1 days 1-3`: it covers the first day, but not the infusion's seven;
    holding all seven would hold more than the course says: refused as a part (issue 12 review)."""
    error = refused_hold(1, 3)
    assert (error.message, error.hint, error.line) == (part_refused("hold"), part_hint(Withheld.HELD), 9)


def test_a_hold_of_the_first_day_alone_holds_the_whole_infusion() -> None:
    """`hold cytarabine on cycle 1 day 1`: the infusion is not started: held whole, one row."""
    hold = Hold("cytarabine", Withheld.HELD, CycleRef(None, 1), 1, 1, False, "fever", 9)
    rows = [a for a in seven_three(adjustments=(hold,)) if a.agent == "cytarabine"]
    assert [(a.date, a.end_date, a.status) for a in rows] == [
        (dt.date(2026, 12, 7), dt.date(2026, 12, 13), Status.HELD)
    ]


def per_day(value: str, unit: str = "mg/m2/day") -> Amount:
    return Amount(Decimal(value), UNITS[unit])


def test_a_change_to_a_dose_a_day_is_given_over_the_days() -> None:
    """`change cytarabine to 200 mg/m2/day from cycle 1`: 1400 mg/m2 at 200 mg/m2/day, 200 x 1.82 =
    364 mg/day, x 7 = 2548 mg, from the course line, increased; daunorubicin as planned."""
    change = DoseFrom("cytarabine", per_day("200"), CycleRef(None, 1), "protocol amendment", 9)
    rows = columns(seven_three(adjustments=(change,)))
    changed = {
        **CYTARABINE,
        "dose_amount": Decimal(1400),
        "rate_amount": Decimal(200),
        "dose_source": "course line 9",
        "computed_amount": Decimal(2548),
        "dose_basis": f"200 mg/m2/day x 1.82 m2 = 364 mg/day; 364 mg/day x 7 days = 2548 mg; {BSA_SAID}",
        "dose_change": DoseChange.INCREASED,
        "adjustment": (Change(9, "cytarabine 200 mg/m2/day from cycle 1 (protocol amendment)"),),
    }
    assert rows == [
        changed,
        daunorubicin(1, dt.date(2026, 12, 7), "Mon", 2),
        daunorubicin(2, dt.date(2026, 12, 8), "Tue", 1),
        daunorubicin(3, dt.date(2026, 12, 9), "Wed", 1),
    ]


NOT_A_DAY = "a continuous infusion over days is dosed a day, and 200 mg/m2 is not"
NOT_A_DAY_HINT = (
    "write its dose a day as the protocol states it, e.g. '100 mg/m2/day'; an infusion of a set time "
    "is written 'infusion over 46 hours', with the dose of the whole"
)


def test_a_change_to_a_dose_not_a_day_is_refused() -> None:
    """`change cytarabine to 200 mg/m2 from cycle 1`: a continuous infusion is dosed a day; refused at
    the change's course line, with the whole message."""
    change = DoseFrom("cytarabine", per_day("200", "mg/m2"), CycleRef(None, 1), "amendment", 9)
    with pytest.raises(CourseError) as caught:
        seven_three(adjustments=(change,))
    error = caught.value
    assert str(error) == f"course line 9: cytarabine 200 mg/m2: {NOT_A_DAY}; {NOT_A_DAY_HINT}"
    assert (error.line, error.subject) == (9, Subject.ADJUSTMENT)


def test_a_change_to_a_dose_not_a_day_in_a_course_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The course-file form is refused when the course is read, at the change's line (5), the caret
    under the whole statement (the message quotes no name of it)."""
    monkeypatch.chdir(tmp_path)
    Path("seven-three.regimen").write_text(SEVEN_THREE, "utf-8")
    line = '  change cytarabine to 200 mg/m2 from cycle 1 because "amendment"'
    Path("pt.course").write_text(
        f'course aml-1\n  regimen "seven-three.regimen"\n  start 2026-12-07\n  weight 70 kg\n{line}\n',
        "utf-8",
    )
    with pytest.raises(dosecal.RegimenError) as caught:
        dosecal.load_course("pt.course")
    assert caught.value.render() == (
        f"pt.course:5:3: cytarabine 200 mg/m2: {NOT_A_DAY}\n"
        f"    {line}\n"
        f"      {'^' * (len(line) - 2)}\n"
        f"    hint: {NOT_A_DAY_HINT}\n\n"
        "1 error in pt.course"
    )


OPEN = """regimen open-ara "Cytarabine by continuous infusion, its dose left open"
  cycle 28 days, 1 cycle
  cytarabine dose required IV continuous infusion
    days 1-7
"""


def test_a_supplied_dose_a_day_is_given_over_the_days() -> None:
    """`--dose cytarabine=100 mg/m2/day` for an open dose: as 7+3's cytarabine, supplied."""
    course = dosecal.Course(START, course_id="aml-1", measures=BODY, doses=(("cytarabine", per_day("100")),))
    (row,) = dosecal.expand(dosecal.loads(OPEN), course)
    assert (row.date, row.end_date, row.dose_amount, row.dose_unit, row.rate_amount, row.rate_unit) == (
        dt.date(2026, 12, 7),
        dt.date(2026, 12, 13),
        Decimal(700),
        "mg/m2",
        Decimal(100),
        "mg/m2/day",
    )
    assert (row.computed_amount, row.computed_unit, row.dose_source) == (
        Decimal(1274),
        "mg",
        "supplied (--dose)",
    )
    assert row.dose_basis == CYTARABINE["dose_basis"]
    assert (row.duration_min, row.duration_max) == (7 * DAY, 7 * DAY)


def test_a_supplied_dose_not_a_day_is_refused() -> None:
    """`--dose cytarabine=100 mg/m2`: refused, the drug quoted for the course file's caret."""
    course = dosecal.Course(START, measures=BODY, doses=(("cytarabine", per_day("100", "mg/m2")),))
    with pytest.raises(CourseError) as caught:
        dosecal.expand(dosecal.loads(OPEN), course)
    error = caught.value
    assert str(error) == (
        "--dose gives cytarabine 100 mg/m2: a continuous infusion over days is dosed a day, "
        f"and 100 mg/m2 is not; {NOT_A_DAY_HINT}"
    )
    assert (error.subject, error.quoted, error.line) == (Subject.DOSE, "cytarabine", None)


def test_the_dose_option_on_the_command_line(tmp_path: Path) -> None:
    """`dosecal expand open.regimen --dose "cytarabine=100 mg/m2/day"`: one row, its end date, rate
    and whole in the CSV; `--dose "cytarabine=100 mg/m2"` exits 1 with the message."""
    regimen = tmp_path / "open.regimen"
    regimen.write_text(OPEN, "utf-8")
    base = ["expand", str(regimen), "--start", "2026-12-07", "--weight", "70", "--height", "170"]
    good = CliRunner().invoke(cli, [*base, "--dose", "cytarabine=100 mg/m2/day"])
    assert good.exit_code == 0, good.stderr
    frame = pd.read_csv(io.StringIO(good.stdout.removeprefix("\ufeff")), dtype=str)
    assert frame[
        ["date", "end_date", "dose_amount", "dose_unit", "rate_amount", "rate_unit"]
    ].values.tolist() == [["2026-12-07", "2026-12-13", "700", "mg/m2", "100", "mg/m2/day"]]
    assert frame[["computed_amount", "computed_unit", "duration_min"]].values.tolist() == [
        ["1274", "mg", "10080"]
    ]
    bad = CliRunner().invoke(cli, [*base, "--dose", "cytarabine=100 mg/m2"])
    assert bad.exit_code == 1
    assert bad.stderr == (
        "dosecal: --dose gives cytarabine 100 mg/m2: a continuous infusion over days is dosed a day, "
        f"and 100 mg/m2 is not; {NOT_A_DAY_HINT}\n"
    )


# ---- (d) property: the rows of any day items ---------------------------------------------


@st.composite
def day_items(draw: st.DrawFn) -> tuple[int, tuple[tuple[int, int], ...]]:
    """A cycle length and disjoint day items within it, in order (one day, or a span of days)."""
    length = draw(st.integers(7, 42))
    items: list[tuple[int, int]] = []
    day = 1
    while day <= length and len(items) < 6:
        first = day + draw(st.integers(0, 4))
        if first > length:
            break
        last = first + draw(st.integers(0, min(length - first, 14)))
        items.append((first, last))
        day = last + 1 + draw(st.integers(0, 3))
    if not items:
        items.append((1, 1))
    return length, tuple(items)


def item_text(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


@settings(max_examples=60, deadline=None)
@given(
    drawn=day_items(),
    rate=st.integers(1, 2000),
    per_m2=st.booleans(),
    cycles=st.integers(1, 3),
    start=st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)),
)
def test_each_item_is_one_infusion_of_its_days(
    drawn: tuple[int, tuple[tuple[int, int], ...]], rate: int, per_m2: bool, cycles: int, start: dt.date
) -> None:
    """For any day items of a continuous infusion's line: one row an item a cycle, dated its first
    day; end_date - date + 1 is the item's days; the whole is the rate x the days (the rate computed
    by hand: flat, or x 1.82 m2); 1440 minutes a day; no two rows of the drug share a day."""
    length, items = drawn
    unit = "mg/m2/day" if per_m2 else "mg/day"
    days_line = ", ".join(item_text(f, last) for f, last in items)
    text = (
        f'regimen prop "Continuous"\n  cycle {length} days, {cycles} cycles\n'
        f"  drug {rate} {unit} IV continuous infusion\n    days {days_line}\n"
    )
    rows = dosecal.expand(dosecal.loads(text), dosecal.Course(start, measures=BODY)).administrations
    expected = [(c, f, last) for c in range(1, cycles + 1) for f, last in items]
    assert len(rows) == len(expected)
    computed_rate = Decimal(rate) * (Decimal("1.82") if per_m2 else 1)
    for a, (cycle, first, last) in zip(rows, expected, strict=True):
        days = last - first + 1
        assert (a.cycle, a.cycle_day) == (cycle, first)
        assert a.date == start + dt.timedelta(days=(cycle - 1) * length + first - 1)
        assert a.end_date is not None and (a.end_date - a.date).days + 1 == days
        assert a.dose_amount == Decimal(rate) * days and a.rate_amount == rate
        assert a.computed_amount == computed_rate * days and a.computed_unit == "mg"
        assert a.duration_min == a.duration_max == days * DAY
    for before, after in itertools.pairwise(rows):
        assert before.end_date is not None and before.end_date < after.date


# ---- (e) the DataFrame ---------------------------------------------------------------------


def test_the_frame_has_end_dates_and_rates() -> None:
    """to_frame: end_date is datetime64 (the infusion's 2026-12-13, NaT on daunorubicin's rows);
    rate_amount is Float64 (100, then <NA>)."""
    frame = seven_three().to_frame()
    assert pd.api.types.is_datetime64_dtype(frame["end_date"])
    assert frame["end_date"].iloc[0] == pd.Timestamp("2026-12-13")
    assert frame["end_date"].iloc[1:].isna().all()
    assert str(frame["rate_amount"].dtype) == "Float64"
    assert frame["rate_amount"].iloc[0] == 100.0
    assert frame["rate_amount"].iloc[1:].isna().all()
    assert frame["rate_unit"].tolist() == ["mg/m2/day", "", "", ""]
