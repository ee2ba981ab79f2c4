"""End-to-end time of dosecal commands against a bare interpreter start.

DESIGN.md §8 measures speed as a ratio in one run: the same machine, the same
moment. Target: a 12-cycle calendar at most 15x `python -c pass`, and the
calendar path must not import pandas (checked here too). Run from the
repository root:

    python bench/startup.py [--runs 20]

It prints the median wall time of each command and the ratio; record the
figures in bench/RESULTS.md with the date and the machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = [sys.executable, "-c", "from dosecal.cli.main import main; main()"]
COURSE = ["nct05922501", "--start", "2026-12-07", "--cycles", "12", "-o", "OUT"]
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import dosecal.cli.main": [sys.executable, "-c", "import dosecal.cli.main"],
    "expand, 12 cycles": [*CLI, "expand", *COURSE],
    "ics, 12 cycles": [*CLI, "ics", *COURSE],
}
NO_PANDAS = (
    "import sys\n"
    "from dosecal.cli.main import main\n"
    "sys.argv[1:] = ['ics', 'nct05922501', '--start', '2026-12-07', '--cycles', '12', '-o', sys.argv[1]]\n"
    "try:\n    main()\nexcept SystemExit:\n    pass\n"
    "assert 'pandas' not in sys.modules, 'the calendar path imported pandas'\n"
)


def median_seconds(command: list[str], runs: int, out: Path) -> float:
    times = []
    for _ in range(runs):
        begin = time.perf_counter()
        subprocess.run(
            [str(out) if c == "OUT" else c for c in command],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - begin)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "output"
        subprocess.run([sys.executable, "-c", NO_PANDAS, str(out)], check=True)
        results = {name: median_seconds(cmd, runs, out) for name, cmd in COMMANDS.items()}
    base = results["python -c pass"]
    for name, seconds in results.items():
        print(f"{name:<20} {seconds * 1000:8.1f} ms  {seconds / base:5.1f}x")
    print("the calendar path does not import pandas")


if __name__ == "__main__":
    main()
