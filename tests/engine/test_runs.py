"""Regimens and phases without cycles (issue 13, point 7; docs/language.md §34), and radiotherapy
(point 5; §33), on NSABP R-04 as bundled: capecitabine-radiotherapy-rectal.

Worked by hand, from the protocol's "4,500cGy in 25 fractions over 5 wk + boost of 540cGy [...] in 3
[...] daily fractions" and "capecitabine 825 mg/m2 BID 5 days/wk":

- From Monday 2026-12-07: the pelvis's 25 fractions are the weekdays of the weeks of 12-07, 12-14,
  12-21, 12-28 and 2027-01-04 (no closed days are given: 12-25 and 01-01 are weekdays); the last,
  Friday 01-08, is the run's day 33. The boost phase starts the next day, Saturday 01-09, its day 1;
  its 3 fractions are Monday 01-11 (its day 3, study day 36), 01-12 and Wednesday 01-13 (study day
  38): 28 fractions, the last on Wednesday 2027-01-13, as the issue's Done-when says.
- From Wednesday 2026-12-09: 12-09 to 12-11 (3), four weeks of 5 (23), 01-11 and 01-12 (25): the
  pelvis ends on Tuesday 01-12, its day 35; the boost is 01-13, 01-14 and Friday 01-15.
- Every 8 weeks for 12 doses, from Monday 2026-12-07: days 1, 57, ..., 1 + 11 x 56 = 617; the last
  is 88 weeks on, 2028-08-14: 2027-12-07 is 365 days on, and 251 more are 24 (to 2027-12-31), then
  31, 29 (2028 is a leap year), 31, 30, 31, 30, 31 (213 days to 07-31) and 14.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import dosecal
from dosecal.errors import CourseError, Subject
from dosecal.language.load import loads
from dosecal.model.adjust import CycleRef, Delay
from dosecal.model.measures import Measures
from dosecal.model.regimen import Kind
from dosecal.render import protocol_text
from dosecal.views import visits as visit_view

from ..conftest import load, refused

d = dt.date
MEASURES = Measures(weight_kg=70, height_cm=170)
R04 = "capecitabine-radiotherapy-rectal"
PELVIS = [d(2026, 12, 7) + dt.timedelta(days=w * 7 + n) for w in range(5) for n in range(5)]
BOOST = [d(2027, 1, 11), d(2027, 1, 12), d(2027, 1, 13)]
INTERVAL = """\
regimen q8w "Every 8 weeks for 12 doses, no cycles"
  no cycles
  drugx 100 mg IV
    every 8 weeks for 12 doses
"""


def _r04(start: dt.date, *moves: object, until: dt.date | None = None) -> list[dosecal.Administration]:
    course = dosecal.Course(start, until=until, measures=MEASURES, adjustments=moves)  # type: ignore[arg-type]
    return list(dosecal.expand(load(R04), course))


def _dates(rows: list[dosecal.Administration], agent: str) -> list[dt.date]:
    return list(dict.fromkeys(a.date for a in rows if a.agent == agent))


def test_r04_gives_28_fractions_monday_to_friday_the_last_on_wednesday_13_january() -> None:
    """The issue's Done-when: 28 fractions, Monday to Friday only, the last on 2027-01-13, and
    capecitabine twice on each of those days and no other."""
    rows = _r04(d(2026, 12, 7))
    fractions = [a for a in rows if a.kind is Kind.RADIOTHERAPY]
    assert [a.date for a in fractions] == PELVIS + BOOST
    assert [a.variant for a in fractions] == ["pelvis"] * 25 + ["boost"] * 3
    capecitabine = [a.date for a in rows if a.agent == "capecitabine"]
    assert capecitabine == [day for day in PELVIS + BOOST for _ in (1, 2)]
    assert {a.kind for a in rows if a.agent == "capecitabine"} == {Kind.DRUG}


def test_a_run_numbers_its_days_from_its_own_start_and_the_next_phase_starts_the_day_after() -> None:
    """The pelvis's last fraction is its day 33; the boost starts on Saturday 01-09, so its
    fractions are its days 3-5, study days 36-38; every row of a run is its phase's cycle 1."""
    rows = [a for a in _r04(d(2026, 12, 7)) if a.kind is Kind.RADIOTHERAPY]
    assert (rows[24].phase, rows[24].cycle, rows[24].cycle_day, rows[24].study_day) == ("pelvis", 1, 33, 33)
    assert [(a.phase, a.cycle, a.cycle_day, a.study_day) for a in rows[25:]] == [
        ("boost", 1, 3, 36),
        ("boost", 1, 4, 37),
        ("boost", 1, 5, 38),
    ]
    assert all(a.run for a in rows)


def test_a_run_ends_on_its_last_dose_whichever_day_it_starts() -> None:
    """From a Wednesday, the pelvis ends on Tuesday 01-12 (day 35) and the boost is 01-13 to 01-15;
    from a Saturday, the first fraction is Monday 12-07, the run's day 3."""
    rows = _r04(d(2026, 12, 9))
    fractions = [a for a in rows if a.kind is Kind.RADIOTHERAPY]
    assert fractions[24].date == d(2027, 1, 12) and fractions[24].cycle_day == 35
    assert [a.date for a in fractions[25:]] == [d(2027, 1, 13), d(2027, 1, 14), d(2027, 1, 15)]
    saturday = [a for a in _r04(d(2026, 12, 5)) if a.kind is Kind.RADIOTHERAPY]
    assert [a.date for a in saturday] == PELVIS + BOOST
    assert (saturday[0].cycle_day, saturday[0].study_day) == (3, 3)


def test_until_ends_a_run_on_that_date() -> None:
    """A run has no cycle to finish: --until 2026-12-20 (a Sunday) keeps the fractions of the first
    two weeks, 10; --until 2027-01-11 the 25 and the boost's first."""
    assert _dates(_r04(d(2026, 12, 7), until=d(2026, 12, 20)), "radiotherapy") == PELVIS[:10]
    assert _dates(_r04(d(2026, 12, 7), until=d(2027, 1, 11)), "radiotherapy") == PELVIS + BOOST[:1]
    assert _dates(_r04(d(2026, 12, 7), until=d(2027, 1, 11)), "capecitabine") == PELVIS + BOOST[:1]


def test_a_delay_of_the_boost_moves_it_and_only_it() -> None:
    """`delay boost cycle 1 by 7 days`: the boost starts on 01-16 (a Saturday), its fractions
    Monday 01-18 to Wednesday 01-20; the pelvis is as planned."""
    rows = _r04(d(2026, 12, 7), Delay(CycleRef("boost", 1), 7, "skin reaction", 6))
    assert _dates(rows, "radiotherapy") == [*PELVIS, d(2027, 1, 18), d(2027, 1, 19), d(2027, 1, 20)]
    boost = [a for a in rows if a.phase == "boost" and a.agent == "radiotherapy"]
    assert [a.cycle_day for a in boost] == [3, 4, 5]
    assert all("delayed 7 days" in a.adjustment[0].text for a in boost)


def test_cycles_are_refused_for_a_regimen_without_cycles() -> None:
    """--cycles would count what it does not have: refused, with the way to end it sooner."""
    with pytest.raises(CourseError) as caught:
        dosecal.expand(load(R04), dosecal.Course(d(2026, 12, 7), cycles=1, measures=MEASURES))
    assert caught.value.message == f"{R04} has no cycles: it ends on its last dose"
    assert caught.value.hint == (
        "leave out the number of cycles, or end it sooner with an end date "
        "(--until DATE, a course file's until)"
    )
    assert caught.value.subject is Subject.CYCLES  # a course file's `cycles` line is pointed at


def test_a_course_file_giving_cycles_to_a_run_is_told_at_that_line(tmp_path: Path) -> None:
    """`cycles 2` in a course file of R-04: refused at its line, with the hint."""
    from click.testing import CliRunner

    from dosecal.cli.main import cli

    path = tmp_path / "p.course"
    path.write_text(f"course p1\n  regimen {R04}\n  start 2026-12-07\n  cycles 2\n", "utf-8")
    result = CliRunner().invoke(cli, ["expand", "--course", str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:4] == [
        f"{path}:4:3: {R04} has no cycles: it ends on its last dose",
        "      cycles 2",
        "      ^^^^^^^^",
        "    hint: leave out the number of cycles, or end it sooner with an end date "
        "(--until DATE, a course file's until)",
    ]


def test_every_8_weeks_for_12_doses_without_cycles() -> None:
    """Days 1, 57, ..., 617 of one run: the last on 2028-08-14, 88 weeks on; no horizon needed."""
    regimen = loads(INTERVAL, "q8w.regimen")
    rows = list(dosecal.expand(regimen, dosecal.Course(d(2026, 12, 7))))
    assert [a.date for a in rows] == [d(2026, 12, 7) + dt.timedelta(weeks=8 * n) for n in range(12)]
    assert rows[-1].date == d(2028, 8, 14)
    assert [a.cycle_day for a in rows] == [1 + 56 * n for n in range(12)]
    assert {a.cycle for a in rows} == {1}
    assert regimen.phases[0].cycle_days == 617


@given(start=st.dates(d(2026, 1, 1), d(2030, 12, 31)), count=st.integers(1, 40))
def test_a_weekday_run_gives_the_first_count_weekdays_from_its_start(start: dt.date, count: int) -> None:
    """The rule: a run of `Monday to Friday, N sessions` gives the first N weekdays on or after its
    start, one a day, and no other day; its days are counted from the start."""
    text = f'regimen w "w"\n  no cycles\n  drugw 1 mg IV\n    Monday to Friday, {count} sessions\n'
    rows = list(dosecal.expand(loads(text, "w.regimen"), dosecal.Course(start)))
    days = (start + dt.timedelta(days=n) for n in range(count * 2 + 7))
    assert [a.date for a in rows] == [day for day in days if day.weekday() < 5][:count]
    assert all(a.cycle_day == (a.date - start).days + 1 == a.study_day for a in rows)


def test_show_says_the_run_and_radiotherapy_as_the_protocol_does() -> None:
    """No cycles named: the run's length by the day it starts, its lines without 'every cycle',
    radiotherapy with no route, and its doses in all."""
    text = protocol_text.render(load(R04))
    assert (
        "phase pelvis\n"
        "  no cycles: one run of days from the start to the last dose (33 to 35 days, by the day it starts)\n"
        in text
    )
    assert (
        "  radiotherapy (pelvis), 1.8 Gy, radiotherapy fractions, in the clinic\n"
        "    Monday to Friday, the first 25 such days\n" in text
    )
    assert (
        "  doses                 in all\n  radiotherapy (boost)      3\n  capecitabine              6\n"
        in text
    )
    assert "every cycle" not in text and "route not stated" not in text
    interval = protocol_text.render(loads(INTERVAL, "q8w.regimen"))
    assert "  no cycles: one run of days from the start to the last dose (617 days)\n" in interval
    assert "    every 8 weeks from day 1, for 12 doses\n" in interval


def test_radiotherapy_takes_no_chair_and_is_not_in_the_diary() -> None:
    """A fraction is a clinic visit with no chair time; capecitabine, taken at home, is the diary's."""
    schedule = dosecal.expand(load(R04), dosecal.Course(d(2026, 12, 7), measures=MEASURES))
    found = visit_view.visits(schedule, "p1")
    assert len(found) == 28
    assert {(v.chair_minutes_min, v.chair_minutes_max) for v in found} == {(0, 0)}
    assert found[0].durations == ("radiotherapy (pelvis) no chair",)
    assert all(a.self_administered for a in schedule if a.agent == "capecitabine")
    assert not any(a.self_administered for a in schedule if a.kind is Kind.RADIOTHERAPY)


def test_radiotherapy_dose_basis_says_a_fraction() -> None:
    """1.8 Gy is given as prescribed, and says so: not a drug's 'flat dose'."""
    rows = _r04(d(2026, 12, 7))
    assert {a.dose_basis for a in rows if a.kind is Kind.RADIOTHERAPY} == {
        "1.8 Gy (a fraction, as prescribed)"
    }
    assert {(a.route, a.form) for a in rows if a.kind is Kind.RADIOTHERAPY} == {("", "")}


def test_a_line_of_a_run_that_names_cycles_or_has_no_end_is_refused() -> None:
    """A run has no cycle to choose, and ends on its last dose, so each line says when."""
    text = (
        'regimen r "r"\n  no cycles\n  drugx 1 mg IV\n    cycle 1: days 1-5\n  drugy 2 mg IV\n'
        "    every 8 weeks\n  drugz 3 mg IV\n    Monday to Friday\n"
    )
    assert refused(text) == [
        "e.regimen:4:5: this regimen has no cycles: its days run on from its start",
        "        cycle 1: days 1-5",
        "        ^^^^^^^",
        "    hint: remove 'cycle ...:', or give it a line such as 'cycle 28 days'",
        "",
        "e.regimen:6:5: this regimen has no cycles, so it ends on its last dose: this line does not say when",
        "        every 8 weeks",
        "        ^^^^^^^^^^^^^",
        "    hint: give the count the protocol states, e.g. 'every 8 weeks for 12 doses', or a cycle line "
        "such as 'cycle 56 days, until progression'",
        "",
        "e.regimen:8:5: this regimen has no cycles, so it ends on its last dose: this line does not say when",
        "        Monday to Friday",
        "        ^^^^^^^^^^^^^^^^",
        "    hint: give the count the protocol states, e.g. 'Monday to Friday, 28 sessions', or a cycle line "
        "such as 'cycle 56 days, until progression'",
        "",
        "3 errors in e.regimen",
    ]


def test_radiotherapy_with_a_route_a_diary_or_a_dose_in_mg_is_refused() -> None:
    """Its doses are in Gy, given in the clinic, with no route: each mistake at its place."""
    text = (
        'regimen r "r"\n  no cycles\n  radiotherapy 20 mg IV, diary\n'
        "    Monday to Friday, 5 fractions at 1.8 Gy\n"
    )
    assert refused(text) == [
        "e.regimen:3:19: radiotherapy has a dose in Gy on line 4 (radiotherapy): "
        "a fraction's dose is not in mg",
        "      radiotherapy 20 mg IV, diary",
        "                      ^^",
        "    hint: give every dose of radiotherapy in Gy, or name the drug on its own line",
        "",
        "e.regimen:3:22: radiotherapy has no route or form: 'IV' is a drug's",
        "      radiotherapy 20 mg IV, diary",
        "                         ^^",
        "    hint: remove 'IV'",
        "",
        "e.regimen:3:26: radiotherapy is given in the clinic: it has no diary",
        "      radiotherapy 20 mg IV, diary",
        "                             ^^^^^",
        "    hint: remove 'diary'; a drug taken at home with it is its own line",
        "",
        "3 errors in e.regimen",
    ]


# ---- found by review ----------------------------------------------------------------------------

PREMED_RUN = """\
regimen b "A run with premedication counted from its drug"
  no cycles
  cisplatin 40 mg/m2 IV
    days 1, 8
  ondansetron 8 mg PO, diary
    the day before, the day of and the day after cisplatin
"""


def test_until_never_cuts_premedication_from_its_dose() -> None:
    """Cisplatin on 12-07 and 12-14, ondansetron the day before, of and after each. --until 12-13 cuts
    the 12-14 dose and its ondansetron of 12-13 too (its dose is cut); --until 12-07 keeps the
    ondansetron of 12-08, the day after the dose it goes with."""
    regimen = loads(PREMED_RUN, "b.regimen")

    def given(until: dt.date) -> list[tuple[dt.date, str]]:
        course = dosecal.Course(d(2026, 12, 7), until=until, measures=MEASURES)
        return [(a.date, a.agent) for a in dosecal.expand(regimen, course)]

    kept = [(d(2026, 12, 6), "ondansetron"), (d(2026, 12, 7), "cisplatin"), (d(2026, 12, 7), "ondansetron")]
    kept += [(d(2026, 12, 8), "ondansetron")]
    assert given(d(2026, 12, 13)) == kept
    assert given(d(2026, 12, 7)) == kept


def test_a_run_of_days_before_day_1_alone_is_refused() -> None:
    """It would end before it starts, and the phase after it would start before the course."""
    text = (
        'regimen e "E"\n  phase prep\n    no cycles\n    dexamethasone 20 mg PO, diary\n      days -2, -1\n'
        "  phase chemo\n    cycle 21 days, 2 cycles\n    docetaxel 75 mg/m2 IV\n      day 1\n"
    )
    assert refused(text)[:4] == [
        "e.regimen:2:9: phase prep has no cycles and no dose on or after its day 1: "
        "it would end before it starts",
        "      phase prep",
        "            ^^^^",
        "    hint: give its days from day 1, or give these doses as days before the next phase's day 1",
    ]


def test_a_run_another_phase_follows_has_no_line_that_moves_its_end() -> None:
    """A line chosen by a patient value, or a total of doses, would move the next phase's start by
    patient: refused there (the last phase may have them)."""
    text = (
        'regimen d "D"\n  phase one\n    no cycles\n    drugx 1 mg IV\n      days 1-5 if weight >= 45 kg\n'
        "      days 1-20 if weight < 45 kg\n  phase two\n    cycle 21 days, 2 cycles\n    drugy 1 mg IV\n"
        "      day 1\n"
    )
    report = refused(text)
    assert report[0] == (
        "e.regimen:5:7: phase one has no cycles and another phase follows it: it must end on one day for "
        "every patient, and this line can move its last dose"
    )
    assert report[-1] == "2 errors in e.regimen"
    last = 'regimen d "D"\n  no cycles\n  drugx 1 mg IV\n    days 1-5 if weight >= 45 kg\n'
    last += "    days 1-20 if weight < 45 kg\n"
    assert loads(last, "d.regimen").phases[0].run


def test_days_of_a_run_are_within_a_year_of_day_1() -> None:
    """Before day 1 at most 365 days, as in the longest cycle; after it a line of days names at
    most day 366, and a count gives later doses."""
    text = 'regimen r "r"\n  no cycles\n  drugx 1 mg IV\n    days -3000, 1\n  drugy 1 mg IV\n    day 400\n'
    assert refused(text) == [
        "e.regimen:4:10: day -3000 is more than 366 days before day 1",
        "        days -3000, 1",
        "             ^^^^^",
        "    hint: days before day 1 go back to day -365",
        "",
        "e.regimen:6:9: day 400 is past day 366, the last a line of days may name",
        "        day 400",
        "            ^^^",
        "    hint: give a run's later doses by a count: 'every 8 weeks for 12 doses'",
        "",
        "2 errors in e.regimen",
    ]


def test_no_dose_of_another_kind_reaches_radiotherapy_or_a_drug() -> None:
    """A level, a dose chosen by a patient value, --dose and a course's change are held to the kind:
    radiotherapy in Gy, a drug in anything else."""
    text = (
        'regimen k "K"\n  cycle 42 days, 1 cycle\n  radiotherapy 1.8 Gy\n    Monday to Friday, 5 fractions\n'
        "  cisplatin 40 mg/m2 IV\n    day 1\n  level 2: radiotherapy 50 mg\n  level 4: cisplatin 2 Gy\n"
    )
    report = refused(text)
    assert (
        report[0]
        == "e.regimen:7:25: radiotherapy's doses are in Gy (radiotherapy): a fraction's dose is not in mg"
    )
    assert report[5] == (
        "e.regimen:8:22: cisplatin's doses are not in Gy: Gy is the unit of a radiotherapy fraction's dose"
    )
    alternative = 'regimen a "A"\n  cycle 21 days\n  drugq 10 mg IV, 2 Gy if weight < 45 kg\n    day 2\n'
    assert (
        "drugq has a dose in Gy on line 3 (radiotherapy): a fraction's dose is not in mg"
        in refused(alternative)[0]
    )
    open_dose = loads(
        'regimen o "O"\n  cycle 21 days, 1 cycle\n  drugz dose required IV\n    day 1\n', "o.regimen"
    )
    with pytest.raises(CourseError) as caught:
        dosecal.expand(open_dose, dosecal.Course(d(2026, 12, 7), doses=(("drugz", _gy("3")),)))
    assert (
        caught.value.message
        == "drugz's doses are not in Gy: Gy is the unit of a radiotherapy fraction's dose"
    )
    # Said at the dose's drug: a course file's `dose` line puts the caret under the name.
    assert (caught.value.subject, caught.value.quoted) == (Subject.DOSE, "drugz")


def _gy(value: str) -> dosecal.Amount:
    from decimal import Decimal

    from dosecal.model.regimen import UNITS

    return dosecal.Amount(Decimal(value), UNITS["Gy"])


def test_an_interval_longer_than_a_run_may_last_is_said_in_days_not_cycles() -> None:
    """A run lasts at most 3653 days (limits.MAX_RUN_DAYS, ten years): every 8 weeks, doses fall on
    days 1, 57, ... 3641 (1 + 65 x 56), 66 of them; the message names no cycle the run has not."""
    text = 'regimen r "r"\n  no cycles\n  drugx 1 mg IV\n    every 8 weeks for 500 doses\n'
    assert refused(text)[:4] == [
        "e.regimen:4:5: only 66 of the 500 doses fit in 3653 days, the longest a run without cycles may last",
        "        every 8 weeks for 500 doses",
        "        ^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        "    hint: check the interval and the number of doses",
    ]


def test_a_closed_day_in_a_run_is_said_as_the_phase_and_its_day() -> None:
    """R-04 from Monday 2026-12-07: Friday 12-25 is pelvis day 19 (12-07 + 18 days); the next open
    day, Monday 12-28, is pelvis day 22 with its own fraction, so the visit is not moved, and the
    note names that day as the run does: no cycle."""
    from click.testing import CliRunner

    from dosecal.cli.main import cli
    from dosecal.views.visits import ClosedDays, MovePolicy

    schedule = dosecal.expand(load(R04), dosecal.Course(d(2026, 12, 7), measures=MEASURES))
    closed = ClosedDays(holidays={d(2026, 12, 25): "Christmas Day"})
    [visit] = [
        v
        for v in visit_view.visits(schedule, "p1", None, closed, MovePolicy.NEXT)
        if v.closed == "Christmas Day"
    ]
    assert visit.where == "pelvis phase, day 19"
    assert visit.moved == (
        "not moved to the next open day, 2026-12-28: pelvis phase, day 22 is already on that day; "
        "book by hand"
    )
    told = CliRunner().invoke(
        cli,
        ["appointments", R04, "--start", "2026-12-07", "--weight", "70", "--height", "170",
         "--holidays", "US", "--move-closed", "next"],
    )  # fmt: skip
    assert told.exit_code == 0
    assert "  pelvis phase, day 19: 2026-12-25 (Christmas Day): not moved to the next open day" in told.stderr
