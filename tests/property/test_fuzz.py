"""A fuzz test of our own: mutated regimen and course files never crash dosecal (issue 9, point 10).

A seeded mutation corpus over the bundled regimens and the golden course
files: lines deleted, duplicated and swapped; numbers made 0, -1, huge or
1e309; control and bidirectional characters, tabs and very long lines put in;
files cut short. Each mutant goes through `dosecal check` (a regimen) or
`dosecal expand --course` (a course), and a regimen that still checks is also
expanded and shown. The rules:

- no traceback and no "internal error": exit 0, 1 or 2;
- a refusal (exit 1) says where: at least one `file:line:col:` line, and
  every such position is inside the file (a line that exists, a column on it
  or just past its end);
- each file is done in bounded time: under two seconds of CPU, and a guard
  stops a run that would hang (ten seconds of wall time).

The corpus is the same on every run (a fixed seed), so a failure is a case
that can be rerun; the case's id names the file, the mutations and the seed.
"""

from __future__ import annotations

import random
import re
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from dosecal.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
REGIMENS = sorted((ROOT / "schedules").glob("*.regimen"))
COURSES = sorted((ROOT / "tests" / "golden" / "courses").glob("*.course"))
MUTANTS_PER_FILE = 24
SEED = 20261201
CPU_LIMIT_S = 2.0
HANG_GUARD_S = 10

_NUMBER = re.compile(r"\d+(\.\d+)?")
_HOSTILE = ["\x00", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\u202e", "\u2066", "\ufeff"]
# Out of range, and at the top of a range (a cycle number, a day, a count of doses, a duration).
_NUMBERS = ["0", "-1", "99999999999999999999999", "1e309", "4294967296", "1000000000", "0.0000001", "3.5"]
_NUMBERS += ["200", "366", "1000", "527040", "24", "1000000000000"]


def _delete(lines: list[str], rng: random.Random) -> None:
    if lines:
        del lines[rng.randrange(len(lines))]


def _duplicate(lines: list[str], rng: random.Random) -> None:
    if lines:
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])


def _swap(lines: list[str], rng: random.Random) -> None:
    if len(lines) > 1:
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]


def _number(lines: list[str], rng: random.Random) -> None:
    places = [(i, m) for i, line in enumerate(lines) for m in _NUMBER.finditer(line)]
    if places:
        i, m = rng.choice(places)
        lines[i] = lines[i][: m.start()] + rng.choice(_NUMBERS) + lines[i][m.end() :]


def _character(lines: list[str], rng: random.Random) -> None:
    if lines:
        i = rng.randrange(len(lines))
        at = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:at] + rng.choice(_HOSTILE) + lines[i][at:]


def _tab(lines: list[str], rng: random.Random) -> None:
    if lines:
        i = rng.randrange(len(lines))
        stripped = lines[i].lstrip(" ")
        lines[i] = "\t" * rng.randint(1, 2) + stripped if rng.random() < 0.5 else lines[i] + "\t"


def _long(lines: list[str], rng: random.Random) -> None:
    if lines:
        i = rng.randrange(len(lines))
        filler = rng.choice(["x" * 20_000, "1, " * 3_000 + "1", '"' + "a" * 20_000 + '"'])
        lines[i] = lines[i] + " " + filler


def _repeat(lines: list[str], rng: random.Random) -> None:
    """A day list of thousands of repeats: the many-messages case of point 5."""
    days = [i for i, line in enumerate(lines) if line.strip().startswith(("days ", "day "))]
    if days:
        i = rng.choice(days)
        lines[i] = lines[i] + ", " + ", ".join(["1"] * 2_000)


def _often(lines: list[str], rng: random.Random) -> None:
    """A schedule line given as often as the language allows: the most work one line can ask for."""
    days = [i for i, line in enumerate(lines) if line.strip().startswith(("days ", "day ", "cycle", "every"))]
    if days:
        i = rng.choice(days)
        lines[i] = lines[i].split(" at ")[0] + rng.choice(
            [" six times daily", ", six times daily", " days 1-366"]
        )


MUTATIONS: dict[str, Callable[[list[str], random.Random], None]] = {
    "often": _often,
    "delete": _delete,
    "duplicate": _duplicate,
    "swap": _swap,
    "number": _number,
    "character": _character,
    "tab": _tab,
    "long": _long,
    "repeat": _repeat,
}


@dataclass(frozen=True)
class Case:
    """One mutant: the file it came from, what was done to it, and its text."""

    origin: Path
    number: int
    steps: tuple[str, ...]
    text: str

    @property
    def id(self) -> str:
        return f"{self.origin.name}#{self.number}:{'+'.join(self.steps)}"


def _mutants(origin: Path, rng: random.Random) -> Iterator[Case]:
    text = origin.read_text("utf-8")
    for number in range(MUTANTS_PER_FILE):
        lines = text.split("\n")
        steps = tuple(rng.choice(sorted(MUTATIONS)) for _ in range(rng.randint(1, 3)))
        for step in steps:
            MUTATIONS[step](lines, rng)
        mutated = "\n".join(lines)
        if rng.random() < 0.15:  # cut short, anywhere
            mutated = mutated[: rng.randrange(len(mutated) + 1)]
            steps = (*steps, "truncate")
        yield Case(origin, number, steps, mutated)


def _corpus() -> list[Case]:
    rng = random.Random(SEED)
    return [case for origin in [*REGIMENS, *COURSES] for case in _mutants(origin, rng)]


CORPUS = _corpus()
_POSITION = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): ", re.M)


class _Hang(BaseException):  # not an Exception: the CLI turns those into exit 70
    pass


def _guarded(call: Callable[[], object]) -> object:
    """Run `call`, stopped by an exception if it takes longer than the hang guard."""

    def stop(signum: int, frame: object) -> None:
        raise _Hang

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(HANG_GUARD_S)
    try:
        return call()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _invoke(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"dosecal raised {result.exception!r} for {args}") from result.exception
    return result.exit_code, result.stdout, result.stderr


def _check_positions(stderr: str, path: Path, text: str) -> None:
    """Every `file:line:col:` of the file is inside it (the text as dosecal reads it: CR, CRLF end lines)."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for found in _POSITION.finditer(stderr):
        if found["file"] != str(path):
            continue
        line, col = int(found["line"]), int(found["col"])
        assert 1 <= line <= max(1, len(lines)), f"line {line} of a {len(lines)}-line file"
        assert 1 <= col <= len(lines[line - 1]) + 1, (
            f"column {col} of a {len(lines[line - 1])}-character line"
        )


def _run_case(case: Case, folder: Path) -> None:
    """The file through the commands a user would run on it; every refusal positioned in the file."""
    is_course = case.origin.suffix == ".course"
    path = folder / case.origin.name
    path.write_text(case.text, "utf-8", newline="")
    first = ["expand", "--course", str(path)] if is_course else ["check", str(path)]
    commands = [first]
    if not is_course:
        course = ["--start", "2026-12-07", "--cycles", "2"]
        commands += [["show", str(path)], ["expand", str(path), *course], ["ics", str(path), *course]]
        commands += [["appointments", str(path), *course], ["expand", str(path), "--start", "2026-12-07",
                     "--until", "2046-12-07", "-o", str(folder / "long.csv")]]  # fmt: skip
        if case.number % 3 == 0:  # the diary is the slowest output: a third of the cases
            commands.append(["diary", str(path), *course, "-o", str(folder / "d.pdf")])
    for n, args in enumerate(commands):
        code, _, stderr = _invoke(args)
        assert code in (0, 1, 2), (args, code, stderr[-2000:])
        assert "Traceback" not in stderr and "internal error" not in stderr, (args, stderr[-2000:])
        if code == 1 and _POSITION.search(stderr):
            _check_positions(stderr, path, case.text)
        if n == 0 and code == 1:
            assert _POSITION.search(stderr), f"a refusal that says nowhere: {stderr[-2000:]!r}"
        if n == 0 and code != 0:
            return  # a file that does not check: the other commands would say the same


@pytest.mark.parametrize("case", CORPUS, ids=[c.id for c in CORPUS])
def test_mutant_is_refused_or_read_never_crashes(case: Case, tmp_path: Path) -> None:
    """No traceback, exit 0/1/2, every error inside the file, and bounded time."""
    started = time.process_time()
    try:
        _guarded(lambda: _run_case(case, tmp_path))
    except _Hang:
        pytest.fail(f"{case.id}: still running after {HANG_GUARD_S} s")
    spent = time.process_time() - started
    assert spent < CPU_LIMIT_S, f"{case.id}: {spent:.2f} s of CPU"


def test_corpus_covers_every_mutation_and_file() -> None:
    """The seed gives every kind of mutation, and every bundled regimen and golden course, a turn."""
    kinds = {step for case in CORPUS for step in case.steps}
    assert kinds == {*MUTATIONS, "truncate"}
    assert {case.origin for case in CORPUS} == {*REGIMENS, *COURSES}
    assert len(CORPUS) == MUTANTS_PER_FILE * (len(REGIMENS) + len(COURSES))
