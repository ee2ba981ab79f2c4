"""The administration table as JSON: the course it came from, then the rows.

Numbers are JSON numbers (dose amounts are exact decimals, shown by their
shortest float form); empty cells are null; dates are ISO strings.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from dosecal.engine.table import COLUMNS, Schedule, Value, values
from dosecal.model.regimen import format_decimal


def _value(value: Value) -> Value | float:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if value == "":
        return None
    return value


def render(schedule: Schedule) -> str:
    plan = schedule.plan
    course = plan.course
    measures = course.measures
    document = {
        "regimen": {
            "name": plan.regimen.name,
            "title": plan.regimen.title,
            "sources": list(plan.regimen.sources),
        },
        "course": {
            "start": course.start.isoformat(),
            "cycles": sum(p.cycles for p in plan.phases),
            "level": plan.level.name if plan.level else None,
            # Only where one is chosen: a course of a regimen without options reads as before.
            **({"option": course.option} if course.option is not None else {}),
            "supplied_doses": {k: str(a) for k, a in plan.supplied},
            "weight_kg": format_decimal(measures.weight_kg) if measures.weight_kg is not None else None,
            "height_cm": format_decimal(measures.height_cm) if measures.height_cm is not None else None,
            "bsa_formula": measures.bsa_formula.value,
        },
        "columns": list(COLUMNS),
        "administrations": [
            {c: _value(v) for c, v in zip(COLUMNS, values(a), strict=True)} for a in schedule.administrations
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
