"""Outputs: nothing lost, nothing half-written, only regular files, and no debris of killed runs.

Issue 9, points 1-3 and 9: the rules of `dosecal.io.files` and how the commands use them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from dosecal.cli.main import cli
from dosecal.io import files as io

COURSE = ["nct05922501", "--start", "2026-12-07", "--cycles", "1"]
ROSTER_HEADER = "patient_id,regimen,start,cycles\n"


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args))


def roster(path: Path, *rows: str) -> Path:
    path.write_text(ROSTER_HEADER + "".join(r + "\n" for r in rows))
    return path


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ---- 1. a run that makes nobody keeps what is there ------------------------------------------


def test_batch_that_makes_nobody_keeps_the_last_tables(tmp_path: Path) -> None:
    """The issue's case: a good run, then a run whose only row starts on 2026-02-30."""
    out = tmp_path / "b"
    good = roster(tmp_path / "good.csv", "P1,nct05922501,2026-12-07,2")
    bad = roster(tmp_path / "bad.csv", "P2,nct05922501,2026-02-30,2")
    first = CliRunner().invoke(cli, ["batch", str(good), "-o", str(out), "--no-packets"])
    assert first.exit_code == 0, first.stderr
    before = {name: (out / name).read_bytes() for name in ("administrations.csv", "appointments.csv")}
    # cycles 1-2 of NCT05922501: 6 isatuximab + 1 belantamab + 42 pomalidomide + 16 dexamethasone
    assert before["administrations.csv"].count(b"\r\n") == 1 + 65
    second = CliRunner().invoke(cli, ["batch", str(bad), "-o", str(out), "--no-packets"])
    assert second.exit_code == 1
    assert second.stderr.splitlines() == [
        f"{bad}:2: patient P2: start: 2026-02-30 is not a date: February 2026 has 28 days",
        f"dosecal: no patient was made (1 of 1 rows refused, above); the combined tables in {out}/ "
        "were left as they were",
    ]
    assert {name: (out / name).read_bytes() for name in before} == before
    assert listing(out) == ["administrations.csv", "appointments.csv"]


def test_batch_that_makes_nobody_into_a_new_folder_writes_no_tables(tmp_path: Path) -> None:
    """No tables of header lines alone: a roster with no patient writes nothing."""
    out = tmp_path / "b"
    empty = roster(tmp_path / "empty.csv")
    result = CliRunner().invoke(cli, ["batch", str(empty), "-o", str(out), "--no-packets"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"dosecal: no patient was made (the roster lists no patient); the combined tables in {out}/ "
        "were not written\n"
    )
    assert listing(out) == []


def test_partial_batch_replaces_the_tables_with_the_rows_it_made(tmp_path: Path) -> None:
    """The rule for partial runs: the tables say what this roster gives now; stderr says who is missing."""
    out = tmp_path / "b"
    both = roster(tmp_path / "both.csv", "P1,nct05922501,2026-12-07,1", "P2,nct05922501,2026-12-07,1")
    one_bad = roster(tmp_path / "one-bad.csv", "P1,nct05922501,2026-12-07,1", "P2,nct05922501,2026-13-07,1")
    assert CliRunner().invoke(cli, ["batch", str(both), "-o", str(out), "--no-packets"]).exit_code == 0
    result = CliRunner().invoke(cli, ["batch", str(one_bad), "-o", str(out), "--no-packets"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"wrote {out}/: administrations.csv, appointments.csv; 1 of 2 patients; "
        "1 row refused (above) and not in the tables"
    )
    table = (out / "administrations.csv").read_text("utf-8-sig").splitlines()
    assert {line.split(",")[0] for line in table[1:]} == {"P1"}
    assert len(table) == 1 + 34  # cycle 1: 4 + 1 + 21 + 8


# ---- 2. output paths ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["expand", "ics", "appointments", "diary"])
def test_dash_is_standard_output(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`-o -` writes to standard output for every one-file command, and no file named '-' appears."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [command, *COURSE, "-o", "-"])
    assert result.exit_code == 0, result.stderr
    start = {"expand": b"\xef\xbb\xbfadministration_id,", "ics": b"BEGIN:VCALENDAR\r\n"}
    start |= {"appointments": b"\xef\xbb\xbfpatient_id,", "diary": b"%PDF-"}
    assert result.stdout_bytes.startswith(start[command])
    assert listing(tmp_path) == []


def test_diary_is_not_sent_to_a_terminal(tmp_path: Path) -> None:
    """A PDF on a terminal is noise: refused with one line, exit 2, before any work."""
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "dosecal", "diary", *COURSE, "-o", "-"],
            stdout=follower,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            timeout=60,
            check=False,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 2
    assert done.stderr.decode() == (
        "dosecal diary: the diary is a PDF and cannot be shown on a terminal: give -o FILE.pdf, or send it "
        "on with -o - > diary.pdf (see 'dosecal diary --help')\n"
    )


def test_symlink_target_is_replaced_and_the_link_kept(tmp_path: Path) -> None:
    """-o a link (to a link): the final target gets the new bytes, atomically; the links stay links."""
    real = tmp_path / "data" / "table.csv"
    real.parent.mkdir()
    real.write_text("old\n")
    real.chmod(0o640)
    (tmp_path / "middle.csv").symlink_to(real)
    (tmp_path / "link.csv").symlink_to("middle.csv")
    result = run("expand", *COURSE, "-o", str(tmp_path / "link.csv"))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "link.csv").is_symlink() and (tmp_path / "link.csv").readlink() == Path("middle.csv")
    assert (tmp_path / "middle.csv").is_symlink()
    assert real.read_text("utf-8-sig").startswith("administration_id,")
    assert real.stat().st_mode & 0o777 == 0o640  # the file keeps its permissions
    assert listing(real.parent) == ["table.csv"]


def test_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    """A link to a file not yet there: the file is made where the link points."""
    (tmp_path / "link.ics").symlink_to("made.ics")
    assert run("ics", *COURSE, "-o", str(tmp_path / "link.ics")).exit_code == 0
    assert (tmp_path / "link.ics").is_symlink()
    assert (tmp_path / "made.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda p: os.mkfifo(p), "is a FIFO (named pipe), not a regular file"),
        (lambda p: p.mkdir(), "is a folder; give a file name in it"),
        (lambda p: p.symlink_to("/dev/null"), "is a device, not a regular file"),
    ],
    ids=["fifo", "folder", "device"],
)
def test_not_a_regular_file_is_refused(make: object, said: str, tmp_path: Path) -> None:
    """A FIFO, a folder, a device (through a link): one line, exit 2, and the thing itself untouched."""
    target = tmp_path / "target"
    make(target)  # type: ignore[operator]
    before = os.lstat(target)
    result = run("expand", *COURSE, "-o", str(target))
    assert result.exit_code == 2
    tail = ": dosecal writes only regular files (-o - writes to standard output)" if "regular" in said else ""
    assert result.stderr == (
        f"dosecal expand: Invalid value for '-o' / '--output': {target} {said}{tail} "
        "(see 'dosecal expand --help')\n"
    )
    assert os.lstat(target).st_mode == before.st_mode and os.lstat(target).st_ino == before.st_ino
    assert listing(tmp_path) == ["target"]
    assert Path("/dev/null").is_char_device()


def test_dev_null_is_never_replaced() -> None:
    """The case that must never happen: -o /dev/null turning the device into a file."""
    result = run("expand", *COURSE, "-o", "/dev/null")
    assert result.exit_code == 2
    assert "/dev/null is a device, not a regular file" in result.stderr
    assert Path("/dev/null").is_char_device()


def test_empty_output_name(tmp_path: Path) -> None:
    """-o "" says so, instead of an error about the current folder."""
    result = run("ics", *COURSE, "-o", "")
    assert result.exit_code == 2
    assert result.stderr == (
        "dosecal ics: Invalid value for '-o' / '--output': the output file name is empty "
        "(see 'dosecal ics --help')\n"
    )


def test_missing_folder_is_refused_not_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`expand -o nodir/sub/x.csv`: a typo in a folder name must not silently create folders."""
    monkeypatch.chdir(tmp_path)
    result = run("expand", *COURSE, "-o", "nodir/sub/x.csv")
    assert result.exit_code == 2
    assert result.stderr == (
        "dosecal expand: Invalid value for '-o' / '--output': nodir/sub/x.csv is in a folder that does "
        "not exist (nodir/sub); create it first, e.g. mkdir -p nodir/sub (see 'dosecal expand --help')\n"
    )
    assert listing(tmp_path) == []


def test_make_and_batch_create_their_folder(tmp_path: Path) -> None:
    """Packets and rosters may create their folder (and say so in --help); a file there is refused."""
    made = run("make", *COURSE, "-o", str(tmp_path / "new" / "deeper"))
    assert made.exit_code == 0, made.stderr
    assert listing(tmp_path / "new" / "deeper" / "nct05922501-2026-12-07") == [
        "administrations.csv",
        "appointments.csv",
        "calendar.ics",
        "diary.pdf",
    ]
    for command in ("make", "batch"):
        shown = " ".join(run(command, "--help").stdout.split())
        assert "Created if it does not exist." in shown
    (tmp_path / "plain").write_text("")
    refused = run("make", *COURSE, "-o", str(tmp_path / "plain"))
    assert refused.exit_code == 2
    assert f"{tmp_path / 'plain'} is not a folder" in refused.stderr


# ---- 3. temporary files of killed runs -----------------------------------------------------------


def _tag(pid: int, start: int, host: str | None = None) -> str:
    return f".dosecal-{pid}-{start}-{host or io._host()}-abc12345"


def _dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    return int(done.stdout)


def _held(path: Path) -> int:
    """Hold the lock a live writer holds on its temporary file (what `dosecal.io.files` does)."""
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0))
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def test_stale_temporaries_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    """Only dosecal's exact names, of this machine, of the kind the name says, whose writer's lock is gone."""
    me, dead = os.getpid(), _dead_pid()
    names = {
        "dead file": f".administrations.csv{_tag(dead, 12345)}.tmp",
        "dead folder": f".batch{_tag(dead, 12345)}",
        "live file": f".appointments.csv{_tag(me, io._start_time(me))}.tmp",
        "live folder": f".batch{_tag(me, io._start_time(me))}",
        "other machine": f".diary.pdf{_tag(dead, 1, host='0000beef')}.tmp",
        "folder named as a file": f".evil{_tag(dead, 1)}.tmp",
        "file named as a folder": f".notes{_tag(dead, 1)}",
        "not ours": ".notes.tmp",
        "not ours either": "administrations.csv",
    }
    for kind, name in names.items():
        path = tmp_path / name
        if "folder" in kind and "named as a folder" not in kind:
            path.mkdir()
            (path / "part-000000.table.tmp").write_text("x")
        else:
            path.write_text("x")
    (tmp_path / f".batch{_tag(dead, 7)}").symlink_to(tmp_path / "not ours either")  # a link is never followed
    held = [_held(tmp_path / names["live file"]), _held(tmp_path / names["live folder"])]
    try:
        removed = io.remove_stale(tmp_path)
    finally:
        for fd in held:
            os.close(fd)
    assert sorted(p.name for p in removed) == sorted(names[k] for k in ("dead file", "dead folder"))
    kept = sorted({*names.values()} - {names["dead file"], names["dead folder"]} | {f".batch{_tag(dead, 7)}"})
    assert listing(tmp_path) == kept
    assert (tmp_path / names["folder named as a file"] / "part-000000.table.tmp").exists()


def test_temporary_names_carry_the_owner(tmp_path: Path) -> None:
    """A temporary file's name says dosecal, this process and its start, this machine."""
    with io.atomic_file(tmp_path / "table.csv") as pending:
        name = pending.temp.name
        assert re.fullmatch(rf"\.table\.csv\.dosecal-{os.getpid()}-\d+-[0-9a-f]{{8}}-[a-z0-9_]+\.tmp", name)
        assert io._TAG.search(name)
    assert listing(tmp_path) == ["table.csv"]


def _wait_until_gone(group: int) -> None:
    """Until no process of the group is left (a killed process ends a moment after its signal)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.02)


# A regimen whose packet takes about a minute (a diary of 27 x 732 = 19,764 home doses, just under
# the 20,000 a course may have): the worker making it is busy long after the others are done.
HEAVY = (
    'regimen heavy "Heavy"\n  cycle 366 days, 200 cycles\n  d 1 mg PO, diary\n    days 1-366 twice daily\n'
)


def _heavy_roster(folder: Path, others: int) -> Path:
    """The heavy patient first (chunk 0, which the combined tables wait for), then `others`."""
    (folder / "heavy.regimen").write_text(HEAVY)
    rows = "".join(f"P{n:04d},nct05922501,2026-12-07,1\n" for n in range(others))
    return roster(folder / "big.csv", "H,heavy.regimen,2026-01-01,27", rows.rstrip("\n"))


def test_killed_batch_leaves_debris_that_the_next_run_removes(tmp_path: Path) -> None:
    """SIGKILL a roster run (no handler can run), then run again into the same folder.

    The first patient's packet takes about a minute, so the run is caught in the middle
    every time: its temporary tables open, and the part files of the chunks after the
    first made (they wait for the first one to be appended).
    """
    big = _heavy_roster(tmp_path, 20)
    out = tmp_path / "out"
    out.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "dosecal", "batch", str(big), "-o", str(out), "--jobs", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not any(out.glob(".batch.dosecal-*/part-*.table.tmp")):
            assert process.poll() is None and time.monotonic() < deadline, "the batch never got going"
            time.sleep(0.02)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    _wait_until_gone(process.pid)  # the workers too: they share the run's locks until they end
    debris = [name for name in listing(out) if name.startswith(".")]
    assert len(debris) == 3 and all(io._TAG.search(name) for name in debris), debris
    assert {name.split(".dosecal-")[0] for name in debris} == {
        ".administrations.csv",
        ".appointments.csv",
        ".batch",
    }
    small = roster(tmp_path / "small.csv", "P1,nct05922501,2026-12-07,1")
    result = CliRunner().invoke(cli, ["batch", str(small), "-o", str(out), "--no-packets"])
    assert result.exit_code == 0, result.stderr
    assert [name for name in listing(out) if name.startswith(".")] == []
    assert "administrations.csv" in listing(out)


def _children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = set()
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat_file.read_text().rpartition(")")[2].split()
            if int(fields[1]) == pid:
                found.add(int(stat_file.parent.name))
    return found


def test_workers_die_with_a_killed_batch(tmp_path: Path) -> None:
    """SIGKILL of the run alone (not its process group): its workers must not live on and write
    packets after it, where a corrected run may already have written them. The worker making
    the heavy patient's packet would otherwise go on for about a minute."""
    big = _heavy_roster(tmp_path, 40)
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "dosecal", "batch", str(big), "-o", str(out), "--jobs", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while len(_children(process.pid)) < 2 or not out.exists() or not any(out.glob("P*")):
            assert process.poll() is None and time.monotonic() < deadline, "the batch never got going"
            time.sleep(0.02)
        workers = _children(process.pid)
    finally:
        process.kill()
        process.wait()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{w}").exists() for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = [
        w for w in workers if Path(f"/proc/{w}").exists() and "Z" not in Path(f"/proc/{w}/stat").read_text()
    ]
    assert not alive, f"workers {alive} outlived their run"


def test_a_live_concurrent_run_keeps_its_temporary_files(tmp_path: Path) -> None:
    """Two runs into one folder: the second must not take the first one's files for debris.

    The first is another process that holds its file's lock, as a writer does (in a container
    its PID would mean nothing here: the lock is what counts).
    """
    name = f".administrations.csv{_tag(999_999, 1)}.tmp"
    (tmp_path / name).write_text("a run still writing")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDONLY); "
         "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)", str(tmp_path / name)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        small = roster(tmp_path / "small.csv", "P1,nct05922501,2026-12-07,1")
        result = CliRunner().invoke(cli, ["batch", str(small), "-o", str(tmp_path), "--no-packets"])
        assert result.exit_code == 0, result.stderr
        assert (tmp_path / name).read_text() == "a run still writing"
    finally:
        holder.kill()
        holder.wait()
    io._CLEANED.clear()
    assert [p.name for p in io.remove_stale(tmp_path)] == [name]  # its writer gone, it is debris


# ---- 9. one clear line ---------------------------------------------------------------------------


def test_huge_weight_is_one_short_line() -> None:
    """`--weight 1e309` is not a 310-digit weight: it is not a plain number."""
    result = run("expand", "nct04083898", "--start", "2026-12-07", "--cycles", "1", "--level", "1",
                 "--weight", "1e309", "--height", "170")  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == (
        "dosecal expand: Invalid value for '--weight': '1e309' is not a plain number such as 70 or 72.5 "
        "(see 'dosecal expand --help')\n"
    )


def test_long_value_is_shortened_and_controls_shown() -> None:
    """A pasted value is quoted short, with its invisible characters made visible, never raw."""
    result = run("expand", "nct04083898", "--start", "2026-12-07\x1b[2J" + "7" * 100)
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr
    assert "'2026-12-07\\x1b[2J7777777777777777777777…' (114 characters) is not a date" in result.stderr


def test_binary_previous_calendar_is_not_echoed(tmp_path: Path) -> None:
    """--previous naming a binary: one line that names the file, and none of its bytes."""
    previous = tmp_path / "old.ics"
    previous.write_bytes(b"\x7fELF\x02\x01\x01\x00\x1b[31m" + bytes(range(256)))
    result = run("ics", *COURSE, "--previous", str(previous), "-o", str(tmp_path / "new.ics"))
    assert result.exit_code == 1
    assert result.stderr == (
        f"dosecal: {previous}: the previous calendar cannot be read: it is not an iCalendar file (.ics) "
        "that dosecal wrote\n"
    )
    assert listing(tmp_path) == ["old.ics"]


def test_make_says_nothing_about_closed_days_unless_a_visit_falls_on_one(tmp_path: Path) -> None:
    """No notice on every run; when a visit is on a closed day, which visit, after the files are written."""
    quiet = run("make", *COURSE, "-o", str(tmp_path))
    assert quiet.exit_code == 0
    assert quiet.stderr.splitlines() == [
        f"wrote {tmp_path}/nct05922501-2026-12-07/: calendar.ics, diary.pdf, administrations.csv, "
        "appointments.csv (34 administrations; no patient id: ids and UIDs are the regimen's "
        "(nct05922501); give each patient --patient-id)"
    ]
    # Cycle 2 day 15 of a 2026-12-07 start is Monday 2027-01-18, Martin Luther King Jr. Day.
    told = run("make", "nct05922501", "--start", "2026-12-07", "--cycles", "2", "--holidays", "US",
               "-o", str(tmp_path))  # fmt: skip
    assert told.exit_code == 0
    assert told.stderr.splitlines()[1:] == [
        "dosecal: 1 visit on closed days, kept; --move-closed next|previous moves them:",
        "  cycle 2 day 15: 2027-01-18 (Martin Luther King Jr. Day)",
    ]


def test_make_into_an_unwritable_folder_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder that cannot be written (root ignores permission bits, so the refusal is simulated
    where the OS gives it): one line, exit 1, no notice before it, nothing left behind."""

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(io.tempfile, "mkstemp", refuse)
    result = run("make", "nct05922501", "--start", "2026-12-07", "--cycles", "2", "--holidays", "US",
                 "-o", str(tmp_path))  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr == (
        f"dosecal: cannot write {tmp_path}/nct05922501-2026-12-07/calendar.ics: Permission denied\n"
    )
    assert listing(tmp_path / "nct05922501-2026-12-07") == []


def test_inputs_that_are_not_regular_files_are_refused(tmp_path: Path) -> None:
    """/dev/zero never ends and a FIFO waits for ever: a regimen, a course, a roster, a --previous
    calendar must be regular files (these used to eat all memory, or hang)."""
    os.mkfifo(tmp_path / "fifo")
    fifo = str(tmp_path / "fifo")
    for args, said in [
        (["check", fifo], f"{fifo}:1:1: not a regular file"),
        (["expand", "--course", fifo], f"{fifo}:1:1: not a regular file"),
        (["batch", "/dev/zero", "-o", str(tmp_path / "o")], "dosecal: /dev/zero: not a regular file"),
        (["ics", *COURSE, "--previous", "/dev/zero"], "dosecal: /dev/zero is not a regular file: --previous"),
    ]:
        result = run(*args)
        assert result.exit_code == 1, args
        assert result.stderr.startswith(said), (args, result.stderr)
