"""Calendar events -> an iCalendar file that imports in Google, Apple, Outlook, Thunderbird.

Follows ../shared/ICS-PROFILE.md: one VCALENDAR, no METHOD, one VEVENT per
event and no RRULE, stable UIDs, DTSTAMP from a revision time (never the
clock), all-day events as VALUE=DATE with an exclusive next-day end, timed
events in UTC, at most one VALARM with a negative (or zero) trigger, written
after the event's properties. Text goes through the icalendar library, which
escapes it; nothing is built by string concatenation.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from dosecal import __version__
from dosecal.calendar import CalendarEvent, CalendarOptions, events
from dosecal.table import Schedule

if TYPE_CHECKING:
    import icalendar

REFRESH = dt.timedelta(hours=12)


def calendar_name(schedule: Schedule) -> str:
    regimen = schedule.plan.regimen
    return f"{regimen.title} (from {schedule.plan.course.start.isoformat()})"


def render(schedule: Schedule, options: CalendarOptions, stamp: dt.datetime) -> bytes:
    """The whole calendar as bytes: UTF-8, CRLF, folded at 75 octets."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", f"-//dosecal//dosecal {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    name = calendar_name(schedule)
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    # For subscribed feeds: how often a client should fetch the file again.
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", icalendar.vDuration(REFRESH))
    for event in events(schedule, options):
        cal.add_component(_vevent(event, stamp))
    return cal.to_ical()  # type: ignore[no-any-return]


def _vevent(event: CalendarEvent, stamp: dt.datetime) -> icalendar.Event:
    import icalendar

    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", stamp)
    vevent.add("sequence", 0)
    vevent.add("dtstart", event.start)
    vevent.add("dtend", event.end)
    vevent.add("summary", event.summary)
    vevent.add("description", event.description)
    vevent.add("categories", [event.category])
    vevent.add("transp", "TRANSPARENT" if event.transparent else "OPAQUE")
    if event.alarm_before_minutes is not None:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", event.alarm_text)
        alarm.add("trigger", -dt.timedelta(minutes=event.alarm_before_minutes))
        vevent.add_component(alarm)
    return vevent
