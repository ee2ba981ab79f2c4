"""The README's examples stay true."""

from __future__ import annotations

import re

from .conftest import ROOT

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


def test_setup_commands_come_first() -> None:
    """The README opens with the install-and-run command and the test command that CI runs."""
    commands = re.findall(r"^python3 -m venv .*$", README, re.M)
    assert commands[0].endswith("-o out/nct05922501-2026-12-07.csv")
    assert commands[1].endswith(".venv/bin/python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert commands[0] in ci and commands[1] in ci
