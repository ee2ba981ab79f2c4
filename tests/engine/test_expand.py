"""Expansion: every column of a row, the dose in force, and the order of a day's doses, by hand.

The rows of a day are ordered by dose of the day (slot), then as the drugs are
written (`after` aside); on a day where every dose has a clock time, by time
instead, doses at the same time keeping that order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal

import pytest

import dosecal
from dosecal import CourseError, Measures
from dosecal.engine.table import COLUMNS, Status, adjustment_text
from dosecal.model.adjust import CycleRef, DoseFrom, LevelFrom
from dosecal.model.regimen import UNITS, Amount, Kind

from ..conftest import SCHEDULES

TIMED = """regimen timed "Clock times on some days"
  cycle 21 days, 2 cycles
  ondansetron 8 mg PO tablet, diary
    days 1-4 at 08:00, 20:00
  dexamethasone 4 mg PO tablet, diary
    day 1 at 07:00
    day 2 at 12:00
    day 4 at 08:00
  aprepitant 80 mg PO capsule, diary
    day 3
"""


def day_order(cycle_day: int) -> list[tuple[int, str, int, str]]:
    """(order, drug, slot, time) of cycle 1's day `cycle_day`, in table order."""
    rows = dosecal.expand(dosecal.loads(TIMED), dosecal.Course(dt.date(2026, 3, 2), cycles=1))
    return [(a.order, a.agent, a.slot, a.time) for a in rows if a.cycle_day == cycle_day]


def test_a_day_with_every_dose_timed_is_ordered_by_time() -> None:
    """Day 1: by slot, then as written, it would be ondansetron 08:00, dexamethasone 07:00,
    ondansetron 20:00; every dose has a time, so by time: 07:00, 08:00, 20:00."""
    assert day_order(1) == [
        (1, "dexamethasone", 1, "07:00"),
        (2, "ondansetron", 1, "08:00"),
        (3, "ondansetron", 2, "20:00"),
    ]


def test_time_order_and_slot_order_agree() -> None:
    """Day 2: ondansetron 08:00, dexamethasone 12:00, ondansetron 20:00 either way."""
    assert day_order(2) == [
        (1, "ondansetron", 1, "08:00"),
        (2, "dexamethasone", 1, "12:00"),
        (3, "ondansetron", 2, "20:00"),
    ]


def test_a_day_with_an_untimed_dose_is_ordered_by_slot() -> None:
    """Day 3: aprepitant has no time, so the day keeps slot order: every first dose (ondansetron
    08:00, aprepitant), then the second (ondansetron 20:00)."""
    assert day_order(3) == [
        (1, "ondansetron", 1, "08:00"),
        (2, "aprepitant", 1, ""),
        (3, "ondansetron", 2, "20:00"),
    ]


def test_doses_at_the_same_time_keep_the_written_order() -> None:
    """Day 4: ondansetron and dexamethasone both at 08:00: ondansetron, written first, comes first."""
    assert day_order(4) == [
        (1, "ondansetron", 1, "08:00"),
        (2, "dexamethasone", 1, "08:00"),
        (3, "ondansetron", 2, "20:00"),
    ]


def test_each_date_is_numbered_from_1() -> None:
    """`order` starts again at 1 on every date: cycle 1 days 1-4 and cycle 2 days 1-4 (from 03-23)."""
    rows = dosecal.expand(dosecal.loads(TIMED), dosecal.Course(dt.date(2026, 3, 2), cycles=2))
    orders: dict[str, list[int]] = {}
    for a in rows:
        orders.setdefault(a.date.isoformat(), []).append(a.order)
    assert orders == {
        day: [1, 2, 3]
        for day in (
            "2026-03-02",
            "2026-03-03",
            "2026-03-04",
            "2026-03-05",
            "2026-03-23",
            "2026-03-24",
            "2026-03-25",
            "2026-03-26",
        )
    }


# ---- every column of a row ------------------------------------------------------------

FULL = """regimen full "Every column"
  cycle 21 days, 2 cycles
  ondansetron 8 mg IV bolus
    day 1
  carboplatin 5 mg/kg IV infusion over 30-60 min, after ondansetron
    day 1
    note "Check the kidneys."
    note "Drink plenty."
  fluorouracil (infusion) 2400 mg/m2 over 46 hours, after ondansetron, after carboplatin
    day 1
  dexamethasone PO tablet, diary
    day 2 at 08:00
"""


def place_id(course_id: str, place: str) -> str:
    """The documented identity rule, restated: uuid5 of the course id and the place, in a fixed namespace."""
    return str(uuid.uuid5(uuid.UUID("6f1c1f0e-5d5b-4d1c-9a57-0d05eca10000"), course_id + place))


def test_every_column_of_cycle_1() -> None:
    """Cycle 1 from Monday 2026-03-02, course pt-1, 70 kg, no height. Day 1: ondansetron 8 mg flat;
    carboplatin 5 mg/kg x 70 kg = 350 mg, over 30-60 min, after ondansetron, with its two notes;
    fluorouracil (infusion) 2400 mg/m2, not computed without a height, 46 hours = 2760 min, after
    both, no route and no form. Day 2 (Tuesday, study day 2): dexamethasone, dose not stated,
    at 08:00, at home."""
    schedule = dosecal.expand(
        dosecal.loads(FULL),
        dosecal.Course(dt.date(2026, 3, 2), cycles=1, course_id="pt-1", measures=Measures(Decimal(70), None)),
    )
    common = {
        "phase": "",
        "cycle": 1,
        "variant": "",
        "slot": 1,
        "time": "",
        "step_up": False,
        "dose_change": "",
        "self_administered": False,
        "level": "",
        "status": Status.PLANNED,
        "adjustment": (),
        "notes": "",
        # Not a continuous infusion over days (issue 12, point 5): no end date, no rate.
        "end_date": None,
        "rate_amount": None,
        "rate_unit": "",
        # No dose stated as a range (issue 13, point 9).
        "dose_min": None,
        "dose_max": None,
        # Every row here is a drug's (issue 13, point 5): the table's last column.
        "kind": Kind.DRUG,
        "given_with": "",
    }
    day_1 = {"date": dt.date(2026, 3, 2), "weekday": "Mon", "cycle_day": 1, "study_day": 1}
    expected = [
        {
            **common,
            **day_1,
            "administration_id": place_id("pt-1", "||1|1|ondansetron|1"),
            "agent": "ondansetron",
            "dose_amount": Decimal(8),
            "dose_unit": "mg",
            "dose_source": "regimen line 3",
            "computed_amount": Decimal(8),
            "computed_unit": "mg",
            "dose_basis": "8 mg (flat dose)",
            "route": "IV",
            "form": "bolus",
            "duration_min": None,
            "duration_max": None,
            "order": 1,
            "after": "",
            "source_line": 4,
        },
        {
            **common,
            **day_1,
            "administration_id": place_id("pt-1", "||1|1|carboplatin|1"),
            "agent": "carboplatin",
            "dose_amount": Decimal(5),
            "dose_unit": "mg/kg",
            "dose_source": "regimen line 5",
            "computed_amount": Decimal(350),
            "computed_unit": "mg",
            "dose_basis": "5 mg/kg x 70 kg = 350 mg",
            "route": "IV",
            "form": "infusion",
            "duration_min": 30,
            "duration_max": 60,
            "order": 2,
            "after": "ondansetron",
            "source_line": 6,
            "notes": "Check the kidneys. Drink plenty.",
        },
        {
            **common,
            **day_1,
            "administration_id": place_id("pt-1", "||1|1|fluorouracil (infusion)|1"),
            "agent": "fluorouracil",
            "variant": "infusion",
            "dose_amount": Decimal(2400),
            "dose_unit": "mg/m2",
            "dose_source": "regimen line 9",
            "computed_amount": None,
            "computed_unit": "",
            "dose_basis": "not computed: needs weight and height (--weight, --height)",
            "route": "",
            "form": "",
            "duration_min": 2760,
            "duration_max": 2760,
            "order": 3,
            "after": "ondansetron, carboplatin",
            "source_line": 10,
        },
        {
            **common,
            "date": dt.date(2026, 3, 3),
            "weekday": "Tue",
            "cycle_day": 2,
            "study_day": 2,
            "administration_id": place_id("pt-1", "||1|2|dexamethasone|1"),
            "agent": "dexamethasone",
            "time": "08:00",
            "dose_amount": None,
            "dose_unit": "",
            "dose_source": "not stated",
            "computed_amount": None,
            "computed_unit": "",
            "dose_basis": "dose not stated in the regimen",
            "route": "PO",
            "form": "tablet",
            "duration_min": None,
            "duration_max": None,
            "order": 1,
            "after": "",
            "self_administered": True,
            "source_line": 12,
        },
    ]
    # The columns: a field only views read (`made_of`) is not one.
    assert [{c: v for c, v in dataclasses.asdict(a).items() if c in COLUMNS} for a in schedule] == expected


def test_an_administration_id_is_fixed() -> None:
    """The id of a dose is a published identity (calendars and roster tables key on it): pinned here
    as a literal, so a change of namespace or of the place's spelling shows."""
    schedule = dosecal.expand(
        dosecal.loads(FULL), dosecal.Course(dt.date(2026, 3, 2), cycles=1, course_id="pt-1")
    )
    assert next(iter(schedule)).administration_id == "abbac5b9-04a8-5c7f-85aa-d9273ca91888"


# ---- the dose in force: level changes and dose changes ---------------------------------

LEVELS = """regimen lv "Two drugs, two levels"
  cycle 21 days, 3 cycles
  alpha 100 mg IV
    day 1
  beta 10 mg PO tablet, diary
    day 1
  level 1: alpha 80 mg, beta 10 mg
  level 2: alpha 80 mg, beta 20 mg
"""


def test_a_level_change_marks_only_the_doses_it_changes() -> None:
    """Level 1, then level 2 from cycle 2: beta 10 -> 20 mg is "increased" with the change's note;
    alpha is 80 mg at both levels, so it is as planned (no note), though its drug line says 100 mg."""
    schedule = dosecal.expand(
        dosecal.loads(LEVELS),
        dosecal.Course(
            dt.date(2026, 3, 2),
            level="1",
            adjustments=(LevelFrom("2", CycleRef(None, 2), "well tolerated", 3),),
        ),
    )
    note = "course line 3: level 2 from cycle 2 (well tolerated)"
    assert [
        (
            a.cycle,
            a.agent,
            a.dose_amount,
            a.dose_source,
            a.level,
            a.dose_change,
            adjustment_text(a.adjustment),
        )
        for a in schedule
    ] == [
        (1, "alpha", Decimal(80), "level 1 (line 7)", "1", "", ""),
        (1, "beta", Decimal(10), "level 1 (line 7)", "1", "", ""),
        (2, "alpha", Decimal(80), "level 2 (line 8)", "2", "", ""),
        (2, "beta", Decimal(20), "level 2 (line 8)", "2", "increased", note),
        (3, "alpha", Decimal(80), "level 2 (line 8)", "2", "", ""),
        (3, "beta", Decimal(20), "level 2 (line 8)", "2", "increased", note),
    ]


def chosen(at: int, supplied: str | None = None) -> list[tuple[int, int, Decimal | None, str, str, str]]:
    """NCT04083898 at level phase2 (bendamustine "dose required"), 2 cycles from 2026-12-07, the
    dose changed to 60 mg/m2 from cycle `at` (course line 5), `supplied` with --dose if given:
    (cycle, day, dose, source, change, adjustment) of each bendamustine row."""
    doses = (("bendamustine", Amount(Decimal(supplied), UNITS["mg/m2"])),) if supplied else ()
    change = DoseFrom("bendamustine", Amount(Decimal(60), UNITS["mg/m2"]), CycleRef(None, at), "chosen", 5)
    schedule = dosecal.expand(
        dosecal.load(SCHEDULES / "nct04083898.regimen"),
        dosecal.Course(dt.date(2026, 12, 7), cycles=2, level="phase2", doses=doses, adjustments=(change,)),
    )
    return [
        (a.cycle, a.cycle_day, a.dose_amount, a.dose_source, a.dose_change, adjustment_text(a.adjustment))
        for a in schedule
        if a.agent == "bendamustine"
    ]


def test_a_dose_to_be_chosen_can_be_given_by_a_dose_change() -> None:
    """plan() lets a course through whose required dose comes from a dose change; it used to fail
    anyway, telling to use --dose. From cycle 1, every dose is the change's, "changed" against a
    plan that had none."""
    note = "course line 5: bendamustine 60 mg/m2 from cycle 1 (chosen)"
    assert chosen(1) == [
        (1, 1, Decimal(60), "course line 5", "changed", note),
        (1, 2, Decimal(60), "course line 5", "changed", note),
        (2, 1, Decimal(60), "course line 5", "changed", note),
        (2, 2, Decimal(60), "course line 5", "changed", note),
    ]


def test_a_dose_change_after_cycle_1_leaves_cycle_1_without_a_dose() -> None:
    """From cycle 2 only: cycle 1 has no bendamustine dose, and the message says where and how."""
    with pytest.raises(CourseError) as caught:
        chosen(2)
    assert str(caught.value) == (
        "the bendamustine dose of cycle 1 is left to be chosen: "
        'supply it with --dose "bendamustine=AMOUNT UNIT", or change it from cycle 1'
    )


def test_a_supplied_dose_then_a_dose_change() -> None:
    """75 mg/m2 supplied, 60 from cycle 2: cycle 1 as supplied (the plan), cycle 2 "reduced"; 50
    supplied: cycle 2 "increased"."""
    note = "course line 5: bendamustine 60 mg/m2 from cycle 2 (chosen)"
    assert chosen(2, "75") == [
        (1, 1, Decimal(75), "supplied (--dose)", "", ""),
        (1, 2, Decimal(75), "supplied (--dose)", "", ""),
        (2, 1, Decimal(60), "course line 5", "reduced", note),
        (2, 2, Decimal(60), "course line 5", "reduced", note),
    ]
    assert [row[4] for row in chosen(2, "50")] == ["", "", "increased", "increased"]


PHASES = """regimen ph "A dose chosen for maintenance"
  phase induction
    cycle 21 days, 2 cycles
    alpha 10 mg IV
      day 1
  phase maintenance
    cycle 28 days, 2 cycles
    alpha dose required IV
      day 1
"""


def maintenance_changed_from(cycle: int) -> dosecal.Schedule:
    """PHASES from Monday 2026-03-02, alpha 8 mg from maintenance cycle `cycle` (course line 4)."""
    change = DoseFrom("alpha", Amount(Decimal(8), UNITS["mg"]), CycleRef("maintenance", cycle), "chosen", 4)
    return dosecal.expand(dosecal.loads(PHASES), dosecal.Course(dt.date(2026, 3, 2), adjustments=(change,)))


def test_a_dose_chosen_for_a_later_phase() -> None:
    """Induction 10 mg as written (03-02, 03-23); maintenance from 03-23 + 21 = 04-13, then 05-11,
    8 mg from the change. Each id hashes the course id (the regimen's name) and the phase's place."""
    note = "course line 4: alpha 8 mg from maintenance cycle 1 (chosen)"
    rows = [
        (
            a.administration_id,
            a.phase,
            a.cycle,
            a.date.isoformat(),
            a.dose_amount,
            a.dose_change,
            adjustment_text(a.adjustment),
        )
        for a in maintenance_changed_from(1)
    ]
    assert rows == [
        (place_id("ph", "|induction|1|1|alpha|1"), "induction", 1, "2026-03-02", Decimal(10), "", ""),
        (place_id("ph", "|induction|2|1|alpha|1"), "induction", 2, "2026-03-23", Decimal(10), "", ""),
        (
            place_id("ph", "|maintenance|1|1|alpha|1"),
            "maintenance",
            1,
            "2026-04-13",
            Decimal(8),
            "changed",
            note,
        ),
        (
            place_id("ph", "|maintenance|2|1|alpha|1"),
            "maintenance",
            2,
            "2026-05-11",
            Decimal(8),
            "changed",
            note,
        ),
    ]


def test_a_cycle_left_without_a_dose_is_named_with_its_phase() -> None:
    """The change from maintenance cycle 2 leaves maintenance cycle 1 without an alpha dose."""
    with pytest.raises(CourseError) as caught:
        maintenance_changed_from(2)
    assert str(caught.value) == (
        "the alpha dose of maintenance cycle 1 is left to be chosen: "
        'supply it with --dose "alpha=AMOUNT UNIT", or change it from maintenance cycle 1'
    )


# ---- the size of one course ------------------------------------------------------------------

AT_THE_LIMIT = """regimen edge "At the limit"
  cycle 100 days, 100 cycles
  d 1 mg PO
    days 1-100 twice daily
"""


def test_exactly_twenty_thousand_doses_are_made_and_one_more_is_refused() -> None:
    """100 cycles x 100 days x 2 doses = 20,000 = MAX_ADMINISTRATIONS: made. A second drug once on
    cycle 1 day 1 makes 20,001: refused before any row is made."""
    start = dt.date(2026, 1, 5)
    assert len(dosecal.expand(dosecal.loads(AT_THE_LIMIT), dosecal.Course(start))) == 20_000
    one_more = dosecal.loads(AT_THE_LIMIT + "  e 1 mg PO\n    cycle 1: day 1\n")
    with pytest.raises(CourseError) as caught:
        dosecal.expand(one_more, dosecal.Course(start))
    assert str(caught.value) == (
        "100 cycles of edge would be more than 20,000 administrations, more than dosecal makes for one "
        "patient: expand fewer cycles (--cycles N), or check the regimen's doses a day"
    )
