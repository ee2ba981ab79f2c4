"""A regimen's options (issue 13, point 6; docs/language.md §35): named alternatives that change a
drug's dose and schedule lines, chosen when expanding like a level (`--option boost-10.8`).

Worked by hand. NSABP R-04 allows a boost of "540cGy-1080cGy in 3-6 daily fractions": with
`--option boost-10.8` from Monday 2026-12-07, the 25 pelvic fractions end on Friday 2027-01-08 as
without it; the boost phase starts on Saturday 01-09 and its 6 fractions are Monday 01-11 to Friday
01-15 and Monday 01-18: 31 fractions (45 Gy + 10.8 Gy = 55.8 Gy), capecitabine twice on each.

Q6W below: 21-day cycles from Monday 2026-12-07 (cycle 2 on 12-28, cycle 3 on 2027-01-18, cycle 4
on 02-08). As written, pembrolizumab 200 mg on day 1 of each cycle, dexamethasone the day before
each (12-06, 12-27, 01-17, 02-07). With `q6w`, pembrolizumab 400 mg on day 1 of cycles 1 and 3
(12-07, 01-18), and dexamethasone, counted from it, follows it: 12-06 and 01-17 alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import dosecal
from dosecal.cli.main import cli
from dosecal.errors import CourseError
from dosecal.language.load import loads
from dosecal.model.measures import Measures
from dosecal.model.regimen import Kind
from dosecal.render import protocol_text

from ..conftest import load, refused

d = dt.date
MEASURES = Measures(weight_kg=70, height_cm=170)
R04 = "capecitabine-radiotherapy-rectal"
PELVIS = [d(2026, 12, 7) + dt.timedelta(days=w * 7 + n) for w in range(5) for n in range(5)]
BOOST_6 = [d(2027, 1, 11) + dt.timedelta(days=n) for n in range(5)] + [d(2027, 1, 18)]
Q6W = """\
regimen k "Pembrolizumab every 3 or 6 weeks"
  cycle 21 days, 4 cycles
  pembrolizumab 200 mg IV over 30 min
    day 1
  dexamethasone 4 mg PO
    the day before pembrolizumab
  option q6w: pembrolizumab 400 mg
    cycles 1, 3: day 1
"""


def _dates(rows: dosecal.Schedule, agent: str) -> list[dt.date]:
    return [a.date for a in rows if a.agent == agent]


def test_r04_boost_of_six_fractions() -> None:
    """--option boost-10.8: 31 fractions, the boost's 6 from 01-11 to 01-18, capecitabine with them."""
    course = dosecal.Course(d(2026, 12, 7), measures=MEASURES, option="boost-10.8")
    schedule = dosecal.expand(load(R04), course)
    fractions = [a for a in schedule if a.kind is Kind.RADIOTHERAPY]
    assert [a.date for a in fractions] == PELVIS + BOOST_6
    assert sum(a.dose_amount or 0 for a in fractions) == Decimal("55.8")
    assert _dates(schedule, "capecitabine") == [day for day in PELVIS + BOOST_6 for _ in (1, 2)]
    # The boost's lines are the option's: its rows say so.
    assert {a.source_line for a in fractions[25:]} == {load(R04).options[2].changes[0][1].clauses[0].line}


def test_without_the_option_the_regimen_is_as_written() -> None:
    """No option: 28 fractions, the boost's 3, as the issue's Done-when says."""
    schedule = dosecal.expand(load(R04), dosecal.Course(d(2026, 12, 7), measures=MEASURES))
    assert len([a for a in schedule if a.kind is Kind.RADIOTHERAPY]) == 28
    assert [o.name for o in load(R04).options] == ["boost-7.2", "boost-9.0", "boost-10.8"]


def test_an_option_changes_the_dose_and_days_and_the_premedication_follows() -> None:
    """q6w: 400 mg on cycles 1 and 3; the dexamethasone counted from it the day before those only."""
    regimen = loads(Q6W, "k.regimen")
    plain = dosecal.expand(regimen, dosecal.Course(d(2026, 12, 7)))
    assert _dates(plain, "pembrolizumab") == [d(2026, 12, 7), d(2026, 12, 28), d(2027, 1, 18), d(2027, 2, 8)]
    assert _dates(plain, "dexamethasone") == [d(2026, 12, 6), d(2026, 12, 27), d(2027, 1, 17), d(2027, 2, 7)]
    q6w = dosecal.expand(regimen, dosecal.Course(d(2026, 12, 7), option="q6w"))
    assert _dates(q6w, "pembrolizumab") == [d(2026, 12, 7), d(2027, 1, 18)]
    assert {a.dose_amount for a in q6w if a.agent == "pembrolizumab"} == {Decimal(400)}
    assert {(a.route, a.duration_min) for a in q6w if a.agent == "pembrolizumab"} == {("IV", 30)}
    assert _dates(q6w, "dexamethasone") == [d(2026, 12, 6), d(2027, 1, 17)]


def test_an_unknown_option_is_refused_with_the_options_there_are() -> None:
    """Like an unknown level: the name, and which there are (or that there are none)."""
    with pytest.raises(CourseError) as caught:
        dosecal.expand(load(R04), dosecal.Course(d(2026, 12, 7), measures=MEASURES, option="boost-12"))
    assert caught.value.message == f"{R04} has no option 'boost-12'"
    assert caught.value.hint == "its options are boost-7.2, boost-9.0, boost-10.8"
    with pytest.raises(CourseError) as none:
        dosecal.expand(load("capox"), dosecal.Course(d(2026, 12, 7), cycles=1, option="q6w"))
    assert none.value.hint == "it has none: leave the option out"


def test_show_lists_the_options_and_shows_one() -> None:
    """`show` says what each option gives in place of the drug's own (the premedication counted from
    it among them); `--option` shows it made."""
    text = protocol_text.render(loads(Q6W, "k.regimen"))
    assert text.endswith(
        "options (give one with --option NAME)\n  q6w (line 7):\n"
        "    pembrolizumab 400 mg: cycles 1, 3: day 1\n"
        "    dexamethasone 4 mg: cycles 1, 3: day -1 (the day before pembrolizumab, line 8)\n"
    )
    chosen = CliRunner().invoke(cli, ["show", str(_write(Q6W)), "--option", "q6w"])
    assert chosen.exit_code == 0
    assert "option: q6w\n" in chosen.output
    assert "  pembrolizumab, 400 mg, IV (intravenous), over 30 min\n    cycles 1, 3: day 1\n" in chosen.output
    assert "options (" not in chosen.output


def _write(text: str) -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "k.regimen"
    path.write_text(text, "utf-8")
    return path


def test_a_course_file_chooses_an_option_and_is_told_at_its_line(tmp_path: Path) -> None:
    """`option boost-10.8` in a course file; an unknown one is refused at that line, at the name."""
    course = tmp_path / "p.course"
    text = f"course p1\n  regimen {R04}\n  start 2026-12-07\n  weight 70 kg\n  height 170 cm\n"
    text += "  option boost-10.8\n"
    course.write_text(text, "utf-8")
    result = CliRunner().invoke(cli, ["expand", "--course", str(course), "--format", "json", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert '"option": "boost-10.8"' in result.output
    assert result.output.count('"kind": "radiotherapy"') == 31
    course.write_text(text.replace("boost-10.8", "boost-12"), "utf-8")
    wrong = CliRunner().invoke(cli, ["expand", "--course", str(course)])
    assert wrong.exit_code == 1
    assert wrong.stderr.startswith(f"{course}:6:10: {R04} has no option 'boost-12'\n      option boost-12\n")
    both = CliRunner().invoke(cli, ["expand", "--course", str(course), "--option", "boost-9.0"])
    assert both.exit_code == 2 and "leave out --option" in both.stderr


def test_option_mistakes_are_said_at_their_lines() -> None:
    """A drug the phase does not give; a drug twice in one option; a line that breaks the phase's
    rules, said once at the option's line (the phase's own lines are not said again)."""
    text = (
        'regimen k "K"\n  cycle 21 days\n  pembrolizumab 200 mg IV\n    day 1\n'
        "  option q6w: nivolumab 480 mg\n    day 1\n"
        "  option q6w: pembrolizumab 400 mg\n    day 30\n"
    )
    assert refused(text) == [
        "e.regimen:5:15: option q6w changes nivolumab, which this regimen does not give",
        "      option q6w: nivolumab 480 mg",
        "                  ^^^^^^^^^",
        "    hint: write the option in the phase of the drug it changes, under its name as declared "
        "(a drug over the whole course has no options)",
        "",
        "1 error in e.regimen",
    ]
    twice = text.replace("nivolumab 480 mg", "pembrolizumab 480 mg")
    assert refused(twice)[0] == "e.regimen:7:15: option q6w already changes pembrolizumab on line 5"
    outside = text.replace("  option q6w: nivolumab 480 mg\n    day 1\n", "")
    assert refused(outside)[:4] == [
        "e.regimen:6:9: with option q6w: day 30 is outside a 21-day cycle",
        "        day 30",
        "            ^^",
        "    hint: days run from 1 to 21",
    ]
    assert refused(outside)[-1] == "1 error in e.regimen"


def test_a_roster_chooses_an_option_for_each_patient(tmp_path: Path) -> None:
    """The roster's `option` column: p1 as written (28 fractions), p2 and p3 with 6 boost fractions
    (31). From Wednesday 12-09 (p3) the pelvis ends on Tuesday 01-12 and the boost is 01-13 to 01-15,
    then 01-18 to 01-20. Each patient's own table is the roster's rows of that patient."""
    import csv

    roster = tmp_path / "roster.csv"
    rows = ["patient_id,regimen,start,weight,height,option"]
    rows += [f"p1,{R04},2026-12-07,70,170,", f"p2,{R04},2026-12-07,70,170,boost-10.8"]
    rows += [f"p3,{R04},2026-12-09,70,170,boost-10.8"]
    roster.write_text("\n".join(rows) + "\n", "utf-8")
    result = CliRunner().invoke(cli, ["batch", str(roster), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.stderr
    with (tmp_path / "out" / "administrations.csv").open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.DictReader(f))
    fractions = [r for r in table if r["kind"] == "radiotherapy"]
    assert [sum(r["patient_id"] == p for r in fractions) for p in ("p1", "p2", "p3")] == [28, 31, 31]
    p3 = [r["date"] for r in fractions if r["patient_id"] == "p3"][25:]
    assert p3 == ["2027-01-13", "2027-01-14", "2027-01-15", "2027-01-18", "2027-01-19", "2027-01-20"]
    with (tmp_path / "out" / "p2" / "administrations.csv").open(encoding="utf-8-sig", newline="") as f:
        own = list(csv.DictReader(f))
    assert [
        {k: v for k, v in r.items() if k != "patient_id"} for r in table if r["patient_id"] == "p2"
    ] == own


# ---- found by review: every check of a regimen holds for each option ---------------------------


@pytest.mark.parametrize(
    ("text", "first"),
    [
        (  # two doses on one date across phases: a's cycle 2 day 21 and b's day -1
            'regimen ax "Across"\n  phase a\n    cycle 21 days, 2 cycles\n    capecitabine 1000 mg PO\n'
            "      days 1-21\n  phase b\n    cycle 21 days, 2 cycles\n    capecitabine 1000 mg PO\n"
            "      days 1-14\n    option early: capecitabine\n      days -1, 1-14\n",
            "e.regimen:11:7: with option early: capecitabine on b cycle 1 day -1 is already given on that "
            "date by line 5, as a cycle 2 day 21",
        ),
        (  # a level's dose a day on each of the option's two doses a day
            'regimen lv2 "x"\n  cycle 21 days, 2 cycles\n  temozolomide 100 mg PO\n    days 1-3\n'
            "  option bid: temozolomide 50 mg\n    days 1-3, twice daily\n"
            "  level low: temozolomide 60 mg/day\n",
            "e.regimen:7:27: with option bid: 60 mg/day is an amount a day; a drug given 2 times a day "
            "needs the dose of each",
        ),
        (  # a level where the option states its doses on its lines
            'regimen lv3 "x"\n  cycle 21 days, 2 cycles\n  pembrolizumab 200 mg IV\n    day 1\n'
            "  option split: pembrolizumab\n    day 1 at 100 mg\n    day 8 at 100 mg\n"
            "  level minus1: pembrolizumab 150 mg\n",
            "e.regimen:8:17: with option split: pembrolizumab states its dose on its schedule lines; a level "
            "cannot replace it",
        ),
        (  # radiotherapy made a drug by a dose in mg
            'regimen k "x"\n  no cycles\n  radiotherapy 2 Gy\n    days 1-5\n  option a: radiotherapy 50 mg\n'
            "    days 1-5\n",
            "e.regimen:5:3: with option a: radiotherapy's doses are in Gy (radiotherapy): a fraction's dose "
            "is not in mg",
        ),
        (  # a run that would end before it starts
            'regimen r "x"\n  phase first\n    no cycles\n    radiotherapy 2 Gy\n      days 1-5\n'
            "    option neg: radiotherapy\n      day -3\n  phase second\n    cycle 21 days, 2 cycles\n"
            "    capecitabine 1000 mg PO\n      days 1-14\n",
            "e.regimen:2:9: with option neg: phase first has no cycles and no dose on or after its day 1: it "
            "would end before it starts",
        ),
        (  # a dose by AUC with no rule for the clearance
            'regimen a "x"\n  cycle 21 days\n  carboplatin 400 mg IV\n    day 1\n'
            "  option auc: carboplatin AUC 5\n    day 1\n",
            "e.regimen:3:3: with option auc: carboplatin is dosed by AUC: say how its creatinine clearance "
            "is estimated",
        ),
    ],
    ids=["across-phases", "level-a-day", "level-on-lines", "kind", "run-end", "auc"],
)
def test_an_option_is_checked_as_the_whole_regimen(text: str, first: str) -> None:
    """Each option is the whole regimen lowered again: a finding says the option's name."""
    assert refused(text)[0] == first


def test_an_option_that_writes_a_dose_is_that_dose_s_source() -> None:
    """`dose_source` names the option's line where it writes the dose (line 7), not the drug's."""
    schedule = dosecal.expand(loads(Q6W, "k.regimen"), dosecal.Course(d(2026, 12, 7), option="q6w"))
    assert {a.dose_source for a in schedule if a.agent == "pembrolizumab"} == {"regimen line 7"}


def test_a_roster_of_an_option_with_days_of_the_week_keeps_each_patients_days(tmp_path: Path) -> None:
    """Only the option gives days of the week: the roster still expands B (from a Wednesday) on its
    own days, 12-09 to 12-11, 12-14 and 12-15, not A's shifted."""
    import csv

    regimen = tmp_path / "wk.regimen"
    regimen.write_text(
        'regimen wk "x"\n  cycle 28 days, 2 cycles\n  capecitabine 825 mg PO, diary\n    days 1-5\n'
        "  option weekdays: capecitabine\n    cycle 1: Monday to Friday, 5 days\n    cycle 2: days 1-5\n",
        "utf-8",
    )
    roster = tmp_path / "r.csv"
    roster.write_text(
        f"patient_id,regimen,start,option\nA,{regimen},2026-12-07,weekdays\nB,{regimen},2026-12-09,weekdays\n"
    )
    result = CliRunner().invoke(cli, ["batch", str(roster), "-o", str(tmp_path / "out"), "--jobs", "1"])
    assert result.exit_code == 0, result.stderr
    with (tmp_path / "out" / "administrations.csv").open(encoding="utf-8-sig", newline="") as f:
        b = [r["date"] for r in csv.DictReader(f) if r["patient_id"] == "B"][:5]
    assert b == ["2026-12-09", "2026-12-10", "2026-12-11", "2026-12-14", "2026-12-15"]
