"""A diary of two home doses a day with a changed dose fits a page on its side.

CAPOX's capecitabine twice daily, reduced from cycle 2 (1000 -> 800 mg/m2: 800 x 1.82 = 1456 mg):
each cell reads "1456 mg (dose reduced)"; the two dose columns and the fixed ones leave less than
90 pt for comments on a letter page on its side, and the diary used to be refused ("too many home
doses a day for one diary table"). docs/diary-reduced.png is its cycle 2 page.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from dosecal.cli.main import cli

COURSE = """\
course pt-8
  regimen capox
  start 2026-03-02
  cycles 3
  weight 70 kg
  height 170 cm
  change capecitabine to 800 mg/m2 from cycle 2 because "HFS"
"""


def test_a_reduced_twice_daily_dose_makes_its_diary(tmp_path: Path) -> None:
    """The diary is written (exit 0), with the reduced dose on cycle 2's rows."""
    course = tmp_path / "pt-8.course"
    course.write_text(COURSE, "utf-8")
    out = tmp_path / "diary.pdf"
    result = CliRunner().invoke(cli, ["diary", "--course", str(course), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "1456 mg (dose reduced)" in text
    assert "capecitabine 800 mg/m2 from cycle 2 (HFS)" in text
