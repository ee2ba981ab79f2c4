"""dosecal: a cycle-based treatment regimen -> calendar, drug diary, exports.

    >>> import datetime, dosecal
    >>> regimen = dosecal.load_bundled("nct04083898")
    >>> course = dosecal.Course(datetime.date(2026, 12, 7), cycles=1, level="2")
    >>> schedule = dosecal.expand(regimen, course)
    >>> frame = schedule.to_frame()          # pandas, imported only here

The public face of the package: every name in `__all__` is imported from
its stage the first time it is asked for (PEP 562), so `import dosecal`
imports nothing else, and using the regimen language never loads the
renderers. Nothing inside the package imports this module.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from dosecal.version import __version__

if TYPE_CHECKING:  # what the names are, for type checkers and editors; at run time see __getattr__
    from dosecal import packet
    from dosecal.engine.expand import expand
    from dosecal.engine.table import COLUMNS, Administration, Schedule
    from dosecal.errors import CourseError, Diagnostic, DosecalError, OutputError, RegimenError, Subject
    from dosecal.io.read import bundled, load, load_bundled, load_course
    from dosecal.language.load import loads
    from dosecal.model.course import Course
    from dosecal.model.measures import BsaFormula, Creatinine, CreatinineUnit, Measures, Sex
    from dosecal.model.regimen import Amount, Regimen

# Public name -> the module that defines it.
_HOMES = {
    "COLUMNS": "dosecal.engine.table",
    "Administration": "dosecal.engine.table",
    "Schedule": "dosecal.engine.table",
    "expand": "dosecal.engine.expand",
    "Amount": "dosecal.model.regimen",
    "Regimen": "dosecal.model.regimen",
    "Course": "dosecal.model.course",
    "BsaFormula": "dosecal.model.measures",
    "Measures": "dosecal.model.measures",
    "Creatinine": "dosecal.model.measures",
    "CreatinineUnit": "dosecal.model.measures",
    "Sex": "dosecal.model.measures",
    "CourseError": "dosecal.errors",
    "Diagnostic": "dosecal.errors",
    "DosecalError": "dosecal.errors",
    "OutputError": "dosecal.errors",
    "RegimenError": "dosecal.errors",
    "Subject": "dosecal.errors",
    "loads": "dosecal.language.load",
    "bundled": "dosecal.io.read",
    "load": "dosecal.io.read",
    "load_bundled": "dosecal.io.read",
    "load_course": "dosecal.io.read",
}

__all__ = [
    "COLUMNS",
    "Administration",
    "Amount",
    "BsaFormula",
    "Course",
    "CourseError",
    "Creatinine",
    "CreatinineUnit",
    "Diagnostic",
    "DosecalError",
    "Measures",
    "OutputError",
    "Regimen",
    "RegimenError",
    "Schedule",
    "Sex",
    "Subject",
    "__version__",
    "bundled",
    "expand",
    "load",
    "load_bundled",
    "load_course",
    "loads",
    "packet",
]


# Public modules: `dosecal.packet.build(...)` after a bare `import dosecal`.
_MODULES = {"packet": "dosecal.packet"}


def __getattr__(name: str) -> object:
    if name in _MODULES:
        module = importlib.import_module(_MODULES[name])
        globals()[name] = module
        return module
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'dosecal' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # asked once: later lookups do not come here
    return value


def __dir__() -> list[str]:
    return __all__
