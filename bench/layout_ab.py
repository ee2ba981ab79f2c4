"""Before and after a change, in one run: the same commands with two trees' sources, side by side.

    python bench/layout_ab.py OLD_SRC NEW_SRC [--runs 15]

OLD_SRC and NEW_SRC are `src` folders (e.g. of `git worktree add /tmp/old <commit>`, with the
bundled regimens linked in as src/dosecal/schedules). Each command runs `--runs` times with each
tree's PYTHONPATH, alternately, on the same machine and disk; it prints the medians and
the ratio new/old. Used for issue 11 (the layout must not cost start-up time).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def once(command: list[str], src: str) -> float:
    env = dict(os.environ, PYTHONPATH=src)
    begin = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - begin


def medians(command: list[str], old: str, new: str, runs: int) -> tuple[float, float]:
    """Old and new alternately, so that a slow moment of the machine costs both alike."""
    once(command, old), once(command, new)  # warm: .pyc files, the disk cache
    pairs = [(once(command, old), once(command, new)) for _ in range(runs)]
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / "calendar.ics")
        course = ["nct05922501", "--start", "2026-12-07", "--cycles", "12", "-o", out]
        commands = {
            "python -c pass": [py, "-c", "pass"],
            "dosecal --help": [py, "-m", "dosecal", "--help"],
            "dosecal list": [py, "-m", "dosecal", "list"],
            "dosecal ics, 12 cycles": [py, "-m", "dosecal", "ics", *course],
            "dosecal expand, 12 cycles": [py, "-m", "dosecal", "expand", *course],
        }
        for name, command in commands.items():
            old, new = medians(command, options.old, options.new, options.runs)
            print(f"{name:28} old {old * 1000:7.1f} ms  new {new * 1000:7.1f} ms  new/old {new / old:.2f}")


if __name__ == "__main__":
    main()
