"""The CLI's option groups: the enum flags' choices, and a light start for `--help`."""

from __future__ import annotations

import subprocess
import sys

from dosecal.cli.options import MOVE_POLICIES, PAPERS, PROFILES
from dosecal.packet import Paper, Profile
from dosecal.views.visits import MovePolicy


def test_each_choice_list_is_its_enums_values() -> None:
    """The choices are written out (so `--help` imports no renderer); they must be the enums' values."""
    assert set(PAPERS) == {p.value for p in Paper}
    assert set(PROFILES) == {p.value for p in Profile}
    assert set(MOVE_POLICIES) == {p.value for p in MovePolicy}
    assert PROFILES[0] == Profile.SPREADSHEET.value  # the default is listed first
    assert PAPERS[0] == Paper.LETTER.value and MOVE_POLICIES[0] == MovePolicy.KEEP.value


def test_the_command_line_loads_only_what_help_needs() -> None:
    """Importing the CLI (what `--help` does) loads no stage behind the commands: no engine, views,
    renderers, packet, batch or io, and none of lark, icalendar, reportlab, pandas or holidays."""
    code = (
        "import sys, dosecal.cli.main\n"
        "heavy = ('dosecal.engine', 'dosecal.views', 'dosecal.render', 'dosecal.packet', 'dosecal.batch',"
        " 'dosecal.io', 'lark', 'icalendar', 'reportlab', 'pandas', 'holidays')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"
