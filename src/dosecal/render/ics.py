"""Calendar events -> an iCalendar file that imports in Google, Apple, Outlook, Thunderbird.

What those clients read alike, and so all this file uses: one VCALENDAR, no
METHOD, one VEVENT per event and no RRULE (clients disagree on recurrence
exceptions), stable UIDs, DTSTAMP from a revision time (never the clock, so
the same inputs give the same bytes), all-day events as VALUE=DATE with an
exclusive next-day end, timed events in UTC (no VTIMEZONE to misread), at
most one VALARM with a negative (or zero) trigger, written after the event's
properties. Text goes through the icalendar library, which escapes it;
nothing is built by string concatenation. tests/render/test_ics.py and
tests/interop/ check the file against readers that are not ours.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from dosecal.engine.identity import course_uids
from dosecal.engine.table import Schedule
from dosecal.errors import OutputError
from dosecal.version import __version__
from dosecal.views.events import CalendarEvent, CalendarOptions, events

if TYPE_CHECKING:
    import icalendar

REFRESH = dt.timedelta(hours=12)


def calendar_name(schedule: Schedule) -> str:
    regimen = schedule.plan.regimen
    return f"{regimen.title} (from {schedule.plan.course.start.isoformat()})"


# What an event shows; a change in any of these makes it a new revision.
_CONTENT = ("DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "TRANSP", "CATEGORIES")


def render(
    schedule: Schedule, options: CalendarOptions, stamp: dt.datetime, previous: bytes | None = None
) -> bytes:
    """The whole calendar as bytes: UTF-8, CRLF, folded at 75 octets.

    With `previous` (the calendar this one replaces), each event keeps its
    SEQUENCE if it shows the same as before and gets the next one if it
    changed, so clients that follow a subscribed feed update it in place.
    """
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
    vevents = [_vevent(event, stamp) for event in events(schedule, options)]
    if previous is not None:
        _carry_sequences(vevents, previous, schedule)
    for vevent in vevents:
        cal.add_component(vevent)
    return cal.to_ical()  # type: ignore[no-any-return]


def _fingerprint(vevent: icalendar.Component) -> bytes:
    parts: list[bytes] = [_ical(vevent[name]) if name in vevent else b"" for name in _CONTENT]
    parts += [alarm.to_ical() for alarm in vevent.walk("VALARM")]
    return b"\n".join(parts)


def _ical(value: object) -> bytes:
    text = value.to_ical()  # type: ignore[attr-defined]
    return text if isinstance(text, bytes) else str(text).encode("utf-8")


def _carry_sequences(vevents: list[icalendar.Event], previous: bytes, schedule: Schedule) -> None:
    """SEQUENCE from the previous calendar: the same if unchanged, one more if changed.

    UIDs come from the course id and each dose's place, and stay when dates
    move: a calendar of this course shares UIDs with this one (made in either
    layout) and names the same regimen. One that does not is another
    patient's or another course's: carrying it over would make its events
    look like revisions of this course's, or start a new calendar where a
    revision was meant, so it is refused (`ForeignCalendarError`).
    """
    name, before = _previous_calendar(previous)
    if before and before.keys().isdisjoint(course_uids(schedule)):
        raise ForeignCalendarError(schedule.plan.course_id)
    regimen = schedule.plan.regimen.title
    if before and name and not name.startswith(f"{regimen} (from "):
        raise ForeignCalendarError(schedule.plan.course_id, regimen=name.rpartition(" (from ")[0] or name)
    for vevent in vevents:
        seen = before.get(str(vevent["UID"]))
        if seen is not None:
            sequence, fingerprint = seen
            vevent["SEQUENCE"] = sequence if fingerprint == _fingerprint(vevent) else sequence + 1


class ForeignCalendarError(OutputError):
    """The calendar named as the one replaced holds none of this course's events."""

    def __init__(self, course_id: str, name: str = "", regimen: str = "") -> None:
        where = f"{name}: " if name else ""
        if regimen:
            said = f"the previous calendar is of another regimen ({regimen}): it is another course's calendar"
        else:
            said = (
                f"the previous calendar holds none of this course's events (course id {course_id}): "
                "it is another patient's or another course's calendar"
            )
        super().__init__(where + said)
        self.course_id = course_id
        self.name = name  # the file's, when the caller knows it
        self.regimen = regimen  # the other calendar's regimen, when that is what differs


def _previous_calendar(previous: bytes) -> tuple[str, dict[str, tuple[int, bytes]]]:
    """The calendar being replaced: its name, and UID -> (SEQUENCE, fingerprint) of its events;
    `OutputError` if it is not a calendar.

    The message never quotes the file: it may be anything (a PDF, a binary),
    and its bytes must not reach the terminal.
    """
    import icalendar

    try:
        old = icalendar.Calendar.from_ical(previous.decode("utf-8"))
        name = str(old.get("NAME", old.get("X-WR-CALNAME", "")))
        return name, {str(e["UID"]): (int(e.get("SEQUENCE", 0)), _fingerprint(e)) for e in old.walk("VEVENT")}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise OutputError(
            "the previous calendar cannot be read: it is not an iCalendar file (.ics) that dosecal wrote"
        ) from None


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
