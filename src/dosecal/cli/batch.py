"""`dosecal batch ROSTER.csv`: every patient's packet and the roster's combined tables.

For each good row: the patient's packet in DIR/<patient_id>/ (unless
--no-packets), and its rows in DIR/administrations.csv and
DIR/appointments.csv. A refused row is reported on stderr with its line
number and leaves nothing behind; the others go on. The combined tables
are written to temporary files and renamed at the end, so they are either
complete (every good row) or not there. Exit 1 when a row was refused.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from dosecal.cli.params import (
    ClockParam,
    appointment_options,
    csv_profile_option,
    folder_option,
    parse_dose,
)
from dosecal.errors import DosecalError, RegimenError

if TYPE_CHECKING:
    from dosecal.batch.roster_file import Entry
    from dosecal.io.files import AtomicFile
    from dosecal.model.course import Course
    from dosecal.model.regimen import Regimen


class _Regimens:
    """Each regimen file read once per roster; a broken one is the row's problem, not the roster's.

    A broken file is read once too: the first row that names it gets its
    mistakes, each later row a line that points there (20,000 rows must not
    parse it 20,000 times, nor print its mistakes under every row).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.loaded: dict[str, Regimen] = {}
        self.by_name: dict[str, Regimen] = {}
        self.broken: dict[str, int] = {}  # regimen file -> the roster line its mistakes are under

    def read(self, path: Path, line: int = 0) -> Regimen:
        """The regimen at `path`, read once (a course file's regimen)."""
        from dosecal.io.read import load

        key = str(path.resolve())
        if key not in self.loaded:
            self._refused_before(key, path)
            try:
                self.loaded[key] = load(path)
            except RegimenError:
                self.broken[key] = line
                raise
        return self.loaded[key]

    def get(self, value: str, line: int = 0) -> Regimen:
        """The regimen a roster row names (a bundled name, or a file beside the roster)."""
        if value not in self.by_name:
            self.by_name[value] = self._find(value, line)
        return self.by_name[value]

    def _refused_before(self, key: str, path: Path) -> None:
        from dosecal.errors import CourseError

        if key in self.broken:
            where = f"under line {self.broken[key]}" if self.broken[key] else "above"
            raise CourseError(f"{path} has mistakes (listed {where})")

    def _find(self, value: str, line: int) -> Regimen:
        from dosecal.errors import CourseError
        from dosecal.io.read import load, regimen_path

        path = regimen_path(value, self.folder)
        if path is None:
            raise CourseError(
                f"no regimen '{value}': not a file beside the roster, and not a bundled regimen"
            )
        key = str(path.resolve())
        if key not in self.loaded:
            self._refused_before(key, path)
            try:
                self.loaded[key] = load(path)
            except RegimenError as error:
                self.broken[key] = line
                raise CourseError(_regimen_problem(error)) from None
            except OSError as error:
                raise CourseError(f"cannot read {path}: {error.strerror}") from None
        return self.loaded[key]


def _regimen_problem(error: RegimenError) -> str:
    """The file's diagnostics, under the row's line (render() ends with the count and the name)."""
    return f"{error.source.name} has mistakes:\n{error.render()}"


def _course(entry: Entry, folder: Path, regimens: _Regimens) -> tuple[Regimen, Course]:
    """The row as a regimen and a course; `CourseError` with one clear sentence if it is wrong."""
    from dosecal.errors import CourseError
    from dosecal.io.read import load_course
    from dosecal.model.course import Course
    from dosecal.model.dosing import Measures

    if entry.course:
        path = folder / entry.course
        try:
            regimen, course = load_course(path, lambda where: regimens.read(where, entry.line))
        except RegimenError as error:
            raise CourseError(_regimen_problem(error)) from None
        except OSError as error:
            raise CourseError(f"cannot read the course file {path}: {error.strerror}") from None
        if course.course_id != entry.patient_id:
            # Ids and calendar UIDs come from the course id: two rows must never share them.
            raise CourseError(
                f"the course file {entry.course} is 'course {course.course_id}': "
                f"write the patient id {entry.patient_id} on its course line, or that id here"
            )
        return regimen, course
    regimen = regimens.get(entry.regimen, entry.line)
    try:
        course = Course(
            start=_value("start", entry.start, _date),
            cycles=_value("cycles", entry.cycles, _count),
            until=_value("until", entry.until, _date),
            level=entry.level or None,
            doses=tuple(_dose(d) for d in entry.doses.split(";") if d.strip()),
            measures=Measures(
                _value("weight", entry.weight, _number),
                _value("height", entry.height, _number),
                _bsa(entry.bsa),
            ),
            course_id=entry.patient_id,
        )
    except ValueError as error:
        raise CourseError(str(error)) from None
    return regimen, course


def _value(column: str, text: str, parse: Any) -> Any:
    if not text:
        return None
    try:
        return parse(text)
    except ValueError as error:
        raise ValueError(f"{column}: {error}") from None


def _date(text: str) -> Any:
    from dosecal.cli.params import parse_date

    return parse_date(text)


def _number(text: str) -> Any:
    """A weight or height cell: a plain number, as on the command line (`cliparams.parse_number`);
    its range is the one of `dosing.Measures`, in its words."""
    from dosecal.cli.params import parse_number

    return parse_number(text)


def _count(text: str) -> int:
    """A cycles cell: a whole number of `limits.CYCLE_COUNT`, refused in the command line's words."""
    from dosecal.errors import CourseError
    from dosecal.limits import CYCLE_COUNT, LimitError, implausible_cycles

    if not text.isdigit():
        raise ValueError(f"'{text}' is not a whole number of cycles")
    try:
        return CYCLE_COUNT.whole(text)
    except LimitError as error:
        if not error.outside:  # a digit Python knows but numbers are not written with ("²")
            raise ValueError(f"'{text}' is not a whole number of cycles") from None
        raise CourseError(implausible_cycles(text)) from None


def _bsa(text: str) -> Any:
    from dosecal.model.dosing import BsaFormula

    if text.lower() not in ("", "mosteller", "dubois"):
        raise ValueError(f"bsa: '{text}' is not a BSA formula (mosteller or dubois)")
    return BsaFormula(text.lower() or "mosteller")


def _dose(text: str) -> Any:
    try:
        return parse_dose(text.strip())
    except click.BadParameter as error:
        raise ValueError(f"doses: {error.message}") from None


@contextlib.contextmanager
def _combined(path: Path, header: str) -> Iterator[AtomicFile]:
    """A combined table: whole, or not there (1 MiB buffer for the 4-million-row case)."""
    from dosecal.io.files import atomic_file

    with atomic_file(path, buffering=1 << 20) as pending:
        pending.handle.write(header.encode("utf-8"))
        yield pending


@dataclass(frozen=True, slots=True)
class _Settings:
    """What every worker needs to make a patient: plain values, so they pickle."""

    folder: Path
    roster_folder: Path
    packets: bool
    visit_time: Any
    paper: str
    holiday_code: Any
    move_closed: str
    csv_profile: str


@dataclass(frozen=True, slots=True)
class _Done:
    """A chunk of the roster, made: its combined-table records and its refusals.

    The records are bytes when made in this process, else the part files a
    worker wrote them to (sending them back through a pipe costs more than
    the work); either way they go into the combined tables in roster order.
    """

    table: bytes | Path
    visits: bytes | Path
    refused: tuple[Any, ...]
    made: int
    closed: int


class _Worker:
    """A process's state: the settings, the regimens read so far, the course shapes expanded so far."""

    def __init__(self, settings: _Settings, parent: int | None = None) -> None:
        from dosecal.batch.tables import Roster
        from dosecal.cli.params import closed_days
        from dosecal.render.csv_table import Profile
        from dosecal.views.visits import MovePolicy

        self.settings = settings
        self.parent = parent  # a worker's run (None: this is the run's own process)
        self.regimens = _Regimens(settings.roster_folder)
        closed = closed_days(settings.holiday_code)
        self.engine = Roster(
            Profile(settings.csv_profile), settings.visit_time, closed, MovePolicy(settings.move_closed)
        )

    def chunk(self, entries: list[Entry], part: Path | None = None) -> _Done:
        from dosecal.batch.roster_file import Refusal

        table: list[str] = []
        visits: list[str] = []
        refused: list[Refusal] = []
        made = closed = 0
        for entry in entries:
            if self.parent is not None and os.getppid() != self.parent:
                os._exit(1)  # the run that asked for this chunk is gone (see `_die_with`)
            try:
                regimen, course = _course(entry, self.settings.roster_folder, self.regimens)
                records, visit_records, on_closed = self.engine.patient(entry.patient_id, regimen, course)
                if self.settings.packets:
                    self._packet(entry.patient_id, regimen, course)
            except DosecalError as error:
                refused.append(Refusal(entry.line, entry.patient_id, str(error)))
                continue
            except Exception as error:  # a bug must not cost the other patients their packets
                refused.append(Refusal(entry.line, entry.patient_id, _bug(error)))
                continue
            table.append(records)
            visits.append(visit_records)
            made, closed = made + 1, closed + on_closed
        data = ["".join(table).encode("utf-8"), "".join(visits).encode("utf-8")]
        if part is None:
            return _Done(data[0], data[1], tuple(refused), made, closed)
        paths = [part.with_suffix(".table.tmp"), part.with_suffix(".visits.tmp")]
        for path, content in zip(paths, data, strict=True):
            path.write_bytes(content)
        return _Done(paths[0], paths[1], tuple(refused), made, closed)

    def _packet(self, patient_id: str, regimen: Regimen, course: Course) -> None:
        s = self.settings
        _write_packet(s.folder / patient_id, regimen, course, patient_id, s, self.engine)


def _bug(error: Exception) -> str:
    return (
        f"internal error ({type(error).__name__}: {error}); this is a bug in dosecal, please report it "
        "with this row; the other rows were made"
    )


_WORKER: _Worker | None = None


def _start_worker(settings: _Settings, parent: int) -> None:
    import signal

    # Ctrl-C is the main process's to handle: it stops the pool at once; SIGTERM
    # (from the pool's terminate) simply ends the worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    _die_with(parent)
    global _WORKER
    _WORKER = _Worker(settings, parent)


def _die_with(parent: int) -> None:
    """A worker must not outlive the run that started it (a SIGKILL gives the run no time to stop it).

    Left running, it would write its patients' packets after a later, corrected
    run had written theirs. Linux kills it with its parent (PR_SET_PDEATHSIG);
    elsewhere, and if the parent died before that was set, each patient checks.
    """
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def _work(job: tuple[list[Entry], Path]) -> _Done:
    assert _WORKER is not None, "the pool's initializer sets the worker up"
    return _WORKER.chunk(*job)


def _chunks(entries: list[Entry], size: int) -> list[list[Entry]]:
    return [entries[i : i + size] for i in range(0, len(entries), size)]


@click.command()
@click.argument("roster", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@folder_option("Folder for the packets (<folder>/<patient_id>/) and the combined tables.")
@click.option(
    "--packets/--no-packets",
    default=True,
    show_default=True,
    help="Write each patient's packet, or only the combined tables.",
)
@click.option("--visit-time", type=ClockParam(), help="Local start time of clinic visits (HH:MM).")
@click.option(
    "--paper", type=click.Choice(["letter", "a4"]), default="letter", show_default=True, help="Diary paper."
)
@appointment_options
@csv_profile_option
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    help="Processes working at once (default: one per CPU). The output is the same for any number.",
)
def batch(roster: Path, jobs: int | None, **options: Any) -> None:
    """Make every patient of a roster (CSV): packets, and one table of all visits and doses.

    The roster's columns: patient_id, and either course (a course file) or
    regimen and start, with cycles, until, level, weight, height, bsa and
    doses ("drug=AMOUNT UNIT; ...") as needed. See docs/course.md.
    """
    from dosecal.batch import roster_file
    from dosecal.batch.tables import TABLE_COLUMNS
    from dosecal.io.files import make_folder
    from dosecal.render import csv_table as csv
    from dosecal.views.visits import COLUMNS as VISIT_COLUMNS

    text = _read_roster(roster)
    entries, refused = roster_file.read(text, str(roster))
    settings = _Settings(roster_folder=roster.parent, **options)
    profile = csv.Profile(settings.csv_profile)
    headers = [profile.preamble + csv.record(c, profile) for c in (TABLE_COLUMNS, VISIT_COLUMNS)]
    made = closed = 0
    folder = settings.folder
    make_folder(folder)
    with (
        _terminate_cleanly(),
        _combined(folder / "administrations.csv", headers[0]) as table,
        _combined(folder / "appointments.csv", headers[1]) as visits,
        _progress(len(entries)) as bar,
        contextlib.closing(_run(entries, settings, jobs or os.cpu_count() or 1)) as made_chunks,
    ):
        for done in made_chunks:
            _append(table.handle, done.table)
            _append(visits.handle, done.visits)
            refused += done.refused
            made, closed = made + done.made, closed + done.closed
            bar.update(done.made + len(done.refused))
        if not made:
            # A run that makes nobody must not replace the tables of the last run that did.
            table.discard()
            visits.discard()
    _report(roster, refused, made, closed, folder)


# A roster of a million patients is about 50 MB.
_ROSTER_BYTES = 256 * 1024 * 1024


def _read_roster(roster: Path) -> str:
    """The roster's text: a regular file (not /dev/zero, not a FIFO), of a roster's size, UTF-8."""
    import stat

    try:
        if not stat.S_ISREG(roster.stat().st_mode):
            raise click.ClickException(f"{roster}: not a regular file (give the roster's CSV file)")
        with roster.open("rb") as handle:
            data = handle.read(_ROSTER_BYTES + 1)
    except OSError as error:
        raise click.ClickException(f"cannot read {roster}: {error.strerror}") from None
    if len(data) > _ROSTER_BYTES:
        raise click.ClickException(f"{roster}: larger than {_ROSTER_BYTES // 2**20} MB; split the roster")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{roster}: not UTF-8 text (save the roster as CSV UTF-8)") from None


def _run(entries: list[Entry], settings: _Settings, jobs: int) -> Generator[_Done, None, None]:
    """Chunks made in roster order: in this process, or by a pool of `jobs` processes."""
    # Chunks small enough for a lively progress bar, large enough to keep the pipes busy.
    size = max(1, min(200, len(entries) // (jobs * 4) or 1))
    if jobs == 1 or len(entries) <= size:
        worker = _Worker(settings)
        for chunk in _chunks(entries, size):
            yield worker.chunk(chunk)
        return
    import multiprocessing

    from dosecal.io.files import private_folder

    with private_folder(settings.folder, "batch") as parts:
        work = [(c, parts / f"part-{n:06d}") for n, c in enumerate(_chunks(entries, size))]
        pool = multiprocessing.get_context().Pool(
            jobs, initializer=_start_worker, initargs=(settings, os.getpid())
        )
        try:
            yield from pool.imap(_work, work)
            pool.close()
        finally:
            pool.terminate()  # at once on Ctrl-C or an error; after close(), a no-op wait
            pool.join()


def _append(handle: IO[bytes], records: bytes | Path) -> None:
    """Records at the end of a combined table; a part file is copied by the kernel and removed."""
    if isinstance(records, bytes):
        handle.write(records)
        return
    handle.flush()
    with records.open("rb") as part:
        size = os.fstat(part.fileno()).st_size
        copied = 0
        try:
            while copied < size:
                n = os.copy_file_range(part.fileno(), handle.fileno(), size - copied)
                if n == 0:
                    break
                copied += n
        except (AttributeError, OSError):  # not Linux, or a file system without it
            part.seek(copied)
            shutil.copyfileobj(part, handle, 1 << 20)
    records.unlink()


def _write_packet(
    target: Path, regimen: Regimen, course: Course, patient_id: str, settings: _Settings, engine: Any
) -> None:
    """The patient's packet, as `dosecal make` writes it, rendered whole before any of it is written."""
    from dosecal.cli.main import _calendar_bytes, _diary_bytes
    from dosecal.engine.expand import expand
    from dosecal.io.files import commit_all, make_folder
    from dosecal.render import csv_table as csv
    from dosecal.render import csv_visits as appointments
    from dosecal.views.visits import visits

    schedule = expand(regimen, course)
    found = visits(schedule, patient_id, settings.visit_time, engine.closed, engine.policy)
    calendar = dict.fromkeys(
        ("zone", "visit_time", "reminder", "home_reminder", "generated_at", "previous"), None
    )
    calendar["per_administration"] = False
    files = {
        "calendar.ics": _calendar_bytes(schedule, calendar, replaces=target / "calendar.ics"),
        "diary.pdf": _diary_bytes(schedule, patient_id, settings.paper),
        "administrations.csv": csv.render(schedule, engine.profile).encode("utf-8"),
        "appointments.csv": appointments.render(found, engine.profile).encode("utf-8"),
    }
    make_folder(target)
    commit_all({target / name: content for name, content in files.items()})


@contextlib.contextmanager
def _terminate_cleanly() -> Iterator[None]:
    """SIGTERM (a scheduler, `kill`) and SIGHUP (a closed terminal) unwind like Ctrl-C: workers
    stopped, temporary files removed."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    except ValueError:  # not the main thread (an embedding program): leave signals alone
        yield
        return
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Any]:
    """click's progress bar on a terminal; elsewhere (a log, a pipe) nothing."""
    if sys.stderr.isatty():
        with click.progressbar(length=total, label="patients", file=sys.stderr) as bar:
            yield bar
    else:
        yield _Silent()


class _Silent:
    def update(self, n: int) -> None:
        """No terminal, no bar."""


def _report(roster: Path, refused: list[Any], made: int, closed: int, folder: Path) -> None:
    from dosecal.text import visible

    for r in sorted(refused, key=lambda r: r.line):
        who = f"patient {r.patient_id}: " if r.patient_id else ""
        click.echo(visible(f"{roster}:{r.line}: {who}{r.message}", lines=True), err=True)
    total = made + len(refused)
    if closed:
        click.echo(
            f"dosecal: {closed} visits fall on closed days (see the closed and moved columns)", err=True
        )
    if not made:
        kept = "were left as they were" if (folder / "administrations.csv").exists() else "were not written"
        why = f"{len(refused)} of {total} rows refused, above" if total else "the roster lists no patient"
        click.echo(f"dosecal: no patient was made ({why}); the combined tables in {folder}/ {kept}", err=True)
        raise click.exceptions.Exit(1)
    click.echo(
        f"wrote {folder}/: administrations.csv, appointments.csv; {made} of {total} patients"
        + (
            f"; {len(refused)} row{'s' if len(refused) != 1 else ''} refused (above) and not in the tables"
            if refused
            else ""
        ),
        err=True,
    )
    if refused:
        raise click.exceptions.Exit(1)
