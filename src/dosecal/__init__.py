"""dosecal: a cycle-based treatment regimen -> calendar, drug diary, exports.

    >>> import datetime, dosecal
    >>> regimen = dosecal.load_bundled("nct04083898")
    >>> course = dosecal.Course(datetime.date(2026, 12, 7), cycles=1, level="2")
    >>> schedule = dosecal.expand(regimen, course)
    >>> frame = schedule.to_frame()          # pandas, imported only here

Nothing here imports pandas at start-up.
"""

from __future__ import annotations

from dosecal.course import Course
from dosecal.dosing import BsaFormula, Measures
from dosecal.errors import CourseError, Diagnostic, DosecalError, OutputError, RegimenError
from dosecal.expand import expand
from dosecal.loader import bundled, load, loads
from dosecal.model import Amount, Regimen
from dosecal.table import COLUMNS, Administration, Schedule

__version__ = "0.1.0"

__all__ = [
    "COLUMNS",
    "Administration",
    "Amount",
    "BsaFormula",
    "Course",
    "CourseError",
    "Diagnostic",
    "DosecalError",
    "Measures",
    "OutputError",
    "Regimen",
    "RegimenError",
    "Schedule",
    "__version__",
    "bundled",
    "expand",
    "load",
    "load_bundled",
    "loads",
]


def load_bundled(name: str) -> Regimen:
    """Load a regimen shipped with dosecal by its name (see `bundled()`)."""
    from dosecal.loader import resolve

    return load(resolve(name))
