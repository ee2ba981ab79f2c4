"""Identities: one place for administration ids, calendar UIDs and the visit ids of the CSV.

Every id is a uuid5 of a fixed namespace, the course id, and the place of
the thing in the regimen (`|phase|cycle|day|...`): never a date, so a delay
keeps every id, and never a counter, so the same course gives the same ids
on every run. Two patients get disjoint ids only if their course ids differ
(`dosecal make --patient-id`).
"""

from __future__ import annotations

import enum
import hashlib
import re
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dosecal.engine.table import Schedule

# Fixed namespaces: changing one changes every id ever handed out.
ID_NAMESPACE = uuid.UUID("6f1c1f0e-5d5b-4d1c-9a57-0d05eca10000")
EVENT_NAMESPACE = uuid.UUID("2b1f4c8e-0d1a-5c7e-9f3b-d05eca1e0001")
_DOMAIN = "@dosecal"
# uuid5's variant nibble: the top two bits of byte 8 become 10.
_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


# A patient's packet folder is named by their id (`make`, `batch`): an id must be a plain name,
# never a path ('../x', 'a/b'), never hidden ('.x'), short enough for every file system.
_FOLDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
FOLDER_ID_RULE = "up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"


def folder_id_problem(text: str) -> str | None:
    """Why `text` cannot name a patient's folder, or None when it can."""
    if _FOLDER_ID.fullmatch(text):
        return None
    return f"'{text}' cannot name a folder: use {FOLDER_ID_RULE}"


class EventKind(enum.Enum):
    """What a day's calendar event holds: the clinic visit, or the doses taken at home."""

    CLINIC = "clinic"
    HOME = "home"


def dose_place(phase: str, cycle: int, day: int, drug: str, slot: int) -> str:
    """Where a dose is in the regimen: the phase, cycle, day, drug (`name (label)`) and slot."""
    return f"|{phase}|{cycle}|{day}|{drug}|{slot}"


def weekday_place(phase: str, line: int, number: int, drug: str, slot: int) -> str:
    """What the id of a dose on a day of the week hashes: its number among the days of its line
    (the drug's `line`-th of days of the week), not its cycle and day: a delay moves the dates, so
    the days of the week fall on other cycle days, and each dose keeps its id (the words have
    spaces, which no phase name has)."""
    return f"|{phase}|days of the week {line}|{number}|{drug}|{slot}"


def course_place(drug: str, number: int, slot: int) -> str:
    """What the id of a dose over the whole course hashes: its number in its line's series (the
    first is 1) rather than its cycle and day, which a delay or `--cycles` may change while its date
    stays (phase names have no spaces: no dose of a phase has this place)."""
    return f"{COURSE_PLACE}{number}|{drug}|{slot}"


# How the place of a dose over the whole course begins (`course_place`).
COURSE_PLACE = "|over the course|"


def event_place(phase: str, cycle: int, day: int, kind: EventKind) -> str:
    """Where a day's event is: the phase, cycle and day, and whether it is the clinic's or home's."""
    return f"|{phase}|{cycle}|{day}|{kind.value}"


def administration_id(course_id: str, place: str) -> str:
    """The id of a dose: the course's identity and the dose's place, hashed."""
    return str(uuid.uuid5(ID_NAMESPACE, course_id + place))


def event_uid(course_id: str, place: str) -> str:
    """The UID of a day's calendar event (a visit's is also the visit list's `visit_id`)."""
    return f"{uuid.uuid5(EVENT_NAMESPACE, course_id + place)}{_DOMAIN}"


def administration_uid(administration_id: str) -> str:
    """The UID of a dose's own event (`--per-administration`): its administration id, as a UID."""
    return f"{administration_id}{_DOMAIN}"


def visit_uid(course_id: str, phase: str, cycle: int, day: int) -> str:
    """The UID of a clinic visit's event; the appointments CSV gives it as `visit_id`."""
    return event_uid(course_id, event_place(phase, cycle, day, EventKind.CLINIC))


def course_uids(schedule: Schedule) -> frozenset[str]:
    """Every calendar UID this course can have, in either layout (a day's events, or one event per
    dose): a calendar of this course, made with either, shares some of them."""
    course_id = schedule.plan.course_id
    found: set[str] = set()
    for a in schedule:
        found.add(administration_uid(a.administration_id))
        for kind in EventKind:
            found.add(event_uid(course_id, event_place(a.phase, a.cycle, a.cycle_day, kind)))
    return frozenset(found)


def administration_ids(course_id: str, places: tuple[bytes, ...]) -> list[str]:
    """`administration_id(course_id, place)` for each place (UTF-8), fast: see `_uuid5_texts`."""
    return _uuid5_texts(ID_NAMESPACE, course_id, places)


def event_uids(course_id: str, places: tuple[bytes, ...]) -> list[str]:
    """`event_uid(course_id, place)` for each place (UTF-8), fast: see `_uuid5_texts`."""
    return [f"{u}{_DOMAIN}" for u in _uuid5_texts(EVENT_NAMESPACE, course_id, places)]


def _uuid5_texts(namespace: uuid.UUID, course_id: str, places: tuple[bytes, ...]) -> list[str]:
    """str(uuid.uuid5(namespace, course_id + place)) for each place, without building UUIDs.

    A roster of 10,000 patients makes millions of ids: hashing the namespace
    and the course id once, and formatting the hex digest directly, is several
    times faster than `uuid.uuid5` per id (tests/engine/test_identity.py holds
    the two equal).
    """
    base = hashlib.sha1(namespace.bytes + course_id.encode("utf-8"), usedforsecurity=False)
    out = []
    for place in places:
        h = base.copy()
        h.update(place)
        x = h.hexdigest()
        out.append(f"{x[:8]}-{x[8:12]}-5{x[13:16]}-{_VARIANT[x[16]]}{x[17:20]}-{x[20:32]}")
    return out
