"""Course checks: what may be supplied, how far a course may run, caps on supplied doses."""

from __future__ import annotations

import datetime as dt
import pickle
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

import dosecal
from dosecal import Amount, Course, CourseError
from dosecal.engine.plan import plan
from dosecal.errors import Subject
from dosecal.model.adjust import CycleRef, Delay, Hold, LevelFrom, StartOn, Withheld
from dosecal.model.regimen import UNITS

from ..conftest import SCHEDULES

MIXED = """regimen mixed "A step-up dose stated, the later doses to be chosen"
  cycle 28 days
  drug dose required SC
    step-up cycle 1: day 1 at 1 mg
    days 8, 15
"""


def supply(text: str) -> tuple[tuple[str, Amount], ...]:
    name, amount = text.split("=")
    value, unit = amount.split()
    return ((name, Amount(Decimal(value), UNITS[unit])),)


def test_required_dose_beside_a_stated_one() -> None:
    """The step-up dose stays as stated; the later doses take the supplied one."""
    regimen = dosecal.loads(MIXED)
    start = dt.date(2026, 1, 5)
    with pytest.raises(CourseError, match="leaves the drug dose to be chosen"):
        dosecal.expand(regimen, Course(start, cycles=1))
    rows = dosecal.expand(regimen, Course(start, cycles=1, doses=supply("drug=5 mg")))
    assert [(a.cycle_day, a.dose_amount, a.dose_source) for a in rows] == [
        (1, Decimal(1), "regimen line 4"),
        (8, Decimal(5), "supplied (--dose)"),
        (15, Decimal(5), "supplied (--dose)"),
    ]


def test_until_beyond_the_longest_course() -> None:
    """--until that would need more than 200 cycles is refused, not cut short."""
    regimen = dosecal.loads('regimen w "W"\n  cycle 7 days, until progression\n  d 1 mg\n    day 1\n')
    with pytest.raises(CourseError, match="would be more than 200"):
        dosecal.expand(regimen, Course(dt.date(2026, 1, 5), until=dt.date(2031, 1, 1)))
    # Cycle 200 starts 199 weeks on: +156 weeks is 2029-01-01, +43 more is 2029-10-29.
    rows = dosecal.expand(regimen, Course(dt.date(2026, 1, 5), until=dt.date(2029, 10, 29)))
    assert len(rows) == 200
    with pytest.raises(CourseError, match="would be more than 200"):
        dosecal.expand(regimen, Course(dt.date(2026, 1, 5), until=dt.date(2029, 11, 5)))


CAPPED = """regimen capped "A drug with a cap and a dose to be chosen"
  cycle 21 days
  vincristine dose required IV, max 2 mg
    day 1
"""


@pytest.mark.parametrize(
    ("dose", "message"),
    [
        ("vincristine=3 mg", "above its cap of 2 mg"),
        ("vincristine=2 units", "cannot be held against its cap"),
    ],
)
def test_supplied_dose_against_the_cap(dose: str, message: str) -> None:
    """A supplied flat dose above the cap, or in a unit the cap cannot compare, is refused."""
    with pytest.raises(CourseError, match=message):
        dosecal.expand(dosecal.loads(CAPPED), Course(dt.date(2026, 1, 5), cycles=1, doses=supply(dose)))


def test_cap_compares_across_mass_units() -> None:
    """2 mcg/kg x 70 kg = 140 mcg is under a cap of 2 mg (2000 mcg): not capped."""
    rows = dosecal.expand(
        dosecal.loads(CAPPED),
        Course(
            dt.date(2026, 1, 5),
            cycles=1,
            doses=supply("vincristine=2 mcg/kg"),
            measures=dosecal.Measures(Decimal(70)),
        ),
    )
    assert (rows.administrations[0].computed_amount, rows.administrations[0].computed_unit) == (
        Decimal(140),
        "mcg",
    )
    assert "capped" not in rows.administrations[0].dose_basis


# ---- boundaries ---------------------------------------------------------------------------

CYCLES = SCHEDULES / "r-chop-21.regimen"  # 21-day cycles, 8 cycles
OPEN = SCHEDULES / "nct04083898.regimen"  # 28-day cycles, no end


def cycle_starts(path: Path, **kw: object) -> list[str]:
    """The date of each cycle's day 1, for a course from Monday 2026-12-07."""
    start = kw.pop("start", dt.date(2026, 12, 7))
    level = "1" if path == OPEN else None
    rows = dosecal.expand(dosecal.load(path), Course(start, level=level, **kw))  # type: ignore[arg-type]
    return sorted({a.date.isoformat() for a in rows if a.cycle_day == 1})


def refused(path: Path, **kw: object) -> str:
    with pytest.raises(CourseError) as caught:
        cycle_starts(path, **kw)
    return str(caught.value)


def test_cycles_up_to_the_regimens_total() -> None:
    """R-CHOP-21 has 8 cycles: --cycles 8 is all of them (the last from 2026-12-07 + 7 x 21 =
    2027-05-03); 9 are refused. 1 cycle is the least; 0 is refused."""
    assert cycle_starts(CYCLES, cycles=8)[-1] == "2027-05-03"
    assert len(cycle_starts(CYCLES, cycles=8)) == 8 == len(cycle_starts(CYCLES))
    assert refused(CYCLES, cycles=9) == "r-chop-21 has 8 cycles; 9 were asked for"
    assert cycle_starts(CYCLES, cycles=1) == ["2026-12-07"]
    assert refused(CYCLES, cycles=0) == "0 cycles is not plausible (expected 1-200)"


@pytest.mark.parametrize(
    ("cycles", "written"),
    [
        (300, "300"),
        (10**30 - 1, "9" * 30),
        (10**30, "more than 10^30"),  # past this a number is too long to print
        (-(10**30), "more than 10^30"),
    ],
)
def test_an_implausible_number_of_cycles_is_written_out_up_to_10_to_the_30(cycles: int, written: str) -> None:
    """From Python any int can come: written out below 10^30 (30 digits), past that in words."""
    assert refused(OPEN, cycles=cycles) == f"{written} cycles is not plausible (expected 1-200)"


def test_how_far_to_expand_must_be_said_once() -> None:
    """An open regimen needs --cycles or --until, naming how it ends; both at once are refused."""
    assert refused(OPEN) == (
        "nct04083898 runs until an open end: say how far to expand with --cycles N or --until DATE"
    )
    regimen = dosecal.loads('regimen w "W"\n  cycle 7 days, until progression\n  d 1 mg\n    day 1\n')
    with pytest.raises(CourseError) as caught:
        dosecal.expand(regimen, Course(dt.date(2026, 12, 7)))
    assert str(caught.value) == (
        "w runs until progression: say how far to expand with --cycles N or --until DATE"
    )
    assert refused(CYCLES, cycles=3, until=dt.date(2027, 1, 1)) == (
        "give either a number of cycles or an end date, not both"
    )


def test_at_most_200_cycles() -> None:
    """An open regimen may be expanded 200 cycles (the last 199 x 28 = 5572 days on), not 201."""
    assert cycle_starts(OPEN, cycles=200)[-1] == (dt.date(2026, 12, 7) + dt.timedelta(days=5572)).isoformat()
    assert refused(OPEN, cycles=201) == "201 cycles is not plausible (expected 1-200)"


@pytest.mark.parametrize(
    ("until", "starts"),
    [
        ("2026-12-07", ["2026-12-07"]),  # the start itself: cycle 1 only
        ("2027-01-03", ["2026-12-07"]),  # cycle 1's last day
        ("2027-01-04", ["2026-12-07", "2027-01-04"]),  # cycle 2's first day
    ],
)
def test_until_counts_every_cycle_starting_by_that_date(until: str, starts: list[str]) -> None:
    """--until keeps each cycle that starts on or before it: 28-day cycles from 2026-12-07."""
    assert cycle_starts(OPEN, until=dt.date.fromisoformat(until)) == starts


def test_until_the_day_before_the_start() -> None:
    """An end date before the start is refused, by one day too."""
    assert (
        refused(OPEN, until=dt.date(2026, 12, 6))
        == "the end date 2026-12-06 is before the start date 2026-12-07"
    )


@pytest.mark.parametrize(
    ("start", "until", "last"),
    [
        # 10 years on, to the day: accepted. 2036-12-07 is 3650 + 3 days on (29 February 2028,
        # 2032, 2036); cycle 131 starts 130 x 28 = 3640 days on, 13 days before it: 2036-11-24.
        ("2026-12-07", "2036-12-07", "2036-11-24"),
        # From 29 February 2028, 10 years on is 28 February 2038 (there is no 29 February 2038),
        # 3650 + 2 days on (2032, 2036); cycle 131 starts 12 days before it: 2038-02-16.
        ("2028-02-29", "2038-02-28", "2038-02-16"),
    ],
)
def test_until_ten_years_on_and_one_day_more(start: str, until: str, last: str) -> None:
    """An end date at most 10 years after the start is accepted; one day later is refused."""
    first, end = dt.date.fromisoformat(start), dt.date.fromisoformat(until)
    assert cycle_starts(OPEN, start=first, until=end)[-1] == last
    assert (
        refused(OPEN, start=first, until=end + dt.timedelta(days=1))
        == "an end date more than 10 years after the start is not plausible"
    )


@pytest.mark.parametrize("start", ["1900-01-01", "2199-12-31", "2028-02-29"])
def test_start_dates_at_the_limits(start: str) -> None:
    """The first and last plausible start dates, and 29 February of a leap year, are accepted."""
    assert cycle_starts(CYCLES, start=dt.date.fromisoformat(start), cycles=2)[0] == start


@pytest.mark.parametrize("start", ["1899-12-31", "2200-01-01"])
def test_start_dates_past_the_limits(start: str) -> None:
    """A day before 1900-01-01, or after 2199-12-31, can only be a typo."""
    assert refused(CYCLES, start=dt.date.fromisoformat(start), cycles=2) == (
        f"a start date of {start} is not plausible (expected 1900-01-01 to 2199-12-31)"
    )


@pytest.mark.parametrize(
    ("dose", "amount", "basis"),
    [
        ("vincristine=2 mg", Decimal(2), "2 mg (flat dose)"),  # exactly at the cap
        ("vincristine=1.9 mg", Decimal("1.9"), "1.9 mg (flat dose)"),
        ("vincristine=2000 mcg", Decimal(2000), "2000 mcg (flat dose)"),  # 2 mg in mcg
    ],
)
def test_supplied_dose_up_to_the_cap(dose: str, amount: Decimal, basis: str) -> None:
    """A supplied flat dose below or exactly at the cap of 2 mg is given as supplied."""
    rows = dosecal.expand(dosecal.loads(CAPPED), Course(dt.date(2026, 1, 5), cycles=1, doses=supply(dose)))
    row = rows.administrations[0]
    assert (row.dose_amount, row.computed_amount, row.dose_basis) == (amount, amount, basis)


@pytest.mark.parametrize(
    ("dose", "message"),
    [
        ("vincristine=2.01 mg", "--dose gives vincristine 2.01 mg, above its cap of 2 mg"),
        ("vincristine=2001 mcg", "--dose gives vincristine 2001 mcg, above its cap of 2 mg"),
    ],
)
def test_supplied_dose_just_above_the_cap(dose: str, message: str) -> None:
    """Just above the cap, also in another unit of mass, is refused with the whole sentence."""
    with pytest.raises(CourseError) as caught:
        dosecal.expand(dosecal.loads(CAPPED), Course(dt.date(2026, 1, 5), cycles=1, doses=supply(dose)))
    assert str(caught.value) == message


# ---- what --dose may give -------------------------------------------------------------------

BENDA = SCHEDULES / "nct04083898.regimen"  # bendamustine: levels 1-3 state it, level phase2 leaves it open
BENDA_60 = ("bendamustine", Amount(Decimal(60), UNITS["mg/m2"]))


def supplied_refused(level: str, *doses: tuple[str, Amount]) -> str:
    """The sentence refusing `doses` for one cycle of NCT04083898 at `level`."""
    with pytest.raises(CourseError) as caught:
        dosecal.expand(dosecal.load(BENDA), Course(dt.date(2026, 12, 7), cycles=1, level=level, doses=doses))
    return str(caught.value)


def test_a_dose_is_supplied_only_where_the_regimen_leaves_it_open() -> None:
    """Level 1 states bendamustine 50 mg/m2 and prednisone is always 60 mg: --dose for either is
    refused. Level phase2 leaves bendamustine open: 60 mg/m2 supplied is given as supplied."""
    stated = "is stated by the regimen; --dose only fills a dose the regimen leaves open"
    assert supplied_refused("1", BENDA_60) == f"every dose of bendamustine {stated}"
    prednisone = ("prednisone", Amount(Decimal(50), UNITS["mg"]))
    assert supplied_refused("phase2", BENDA_60, prednisone) == f"every dose of prednisone {stated}"
    rows = dosecal.expand(
        dosecal.load(BENDA), Course(dt.date(2026, 12, 7), cycles=1, level="phase2", doses=(BENDA_60,))
    )
    benda = [(a.dose_amount, a.dose_unit, a.dose_source) for a in rows if a.agent == "bendamustine"]
    assert benda == [(Decimal(60), "mg/m2", "supplied (--dose)")] * 2  # days 1 and 2


def test_a_dose_left_open_by_a_later_level_may_be_supplied() -> None:
    """From level 1 (bendamustine 50 mg/m2, line 32) to level phase2 (dose required) from cycle 2:
    the dose asked for from cycle 2 on may be supplied; cycle 1 keeps the level's 50 mg/m2 (days 1
    and 2 of each cycle). Before the fix --dose was refused as stated while the course asked for it."""
    change = LevelFrom("phase2", CycleRef(None, 2), "phase II", 5)
    the_course = Course(dt.date(2026, 12, 7), cycles=2, level="1", adjustments=(change,))
    with pytest.raises(CourseError) as caught:
        dosecal.expand(dosecal.load(BENDA), the_course)
    assert str(caught.value) == (
        "level phase2 leaves the bendamustine dose to be chosen: "
        'supply it with --dose "bendamustine=AMOUNT UNIT"'
    )
    rows = dosecal.expand(dosecal.load(BENDA), replace(the_course, doses=(BENDA_60,)))
    benda = [(a.cycle, a.dose_amount, a.dose_source) for a in rows if a.agent == "bendamustine"]
    assert benda == [(1, Decimal(50), "level 1 (line 32)")] * 2 + [(2, Decimal(60), "supplied (--dose)")] * 2


@pytest.mark.parametrize(
    ("level", "doses", "message"),
    [
        (
            "phase2",
            (("pomalidomide", Amount(Decimal(4), UNITS["mg"])),),
            "--dose names 'pomalidomide', which is not a drug of nct04083898; "
            "its drugs are isatuximab, bendamustine, prednisone",
        ),
        ("phase2", (BENDA_60, BENDA_60), "--dose gives the dose of bendamustine twice"),
    ],
)
def test_supplied_dose_mistakes(level: str, doses: tuple[tuple[str, Amount], ...], message: str) -> None:
    """A drug the regimen does not have (its drugs listed), or one drug's dose given twice."""
    assert supplied_refused(level, *doses) == message


def test_a_level_for_a_regimen_without_levels() -> None:
    """R-CHOP-21 has no dose levels: --level 1 is refused, saying so."""
    with pytest.raises(CourseError) as caught:
        dosecal.expand(dosecal.load(CYCLES), Course(dt.date(2026, 12, 7), cycles=1, level="1"))
    assert str(caught.value) == "r-chop-21 has no dose levels (--level 1 was given)"


def test_why_a_cycle_moved() -> None:
    """R-CHOP-21, 4 cycles, cycle 2 delayed 7 days: cycle 1 did not move (nothing, not None);
    cycles 2-4 moved by the delay. With cycle 3 also started on a set date, cycle 3 and 4 name
    the set start and no delay (it fixes the date), cycle 2 still the delay."""
    delay = Delay(CycleRef(None, 2), 7, "infection", 4)
    start_on = StartOn(CycleRef(None, 3), dt.date(2027, 1, 25), "clinic closed", 5)
    regimen = dosecal.load(CYCLES)
    delayed = plan(regimen, Course(dt.date(2026, 12, 7), cycles=4, adjustments=(delay,)))
    assert [delayed.moved_by((0, cycle)) for cycle in (1, 2, 3, 4)] == [(), (delay,), (delay,), (delay,)]
    both = plan(regimen, Course(dt.date(2026, 12, 7), cycles=4, adjustments=(delay, start_on)))
    assert [both.moved_by((0, cycle)) for cycle in (1, 2, 3, 4)] == [(), (delay,), (start_on,), (start_on,)]


def test_holds_in_the_second_phase_of_a_course() -> None:
    """S0777, 8 induction cycles (21 days) then maintenance (28 days), 10 cycles: lenalidomide held
    on maintenance cycle 1 from day 15 (days 15-21: 7 doses), dexamethasone omitted from
    maintenance cycle 2 on (days 1, 8, 15, 22: 4 doses). Induction cycles 1 and 2, with the same
    cycle numbers, are untouched."""
    adjustments = (
        Hold("lenalidomide", Withheld.HELD, CycleRef("maintenance", 1), 15, None, False, "rash", 4),
        Hold("dexamethasone", Withheld.OMITTED, CycleRef("maintenance", 2), None, None, True, "mood", 5),
    )
    rows = dosecal.expand(
        dosecal.load(SCHEDULES / "s0777-vrd-rd.regimen"),
        Course(dt.date(2026, 12, 7), cycles=10, adjustments=adjustments),
    )
    changed = [(a.phase, a.cycle, a.cycle_day, a.agent, a.status) for a in rows if a.status != "planned"]
    assert changed == [("maintenance", 1, d, "lenalidomide", "held") for d in range(15, 22)] + [
        ("maintenance", 2, d, "dexamethasone", "omitted") for d in (1, 8, 15, 22)
    ]


def test_at_most_500_adjustments() -> None:
    """Through the Python API a course may carry 500 adjustments (a course file stops at its line);
    501 are refused before any is checked."""
    hold = Hold("vincristine", Withheld.HELD, CycleRef(None, 2), 1, 1, False, "neuropathy", 1)
    holds = tuple(replace(hold, line=line) for line in range(1, 501))
    the_course = Course(dt.date(2026, 12, 7), cycles=3, adjustments=holds)
    rows = dosecal.expand(dosecal.load(CYCLES), the_course)
    assert [(a.cycle, a.cycle_day) for a in rows if a.status == "held"] == [(2, 1)]
    with pytest.raises(CourseError) as caught:
        dosecal.expand(
            dosecal.load(CYCLES), replace(the_course, adjustments=(*holds, replace(hold, line=501)))
        )
    assert str(caught.value) == "a course has at most 500 adjustments, not 501"


# ---- the fields of a course's error ----------------------------------------------------------

WEEKLY = 'regimen w "W"\n  cycle 7 days, until progression\n  d 1 mg\n    day 1\n'
DAY = dt.date(2026, 12, 7)
HOLD = Hold("vincristine", Withheld.HELD, CycleRef(None, 2), 1, 1, False, "neuropathy", 1)


def _mg(value: str, unit: str = "mg") -> Amount:
    return Amount(Decimal(value), UNITS[unit])


@pytest.mark.parametrize(
    ("regimen", "the_course", "subject", "message", "hint", "quoted"),
    [
        (
            CYCLES,
            Course(dt.date(1899, 12, 31), cycles=1),
            Subject.START,
            "a start date of 1899-12-31 is not plausible (expected 1900-01-01 to 2199-12-31)",
            None,
            None,
        ),
        (
            CYCLES,
            Course(DAY, cycles=1, course_id="pt\x00"),
            Subject.COURSE,
            "the course id holds U+0000 NULL (an invisible control character) at character 3",
            "delete it",
            None,
        ),
        (
            CYCLES,
            Course(DAY, cycles=1, adjustments=tuple(replace(HOLD, line=n) for n in range(1, 502))),
            Subject.ADJUSTMENT,
            "a course has at most 500 adjustments, not 501",
            None,
            None,
        ),
        (
            OPEN,
            Course(DAY, cycles=1),
            Subject.LEVEL,
            "nct04083898 has dose levels 1, 2, 3, phase2: choose one with --level",
            None,
            None,
        ),
        (
            CYCLES,
            Course(DAY, cycles=1, level="2"),
            Subject.LEVEL,
            "r-chop-21 has no dose levels (--level 2 was given)",
            None,
            None,
        ),
        (
            OPEN,
            Course(DAY, cycles=1, level="9"),
            Subject.LEVEL,
            "nct04083898 has no dose level '9'",
            "its levels are 1, 2, 3, phase2",
            "9",
        ),
        (
            OPEN,
            Course(DAY, cycles=1, level="phase2", doses=(("aspirin", _mg("100")),)),
            Subject.DOSE,
            "--dose names 'aspirin', which is not a drug of nct04083898",
            "its drugs are isatuximab, bendamustine, prednisone",
            "aspirin",
        ),
        (
            OPEN,
            Course(DAY, cycles=1, level="phase2", doses=(BENDA_60, BENDA_60)),
            Subject.DOSE,
            "--dose gives the dose of bendamustine twice",
            None,
            "bendamustine",
        ),
        (
            OPEN,
            Course(DAY, cycles=1, level="1", doses=(BENDA_60,)),
            Subject.DOSE,
            "every dose of bendamustine is stated by the regimen",
            "--dose only fills a dose the regimen leaves open",
            "bendamustine",
        ),
        (
            CAPPED,
            Course(DAY, cycles=1, doses=(("vincristine", _mg("2", "units")),)),
            Subject.DOSE,
            "--dose gives vincristine in units, which cannot be held against its cap of 2 mg",
            None,
            "vincristine",
        ),
        (
            CAPPED,
            Course(DAY, cycles=1, doses=(("vincristine", _mg("3")),)),
            Subject.DOSE,
            "--dose gives vincristine 3 mg, above its cap of 2 mg",
            None,
            "vincristine",
        ),
        (
            OPEN,
            Course(DAY, cycles=1, level="phase2"),
            Subject.LEVEL,  # the level leaves it open: a course file points at the level line
            "level phase2 leaves the bendamustine dose to be chosen: "
            'supply it with --dose "bendamustine=AMOUNT UNIT"',
            None,
            None,
        ),
        (
            MIXED,
            Course(DAY, cycles=1),
            Subject.DOSE,
            'mixed leaves the drug dose to be chosen: supply it with --dose "drug=AMOUNT UNIT"',
            None,
            None,
        ),
        (
            WEEKLY,
            Course(DAY, until=dt.date(2031, 1, 1)),
            Subject.UNTIL,
            "cycles up to 2031-01-01 would be more than 200, which is not plausible",
            None,
            None,
        ),
        (
            CYCLES,
            Course(DAY, cycles=2, until=dt.date(2027, 3, 1)),
            Subject.CYCLES,
            "give either a number of cycles or an end date, not both",
            None,
            None,
        ),
        (
            CYCLES,
            Course(DAY, cycles=0),
            Subject.CYCLES,
            "0 cycles is not plausible (expected 1-200)",
            None,
            None,
        ),
        (CYCLES, Course(DAY, cycles=9), Subject.CYCLES, "r-chop-21 has 8 cycles", "9 were asked for", None),
        (
            CYCLES,
            Course(DAY, until=dt.date(2026, 11, 30)),
            Subject.UNTIL,
            "the end date 2026-11-30 is before the start date 2026-12-07",
            None,
            None,
        ),
        (
            CYCLES,
            Course(DAY, until=dt.date(2036, 12, 8)),
            Subject.UNTIL,
            "an end date more than 10 years after the start is not plausible",
            None,
            None,
        ),
        (
            OPEN,
            Course(DAY, level="1"),
            Subject.HORIZON,
            "nct04083898 runs until an open end: say how far to expand with --cycles N or --until DATE",
            None,
            None,
        ),
    ],
)
def test_a_courses_error_carries_what_it_is_about(
    regimen: Path | str,
    the_course: Course,
    subject: Subject,
    message: str,
    hint: str | None,
    quoted: str | None,
) -> None:
    """Every check of a course against its regimen says in fields what it refused (the subject: a
    course file's statement), the sentence, the hint and the name to put the caret under; the
    text is 'sentence; hint', as it always was. None of these is about a course line."""
    with pytest.raises(CourseError) as caught:
        plan(dosecal.load(regimen) if isinstance(regimen, Path) else dosecal.loads(regimen), the_course)
    error = caught.value
    assert (error.subject, error.line, error.message, error.hint, error.quoted) == (
        subject,
        None,
        message,
        hint,
        quoted,
    )
    assert str(error) == message + (f"; {hint}" if hint else "")


def test_a_course_error_is_its_text_when_given_no_fields() -> None:
    """`CourseError("...")` as before: the text as given, and no field set."""
    error = CourseError("cannot read roster.csv; it is a folder")
    assert str(error) == "cannot read roster.csv; it is a folder"
    assert (error.message, error.subject, error.line, error.hint, error.quoted) == (
        "cannot read roster.csv; it is a folder",
        None,
        None,
        None,
        None,
    )
    assert CourseError("x", hint="").args == ("x",)  # an empty hint adds nothing


def test_a_course_error_keeps_its_fields_through_pickle() -> None:
    """A batch worker's error crosses to the parent process pickled: its fields come with it."""
    error = CourseError("'x' is not a drug of r", subject=Subject.ADJUSTMENT, line=4, hint="h", quoted="x")
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == "course line 4: 'x' is not a drug of r; h"
    assert (copy.message, copy.subject, copy.line, copy.hint, copy.quoted) == (
        "'x' is not a drug of r",
        Subject.ADJUSTMENT,
        4,
        "h",
        "x",
    )
