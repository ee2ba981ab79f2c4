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
import datetime as dt
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import click

from dosecal.cli.options import VisitFlags, csv_profile_option, folder_option, paper_option, visit_options
from dosecal.cli.params import ClockParam
from dosecal.text import visible

if TYPE_CHECKING:  # the command imports the batch machinery when it runs, not for `--help`
    from dosecal.batch.roster_file import Refusal
    from dosecal.packet import Paper, Profile


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
@paper_option
@visit_options
@csv_profile_option
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    help="Processes working at once (default: one per CPU). The output is the same for any number.",
)
def batch(
    roster: Path,
    folder: Path,
    packets: bool,
    visit_time: dt.time | None,
    paper: Paper,
    visits: VisitFlags,
    profile: Profile,
    jobs: int | None,
) -> None:
    """Make every patient of a roster (CSV): packets, and one table of all visits and doses.

    The roster's columns: patient_id, and either course (a course file) or
    regimen and start, with cycles, until, level, weight, height, bsa, age,
    sex, creatinine ("1.0 mg/dL") and doses ("drug=AMOUNT UNIT; ...") as
    needed. See docs/course.md.
    """

    from dosecal.batch import pool, roster_file
    from dosecal.batch.tables import TABLE_COLUMNS
    from dosecal.io.files import make_folder
    from dosecal.render import csv_table
    from dosecal.views.visits import COLUMNS as VISIT_COLUMNS

    text = _read_roster(roster)
    entries, refused = roster_file.read(text, str(roster))
    settings = pool.Settings(
        folder, roster.parent, packets, visit_time, paper, visits.holidays, visits.move_closed, profile
    )
    headers = [profile.preamble + csv_table.record(c, profile) for c in (TABLE_COLUMNS, VISIT_COLUMNS)]
    made = closed = 0
    make_folder(folder)
    with (
        _terminate_cleanly(),
        pool.combined(folder / "administrations.csv", headers[0]) as table,
        pool.combined(folder / "appointments.csv", headers[1]) as visits_table,
        _progress(len(entries)) as bar,
        contextlib.closing(pool.made_chunks(entries, settings, jobs or os.cpu_count() or 1)) as made_chunks,
    ):
        for done in made_chunks:
            pool.append(table.handle, done.table)
            pool.append(visits_table.handle, done.visits)
            refused += done.refused
            made, closed = made + done.made, closed + done.closed
            bar.update(done.made + len(done.refused))
        if not made:
            # A run that makes nobody must not replace the tables of the last run that did.
            table.discard()
            visits_table.discard()
    _report(roster, refused, made, closed, folder)


# A roster of a million patients is about 50 MB.
_ROSTER_BYTES = 256 * 1024 * 1024


def _read_roster(roster: Path) -> str:
    """The roster's text: a regular file (not /dev/zero, not a FIFO), of a roster's size, UTF-8."""
    from dosecal.io.read import NotAFileError, read_bytes

    try:
        data = read_bytes(roster, _ROSTER_BYTES)
    except NotAFileError:
        raise click.ClickException(f"{roster}: not a regular file (give the roster's CSV file)") from None
    except OSError as error:
        raise click.ClickException(f"cannot read {roster}: {error.strerror}") from None
    if len(data) > _ROSTER_BYTES:
        raise click.ClickException(f"{roster}: larger than {_ROSTER_BYTES // 2**20} MB; split the roster")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{roster}: not UTF-8 text (save the roster as CSV UTF-8)") from None


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
def _progress(total: int) -> Iterator[_Bar]:
    """click's progress bar on a terminal; elsewhere (a log, a pipe) nothing."""
    if sys.stderr.isatty():
        with click.progressbar(length=total, label="patients", file=sys.stderr) as bar:
            yield bar
    else:
        yield _Silent()


class _Bar(Protocol):
    def update(self, n: int) -> None: ...


class _Silent:
    def update(self, n: int) -> None:
        """No terminal, no bar."""


def _report(roster: Path, refused: list[Refusal], made: int, closed: int, folder: Path) -> None:

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
