"""The course flags -> a regimen, a course, its schedule; and the patient's identity.

The interface's edge: flags become typed values here (a `Course`, the
`Identity`), and every refusal is a click usage error or a `CourseError`
with one sentence. Nothing here decides anything clinical: the plan does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from dosecal.cli.options import CourseFlags
from dosecal.engine.expand import expand
from dosecal.engine.table import Schedule
from dosecal.errors import CourseError
from dosecal.io import files
from dosecal.io.read import bundled, load, load_course, resolve
from dosecal.language.values import parse_dose
from dosecal.model.course import Course
from dosecal.model.measures import BsaFormula, Measures, Sex
from dosecal.model.regimen import Regimen


@dataclass(frozen=True, slots=True)
class Identity:
    """Whose course this is: the patient id as given, and the course id the ids and UIDs come from.

    `explicit` is False when neither was given and the course id is the
    regimen's name: every such course of a regimen shares its ids.
    """

    patient_id: str | None
    course_id: str
    explicit: bool

    def said(self) -> str:
        """The identity in the words of `make`'s report line."""
        if not self.explicit:
            return (
                f"no patient id: ids and UIDs are the regimen's ({self.course_id}); "
                "give each patient --patient-id"
            )
        if self.patient_id is not None and self.patient_id == self.course_id:
            return f"patient {self.patient_id}"
        who = f"patient {self.patient_id}, " if self.patient_id is not None else ""
        return f"{who}course id {self.course_id}"


def find_regimen(value: str) -> Path:
    """REGIMEN: a path, else the name of a bundled regimen; a usage error naming both if neither."""
    try:
        return resolve(value)
    except FileNotFoundError:
        names = ", ".join(bundled())
        raise click.BadParameter(
            f"no regimen '{value}': not a file, and not a bundled regimen ({names})",
            param_hint="REGIMEN",
        ) from None


def load_regimen(value: str) -> Regimen:
    path = find_regimen(value)
    try:
        return load(path)
    except OSError as error:
        raise click.FileError(str(path), error.strerror) from None


def _check_id(value: str | None, flag: str) -> None:
    if value is not None and not value.strip():
        raise click.BadParameter(
            f"the {flag.removeprefix('--').replace('-', ' ')} is empty", param_hint=f"'{flag}'"
        )


def course_of(flags: CourseFlags) -> tuple[Regimen, Course]:
    """The regimen and the course the flags describe (not yet checked against each other)."""
    _check_id(flags.patient_id, "--patient-id")
    _check_id(flags.course_id, "--course-id")
    if flags.course_file is not None:
        return _from_file(flags)
    if flags.regimen is None or flags.start is None:
        raise click.UsageError("give REGIMEN and --start DATE, or --course FILE")
    if flags.cycles is not None and flags.until is not None:
        raise click.UsageError("give --cycles or --until, not both")
    regimen = load_regimen(flags.regimen)
    doses = []
    for text in flags.doses:
        try:
            doses.append(parse_dose(text))
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--dose") from None
    measures = Measures(
        flags.weight,
        flags.height,
        BsaFormula(flags.bsa_formula or "mosteller"),
        flags.age,
        Sex(flags.sex.lower()) if flags.sex else None,
        flags.creatinine,
    )
    course_id = flags.course_id or flags.patient_id
    course = Course(
        flags.start,
        flags.cycles,
        flags.until,
        flags.level,
        tuple(doses),
        measures,
        course_id,
        option=flags.option,
    )
    return regimen, course


def _from_file(flags: CourseFlags) -> tuple[Regimen, Course]:
    assert flags.course_file is not None
    stated = {
        "REGIMEN": flags.regimen,
        "--start": flags.start,
        "--cycles": flags.cycles,
        "--until": flags.until,
        "--level": flags.level,
        "--option": flags.option,
        "--dose": flags.doses,
        "--weight": flags.weight,
        "--height": flags.height,
        "--bsa": flags.bsa_formula,
        "--age": flags.age,
        "--sex": flags.sex,
        "--creatinine": flags.creatinine,
        "--course-id": flags.course_id,
    }
    given = [name for name, value in stated.items() if value is not None and value != ()]  # 0 is given
    if given:
        raise click.UsageError(f"--course gives the whole course: leave out {', '.join(given)}")
    regimen, course = load_course(flags.course_file)
    if flags.patient_id is not None and course.course_id != flags.patient_id:
        # Ids and calendar UIDs come from the course id: a patient must not get another's.
        raise CourseError(
            f"the course file {flags.course_file} is 'course {course.course_id}', not patient "
            f"{flags.patient_id}: write the patient id on its course line, or leave out --patient-id"
        )
    return regimen, course


def schedule_of(flags: CourseFlags) -> tuple[Schedule, Identity]:
    """The course's administration table, and whose it is."""
    regimen, course = course_of(flags)
    schedule = expand(regimen, course)
    for drug, warning in schedule.plan.warnings:  # also in every row's basis: here for the reader now
        click.echo(f"dosecal: {drug}: {warning}", err=True)
    explicit = course.course_id is not None
    identity = Identity(flags.patient_id, schedule.plan.course_id, explicit)
    return schedule, identity


def emit(content: str | bytes, output: Path | None) -> None:
    """To the file, whole or not at all (`dosecal.io.files`), or to standard output."""
    if output is None:
        click.echo(content, nl=False)
    else:
        files.write_atomically(output, content.encode("utf-8") if isinstance(content, str) else content)
