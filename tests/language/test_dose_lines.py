"""A course file's dose mistakes found against the regimen are shown at the dose line, under the drug."""

from __future__ import annotations

from pathlib import Path

import pytest

from dosecal.errors import RegimenError
from dosecal.io.read import load_course


def test_a_dose_the_regimen_states_is_refused_at_its_dose_line(tmp_path: Path) -> None:
    """R-CHOP states vincristine's dose: `dose vincristine 2 mg` is refused at line 5, under the drug."""
    path = tmp_path / "pt.course"
    path.write_text(
        "course pt-1\n  regimen r-chop-21\n  start 2026-12-07\n  cycles 1\n  dose vincristine 2 mg\n", "utf-8"
    )
    with pytest.raises(RegimenError) as caught:
        load_course(path)
    assert caught.value.render() == (
        f"{path}:5:8: every dose of vincristine is stated by the regimen\n"
        "      dose vincristine 2 mg\n"
        "           ^^^^^^^^^^^\n"
        "    hint: --dose only fills a dose the regimen leaves open\n"
        "\n"
        f"1 error in {path}"
    )
