"""`dosecal show` (render/protocol_text.py) says an infusion time in the calendar's words."""

from __future__ import annotations

import datetime as dt

import dosecal
from dosecal.render.protocol_text import render
from dosecal.views.events import CalendarOptions, events

TEXT = (
    'regimen times "Infusion times"\n'
    "  cycle 14 days, 2 cycles\n"
    "  a 1 mg IV over 60 min\n    day 1\n"
    "  b 1 mg IV over 2 hours, after a\n    day 1\n"
    "  c 1 mg IV, after b\n    day 1, over 30-60 min\n    day 8\n"
    "  d 1 mg IV infusion over 46 hours, after c\n    day 1\n"
)


def test_show_and_the_calendar_say_a_duration_alike() -> None:
    """A drug's time ('over 60 min', 'over 2 hours', 'over 46 hours') and a schedule line's
    ('over 30-60 min') read the same in `dosecal show` as in the calendar's visit event."""
    regimen = dosecal.loads(TEXT, "times")
    shown = render(regimen)
    assert "  a, 1 mg, IV (intravenous), over 60 min\n" in shown
    assert "  b, 1 mg, IV (intravenous), over 2 hours, after a\n" in shown
    assert "    every cycle: day 1, over 30-60 min\n" in shown
    assert "  d, 1 mg, IV (intravenous), infusion, over 46 hours, after c\n" in shown
    schedule = dosecal.expand(regimen, dosecal.Course(dt.date(2026, 12, 7), cycles=1))
    visit = events(schedule, CalendarOptions())[0].description
    for words in ("over 60 min", "over 2 hours", "over 30-60 min", "over 46 hours"):
        assert f"; IV, {words}" in visit or f"; IV, infusion, {words}" in visit
