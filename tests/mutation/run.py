"""Mutation testing of the clinical core (issue 10), in a temporary copy of the repository.

The modules are those of ``[tool.mutmut] only_mutate`` in pyproject.toml: the ones that compute
dates, doses, adjustments and identities, and the CSV/ICS text rules. A mutant that survives
either shows a test that is missing, or cannot change behaviour; the second kind is listed, with
the reason, in tests/mutation/equivalent.toml (keyed on module, function and the changed line,
never on mutmut's mutant numbers, which shift when a function changes).

Commands (from the top of the repository, with the test extra installed)::

    # Before a release: every mutant (1449 on 2026-12-01: 8 minutes).
    .venv/bin/python tests/mutation/run.py --full
    # CI: a seeded random sample (50 mutants: about a minute).
    .venv/bin/python tests/mutation/run.py --sample 50 --seed 10
    # While writing tests for one module: every mutant of it, the copy kept for `mutmut show`
    # (DIR is a folder of its own: its mutants/ is removed at the start).
    .venv/bin/python tests/mutation/run.py --full --module dosecal.model.adjust --keep /tmp/mut

It prints killed / survived / equivalent / score per module, then every survivor that is not on
the equivalent list with its diff, and exits 1 if there is one. A ``--full`` run also exits 1 if
an entry of the equivalent list matches no survivor (the list must stay true). Tests that run
dosecal in a subprocess import the unmutated package and cannot kill a mutant, so
``pytest_add_cli_args_test_selection`` lists the in-process tests of these modules.

The work happens in a copy (``--keep DIR``, or a temporary folder that is removed), so no
mutants/ folder appears in the checkout. Mutmut runs at nice 19 with one child, since the machine
is shared. Mutmut's command line is used for ``run``, ``results --all true`` and ``show NAME``; the
mutants are generated first (mutmut 3.8 has no command for that alone: see ``GENERATE``) so that
their names, in mutants/*.meta, can be sampled.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EQUIVALENT = Path(__file__).resolve().with_name("equivalent.toml")
# What the copy leaves out: the environment, history, caches and earlier mutmut folders.
SKIPPED = {".git", ".venv", "mutants", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
SKIPPED |= {".hypothesis", "node_modules", "build", "dist"}
# Statuses that mean a test noticed the mutant: a failure, a hang (timeout) or a crash.
DETECTED = {"killed", "timeout", "segfault", "caught by type check"}
# The first step of `mutmut run` (mutmut 3.8, mutmut/__main__.py `_run`), with one child.
GENERATE = """
from pathlib import Path
import mutmut.__main__ as m
m.set_mutant_under_test("mutant_generation")
Path("mutants").mkdir(exist_ok=True)
m.copy_src_dir()
m.copy_also_copy_files()
m.setup_source_paths()
m.store_lines_covered_by_tests()
m.create_mutants(1)
"""


@dataclass(frozen=True)
class Mutant:
    """One mutant: its mutmut name, the module and function it changes, and its status."""

    name: str
    status: str

    @property
    def module(self) -> str:
        """``dosecal.model.adjust`` of ``dosecal.model.adjust.x_parse__mutmut_3``."""
        return split_name(self.name)[0]

    @property
    def function(self) -> str:
        """``parse``, or ``Class.method`` for a method."""
        return split_name(self.name)[1]


@dataclass(frozen=True)
class Change:
    """The lines a mutant removes and adds, each stripped, several joined by a line break."""

    before: str
    after: str


@dataclass(frozen=True)
class Equivalent:
    """An entry of equivalent.toml: a mutant that cannot change behaviour, and why."""

    module: str
    function: str
    before: str
    after: str
    why: str

    def matches(self, mutant: Mutant, change: Change) -> bool:
        """Whether this entry describes the mutant (module, function and changed lines)."""
        return (mutant.module, mutant.function, change.before, change.after) == (
            self.module,
            self.function,
            self.before,
            self.after,
        )


def split_name(name: str) -> tuple[str, str]:
    """The module and function of a mutant name.

    Mutmut names a function ``module.x_function__mutmut_N`` and a method
    ``module.xǁClassǁmethod__mutmut_N``.
    """
    mangled = name.partition("__mutmut_")[0]
    module, _, key = mangled.rpartition(".")
    if key.startswith("x_"):
        return module, key[2:]
    if key.startswith("xǁ"):
        class_name, _, method = key[2:].partition("ǁ")
        return module, f"{class_name}.{method}"
    raise ValueError(f"not a mutmut mutant name: {name}")


def parse_change(diff: str) -> Change:
    """The removed and added lines of ``mutmut show``'s unified diff."""
    removed: list[str] = []
    added: list[str] = []
    for line in diff.splitlines():
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("-"):
            removed.append(line[1:].strip())
        elif line.startswith("+"):
            added.append(line[1:].strip())
    return Change("\n".join(removed), "\n".join(added))


def load_equivalents(path: Path = EQUIVALENT) -> list[Equivalent]:
    """The entries of equivalent.toml; every field is required and must be text."""
    with path.open("rb") as f:
        data = tomllib.load(f)
    entries: list[Equivalent] = []
    for number, entry in enumerate(data.get("equivalent", []), 1):
        fields = ("module", "function", "before", "after", "why")
        missing = [key for key in fields if not isinstance(entry.get(key), str) or not entry[key].strip()]
        extra = sorted(set(entry) - set(fields))
        if missing or extra:
            raise SystemExit(f"{path}: entry {number}: missing {missing}, unknown {extra}")
        entries.append(Equivalent(*(entry[key].strip() for key in fields)))
    return entries


def configured_modules(pyproject: Path = REPO / "pyproject.toml") -> list[str]:
    """The dotted names of the modules ``[tool.mutmut] only_mutate`` lists."""
    with pyproject.open("rb") as f:
        paths: list[str] = tomllib.load(f)["tool"]["mutmut"]["only_mutate"]
    return [path.removeprefix("src/").removesuffix(".py").replace("/", ".") for path in paths]


def copy_repository(target: Path) -> None:
    """The working tree (uncommitted changes included) without what ``SKIPPED`` names, into `target`."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        return {name for name in names if name in SKIPPED or name.endswith(".egg-info")}

    # copytree keeps modification times, by which mutmut would keep the mutants of an earlier
    # run in a kept folder: each run starts from fresh mutants.
    shutil.rmtree(target / "mutants", ignore_errors=True)
    shutil.copytree(REPO, target, ignore=ignore, dirs_exist_ok=True)


class Mutmut:
    """Mutmut's command line, run in the copy at nice 19."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.program = str(Path(sys.executable).with_name("mutmut"))
        if not Path(self.program).is_file():
            raise SystemExit(f"no {self.program}: install the test extra (pip install -e '.[test]')")

    def __call__(self, *args: str) -> str:
        """Run ``mutmut ARGS``; its output, or a SystemExit with it when it fails."""
        return self._run([self.program, *args], args[0])

    def _run(self, command: list[str], what: str) -> str:
        done = subprocess.run(
            ["nice", "-n", "19", *command], cwd=self.workdir, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise SystemExit(f"mutmut {what} failed ({done.returncode}):\n{tail(done.stdout + done.stderr)}")
        return done.stdout

    def generate(self) -> None:
        """Write mutants/ (the mutated sources and a .meta per file naming its mutants).

        Mutmut 3.8 has no command that only generates; this is the first step of ``mutmut
        run``, after which ``run`` finds the files up to date and keeps the same names.
        """
        self._run([sys.executable, "-c", GENERATE], "mutant generation")

    def names(self) -> list[str]:
        """Every mutant's name, from the .meta file mutmut writes beside each mutated file."""
        names: list[str] = []
        for meta in sorted((self.workdir / "mutants").rglob("*.py.meta")):
            names += json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
        return names

    def statuses(self) -> dict[str, str]:
        """The status of every mutant after ``run``."""
        result: dict[str, str] = {}
        for line in self("results", "--all", "true").splitlines():
            name, _, status = line.strip().rpartition(": ")
            if "__mutmut_" in name:
                result[name] = status
        return result

    def change(self, name: str) -> tuple[Change, str]:
        """The changed lines of a mutant, and the diff they come from."""
        diff = self("show", name)
        return parse_change(diff), diff


def tail(output: str, lines: int = 60) -> str:
    """The end of mutmut's output without its progress spinner (a braille character a line)."""
    kept = [line for line in output.splitlines() if not any("\u2800" <= c <= "\u28ff" for c in line)]
    return "\n".join(kept[-lines:])


def choose(names: Iterable[str], modules: Sequence[str], sample: int | None, seed: int) -> list[str]:
    """The mutants of ``modules``: all of them, or ``sample`` of them drawn with ``seed``."""
    pool = sorted(name for name in names if split_name(name)[0] in modules)
    if sample is None or sample >= len(pool):
        return pool
    return sorted(random.Random(seed).sample(pool, sample))


@dataclass(frozen=True)
class Outcome:
    """The result of a run: mutants, the survivors' changes, and the equivalent entries used."""

    mutants: list[Mutant]
    unexplained: list[tuple[Mutant, str]]
    equivalent: dict[str, Equivalent]


def judge(
    mutants: list[Mutant], changes: dict[str, tuple[Change, str]], entries: list[Equivalent]
) -> Outcome:
    """Sort survivors into equivalent (an entry matches) and unexplained (none does)."""
    unexplained: list[tuple[Mutant, str]] = []
    equivalent: dict[str, Equivalent] = {}
    for mutant in mutants:
        if mutant.status in DETECTED:
            continue
        change, diff = changes[mutant.name]
        entry = next((e for e in entries if e.matches(mutant, change)), None)
        if entry is None:
            unexplained.append((mutant, diff))
        else:
            equivalent[mutant.name] = entry
    return Outcome(mutants, unexplained, equivalent)


def table(outcome: Outcome, modules: Sequence[str]) -> str:
    """One line per module: mutants, killed, survived, equivalent and the score.

    The score is killed / (mutants - equivalent): the share of the mutants that could change
    behaviour which a test noticed.
    """
    lines = [f"{'module':<28} {'mutants':>7} {'killed':>7} {'survived':>8} {'equivalent':>10} {'score':>7}"]
    for module in modules:
        own = [m for m in outcome.mutants if m.module == module]
        if not own:
            continue
        killed = sum(m.status in DETECTED for m in own)
        equivalent = sum(m.name in outcome.equivalent for m in own)
        survived = len(own) - killed - equivalent
        relevant = len(own) - equivalent
        score = f"{100 * killed / relevant:.1f}%" if relevant else "-"
        lines.append(f"{module:<28} {len(own):>7} {killed:>7} {survived:>8} {equivalent:>10} {score:>7}")
    return "\n".join(lines)


def run(
    workdir: Path, modules: Sequence[str], sample: int | None, seed: int, entries: list[Equivalent]
) -> Outcome:
    """Copy the repository into ``workdir``, run mutmut there and judge the survivors."""
    copy_repository(workdir)
    mutmut = Mutmut(workdir)
    progress("generating the mutants")
    mutmut.generate()
    chosen = choose(mutmut.names(), modules, sample, seed)
    progress(f"running {len(chosen)} mutants, one at a time")
    if sample is None:
        mutmut("run", "--max-children", "1", *(f"{module}.*" for module in modules))
    else:
        mutmut("run", "--max-children", "1", *(exactly(name) for name in chosen))
    statuses = mutmut.statuses()
    mutants = [Mutant(name, statuses[name]) for name in chosen]
    progress(f"reading the diffs of {sum(m.status not in DETECTED for m in mutants)} survivors")
    changes = {m.name: mutmut.change(m.name) for m in mutants if m.status not in DETECTED}
    return judge(mutants, changes, entries)


def exactly(name: str) -> str:
    """A pattern matching only the mutant `name`, for ``mutmut run``.

    Given a plain name, mutmut 3.8 looks up the tests of its function and fails (KeyError) when
    no test runs it; given a pattern (a name with a *), it does not. ``x__mutmut_1[1*]`` matches
    ``x__mutmut_11`` and nothing else: mutant names hold no *.
    """
    return f"{name[:-1]}[{name[-1]}*]"


def progress(message: str) -> None:
    """A line on standard error, so that a long run shows where it is."""
    print(f"mutation: {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line; the exit status is 1 when a survivor is unexplained or the list is stale."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument("--full", action="store_true", help="every mutant (before a release)")
    how.add_argument("--sample", type=int, metavar="N", help="N mutants drawn at random (CI)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample (default 0)")
    parser.add_argument("--module", action="append", help="only this module (dotted; repeatable)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR and keep it")
    args = parser.parse_args(argv)

    known = configured_modules()
    modules = args.module or known
    unknown = sorted(set(modules) - set(known))
    if unknown:
        parser.error(f"not in [tool.mutmut] only_mutate: {', '.join(unknown)}")
    if args.sample is not None and args.sample < 1:
        parser.error("--sample needs at least 1")
    entries = load_equivalents()

    sample = None if args.full else args.sample
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        outcome = run(args.keep, modules, sample, args.seed, entries)
    else:
        with tempfile.TemporaryDirectory(prefix="dosecal-mutation-") as folder:
            outcome = run(Path(folder), modules, sample, args.seed, entries)

    what = "every mutant" if sample is None else f"a sample of {sample} (seed {args.seed})"
    print(f"Mutation testing of {what}:")
    print(table(outcome, modules))
    failed = False
    for mutant, diff in outcome.unexplained:
        failed = True
        print(f"\nSURVIVED ({mutant.status}), not on {EQUIVALENT.name}: {mutant.name}\n{diff.strip()}")
    if sample is None:
        used = set(outcome.equivalent.values())
        for entry in entries:
            if entry.module in modules and entry not in used:
                failed = True
                print(f"\n{EQUIVALENT.name}: no surviving mutant matches {entry}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
