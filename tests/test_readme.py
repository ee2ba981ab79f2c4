"""The README's examples stay true."""

from __future__ import annotations

import re

from .conftest import LEVEL_2_EXAMPLE, ROOT

README = (ROOT / "README.md").read_text("utf-8")


def test_python_example_runs() -> None:
    """The Python block of the README runs and gives a DataFrame of the expected size."""
    block = re.search(r"```python\n(.*?)```", README, re.S)
    assert block is not None
    namespace: dict[str, object] = {}
    exec(block.group(1), namespace)
    frame = namespace["frame"]
    # 3 cycles: isatuximab 4 + 2 + 2, bendamustine 2 x 3, prednisone 4 x 3
    assert len(frame) == 8 + 6 + 12  # type: ignore[arg-type]
    assert str(frame["date"].dtype).startswith("datetime64")  # type: ignore[index]


def test_packet_example_runs() -> None:
    """The README's second Python block makes every output of a packet from the public API."""
    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert len(blocks) == 2
    namespace: dict[str, object] = {}
    exec(blocks[1], namespace)
    files = namespace["files"]
    assert list(files) == ["calendar.ics", "diary.pdf", "administrations.csv", "appointments.csv"]  # type: ignore[call-overload]
    assert namespace["ics"] == files["calendar.ics"]  # type: ignore[index]
    assert bytes(namespace["pdf"]).startswith(b"%PDF-")  # type: ignore[call-overload]
    table = bytes(namespace["table"]).decode("utf-8")  # type: ignore[call-overload]
    # Two 28-day cycles: isatuximab 4 + 2, belantamab on cycle 1 day 1 only (every 8 weeks),
    # pomalidomide 21 + 21, dexamethasone 8 + 8: 65 rows under the header.
    assert table.startswith("administration_id,date,") and table.count("\r\n") == 1 + 6 + 1 + 42 + 16
    assert b"PAT-7" in bytes(namespace["visits"])  # type: ignore[call-overload]


def test_setup_commands_come_first() -> None:
    """The README opens with the install-and-run command and the test command that CI runs."""
    commands = re.findall(r"^python3 -m venv .*$", README, re.M)
    assert commands[0].endswith("dosecal make nct05922501 --start 2026-12-07 --cycles 6")
    assert commands[1].endswith(".venv/bin/python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert commands[0] in ci and commands[1] in ci


def test_calendar_snippet_is_real_output() -> None:
    """The README's VEVENT excerpt is what `dosecal ics` writes for the command it quotes."""
    from click.testing import CliRunner

    from dosecal.cli.main import cli

    block = re.search(r"```\n(BEGIN:VEVENT\n.*?)\n \.\.\.\n```", README, re.S)
    assert block is not None
    result = CliRunner(env={"SOURCE_DATE_EPOCH": None}).invoke(
        cli,
        [
            "ics",
            "nct05922501",
            "--start",
            "2026-12-07",
            "--cycles",
            "1",
            "--tz",
            "America/New_York",
            "--visit-time",
            "09:00",
            "--reminder",
            "60",
        ],
    )
    assert block.group(1) in result.output


def test_worked_example_rows_are_real_output() -> None:
    """The README's excerpt of the worked example's table is what `dosecal expand` prints."""
    import csv
    import io

    from click.testing import CliRunner

    from dosecal.cli.main import cli

    block = re.search(r"```\n(date,weekday,cycle,cycle_day,agent,.*?)\n```", README, re.S)
    assert block is not None
    excerpt = block.group(1).splitlines()
    columns = excerpt[0].split(",")
    result = CliRunner().invoke(cli, LEVEL_2_EXAMPLE)
    rows = list(csv.DictReader(io.StringIO(result.output.removeprefix("\ufeff"))))
    assert excerpt[1:] == [",".join(r[c] for c in columns) for r in rows[: len(excerpt) - 1]]
