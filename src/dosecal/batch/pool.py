"""The roster's worker pool: chunks of rows made in roster order, by this process or by many.

Each worker makes its rows' packets (`dosecal.packet`) and their records
for the combined tables (`dosecal.batch.tables`); the records come back in
roster order, so the tables are the same for any number of processes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from dosecal import packet
from dosecal.batch import courses
from dosecal.batch.roster_file import Entry, Refusal
from dosecal.batch.tables import CombinedTables
from dosecal.engine.expand import expand
from dosecal.errors import DosecalError, OutputError
from dosecal.io.files import (
    AtomicFile,
    append_file,
    atomic_file,
    commit_all,
    make_folder,
    private_folder,
    write_part,
)
from dosecal.io.read import previous_calendar
from dosecal.model.course import Course
from dosecal.model.regimen import Regimen
from dosecal.packet import Paper, Profile
from dosecal.render.ics import ForeignCalendarError
from dosecal.views.holidays import Region, closed_days
from dosecal.views.visits import MovePolicy


@contextlib.contextmanager
def combined(path: Path, header: str) -> Iterator[AtomicFile]:
    """A combined table: whole, or not there (1 MiB buffer for the 4-million-row case)."""
    with atomic_file(path, buffering=1 << 20) as pending:
        pending.handle.write(header.encode("utf-8"))
        yield pending


@dataclass(frozen=True, slots=True)
class Settings:
    """What every worker needs to make a patient: plain values, so they pickle."""

    folder: Path
    roster_folder: Path
    packets: bool
    visit_time: dt.time | None
    paper: Paper
    holidays: Region | None
    move_closed: MovePolicy
    profile: Profile


@dataclass(frozen=True, slots=True)
class Done:
    """A chunk of the roster, made: its combined-table records and its refusals.

    The records are bytes when made in this process, else the part files a
    worker wrote them to (sending them back through a pipe costs more than
    the work); either way they go into the combined tables in roster order.
    """

    table: bytes | Path
    visits: bytes | Path
    refused: tuple[Refusal, ...]
    made: int
    closed: int


class _Worker:
    """A process's state: the settings, the regimens read so far, the course shapes expanded so far."""

    def __init__(self, settings: Settings, parent: int | None = None) -> None:
        self.settings = settings
        self.parent = parent  # a worker's run (None: this is the run's own process)
        self.regimens = courses.Regimens(settings.roster_folder)
        closed = closed_days(settings.holidays)
        self.tables = CombinedTables(settings.profile, settings.visit_time, closed, settings.move_closed)
        self.visits = packet.VisitSettings(settings.visit_time, closed, settings.move_closed)

    def chunk(self, entries: list[Entry], part: Path | None = None) -> Done:
        table: list[str] = []
        visits: list[str] = []
        refused: list[Refusal] = []
        made = closed = 0
        for entry in entries:
            if self.parent is not None and os.getppid() != self.parent:
                os._exit(1)  # the run that asked for this chunk is gone (see `_die_with`)
            try:
                regimen, course = courses.course(entry, self.settings.roster_folder, self.regimens)
                records, visit_records, on_closed = self.tables.patient(entry.patient_id, regimen, course)
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
            return Done(data[0], data[1], tuple(refused), made, closed)
        paths = [part.with_suffix(".table.tmp"), part.with_suffix(".visits.tmp")]
        for path, content in zip(paths, data, strict=True):
            write_part(path, content)
        return Done(paths[0], paths[1], tuple(refused), made, closed)

    def _packet(self, patient_id: str, regimen: Regimen, course: Course) -> None:
        """The patient's packet, as `dosecal make` writes it, rendered whole before any of it is written."""
        s = self.settings
        target = s.folder / patient_id
        replaces = target / "calendar.ics"
        # As make: the calendar already in the patient's folder is the one this replaces (its
        # events keep or raise their SEQUENCE), and one of another course is refused.
        previous = packet.Previous(str(replaces), previous_calendar(replaces)) if replaces.is_file() else None
        options = packet.Options(
            patient_id=patient_id,
            calendar=packet.CalendarSettings(previous=previous),
            diary=packet.DiarySettings(s.paper),
            visits=self.visits,
            profile=s.profile,
        )
        try:
            made = packet.build(expand(regimen, course), options)
        except ForeignCalendarError as error:
            raise OutputError(
                f"{error}; the patient's folder holds another course's packet: write this roster into "
                "another -o"
            ) from None
        make_folder(target)
        commit_all({target / f.name: f.content for f in made.files})


def _bug(error: Exception) -> str:
    return (
        f"internal error ({type(error).__name__}: {error}); this is a bug in dosecal, please report it "
        "with this row; the other rows were made"
    )


_WORKER: _Worker | None = None


def _start_worker(settings: Settings, parent: int) -> None:
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


def _work(job: tuple[list[Entry], Path]) -> Done:
    assert _WORKER is not None, "the pool's initializer sets the worker up"
    return _WORKER.chunk(*job)


def _chunks(entries: list[Entry], size: int) -> list[list[Entry]]:
    return [entries[i : i + size] for i in range(0, len(entries), size)]


def made_chunks(entries: list[Entry], settings: Settings, jobs: int) -> Generator[Done, None, None]:
    """Chunks made in roster order: in this process, or by a pool of `jobs` processes."""
    # Chunks small enough for a lively progress bar, large enough to keep the pipes busy.
    size = max(1, min(200, len(entries) // (jobs * 4) or 1))
    if jobs == 1 or len(entries) <= size:
        worker = _Worker(settings)
        for chunk in _chunks(entries, size):
            yield worker.chunk(chunk)
        return
    import multiprocessing

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


def append(handle: IO[bytes], records: bytes | Path) -> None:
    """Records at the end of a combined table: bytes made here, or a worker's part file (moved)."""
    if isinstance(records, bytes):
        handle.write(records)
    else:
        append_file(handle, records)
