"""The public face: every name of `dosecal.__all__` importable, and the names of before still there."""

from __future__ import annotations

import subprocess
import sys

import dosecal


def test_every_public_name_is_importable_and_documented() -> None:
    """Each name in `__all__` resolves (lazily) and has a docstring, or is the version string."""
    for name in dosecal.__all__:
        value = getattr(dosecal, name)
        if name in ("__version__", "COLUMNS"):
            continue
        assert value.__doc__, name
    assert set(dir(dosecal)) == set(dosecal.__all__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    """A misspelt name fails as any module's would, naming the name."""
    try:
        dosecal.expnad  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as error:
        assert "expnad" in str(error)
    else:
        raise AssertionError("dosecal.expnad resolved")


def test_the_names_of_before_still_work() -> None:
    """load_bundled, expand, Course, Measures, to_frame, load, loads, bundled: the API of the README."""
    code = """
import datetime, dosecal
from dosecal.io.read import resolve
regimen = dosecal.load_bundled("nct04083898")
assert regimen == dosecal.load(resolve("nct04083898")) and "nct04083898" in dosecal.bundled()
assert dosecal.loads(resolve("nct04083898").read_text("utf-8")) == regimen
course = dosecal.Course(datetime.date(2026, 12, 7), cycles=1, level="2", measures=dosecal.Measures(70, 170))
frame = dosecal.expand(regimen, course).to_frame()
assert len(frame) == 4 + 2 + 4, len(frame)  # isatuximab days 1-22 weekly, bendamustine 1-2, prednisone 1-4
assert dosecal.packet.build(dosecal.expand(regimen, course)).files[0].name == "calendar.ics"
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
