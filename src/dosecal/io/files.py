"""The file system, outside the interfaces: checked output targets, atomic writes, stale temporaries.

DESIGN.md §5, "nothing half-written, nothing lost":

- An output is written to a temporary file in its folder and renamed over
  the target, so a reader sees the old file or the new one, never a part.
  A symlink is followed: its target is replaced and the link stays a link.
- Only regular files are written. A FIFO, a device, a socket or a folder
  where a file is asked for is refused before anything is computed (so
  `-o /dev/null` can never replace the device with a file).
- A file output never creates folders: a missing folder is a typo more often
  than a wish. Packets and rosters (`make`, `batch`) create their own folder.
- Every temporary name says it is dosecal's and which process made it:
  `.NAME.dosecal-PID-START-HOST-XXXXXXXX.tmp` for a file, the same without
  `.tmp` for a folder (START is the process's start time, HOST a hash of the
  machine's name, so machines sharing a network folder leave each other's
  alone). Its writer holds an exclusive lock (flock) on it while it lives; the
  kernel drops the lock when the process ends, however it ends. A run that
  was killed (SIGKILL, a power cut) leaves its temporaries behind; the next
  run writing into that folder removes those whose lock it can take, never
  those of a run still going, also one in another PID namespace (a
  container), where a PID alone would say nothing.
- A replaced file keeps its permission bits and, where the writer may set
  it (root), its owner. Other hard links to it keep the old content: the
  name is replaced, not the file.
"""

from __future__ import annotations

import contextlib
import enum
import errno
import fcntl
import hashlib
import os
import re
import shutil
import socket
import stat
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import IO

from dosecal.errors import OutputError

__all__ = [
    "AtomicFile",
    "TargetError",
    "TargetProblem",
    "atomic_file",
    "check_file_target",
    "check_folder_target",
    "commit_all",
    "make_folder",
    "private_folder",
    "remove_stale",
    "resolved",
    "write_atomically",
]


class TargetProblem(enum.Enum):
    """Why a path cannot take an output; the value is how the message says it."""

    EMPTY = "the output file name is empty"
    FOLDER = "is a folder; give a file name in it"
    NOT_REGULAR = "is not a regular file: dosecal writes only regular files (-o - writes to standard output)"
    NO_FOLDER = "is in a folder that does not exist"
    PARENT_NOT_FOLDER = "is under something that is not a folder"
    LINK_LOOP = "is a symbolic link that goes round in a circle"
    NOT_FOLDER = "is not a folder"


class TargetError(Exception):
    """A path that cannot take an output, found before any work is done (the interfaces word it)."""

    def __init__(self, path: str, problem: TargetProblem, detail: str = "") -> None:
        self.path, self.problem, self.detail = path, problem, detail
        super().__init__(path, problem, detail)

    def __str__(self) -> str:
        said = str(self.problem.value)
        if self.problem is TargetProblem.EMPTY:
            return said
        if self.problem is TargetProblem.NOT_REGULAR:
            return f"{self.path} is {self.detail}, not a regular file: {said.partition(': ')[2]}"
        return f"{self.path} {said}{self.detail}"


def _kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "something else"


def resolved(path: Path) -> Path:
    """The file a write to `path` must replace: symlinks followed (to a target that may not exist yet)."""
    try:
        return Path(os.path.realpath(path, strict=False))
    except OSError:
        return path


def check_file_target(text: str) -> Path:
    """The path a single-file output may be written to, or `TargetError` saying why not."""
    if not text:
        raise TargetError(text, TargetProblem.EMPTY)
    if text.endswith("/"):  # "-o results/" means a folder, never a file named "results"
        raise TargetError(text, TargetProblem.FOLDER)
    path = Path(text)
    try:
        mode: int | None = path.stat().st_mode  # through every link, as a write would go
    except FileNotFoundError:
        mode = None  # a new file, or a link to one not made yet
    except NotADirectoryError:
        raise TargetError(text, TargetProblem.PARENT_NOT_FOLDER) from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise TargetError(text, TargetProblem.LINK_LOOP) from None
        raise
    if mode is not None and stat.S_ISDIR(mode):
        raise TargetError(text, TargetProblem.FOLDER)
    if mode is not None and not stat.S_ISREG(mode):
        raise TargetError(text, TargetProblem.NOT_REGULAR, _kind(mode))
    real = resolved(path) if path.is_symlink() else path
    if mode is None and real.is_symlink():  # realpath stops inside a loop
        raise TargetError(text, TargetProblem.LINK_LOOP)
    parent = real.parent
    if mode is None and not parent.exists():
        raise TargetError(
            text, TargetProblem.NO_FOLDER, f" ({parent}); create it first, e.g. mkdir -p {parent}"
        )
    if not parent.is_dir():
        raise TargetError(text, TargetProblem.PARENT_NOT_FOLDER, f" ({parent})")
    return path


def check_folder_target(text: str) -> Path:
    """A folder that `make` or `batch` may create or write into, or `TargetError`."""
    if not text:
        raise TargetError(text, TargetProblem.EMPTY)
    if text == "-":  # standard output cannot hold a folder of files
        raise TargetError(text, TargetProblem.NOT_FOLDER, ": a packet is several files; give a folder name")
    path = Path(text)
    if path.is_symlink() and not path.exists():
        raise TargetError(text, TargetProblem.NOT_FOLDER, ": it is a symbolic link to nothing")
    if path.exists() and not path.is_dir():
        raise TargetError(text, TargetProblem.NOT_FOLDER)
    return path


# ---- temporary files -------------------------------------------------------------

# `.NAME.dosecal-PID-START-HOST-XXXXXXXX.tmp` (a file), `.NAME.dosecal-PID-START-HOST-XXXXXXXX` (a folder).
_TAG = re.compile(r"\.dosecal-(?P<pid>\d+)-(?P<start>\d+)-(?P<host>[0-9a-f]{8})-[a-z0-9_]{8}(?P<tmp>\.tmp)?$")


@cache
def _host() -> str:
    """A short, stable tag of this machine (a hash: no host name is written into folders)."""
    return hashlib.sha1(socket.gethostname().encode("utf-8")).hexdigest()[:8]


def _start_time(pid: int) -> int:
    """When process `pid` started (clock ticks since boot; Linux), 0 where unknown."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text("utf-8", errors="replace")
    except OSError:
        return 0
    # The command name (field 2) is in brackets and may hold spaces: count from its end.
    fields = text.rpartition(")")[2].split()
    return int(fields[19]) if len(fields) > 19 and fields[19].isdigit() else 0


def _tag() -> str:
    """This process's mark in the names of its temporary files (for people reading the folder)."""
    pid = os.getpid()
    return f".dosecal-{pid}-{_start_time(pid)}-{_host()}-"


def _lock(fd: int) -> None:
    """Hold an exclusive lock on a temporary file or folder for as long as its writer lives.

    The kernel drops it when the process ends, however it ends (SIGKILL
    included), so a lock that can be taken is the proof that the writer is
    gone, also for a writer in another PID namespace (a container) where its
    PID means nothing here, and whatever PID has been reused since.
    """
    with contextlib.suppress(OSError):  # a file system without locks: cleanup will leave it alone
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _abandoned(path: Path, folder: bool) -> bool:
    """Is `path` a temporary file (or folder) of dosecal's whose writer no longer holds its lock?"""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | (os.O_DIRECTORY if folder else 0)
    try:
        fd = os.open(path, flags)
    except OSError:  # gone, a link, or not of the kind its name says
        return False
    try:
        kind = os.fstat(fd).st_mode
        if (stat.S_ISDIR(kind) if folder else stat.S_ISREG(kind)) is False:
            return False
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # held: its writer is alive (or locks do not work here: leave it)
        return False
    finally:
        os.close(fd)
    return True


def remove_stale(folder: Path) -> list[Path]:
    """Remove the temporary files and folders that killed dosecal runs left in `folder`.

    Only names of dosecal's exact form, of this machine, of the kind the name
    says (a `.tmp` name a regular file, the other a folder), whose writer's
    lock is gone. Returns what was removed. Errors are ignored: cleaning up
    must never stop the run it serves.
    """
    removed: list[Path] = []
    try:
        names = [e.name for e in os.scandir(folder) if e.name.startswith(".") and ".dosecal-" in e.name]
    except OSError:
        return removed
    for name in names:
        found = _TAG.search(name)
        if not found or found["host"] != _host():
            continue
        path, is_folder = folder / name, found["tmp"] is None
        if not _abandoned(path, is_folder):
            continue
        with contextlib.suppress(OSError):
            if is_folder:
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
    return removed


_CLEANED: set[Path] = set()


def _clean_once(folder: Path) -> None:
    """Stale temporaries are looked for once per folder and process (a roster writes thousands)."""
    key = folder.absolute()
    if key not in _CLEANED:
        _CLEANED.add(key)
        remove_stale(folder)


@contextlib.contextmanager
def private_folder(parent: Path, name: str) -> Iterator[Path]:
    """A temporary folder in `parent` with dosecal's tag, locked while it lives, then removed."""
    _clean_once(parent)
    try:
        folder = Path(tempfile.mkdtemp(dir=parent, prefix=f".{name}{_tag()}"))
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        raise OutputError(f"cannot write in {parent}: {error.strerror}") from None
    _lock(fd)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(fd)


# ---- atomic writes -----------------------------------------------------------------


class AtomicFile:
    """A binary file that appears at its path whole, by a rename, when committed.

    Not committed (an error, an interruption, or `discard`), the temporary
    file is removed and whatever was at the path stays as it was.
    """

    def __init__(self, path: Path, buffering: int = -1) -> None:
        self.path = path
        self.target = resolved(path)
        folder = self.target.parent
        _clean_once(folder)
        try:
            fd, temp = tempfile.mkstemp(
                dir=folder, prefix=f".{_short(self.target.name)}{_tag()}", suffix=".tmp"
            )
        except OSError as error:
            raise OutputError(f"cannot write {path}: {error.strerror}") from None
        _lock(fd)
        self.temp = Path(temp)
        self.handle: IO[bytes] = os.fdopen(fd, "wb", buffering=buffering)
        self.kept = True

    def discard(self) -> None:
        """Do not replace the target: the block's work is thrown away."""
        self.kept = False

    def commit(self) -> None:
        """Close and rename over the target (with the mode a new file gets here)."""
        try:
            self.handle.close()
            mode = _mode_for(self.target)
            self.temp.chmod(mode)
            _keep_owner(self.target, self.temp)
            self.temp.replace(self.target)
        except OSError as error:
            self.abandon()
            raise OutputError(f"cannot write {self.path}: {error.strerror}") from None

    def abandon(self) -> None:
        """Close and remove the temporary file."""
        with contextlib.suppress(OSError):
            self.handle.close()
        self.temp.unlink(missing_ok=True)


def _keep_owner(target: Path, temp: Path) -> None:
    """The new file gets the old one's owner and group where that is allowed (root); else the writer's."""
    try:
        old = target.stat()
    except OSError:
        return
    if (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
        with contextlib.suppress(OSError):
            os.chown(temp, old.st_uid, old.st_gid)


def _short(name: str) -> str:
    """A file name cut to 100 bytes of UTF-8 (whole characters), so the temporary name stays under 255."""
    return name.encode("utf-8", "surrogateescape")[:100].decode("utf-8", "ignore")


def _mode_for(target: Path) -> int:
    """An existing file keeps its permission bits; a new one gets what the umask allows."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def atomic_file(path: Path, buffering: int = -1) -> Iterator[AtomicFile]:
    """An `AtomicFile` committed when the block ends normally (unless discarded), else removed.

    OS errors become `OutputError`, with the path as the user gave it.
    """
    pending = AtomicFile(path, buffering)
    try:
        yield pending
    except OSError as error:
        pending.abandon()
        raise OutputError(f"cannot write {path}: {error.strerror}") from None
    except BaseException:
        pending.abandon()
        raise
    if pending.kept:
        pending.commit()
    else:
        pending.abandon()


def write_atomically(path: Path, content: bytes) -> None:
    """Write `content` to `path` through a temporary file and a rename."""
    with atomic_file(path) as pending:
        pending.handle.write(content)


def make_folder(path: Path) -> None:
    """Create an output folder (and its parents) for a packet or a roster; `OutputError` if it cannot be."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"cannot write into {path}: it is not a folder") from None
    except OSError as error:
        raise OutputError(f"cannot create the folder {path}: {error.strerror}") from None


def commit_all(files: dict[Path, bytes]) -> None:
    """Several files (a packet): all written to temporary files first, then all renamed.

    A failure while writing (a full disk, a folder that cannot be written)
    leaves every target as it was; only a failure between two renames,
    which is rare, can leave some files new and some old.
    """
    pending: list[AtomicFile] = []
    try:
        for path, content in files.items():
            pending.append(AtomicFile(path))
            pending[-1].handle.write(content)
    except OSError as error:
        for p in pending:
            p.abandon()
        raise OutputError(f"cannot write {pending[-1].path}: {error.strerror}") from None
    except BaseException:
        for p in pending:
            p.abandon()
        raise
    for n, p in enumerate(pending):
        try:
            p.commit()
        except BaseException:
            for rest in pending[n + 1 :]:
                rest.abandon()
            raise


def write_part(path: Path, content: bytes) -> None:
    """A batch worker's part of the combined tables, in the run's private folder (`private_folder`):
    nobody else reads it until the run appends it, so it needs no temporary name."""
    path.write_bytes(content)


def append_file(handle: IO[bytes], part: Path) -> None:
    """The whole of `part` at the end of `handle` (copied by the kernel where it can), then removed."""
    handle.flush()
    with part.open("rb") as source:
        size = os.fstat(source.fileno()).st_size
        copied = 0
        try:
            while copied < size:
                n = os.copy_file_range(source.fileno(), handle.fileno(), size - copied)
                if n == 0:
                    break
                copied += n
        except (AttributeError, OSError):  # not Linux, or a file system without it
            source.seek(copied)
            shutil.copyfileobj(source, handle, 1 << 20)
    part.unlink()
