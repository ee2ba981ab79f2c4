"""A roster of 10,000 patients x 12 cycles of NCT05922501, beside pyarrow writing the same table.

DESIGN.md §8: the roster expanded and written as CSV in at most 2x the time
pyarrow needs to write the finished table, with peak memory under 2 GB.

1. Writes a roster: patients p00001..p10000, starts spread over 2027-2028
   (one a day, so dates, weekdays, a leap day and year ends all occur), 12
   cycles each; every 10th patient on a course file with a delay and a
   hold, so the roster is not all one shape and 1,000 course files are read.
2. Runs `dosecal batch ROSTER --no-packets --csv-profile machine -o DIR` in
   a fresh process: wall time, and the peak resident memory of the largest
   process (with `--jobs 1` that is all of it; with workers, the main
   process and each worker stay under that figure, so their sum is at most
   jobs + 1 times it).
3. In another fresh process, reads the finished administrations.csv into an
   Arrow table (all columns as text, as written) and times only
   `pyarrow.csv.write_csv` of it: the pyarrow baseline.

Run from the repository root (pyarrow is in the `bench` extra):

    pip install -e '.[bench]' && python bench/roster.py [--patients 10000]

Record the printed figures in bench/RESULTS.md with the date and the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COURSE = """course {pid}
  regimen nct04083898
  start {start}
  cycles 12
  level 2
  weight 70 kg
  height 170 cm
  delay cycle 3 by 7 days because "ANC 0.8 on day 1"
  hold isatuximab on cycle 2 day 15 because "infusion reaction"
  level 1 from cycle 4 because "DLT in cycle 3"
"""

PYARROW = """
import sys, time
import pyarrow as pa, pyarrow.csv as pc
path, out = sys.argv[1], sys.argv[2]
with open(path, encoding="utf-8") as f:
    names = f.readline().rstrip("\\r\\n").split(",")
convert = pc.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False)
table = pc.read_csv(path, convert_options=convert)
begin = time.perf_counter()
pc.write_csv(table, out)
print(time.perf_counter() - begin, table.num_rows, table.num_columns)
"""


def write_roster(folder: Path, patients: int) -> Path:
    first = dt.date(2027, 1, 1)
    lines = ["patient_id,regimen,start,cycles,course"]
    for n in range(1, patients + 1):
        pid, start = f"p{n:05d}", first + dt.timedelta(days=n % 730)
        if n % 10 == 0:
            (folder / f"{pid}.course").write_text(COURSE.format(pid=pid, start=start), "utf-8")
            lines.append(f"{pid},,,,{pid}.course")
        else:
            lines.append(f"{pid},nct05922501,{start},12,")
    roster = folder / "roster.csv"
    roster.write_text("\n".join(lines) + "\n", "utf-8")
    return roster


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, help="dosecal batch --jobs (default: one per CPU)")
    arguments = parser.parse_args()
    patients = arguments.patients
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        roster = write_roster(folder, patients)
        out = folder / "out"
        command = [sys.executable, "-c", "from dosecal.cli.main import main; main()", "batch", str(roster)]
        command += ["--no-packets"]
        command += ["--csv-profile", "machine", "-o", str(out)]
        if arguments.jobs:
            command += ["--jobs", str(arguments.jobs)]
        begin = time.perf_counter()
        subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
        ours = time.perf_counter() - begin
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        table = out / "administrations.csv"
        result = subprocess.run(
            [sys.executable, "-c", PYARROW, str(table), str(folder / "pyarrow.csv")],
            check=True,
            capture_output=True,
            text=True,
        )
        arrow_s, rows, columns = result.stdout.split()
        arrow = float(arrow_s)
        size = table.stat().st_size
        visits = sum(1 for _ in (out / "appointments.csv").open("rb")) - 1
    print(f"patients            {patients}")
    print(f"rows x columns      {int(rows):,} x {columns} ({size / 1e6:,.0f} MB), {visits:,} visits")
    jobs = arguments.jobs or "one per CPU"
    print(f"dosecal batch       {ours:.2f} s (process start to exit, --jobs {jobs})")
    print(f"peak RSS            {peak_mib:,.0f} MiB (the largest single process)")
    print(f"pyarrow write_csv   {arrow:.2f} s (the finished table, already in memory)")
    print(f"ratio               {ours / arrow:.2f}x (target <= 2x; peak memory target < 2048 MiB)")


if __name__ == "__main__":
    main()
