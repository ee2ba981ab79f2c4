"""Every output of every command, before and after a change, compared byte for byte.

    python tests/compare/outputs.py --against REV        # REV: a commit, e.g. HEAD~3 or main
    python tests/compare/outputs.py --write DIR          # this checkout's outputs into DIR

`--against` checks REV out into a temporary worktree, runs the same cases with both trees'
source (each as `python -m dosecal` with that tree's src/ on PYTHONPATH) and lists every file
that differs. The cases: every bundled regimen, the golden course files and a roster, through
`expand` (CSV, JSON), `ics`, `diary`, `appointments`, `make` and `batch`, with their options'
main variants, and a few broken inputs (their messages are outputs too). Each case records its
files, its standard output and error, and its exit code.

Some differences are intended (issue 11, point 5: the patient is the identity): `--patient-id`
becomes the course id (the `pid-*` cases differ whole); `make` writes into DIR/<patient or course
id>/ when the course has one, so for `make` the files are compared by name and bytes wherever
they are, and its one stderr line (which now names the identity) is shown, not counted. Exit
status: 0 when nothing else differs, 1 otherwise.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "courses"
START = "2026-12-07"

REGIMENS = {
    "capox": ["--weight", "72", "--height", "178"],
    "epcoritamab-dlbcl": [],
    "mfolfox6": ["--weight", "72", "--height", "178", "--bsa", "dubois"],
    "nct04083898": ["--level", "2", "--weight", "70", "--height", "170"],
    "nct05922501": [],
    "r-chop-21": ["--weight", "80", "--height", "180"],
    "s0777-vrd-rd": [],
}

ROSTER = """patient_id,regimen,start,cycles,until,level,weight,height,bsa,doses,course
p1,nct05922501,2026-12-07,3,,,,,,,
p2,nct04083898,2027-01-04,2,,phase2,70,170,dubois,bendamustine=90 mg/m2,
wu-017,,,,,,,,,,wu-017.course
p4,r-chop-21,2026-12-14,,2027-03-01,,80,180,,,
p5,no-such-regimen,2026-12-07,2,,,,,,,
p6,nct05922501,2026-02-30,2,,,,,,,
"""

BROKEN_REGIMEN = """regimen broken "Broken"
  cycle 28 days
  isatuximab IV
    cycle 1: days 1, 8, 30
"""


def _cases() -> dict[str, list[str]]:
    """Case name -> dosecal arguments (run in the case's own folder)."""
    cases: dict[str, list[str]] = {}
    for name, extra in REGIMENS.items():
        course = [name, "--start", START, "--cycles", "3", *extra]
        cases[f"{name}-expand-csv"] = ["expand", *course, "-o", "table.csv"]
        cases[f"{name}-expand-json"] = ["expand", *course, "--format", "json", "-o", "table.json"]
        cases[f"{name}-expand-machine"] = ["expand", *course, "--csv-profile", "machine", "-o", "-"]
        cases[f"{name}-ics"] = ["ics", *course, "-o", "calendar.ics"]
        cases[f"{name}-ics-timed"] = [
            "ics", *course, "--tz", "Europe/Berlin", "--visit-time", "08:30", "--reminder", "60",
            "--home-reminder", "09:00", "-o", "calendar.ics",
        ]  # fmt: skip
        cases[f"{name}-ics-each"] = ["ics", *course, "--per-administration", "-o", "calendar.ics"]
        cases[f"{name}-diary"] = ["diary", *course, "--paper", "a4", "-o", "diary.pdf"]
        cases[f"{name}-appointments"] = [
            "appointments", *course, "--holidays", "US", "--move-closed", "next", "-o", "visits.csv",
        ]  # fmt: skip
        cases[f"{name}-make"] = ["make", *course, "-o", "packet"]
        cases[f"{name}-make-id"] = ["make", *course, "--course-id", "PAT-7", "-o", "packet"]
        cases[f"{name}-show"] = ["show", name]
    for course_file in sorted(GOLDEN.glob("*.course")):
        stem = course_file.stem
        cases[f"course-{stem}-expand"] = ["expand", "--course", course_file.name, "-o", "-"]
        cases[f"course-{stem}-ics"] = ["ics", "--course", course_file.name, "-o", "-"]
        cases[f"course-{stem}-diary"] = ["diary", "--course", course_file.name, "-o", "diary.pdf"]
        cases[f"course-{stem}-appointments"] = ["appointments", "--course", course_file.name, "-o", "-"]
        cases[f"course-{stem}-make"] = ["make", "--course", course_file.name, "-o", "packet"]
    cases["batch"] = ["batch", "roster.csv", "-o", "all", "--jobs", "2"]
    cases["batch-tables"] = ["batch", "roster.csv", "-o", "all", "--no-packets", "--csv-profile", "machine"]
    cases["broken-check"] = ["check", "broken.regimen"]
    cases["broken-expand"] = ["expand", "broken.regimen", "--start", START, "-o", "-"]
    cases["wrong-date"] = ["expand", "nct05922501", "--start", "2026-02-30", "-o", "-"]
    cases["wrong-level"] = [
        "make",
        "nct04083898",
        "--start",
        START,
        "--cycles",
        "2",
        "--level",
        "9",
        "-o",
        "packet",
    ]
    # Issue 11, point 5: the patient id is the course id unless --course-id is given.
    cases["pid-make"] = ["make", "nct05922501", "--start", START, "--cycles", "1", "--patient-id", "PAT-B"]
    cases["pid-make-with-id"] = [
        "make", "nct05922501", "--start", START, "--cycles", "1", "--patient-id", "PAT-B", "--course-id",
        "nct05922501", "-o", "packet",
    ]  # fmt: skip
    cases["pid-diary"] = [
        "diary", "nct05922501", "--start", START, "--cycles", "2", "--patient-id", "PAT-B",
        "-o", "d.pdf",
    ]  # fmt: skip
    cases["pid-appointments"] = [
        "appointments", "nct05922501", "--start", START, "--cycles", "2", "--patient-id", "PAT-B", "-o", "-",
    ]  # fmt: skip
    cases["pid-expand"] = [
        "expand", "nct05922501", "--start", START, "--cycles", "2", "--patient-id", "PAT-B", "-o", "-",
    ]  # fmt: skip
    cases["pid-ics"] = [
        "ics", "nct05922501", "--start", START, "--cycles", "2", "--patient-id", "PAT-B", "-o", "-",
    ]  # fmt: skip
    return cases


# The patient id becomes the course id: ids, UIDs and make's folder change on purpose.
INTENDED = {"pid-make", "pid-appointments", "pid-expand", "pid-ics"}


def _is_make(case: str) -> bool:
    return case.endswith(("-make", "-make-id", "-make-with-id")) or case == "wrong-level"


def _packet_files(folder: Path) -> list[tuple[str, bytes]]:
    """A make case's files by name and bytes, whatever folder they are in."""
    return sorted((p.name, p.read_bytes()) for p in folder.rglob("*") if p.is_file() and p.name[0] != "_")


def _sorted_out(found: list[str], before: Path, after: Path) -> tuple[list[str], list[str]]:
    """Differences split into intended and not."""
    intended, other = [], []
    for rel in found:
        case, _, inner = rel.partition("/")
        if case in INTENDED or (_is_make(case) and inner == "_stderr"):
            intended.append(rel)
        elif _is_make(case) and inner != "_exit" and inner != "_stdout":
            same = _packet_files(before / case) == _packet_files(after / case)
            (intended if same else other).append(
                rel + ("  (the same files, in the identity's folder)" if same else "")
            )
        else:
            other.append(rel)
    return intended, other


def _inputs(folder: Path) -> None:
    for course_file in GOLDEN.glob("*.course"):
        shutil.copy(course_file, folder / course_file.name)
    (folder / "roster.csv").write_text(ROSTER, "utf-8")
    (folder / "broken.regimen").write_text(BROKEN_REGIMEN, "utf-8")


def write(tree: Path, out: Path) -> None:
    """Run every case with `tree`'s source; each case's files and streams go into out/<case>/."""
    # The package as installed: src/dosecal with the bundled regimens inside it (in a checkout
    # they sit at the top), copied so that neither tree is touched.
    src = out / "_site"
    shutil.copytree(tree / "src" / "dosecal", src / "dosecal", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(tree / "schedules", src / "dosecal" / "schedules", dirs_exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(src),
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
        "COLUMNS": "80",
        "PYTHONHASHSEED": "0",
    }
    for name, args in _cases().items():
        folder = out / name
        folder.mkdir(parents=True)
        _inputs(folder)
        before = {p.name for p in folder.iterdir()}
        done = subprocess.run(
            [sys.executable, "-m", "dosecal", *args], cwd=folder, env=env, capture_output=True, check=False
        )
        for kept in before:  # inputs are not outputs (a roster's courses are read, not written)
            target = folder / kept
            if target.is_file():
                target.unlink()
        (folder / "_stdout").write_bytes(done.stdout)
        (folder / "_stderr").write_bytes(done.stderr)
        (folder / "_exit").write_text(f"{done.returncode}\n", "utf-8")


def differences(left: Path, right: Path) -> list[str]:
    """Relative paths that are in one tree only, or differ in bytes."""
    found: list[str] = []

    def walk(compared: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(prefix + name for name in compared.left_only + compared.right_only)
        found.extend(prefix + name for name in compared.diff_files + compared.funny_files)
        for name, sub in sorted(compared.subdirs.items()):
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right, ignore=["_site"]), "")
    # dircmp compares by stat signature first; compare the bytes of everything named the same.
    for path in sorted(p for p in left.rglob("*") if "_site" not in p.parts):
        twin = right / path.relative_to(left)
        rel = str(path.relative_to(left))
        if path.is_file() and twin.is_file() and path.read_bytes() != twin.read_bytes() and rel not in found:
            found.append(rel)
    return sorted(set(found))


def against(rev: str) -> int:
    with tempfile.TemporaryDirectory(prefix="dosecal-compare-") as work:
        base = Path(work)
        old = base / "old-tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(old), rev], check=True
        )
        try:
            write(old, base / "before")
            write(ROOT, base / "after")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=True)
        found = differences(base / "before", base / "after")
        cases = len(_cases())
        intended, other = _sorted_out(found, base / "before", base / "after")
        files = sum(1 for p in (base / "after").rglob("*") if p.is_file() and "_site" not in p.parts)
        print(f"{cases} cases, {files} files compared with {rev}")
        for name in intended:
            print(f"  intended: {name}")
        for name in other:
            print(f"  DIFFERS:  {name}")
        print("identical" if not other else f"{len(other)} files differ")
        return 1 if other else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--against", metavar="REV", help="compare this checkout with commit REV")
    group.add_argument("--write", metavar="DIR", type=Path, help="write this checkout's outputs into DIR")
    options = parser.parse_args()
    if options.write:
        write(ROOT, options.write)
        return 0
    return against(options.against)


if __name__ == "__main__":
    raise SystemExit(main())
