"""Patients kept apart (issue 11, point 5): the patient id is the course's identity.

Administration ids and calendar UIDs are uuid5 of the course id and the
dose's place, so two patients with the same course id would get the same
UIDs, and one's calendar would import as a revision of the other's.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import icalendar
import pypdf
import pytest
from click.testing import CliRunner, Result

from dosecal.cli.main import cli

COURSE = ["nct05922501", "--start", "2026-12-07", "--cycles", "1"]


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def ids(text: str) -> list[str]:
    return [r["administration_id"] for r in csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))]


def uids(path: Path) -> set[str]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(e["UID"]) for e in calendar.walk("VEVENT")}


@pytest.mark.parametrize("command", ["expand", "ics", "diary", "appointments", "make"])
def test_every_course_command_takes_a_patient_id(command: str) -> None:
    """`--patient-id` is an option of every command that takes a course."""
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "--patient-id" in result.output


def test_expand_and_make_give_the_same_ids_for_the_same_patient(tmp_path: Path) -> None:
    """`expand --patient-id X` and `make --patient-id X` make the same ids: X is the course id."""
    expanded = run("expand", *COURSE, "--patient-id", "PAT-B")
    made = run("make", *COURSE, "--patient-id", "PAT-B", "-o", str(tmp_path))
    assert expanded.exit_code == 0 and made.exit_code == 0
    table = (tmp_path / "PAT-B" / "administrations.csv").read_text("utf-8")
    assert ids(expanded.output) == ids(table)
    with_course_id = run("expand", *COURSE, "--course-id", "PAT-B")
    assert ids(with_course_id.output) == ids(expanded.output)
    anonymous = run("expand", *COURSE)
    assert set(ids(anonymous.output)).isdisjoint(ids(expanded.output))


def test_two_patients_into_one_folder_get_two_folders_and_disjoint_uids(tmp_path: Path) -> None:
    """The safety defect of issue 11: PAT-C's packet never replaces PAT-B's, nor revises its calendar."""
    for patient in ("PAT-B", "PAT-C"):
        result = run("make", *COURSE, "--patient-id", patient, "-o", str(tmp_path))
        assert result.exit_code == 0, result.output
        assert result.stderr.startswith(f"wrote {tmp_path}/{patient}/: calendar.ics, diary.pdf")
        assert f"; patient {patient})" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["PAT-B", "PAT-C"]
    b, c = uids(tmp_path / "PAT-B" / "calendar.ics"), uids(tmp_path / "PAT-C" / "calendar.ics")
    assert len(b) == len(c) > 0
    assert b.isdisjoint(c)
    # Each calendar is its own first revision: nothing was carried from the other patient's.
    assert b"SEQUENCE:1" not in (tmp_path / "PAT-C" / "calendar.ics").read_bytes()


def test_the_patient_id_is_printed_and_listed(tmp_path: Path) -> None:
    """The diary prints the patient id (on each cycle's first sheet); the visit list has it on every row."""
    run("make", *COURSE, "--patient-id", "PAT-B", "-o", str(tmp_path))
    pages = pypdf.PdfReader(tmp_path / "PAT-B" / "diary.pdf").pages
    assert "Participant ID: PAT-B" in pages[1].extract_text()
    visits = list(
        csv.DictReader(io.StringIO((tmp_path / "PAT-B" / "appointments.csv").read_text("utf-8-sig")))
    )
    assert visits and {v["patient_id"] for v in visits} == {"PAT-B"}


def test_without_an_id_the_folder_and_the_message_are_as_before(tmp_path: Path) -> None:
    """No --patient-id, no --course-id: <regimen>-<start>/, and the line says the ids are the regimen's."""
    result = run("make", *COURSE, "-o", str(tmp_path))
    assert result.exit_code == 0
    assert (tmp_path / "nct05922501-2026-12-07" / "calendar.ics").is_file()
    assert result.stderr.rstrip().endswith(
        "(34 administrations; no patient id: ids and UIDs are the regimen's (nct05922501); "
        "give each patient --patient-id)"
    )


def test_a_course_id_alone_names_the_folder(tmp_path: Path) -> None:
    """--course-id without --patient-id: the course's own folder, and the line names the course id."""
    result = run("make", *COURSE, "--course-id", "trial-7", "-o", str(tmp_path))
    assert result.exit_code == 0
    assert (tmp_path / "trial-7" / "calendar.ics").is_file()
    assert "; course id trial-7)" in result.stderr


def test_a_patient_and_a_course_id_both_said(tmp_path: Path) -> None:
    """Both given: the course's folder inside the patient's, the ids the course id's, and the line
    says both; a second course of the patient goes beside the first, never over it."""
    result = run("make", *COURSE, "--patient-id", "PAT-B", "--course-id", "c-1", "-o", str(tmp_path))
    assert result.exit_code == 0
    assert "; patient PAT-B, course id c-1)" in result.stderr
    second = run("make", *COURSE, "--patient-id", "PAT-B", "--course-id", "c-2", "-o", str(tmp_path))
    assert second.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "PAT-B").iterdir()) == ["c-1", "c-2"]
    table = (tmp_path / "PAT-B" / "c-1" / "administrations.csv").read_text("utf-8")
    assert ids(table) == ids(run("expand", *COURSE, "--course-id", "c-1").output)


def test_a_course_file_goes_into_its_course_ids_folder(tmp_path: Path) -> None:
    """A course file names its course (`course wu-017`): its packet is <folder>/wu-017/."""
    golden = Path(__file__).resolve().parents[1] / "golden" / "courses" / "wu-017.course"
    result = run("make", "--course", str(golden), "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "wu-017" / "calendar.ics").is_file()
    same = run("make", "--course", str(golden), "--patient-id", "wu-017", "-o", str(tmp_path / "again"))
    assert same.exit_code == 0
    other = run("make", "--course", str(golden), "--patient-id", "wu-018", "-o", str(tmp_path / "no"))
    assert other.exit_code == 1
    assert other.stderr == (
        f"dosecal: the course file {golden} is 'course wu-017', not patient wu-018: write the patient id "
        "on its course line, or leave out --patient-id\n"
    )
    assert not (tmp_path / "no").exists() or not any((tmp_path / "no").iterdir())


@pytest.mark.parametrize("flag", ["--patient-id", "--course-id"])
def test_an_empty_id_is_refused(flag: str) -> None:
    """An id of spaces would name nobody; refused with one line, exit 2."""
    result = run("expand", *COURSE, flag, "  ")
    assert result.exit_code == 2
    what = flag.removeprefix("--").replace("-", " ")
    assert result.stderr == (
        f"dosecal expand: Invalid value for '{flag}': the {what} is empty (see 'dosecal expand --help')\n"
    )


def test_previous_of_another_patient_is_refused(tmp_path: Path) -> None:
    """`--previous` naming another patient's calendar is refused: it holds none of this course's events."""
    run("make", *COURSE, "--patient-id", "PAT-B", "-o", str(tmp_path))
    theirs = tmp_path / "PAT-B" / "calendar.ics"
    result = run(
        "ics", *COURSE, "--patient-id", "PAT-C", "--previous", str(theirs), "-o", str(tmp_path / "c.ics")
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"dosecal: {theirs}: the previous calendar holds none of this course's events (course id PAT-C): "
        "it is another patient's or another course's calendar; leave out --previous to make a new one\n"
    )
    assert not (tmp_path / "c.ics").exists()
    mine = run(
        "ics", *COURSE, "--patient-id", "PAT-B", "--previous", str(theirs), "-o", str(tmp_path / "b.ics")
    )
    assert mine.exit_code == 0
    assert (tmp_path / "b.ics").read_bytes() == theirs.read_bytes()


def test_make_refuses_to_revise_a_calendar_of_another_regimen_in_the_patients_folder(tmp_path: Path) -> None:
    """A patient's second regimen into the same folder would make the first's events look like
    revisions (the drugs they share have the same places): refused; the first packet stays."""
    first = run("make", *COURSE, "--patient-id", "PAT-B", "-o", str(tmp_path))
    assert first.exit_code == 0
    before = {p.name: p.read_bytes() for p in (tmp_path / "PAT-B").iterdir()}
    other = ["nct04083898", "--start", "2027-06-07", "--cycles", "1", "--level", "1"]
    second = run("make", *other, "--patient-id", "PAT-B", "-o", str(tmp_path))
    assert second.exit_code == 1
    calendar = tmp_path / "PAT-B" / "calendar.ics"
    assert second.stderr == (
        f"dosecal: {calendar}: the previous calendar is of another regimen (Isatuximab + Belantamab "
        "mafodotin + Pomalidomide + Dexamethasone): it is another course's calendar; this folder holds "
        "another course's packet: give this course its own --course-id (a folder of its own inside the "
        "patient's), or another -o\n"
    )
    assert {p.name: p.read_bytes() for p in (tmp_path / "PAT-B").iterdir()} == before
    beside = run("make", *other, "--patient-id", "PAT-B", "--course-id", "PAT-B-2", "-o", str(tmp_path))
    assert beside.exit_code == 0
    assert (tmp_path / "PAT-B" / "PAT-B-2" / "calendar.ics").is_file()


def test_a_calendar_of_the_other_layout_is_the_same_course(tmp_path: Path) -> None:
    """Switching to --per-administration (or back) is not another patient's calendar: accepted."""
    grouped, each = tmp_path / "g.ics", tmp_path / "each.ics"
    assert run("ics", *COURSE, "--patient-id", "PAT-B", "-o", str(grouped)).exit_code == 0
    switched = run(
        "ics", *COURSE, "--patient-id", "PAT-B", "--per-administration", "--previous", str(grouped)
    )
    assert switched.exit_code == 0, switched.stderr
    each.write_text(switched.output, "utf-8", newline="")
    back = run(
        "ics", *COURSE, "--patient-id", "PAT-B", "--previous", str(each), "-o", str(tmp_path / "b.ics")
    )
    assert back.exit_code == 0, back.stderr


def test_a_delayed_course_is_still_the_same_course(tmp_path: Path) -> None:
    """A later start moves every date but keeps every UID: the previous calendar is accepted and the
    moved events get the next SEQUENCE."""
    old = tmp_path / "old.ics"
    assert run("ics", *COURSE, "--patient-id", "PAT-B", "-o", str(old)).exit_code == 0
    later = ["nct05922501", "--start", "2026-12-14", "--cycles", "1"]
    moved = run("ics", *later, "--patient-id", "PAT-B", "--previous", str(old))
    assert moved.exit_code == 0, moved.stderr
    assert "SEQUENCE:1" in moved.output and "SEQUENCE:0" not in moved.output


@pytest.mark.parametrize("patient", ["../../escaped", "a/b", ".hidden", "PAT 1", "x" * 65])
def test_make_refuses_an_id_that_cannot_name_a_folder(tmp_path: Path, patient: str) -> None:
    """The packet's folder is the patient id: a path ('../x'), a hidden or a spaced name is refused
    (batch's rule for roster ids), exit 2, and nothing is written anywhere."""
    target = tmp_path / "deep" / "out"
    result = run("make", *COURSE, "--patient-id", patient, "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr == (
        f"dosecal make: Invalid value for '--patient-id': the patient id '{patient}' cannot name a folder: "
        "use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit "
        "(see 'dosecal make --help')\n"
    )
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) in ([], ["deep", "deep/out"])


def test_expand_takes_any_printable_patient_id() -> None:
    """Only make names a folder by the id: expand takes an id with a space (it names no file)."""
    result = run("expand", *COURSE, "--patient-id", "PAT 1")
    assert result.exit_code == 0


def test_a_course_file_with_a_zero_measure_flag_is_refused() -> None:
    """`--course FILE --weight 0` is a flag given (0 is a value), refused like any other with --course."""
    golden = Path(__file__).resolve().parents[1] / "golden" / "courses" / "wu-017.course"
    result = run("expand", "--course", str(golden), "--weight", "0")
    assert result.exit_code == 2
    assert result.stderr == (
        "dosecal expand: --course gives the whole course: leave out --weight (see 'dosecal expand --help')\n"
    )


def test_a_course_file_may_carry_a_patient_id_as_written(tmp_path: Path) -> None:
    """`course PAT-017` (capitals, as a record number is written) matches `--patient-id PAT-017`."""
    path = tmp_path / "pat.course"
    path.write_text("course PAT-017\n  regimen nct05922501\n  start 2026-12-07\n  cycles 1\n", "utf-8")
    result = run("make", "--course", str(path), "--patient-id", "PAT-017", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out" / "PAT-017" / "calendar.ics").is_file()
